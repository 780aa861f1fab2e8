"""Officials and their bearer tokens, kept in the service's store (SQLite file or PostgreSQL).

A token is shown once when `gongkai token` issues it; only its SHA-256 is stored. The acting
official (and so the `Actor` recorded on every event) always comes from the token, never from a
request body (004 att.3 Art 6: responsibility follows who actually decided).

Every authenticated request needs token → official, so the registry keeps what it looked up in
memory for `token_cache_seconds` (`GONGKAI_TOKEN_CACHE_SECONDS`, default 5; 0 switches the
cache off). A revocation or a changed official takes effect at once in the process that made
it (its entries are evicted); another process (a second API process, or `gongkai token` beside
a running server) notices it when its cached entry expires, so within that bound. Unknown
tokens are never cached: a token issued elsewhere works on its first request.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.base import Actor
from domain.codes import Role
from projections.postgres_store import lock_ddl
from projections.store import SqlStore

TOKEN_PREFIX = "gk_"
DEFAULT_TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_MAX_ENTRIES = 10_000

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS api_officials (
        official_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        department TEXT NOT NULL,
        agency_code TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS api_tokens (
        token_sha256 TEXT PRIMARY KEY,
        official_id TEXT NOT NULL REFERENCES api_officials(official_id),
        issued_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
)


class Official(BaseModel):
    """A configured official: who a token speaks for."""

    model_config = ConfigDict(frozen=True)

    official_id: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=64)
    role: Role
    department: str = Field(min_length=1, max_length=128)
    agency_code: str = Field(min_length=1, max_length=64)

    def actor(self) -> Actor:
        return Actor(
            official_id=self.official_id,
            role=self.role,
            department=self.department,
            name=self.name,
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenCache:
    """token hash → (official, expiry) for `ttl` seconds of `clock`; bounded in size.

    `invalidate` bumps a generation: a lookup that started before it (and may have read the
    row before a revocation committed) does not store its now stale answer."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[Official, float]] = {}
        self.generation = 0

    def get(self, key: str) -> Official | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        official, expires_at = entry
        if self._clock() >= expires_at:
            self._entries.pop(key, None)
            return None
        return official

    def put(self, key: str, official: Official, generation: int) -> None:
        if self.ttl <= 0 or generation != self.generation:
            return
        if len(self._entries) >= TOKEN_CACHE_MAX_ENTRIES:
            self._entries.clear()  # rare: simpler than LRU, and every entry is re-readable
        self._entries[key] = (official, self._clock() + self.ttl)

    def invalidate(self, *, key: str | None = None, official_id: str | None = None) -> None:
        self.generation += 1
        if key is not None:
            self._entries.pop(key, None)
        if official_id is not None:
            for cached_key, (official, _) in list(self._entries.items()):
                if official.official_id == official_id:
                    self._entries.pop(cached_key, None)


class OfficialRegistry:
    def __init__(
        self,
        store: SqlStore,
        *,
        token_cache_seconds: float = DEFAULT_TOKEN_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._store = store
        self._tokens = TokenCache(token_cache_seconds, clock)

    def create_tables(self) -> None:
        with self._store.transaction() as tx:
            lock_ddl(tx)
            for statement in SCHEMA:
                tx.execute(statement)

    def save(self, official: Official) -> None:
        with self._store.transaction() as tx:
            tx.execute(
                "INSERT INTO api_officials (official_id, name, role, department, agency_code,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (official_id) DO UPDATE SET"
                " name = excluded.name, role = excluded.role, department = excluded.department,"
                " agency_code = excluded.agency_code, updated_at = excluded.updated_at",
                (
                    official.official_id,
                    official.name,
                    official.role.value,
                    official.department,
                    official.agency_code,
                    datetime.now(UTC).isoformat(),
                ),
            )
        self._tokens.invalidate(official_id=official.official_id)  # a new role applies at once

    def issue_token(self, official: Official) -> str:
        """Save the official and return a new token (shown once; only its hash is kept)."""
        if official.role is Role.SYSTEM:
            raise ValueError("no token is issued for the system role")
        self.save(official)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._store.transaction() as tx:
            tx.execute(
                "INSERT INTO api_tokens (token_sha256, official_id, issued_at) VALUES (?, ?, ?)",
                (token_hash(token), official.official_id, datetime.now(UTC).isoformat()),
            )
        return token

    def revoke(self, token: str) -> bool:
        with self._store.transaction() as tx:
            found = tx.fetchone(
                "SELECT 1 FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                (token_hash(token),),
            )
            tx.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE token_sha256 = ?",
                (datetime.now(UTC).isoformat(), token_hash(token)),
            )
        self._tokens.invalidate(key=token_hash(token))
        return found is not None

    def authenticate(self, token: str) -> Official | None:
        """The official a valid, unrevoked token speaks for (cached: see the module's notes)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        key = token_hash(token)
        official = self._tokens.get(key)
        if official is not None:
            return official
        generation = self._tokens.generation
        official = self._lookup(key)
        if official is not None:
            self._tokens.put(key, official, generation)
        return official

    def _lookup(self, key: str) -> Official | None:
        with self._store.reading() as tx:
            row = tx.fetchone(
                "SELECT o.official_id, o.name, o.role, o.department, o.agency_code"
                " FROM api_tokens t JOIN api_officials o ON o.official_id = t.official_id"
                " WHERE t.token_sha256 = ? AND t.revoked_at IS NULL",
                (key,),
            )
        return self._official(row)

    def get(self, official_id: str) -> Official | None:
        with self._store.reading() as tx:
            row = tx.fetchone(
                "SELECT official_id, name, role, department, agency_code FROM api_officials"
                " WHERE official_id = ?",
                (official_id,),
            )
        return self._official(row)

    def all(self) -> list[Official]:
        with self._store.reading() as tx:
            rows = tx.fetchall(
                "SELECT official_id, name, role, department, agency_code FROM api_officials"
                " ORDER BY agency_code, official_id"
            )
        return [o for o in (self._official(r) for r in rows) if o is not None]

    @staticmethod
    def _official(row: tuple[object, ...] | None) -> Official | None:
        if row is None:
            return None
        official_id, name, role, department, agency_code = row
        return Official(
            official_id=str(official_id),
            name=str(name),
            role=Role(str(role)),
            department=str(department),
            agency_code=str(agency_code),
        )
