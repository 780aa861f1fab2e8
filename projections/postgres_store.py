"""The read models' PostgreSQL store: the same interface as `SqliteStore`, in the events' database.

Production runs one PostgreSQL database shared by every process (docs/operations.md): the
eventsourcing recorder's `gongkailedger_events` table and the read-model, ledger and API tables
live side by side in the configured schema (`POSTGRES_SCHEMA`, default `public`), which is
created on first start. Read models write portable SQL (`?` placeholders, `INSERT … ON CONFLICT`);
this store translates the placeholders for psycopg and adapts values the way SQLite stores them:

- `UUID` and `bool` parameters are sent untyped ("unknown"), so PostgreSQL reads them as the
  column's type (TEXT, INT), as SQLite does;
- `NUMERIC` results (PostgreSQL's type of `SUM(bigint)` and `AVG`) load as `int` when integral,
  else `float`, the values SQLite returns for the same queries.

Connections come from a psycopg pool whose `check` pings each connection as it is lent, so a
restarted server costs no failed request; `connect_timeout` bounds how long a request waits for a
connection while the server is down (the API answers 503 then, api/problems.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from uuid import UUID

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.sql import SQL, Identifier
from psycopg_pool import ConnectionPool

from projections.store import Tx

# An unquoted PostgreSQL identifier: the schema is spliced into `search_path` and DDL.
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_UNKNOWN_OID = 0  # "unknown": the server infers the type from the context


@dataclass(frozen=True)
class PostgresConfig:
    """Where the shared store is and how each process connects to it.

    Read from the same environment variables as `eventsourcing.postgres` (`from_env`), so one
    set of variables configures the event store, the read models and the API's tables.
    """

    dbname: str = "gongkai"
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    schema: str = "public"
    # Seconds a request waits for a pooled connection; while the server is down every request
    # fails after this long with 503 `store-unavailable` instead of hanging. Connecting to a
    # healthy server takes milliseconds, so 1 s only trips on an outage or an exhausted pool.
    connect_timeout: int = 1
    # Connections kept open per pool; each process has two pools (events, read models).
    pool_size: int = 2
    # Extra connections opened under load, closed when idle.
    max_overflow: int = 8
    # A transaction left idle this long is ended by the server (it holds locks).
    idle_in_transaction_timeout: int = 5

    def __post_init__(self) -> None:
        if not _SCHEMA_NAME.match(self.schema):
            raise ValueError(
                f"POSTGRES_SCHEMA must be a lower-case identifier ([a-z_][a-z0-9_]*): "
                f"{self.schema!r}"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PostgresConfig:
        values = os.environ if env is None else env
        defaults = cls()

        def get(name: str, default: object) -> str:
            return values.get(name) or str(default)

        return cls(
            dbname=get("POSTGRES_DBNAME", defaults.dbname),
            host=get("POSTGRES_HOST", defaults.host),
            port=int(get("POSTGRES_PORT", defaults.port)),
            user=get("POSTGRES_USER", defaults.user),
            password=values.get("POSTGRES_PASSWORD", ""),
            schema=get("POSTGRES_SCHEMA", defaults.schema),
            connect_timeout=int(get("POSTGRES_CONNECT_TIMEOUT", defaults.connect_timeout)),
            pool_size=int(get("POSTGRES_POOL_SIZE", defaults.pool_size)),
            max_overflow=int(get("POSTGRES_MAX_OVERFLOW", defaults.max_overflow)),
            idle_in_transaction_timeout=int(
                get(
                    "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT",
                    defaults.idle_in_transaction_timeout,
                )
            ),
        )

    def ledger_env(self) -> dict[str, str]:
        """The environment of `eventsourcing.postgres` for `GongkaiLedger`.

        Several processes write; `GongkaiLedger` handles cached copies that missed another
        process's write (domain/concurrency.py). `POSTGRES_PRE_PING` makes the library's pool
        replace connections a restart broke.
        """
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
            "POSTGRES_SCHEMA": self.schema,
            "POSTGRES_CONNECT_TIMEOUT": str(self.connect_timeout),
            "POSTGRES_POOL_SIZE": str(self.pool_size),
            "POSTGRES_MAX_OVERFLOW": str(self.max_overflow),
            "POSTGRES_PRE_PING": "y",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": str(self.idle_in_transaction_timeout),
        }

    def connect_kwargs(self) -> dict[str, Any]:
        """psycopg connection arguments; libpq's own connect timeout has a floor of 2 s."""
        return {
            "dbname": self.dbname,
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "connect_timeout": max(2, self.connect_timeout),
            "application_name": "gongkai-ledger",
        }

    def describe(self) -> str:
        """For logs and the CLI: never the password."""
        where = f"{self.user}@{self.host}:{self.port}/{self.dbname}"
        return f"postgresql://{where} schema={self.schema}"


# One advisory lock key for creating tables (the projection driver takes it too): processes
# starting together would otherwise collide in PostgreSQL's catalogue, because concurrent
# `CREATE TABLE IF NOT EXISTS` of one name fails with a unique violation in `pg_type`.
DDL_LOCK_KEY = 0x676F6E676B6169  # "gongkai"


def lock_ddl(tx: Tx) -> None:
    """Take the DDL lock for the rest of `tx` (PostgreSQL; SQLite's writer lock suffices)."""
    serialise(tx, DDL_LOCK_KEY)


def serialise(tx: Tx, key: int) -> None:
    """Make transactions taking `key` run one after another, as SQLite's `BEGIN IMMEDIATE`
    makes every writer: under PostgreSQL's READ COMMITTED two of them could both read a state
    and both write on it. The lock ends with `tx`."""
    if tx.dialect == "postgres":
        tx.execute("SELECT pg_advisory_xact_lock(?)", (key,))


@contextmanager
def provisioning(config: PostgresConfig) -> Iterator[None]:
    """Create the schema if needed and hold the DDL lock while the caller creates tables
    through other connections (the eventsourcing recorder creates its own on construction)."""
    with psycopg.connect(**config.connect_kwargs(), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (DDL_LOCK_KEY,))
        try:
            connection.execute(
                SQL("CREATE SCHEMA IF NOT EXISTS {}").format(Identifier(config.schema))
            )
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (DDL_LOCK_KEY,))


def create_schema(config: PostgresConfig) -> None:
    """`CREATE SCHEMA IF NOT EXISTS` (the first start of a deployment or of a test)."""
    with provisioning(config):
        pass


def drop_schema(config: PostgresConfig) -> None:
    """Drop the schema and everything in it (tests and `gongkai demo --fresh`)."""
    with psycopg.connect(**config.connect_kwargs(), autocommit=True) as connection:
        connection.execute(
            SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(config.schema))
        )


@lru_cache(maxsize=4096)
def to_psycopg(sql: str) -> str:
    """`?` placeholders to `%s`, outside quoted literals and identifiers; a literal `%` is
    doubled, because psycopg reads `%` as the start of a placeholder everywhere."""
    out: list[str] = []
    quote: str | None = None
    for char in sql:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append("%%" if char == "%" else char)
    return "".join(out)


class _UntypedTextDumper(Dumper):
    """A value sent as an untyped literal, as SQLite would compare it: UUIDs as their text."""

    oid = _UNKNOWN_OID

    def dump(self, obj: Any) -> bytes:
        return str(obj).encode()


class _BoolAsIntDumper(Dumper):
    """`True`/`False` as `1`/`0` untyped: an INT column takes them as SQLite stores them."""

    oid = _UNKNOWN_OID

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _SqliteLikeNumericLoader(Loader):
    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


# `INSERT INTO table (columns) VALUES (?, …, ?) [tail without parameters]`: the shape every
# read model's bulk write has, which `executemany` can send as one statement over arrays.
_BULK_INSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)(.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Below this many rows the pipelined per-row statements cost no more than the array round trip.
BULK_MIN_ROWS = 16


class _PostgresTx:
    dialect = "postgres"

    def __init__(
        self, connection: psycopg.Connection[Any], column_types: dict[str, dict[str, str]]
    ):
        self._connection = connection
        self._column_types = column_types  # per table, shared by the store's transactions

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if _is_ddl(sql):
            self._column_types.clear()  # a table may have been dropped and created otherwise
        self._connection.execute(to_psycopg(sql), list(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """A bulk `INSERT … VALUES (?, …)` goes as ONE `INSERT … SELECT FROM unnest(arrays)`:
        pipelined row-by-row statements cost about 12 µs a row in protocol work (100,000
        two-column rows: 1.2 s; as two binary arrays: 0.13 s).
        Where that single statement cannot stand for the sequence (one `ON CONFLICT DO UPDATE`
        touching a row twice), a savepoint takes it back and the rows go one by one, with the
        same outcome as SQLite's `executemany`."""
        rows = rows if isinstance(rows, list) else list(rows)
        match = _BULK_INSERT.match(sql)
        if match is None or len(rows) < BULK_MIN_ROWS or "?" in match.group(3):
            self._each(sql, rows)
            return
        table, columns, tail = match.group(1), match.group(2), match.group(3)
        names = [name.strip() for name in columns.split(",")]
        types = self._types(table, names)
        if types is None:
            self._each(sql, rows)
            return
        arrays = [[_plain(row[index]) for row in rows] for index in range(len(names))]
        # Binary arrays (`%b`): psycopg's text array format escapes every element with a
        # regular expression, which cost more than it saved (100,000 rows: 0.4 s vs 0.13 s).
        unnest = ", ".join(f"%b::{kind}[]" for kind in types)
        statement = (
            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({unnest})"
            + tail.replace("%", "%%")
        )
        try:
            with self._connection.transaction():  # a savepoint inside the caller's transaction
                self._connection.execute(statement, arrays)
        except psycopg.errors.CardinalityViolation:
            self._each(sql, rows)

    def _each(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(to_psycopg(sql), rows)

    def _types(self, table: str, names: list[str]) -> list[str] | None:
        """The columns' SQL types (cached per table until this store runs DDL); None when the
        table or a column is unknown, and the rows go one by one."""
        by_name = self._column_types.get(table)
        if by_name is None:
            found = self._connection.execute(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped",
                [table],
            ).fetchall()
            by_name = {str(name): str(kind) for name, kind in found}
            self._column_types[table] = by_name
        types = [by_name.get(name.lower()) for name in names]
        return [kind for kind in types if kind is not None] if all(types) else None

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(to_psycopg(sql), list(params)).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._connection.execute(
            to_psycopg(sql), list(params)
        ).fetchone()
        return row


def _is_ddl(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head in ("CREATE", "DROP", "ALTER ")


def _plain(value: Any) -> Any:
    """A value as an array element: UUIDs as text, booleans as 0/1 (as SQLite stores them)."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _configure(connection: psycopg.Connection[Any]) -> None:
    connection.autocommit = True
    adapters = connection.adapters
    adapters.register_dumper(UUID, _UntypedTextDumper)
    adapters.register_dumper(bool, _BoolAsIntDumper)
    adapters.register_loader("numeric", _SqliteLikeNumericLoader)


class PostgresStore:
    """Read-model tables in PostgreSQL, in the configured schema (`search_path`)."""

    dialect = "postgres"

    def __init__(self, config: PostgresConfig, *, min_size: int | None = None):
        self.config = config
        kwargs = config.connect_kwargs()
        kwargs["options"] = (
            f"-c search_path={config.schema}"
            f" -c idle_in_transaction_session_timeout={config.idle_in_transaction_timeout * 1000}"
        )
        size = config.pool_size if min_size is None else min_size
        self._column_types: dict[str, dict[str, str]] = {}
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            kwargs=kwargs,
            min_size=size,
            max_size=max(size, config.pool_size + config.max_overflow),
            timeout=config.connect_timeout,
            check=ConnectionPool.check_connection,
            configure=_configure,
            name=f"gongkai-read-{config.schema}",
            open=True,
        )

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with self._pool.connection() as connection, connection.transaction():
            yield _PostgresTx(connection, self._column_types)

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        """Autocommit: each statement sees what was committed before it, as a SQLite read
        outside a transaction does."""
        with self._pool.connection() as connection:
            yield _PostgresTx(connection, self._column_types)

    def close(self) -> None:
        self._pool.close()
