"""The two stores every persisting test runs on: the embedded SQLite file and PostgreSQL.

A `Backend` hands out what a test needs over ONE store — applications (`ledger()`), read-model
stores (`store()`), API settings (`settings()`) — and closes and removes all of it afterwards:
SQLite files live in the test's temporary directory; on PostgreSQL each backend gets its own
schema (`POSTGRES_SCHEMA` for eventsourcing, `search_path` for the read models), dropped at the
end, so tests never see each other's rows.

PostgreSQL is the server at GONGKAI_TEST_POSTGRES_HOST:PORT (127.0.0.1:5432, user `postgres`,
database `test`). When it does not answer, tests marked `postgres` are skipped with the reason —
or fail, when GONGKAI_REQUIRE_POSTGRES=1 (CI: `.ci/run`), so a broken CI machine cannot pass by
skipping half the suite.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

from api.settings import Settings
from domain.application import GongkaiLedger
from projections.postgres_store import PostgresConfig, PostgresStore, create_schema, drop_schema
from projections.store import SqliteStore, SqlStore

L = TypeVar("L", bound=GongkaiLedger)

SQLITE = "sqlite"
POSTGRES = "postgres"
BACKENDS = [
    pytest.param(SQLITE, id=SQLITE),
    pytest.param(POSTGRES, id=POSTGRES, marks=pytest.mark.postgres),
]
REQUIRE_ENV = "GONGKAI_REQUIRE_POSTGRES"
_schemas = itertools.count()


def server_config(schema: str = "public") -> PostgresConfig:
    """The test server; small pools, because every test opens its own."""
    env = os.environ
    return PostgresConfig(
        dbname=env.get("GONGKAI_TEST_POSTGRES_DBNAME", "test"),
        host=env.get("GONGKAI_TEST_POSTGRES_HOST", "127.0.0.1"),
        port=int(env.get("GONGKAI_TEST_POSTGRES_PORT", "5432")),
        user=env.get("GONGKAI_TEST_POSTGRES_USER", "postgres"),
        password=env.get("GONGKAI_TEST_POSTGRES_PASSWORD", ""),
        schema=schema,
        pool_size=1,
        max_overflow=4,
    )


@cache
def postgres_problem() -> str | None:
    """None when the test server answers; else why not (asked once per test session)."""
    config = server_config()
    try:
        with psycopg.connect(**config.connect_kwargs()) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        reason = " ".join(str(error).split()) or type(error).__name__
        return f"PostgreSQL at {config.host}:{config.port} unreachable: {reason}"
    return None


def require_postgres() -> None:
    """Skip (or, with GONGKAI_REQUIRE_POSTGRES=1, fail) when the server does not answer."""
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{problem} ({REQUIRE_ENV}=1: PostgreSQL tests must run)", pytrace=False)
    pytest.skip(problem)


def unique_schema(label: str = "t") -> str:
    return f"{label}_{os.getpid()}_{next(_schemas)}_{secrets.token_hex(3)}"


@dataclass
class Backend:
    """One store for one test (or one module): SQLite files in `directory`, or one PostgreSQL
    schema. Everything opened through it is closed, and the schema dropped, by `close()`."""

    name: str
    directory: Path
    schema: str = ""
    _closers: list[Any] = field(default_factory=list)
    _schemas: list[PostgresConfig] = field(default_factory=list)

    @property
    def is_postgres(self) -> bool:
        return self.name == POSTGRES

    @property
    def config(self) -> PostgresConfig:
        """The PostgreSQL schema of this backend (the events and the read models beside them)."""
        return server_config(self.schema)

    def ledger(self, cls: type[L] = GongkaiLedger, **kwargs: Any) -> L:  # type: ignore[assignment]
        """An application over this backend's event store; several calls share the store, as
        several processes do."""
        if self.is_postgres:
            env = {**self.config.ledger_env(), **kwargs.pop("env", {})}
            app = cls(env=env, **kwargs)
        else:
            app = cls.embedded(str(self.directory / "ledger.sqlite"), **kwargs)
        self._closers.append(app)
        return app

    def store(self, name: str = "") -> SqlStore:
        """A read-model store: beside the events (no `name`), or a separate one (a clean
        rebuild to compare with) — another file, or another schema."""
        if self.is_postgres:
            config = self.config if not name else self._new_schema(f"{self.schema}_{name}")
            opened: SqlStore = PostgresStore(config, min_size=0)
        else:
            opened = SqliteStore(str(self.directory / f"{name or 'ledger'}.sqlite"))
        self._closers.append(opened)
        return opened

    def settings(self, **kwargs: Any) -> Settings:
        """API settings over this backend (the data directory holds demo tokens and bundles)."""
        settings = Settings(data_dir=self.directory / "data", **kwargs)
        return replace(settings, postgres=self.config) if self.is_postgres else settings

    def _new_schema(self, schema: str) -> PostgresConfig:
        config = server_config(schema)
        create_schema(config)
        self._schemas.append(config)
        return config

    def uncreated(self, label: str) -> PostgresConfig:
        """A schema name nobody created yet (dropped with this backend): first-start tests."""
        config = server_config(f"{self.schema}_{label}")
        self._schemas.append(config)
        return config

    def child(self, label: str) -> Backend:
        """A second, separate store of the same kind (its own directory or schema), closed
        with this one: two apps of one test module that must not see each other's events."""
        directory = self.directory / label
        directory.mkdir(parents=True, exist_ok=True)
        schema = f"{self.schema}_{label}" if self.is_postgres else ""
        child = Backend(self.name, directory, schema).open()
        self._closers.append(child)
        return child

    def open(self) -> Backend:
        if self.is_postgres:
            require_postgres()
            self.schema = self.schema or unique_schema()
            self._new_schema(self.schema)
        return self

    def close(self) -> None:
        for opened in reversed(self._closers):
            with suppress(Exception):
                opened.close()
        self._closers.clear()
        for config in self._schemas:
            drop_schema(config)
        self._schemas.clear()


def open_backend(name: str, directory: Path) -> Iterator[Backend]:
    backend = Backend(name, directory).open()
    try:
        yield backend
    finally:
        backend.close()


@contextmanager
def backend_for(name: str, directory: Path) -> Iterator[Backend]:
    """A backend inside a test: one per Hypothesis example, which fixtures cannot give."""
    yield from open_backend(name, directory)
