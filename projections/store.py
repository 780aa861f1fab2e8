"""The SQL store the read models live in: the same SQLite file or PostgreSQL database as the events.

Read models write portable SQL with `?` placeholders (translated for psycopg by
`projections.postgres_store`) and `INSERT … ON CONFLICT … DO UPDATE`, which both SQLite (≥ 3.24)
and PostgreSQL accept; what differs (FTS5, key types) is chosen from `tx.dialect`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol
from uuid import UUID

from domain.base import DomainEvent


class Tx(Protocol):
    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...


class SqlStore(Protocol):
    """What the read models, the ledger and the API's tables need of a store: `SqliteStore`
    (embedded) or `projections.postgres_store.PostgresStore` (production)."""

    dialect: str

    def transaction(self) -> AbstractContextManager[Tx]: ...

    def reading(self) -> AbstractContextManager[Tx]: ...

    def snapshot(self) -> AbstractContextManager[Tx]: ...

    def close(self) -> None: ...


class ReadModel(Protocol):
    """A read model: a few tables plus the code that folds events into them.

    `handle` is called inside the driver's transaction, in notification order, exactly once per
    event; it must write only its own tables. `version` changes force a rebuild.
    """

    name: str
    version: int

    def create(self, tx: Tx) -> None: ...

    def drop(self, tx: Tx) -> None: ...

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None: ...


def to_db(value: Any) -> Any:
    """Values as both drivers store them: UUIDs as text."""
    return str(value) if isinstance(value, UUID) else value


# sqlite3 adapts UUIDs itself, so `executemany` hands rows over untouched: converting every
# value in Python cost a projection rebuild a third of its time.
sqlite3.register_adapter(UUID, str)


class BufferedTx:
    """Reads from `reader`; keeps the writes, to be replayed in another transaction (`replay`).

    The driver folds a batch this way outside the store's write lock (`ProjectionDriver`,
    `fold_outside_lock`). A model that read back what it wrote in the same batch would read
    stale rows, so a read after a write is refused; `next_model` starts the next model's share.
    """

    def __init__(self, reader: Tx) -> None:
        self.dialect = reader.dialect
        self._reader = reader
        self._writes: list[tuple[bool, str, Any]] = []
        self._wrote = False

    def next_model(self) -> None:
        self._wrote = False

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._writes.append((False, sql, tuple(params)))
        self._wrote = True

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._writes.append((True, sql, list(rows)))  # `rows` may be a generator
        self._wrote = True

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._check_read(sql)
        return self._reader.fetchall(sql, params)

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        self._check_read(sql)
        return self._reader.fetchone(sql, params)

    def replay(self, tx: Tx) -> None:
        for many, sql, args in self._writes:
            if many:
                tx.executemany(sql, args)
            else:
                tx.execute(sql, args)

    def _check_read(self, sql: str) -> None:
        if self._wrote:
            raise RuntimeError(f"a read after a write, whose rows are not written yet: {sql}")


class _SqliteTx:
    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._connection.execute(sql, [to_db(p) for p in params])

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._connection.executemany(sql, rows)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(sql, [to_db(p) for p in params]).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._connection.execute(
            sql, [to_db(p) for p in params]
        ).fetchone()
        return row


class SqliteStore:
    """Read-model tables in the embedded SQLite file (WAL, so readers never block the writer)."""

    dialect = "sqlite"

    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield _SqliteTx(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        yield _SqliteTx(self._connection())

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        """Reads that all see one committed state (a read transaction: no lock on writers)."""
        connection = self._connection()
        connection.execute("BEGIN DEFERRED")
        try:
            yield _SqliteTx(connection)
        finally:
            connection.execute("COMMIT")

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
