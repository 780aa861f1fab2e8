"""Small SQL helpers shared by the read models: portable DDL fragments and chunked lookups."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar
from uuid import UUID

from projections.store import Tx

T = TypeVar("T")

# SQLite's limit on bound parameters is 32766 since 3.32; stay far below it and below
# PostgreSQL's 65535.
IN_CHUNK = 500

# Aggregate ids as text, remembered: `str(UUID)` costs about a microsecond and every read model
# needs the key of every event it folds (half a second of a 100,000-event rebuild); a dict keyed
# by the UUID's integer costs a tenth of that. Bounded: cleared when full. 50,000 keys (~10 MB)
# cover the aggregates a rebuild touches across several batches (the 1,000,000-event bench
# history: 124,500 conversions for 121,300 aggregates, against 121,300 with 200,000 keys and
# 23 MB more per rebuild process).
_KEYS: dict[int, str] = {}
_KEYS_MAX = 50_000


def key_of(aggregate_id: UUID) -> str:
    """`str(aggregate_id)`, cached."""
    number = aggregate_id.int
    key = _KEYS.get(number)
    if key is None:
        if len(_KEYS) >= _KEYS_MAX:
            _KEYS.clear()
        key = _KEYS[number] = str(aggregate_id)
    return key


def id_key(tx: Tx) -> str:
    """A BIGINT primary key; in SQLite the rowid alias, which is the fastest table layout."""
    return "INTEGER PRIMARY KEY" if tx.dialect == "sqlite" else "BIGINT PRIMARY KEY"


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def fetch_in(
    tx: Tx, select: str, column: str, keys: Iterable[Any], tail: str = ""
) -> list[tuple[Any, ...]]:
    """`select` + `WHERE column IN (keys)` + `tail`: in chunks of bound parameters on SQLite; on
    PostgreSQL one statement over an array of the keys (`= ANY(?)`, `key_array`)."""
    values = list(keys)
    if not values:
        return []
    if tx.dialect == "postgres":
        return tx.fetchall(f"{select} WHERE {column} = ANY(?) {tail}", [key_array(values)])
    rows: list[tuple[Any, ...]] = []
    for part in chunks(values):
        marks = ",".join("?" * len(part))
        rows.extend(tx.fetchall(f"{select} WHERE {column} IN ({marks}) {tail}", part))
    return rows


def delete_in(tx: Tx, table: str, column: str, keys: Iterable[Any]) -> None:
    values = list(keys)
    if not values:
        return
    if tx.dialect == "postgres":
        tx.execute(f"DELETE FROM {table} WHERE {column} = ANY(?)", [key_array(values)])
        return
    for part in chunks(values):
        marks = ",".join("?" * len(part))
        tx.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", part)


def key_array(keys: list[Any]) -> list[str | None]:
    """Keys as ONE PostgreSQL array parameter. Its elements are text, which psycopg sends
    untyped, so the server reads the array as the column's type (TEXT or BIGINT keys alike),
    as it reads the store's untyped parameters; UUIDs as their text, booleans as 0/1.
    One statement, whatever the number of keys, and always the same text: psycopg prepares it
    once, where 500-parameter chunks were parsed and planned each time."""
    return [key if type(key) is str else _key_text(key) for key in keys]


def _key_text(key: Any) -> str | None:
    if key is None:
        return None
    if isinstance(key, bool):
        return "1" if key else "0"
    return str(key)
