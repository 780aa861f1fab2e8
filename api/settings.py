"""Settings of the HTTP service, passed to `create_app(settings)` (no module-level singletons).

`Settings.from_env()` reads `GONGKAI_*` variables, and `PERSISTENCE_MODULE` / `POSTGRES_*` (the
names `eventsourcing` reads) for the store; tests build `Settings(...)`. docs/operations.md lists
every variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from api.auth import DEFAULT_TOKEN_CACHE_SECONDS
from projections.postgres_store import PostgresConfig

DATABASE_NAME = "gongkai.sqlite"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    # Run the projection driver in a background thread of the server process.
    run_projections: bool = True
    # Upper bound of a consistent read (`?wait=true` / `X-Min-Position`), in seconds.
    read_wait_timeout: float = 5.0
    # How long a process reuses a token → official lookup; also how long a revocation made by
    # another process may take to apply here (api/auth.py). 0: look up every request.
    token_cache_seconds: float = DEFAULT_TOKEN_CACHE_SECONDS
    # Public base URL, used in the Atom feed's links when set (e.g. behind a proxy).
    public_base_url: str = ""
    # Extra environment for the eventsourcing application (e.g. CIPHER_TOPIC, CIPHER_KEY).
    ledger_env: dict[str, str] = field(default_factory=dict)
    # The shared PostgreSQL store (production); None: the embedded SQLite file in `data_dir`.
    postgres: PostgresConfig | None = None

    @property
    def database(self) -> Path:
        """The one SQLite file: events, read models, officials, tokens and idempotency keys."""
        return self.data_dir / DATABASE_NAME

    def describe_store(self) -> str:
        return self.postgres.describe() if self.postgres else str(self.database)

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> Settings:
        env = os.environ
        return cls(
            data_dir=data_dir or Path(env.get("GONGKAI_DATA_DIR", "var")),
            run_projections=env.get("GONGKAI_RUN_PROJECTIONS", "1") not in ("0", "false", "no"),
            read_wait_timeout=float(env.get("GONGKAI_READ_WAIT_TIMEOUT", "5")),
            token_cache_seconds=float(
                env.get("GONGKAI_TOKEN_CACHE_SECONDS", str(DEFAULT_TOKEN_CACHE_SECONDS))
            ),
            public_base_url=env.get("GONGKAI_PUBLIC_BASE_URL", ""),
            postgres=(
                PostgresConfig.from_env(env)
                if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"
                else None
            ),
        )
