"""The read models' PostgreSQL store: the same interface as `SqliteStore`, in the events' database.

Production runs one PostgreSQL database shared by every process (docs/operations.md): the
eventsourcing recorder's `gongkailedger_events` table and the read-model, ledger and API tables
live side by side in the configured schema (`POSTGRES_SCHEMA`, default `public`), which is
created on first start. Read models write portable SQL (`?` placeholders, `INSERT … ON CONFLICT`);
this store translates the placeholders for psycopg and adapts values the way SQLite stores them:

- `UUID` and `bool` parameters are sent untyped ("unknown"), so PostgreSQL reads them as the
  column's type (TEXT, INT), as SQLite does;
- `NUMERIC` results (PostgreSQL's type of `SUM(bigint)` and `AVG`) load as `int` when integral,
  else `float`, the values SQLite returns for the same queries;
- bulk `executemany` inserts go through COPY (`_PostgresTx.executemany`), whose text format hands
  every value to the column type's input function, as an untyped parameter would be.

Connections come from a psycopg pool whose `check` pings each connection as it is lent, so a
restarted server costs no failed request; `connect_timeout` bounds how long a request waits for a
connection while the server is down (the API answers 503 then, api/problems.py).
"""

from __future__ import annotations

import hashlib
import logging
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

logger = logging.getLogger(__name__)

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
# read model's bulk write has, which `executemany` sends through COPY.
_BULK_INSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)(.*)$",
    re.IGNORECASE | re.DOTALL,
)
# Below this many rows pipelined per-row statements cost no more than COPY's two round trips,
# and below STAGED_MIN_ROWS no more than a staged upsert's six (measured: 64 rows 0.9 ms row by
# row vs 1.1 ms staged, 128 rows 1.6 vs 1.4 ms; a plain COPY of 16 rows 0.31 vs 0.37 ms).
BULK_MIN_ROWS = 16
STAGED_MIN_ROWS = 100


@dataclass(frozen=True)
class _BulkInsert:
    """A bulk `INSERT` taken apart once per statement text."""

    table: str
    columns: str  # as written
    names: tuple[str, ...]
    tail: str  # after `VALUES (…)`: empty, or `ON CONFLICT …` (sent without parameters)


@lru_cache(maxsize=1024)
def _bulk_insert(sql: str) -> _BulkInsert | None:
    match = _BULK_INSERT.match(sql)
    if match is None or "?" in match.group(3):
        return None
    table, columns, tail = match.group(1), match.group(2).strip(), match.group(3).strip()
    names = tuple(name.strip() for name in columns.split(","))
    return _BulkInsert(table, columns, names, tail)


def _staging_table(bulk: _BulkInsert, types: list[str]) -> str:
    """The session's temporary table for `bulk`'s columns with these types; the name changes
    with the types, so a table recreated otherwise gets a staging table of its own."""
    signature = "\0".join((bulk.table, *bulk.names, *types)).encode()
    return f"gk_stage_{bulk.table[:32]}_{hashlib.blake2s(signature, digest_size=5).hexdigest()}"


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
        """A bulk `INSERT … VALUES (?, …)` goes through COPY, whose rows psycopg formats in C:
        a plain insert straight into its table; one with a tail (`ON CONFLICT …`) into a
        temporary staging table, then `INSERT INTO table SELECT * FROM staging ON CONFLICT …`.
        Pipelined row-by-row statements cost about 12 µs a row in protocol work; the binary
        `unnest` arrays this replaced about 3 µs a row of client CPU, mostly building the
        arrays in Python; COPY about 1 µs (docs/operations.md, "Rebuilds on PostgreSQL").

        COPY's text format hands every value to the column type's input function, as the
        store's untyped parameters are read (UUIDs as their text, booleans as 0/1).
        Where one statement cannot stand for the sequence (an `ON CONFLICT DO UPDATE`
        touching a row twice: CardinalityViolation), a savepoint takes it back and the rows
        go one by one, with the same outcome as SQLite's `executemany`. The staging table is
        read in the order it was written (temporary tables are never scanned in parallel or
        from the middle), so `DO NOTHING` keeps the first of repeated keys, as row by row."""
        rows = rows if isinstance(rows, list) else list(rows)
        bulk = _bulk_insert(sql)
        if bulk is None or len(rows) < BULK_MIN_ROWS:
            self._each(sql, rows)
            return
        if not bulk.tail:
            self._copy(f"COPY {bulk.table} ({bulk.columns}) FROM STDIN", rows)
            return
        types = self._types(bulk.table, bulk.names) if len(rows) >= STAGED_MIN_ROWS else None
        if types is None:
            self._each(sql, rows)
            return
        staging = _staging_table(bulk, types)
        columns = ", ".join(f"{name} {kind}" for name, kind in zip(bulk.names, types, strict=True))
        created = False
        try:
            with self._connection.transaction():  # a savepoint inside the caller's transaction
                # One round trip. The session keeps the table; every commit empties it, and
                # the DELETE empties what an earlier statement of this transaction left.
                self._connection.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {staging} ({columns}) "
                    f"ON COMMIT DELETE ROWS; DELETE FROM {staging}"
                )
                created = True
                self._copy(f"COPY {staging} FROM STDIN", rows)
                self._connection.execute(
                    f"INSERT INTO {bulk.table} ({bulk.columns}) SELECT * FROM {staging} {bulk.tail}"
                )
        except psycopg.errors.CardinalityViolation:
            self._each(sql, rows)
        except psycopg.errors.InsufficientPrivilege:
            if created:
                raise  # refused the table's own write: so would every row be
            # No TEMPORARY privilege on the database (PostgreSQL grants it to PUBLIC unless
            # revoked): correct row by row, but slower; say so once.
            _warn_once_without_staging(self._connection)
            self._each(sql, rows)

    def _copy(self, statement: str, rows: list[Sequence[Any]]) -> None:
        with self._connection.cursor() as cursor, cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)

    def _each(self, sql: str, rows: list[Sequence[Any]]) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(to_psycopg(sql), rows)

    def _types(self, table: str, names: Sequence[str]) -> list[str] | None:
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


_warned_without_staging = False


def _warn_once_without_staging(connection: psycopg.Connection[Any]) -> None:
    global _warned_without_staging
    if not _warned_without_staging:
        _warned_without_staging = True
        logger.warning(
            "PostgreSQL role %s may not create temporary tables: bulk upserts go row by row "
            "(GRANT TEMPORARY ON DATABASE … makes them one statement; docs/operations.md)",
            connection.info.user,
        )


def _is_ddl(sql: str) -> bool:
    head = sql.lstrip()[:6].upper()
    return head in ("CREATE", "DROP", "ALTER ")


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

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """Reads that all see one committed state."""
        with self._pool.connection() as connection, connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield _PostgresTx(connection, self._column_types)

    def close(self) -> None:
        self._pool.close()
