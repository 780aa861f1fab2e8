"""The two SQL stores give the read models the same answers: placeholders, value types, and
`executemany` (on PostgreSQL a bulk insert goes as one statement over arrays, falling back to
row by row where that would not mean the same)."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from projections.postgres_store import BULK_MIN_ROWS, to_psycopg
from tests.backends import Backend

UPSERT = (
    "INSERT INTO t (k, n, flag, note) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (k) DO UPDATE SET n = excluded.n, flag = excluded.flag, note = excluded.note"
)


def test_placeholders_are_translated_outside_literals_and_percent_is_escaped() -> None:
    sql = "SELECT ?, '?', \"a?\", 'x%', ? FROM t WHERE a LIKE '%?%'"
    assert to_psycopg(sql) == "SELECT %s, '?', \"a?\", 'x%%', %s FROM t WHERE a LIKE '%%?%%'"


@pytest.fixture
def table(backend: Backend) -> Backend:
    with backend.store().transaction() as tx:
        tx.execute("CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT, flag INT, note TEXT)")
    return backend


def rows_of(backend: Backend) -> list[tuple[object, ...]]:
    with backend.store().reading() as tx:
        return tx.fetchall("SELECT k, n, flag, note FROM t ORDER BY k")


@pytest.mark.parametrize("count", [3, BULK_MIN_ROWS * 4])
def test_executemany_upserts_in_order_like_sqlite_even_with_repeated_keys(
    table: Backend, count: int
) -> None:
    """Sequential semantics: a key repeated within one call ends with its last row (PostgreSQL's
    single statement refuses that — CardinalityViolation — and the rows go one by one)."""
    keys = [uuid4() for _ in range(5)]
    rows = [(keys[n % 5], n, n % 2 == 0, None if n % 3 else f"第{n}行") for n in range(count)]
    with table.store().transaction() as tx:
        tx.executemany(UPSERT, rows)
    expected = {}
    for key, n, flag, note in rows:
        expected[str(key)] = (str(key), n, int(flag), note)
    assert rows_of(table) == sorted(expected.values())


def test_bulk_insert_of_distinct_rows_keeps_every_value(table: Backend) -> None:
    rows = [(uuid4(), 2**40 + n, n % 2 == 1, "规划" if n % 2 else None) for n in range(100)]
    with table.store().transaction() as tx:
        tx.executemany(UPSERT, rows)
    assert rows_of(table) == sorted((str(k), n, int(f), note) for k, n, f, note in rows)


def test_values_come_back_as_sqlite_gives_them(table: Backend) -> None:
    """UUIDs are stored as text, booleans as 0/1, and a SUM of integers is an int (PostgreSQL's
    SUM(bigint) is NUMERIC; the store loads it as SQLite would)."""
    key: UUID = uuid4()
    with table.store().transaction() as tx:
        tx.execute("INSERT INTO t (k, n, flag, note) VALUES (?, ?, ?, ?)", (key, 7, True, "x"))
        tx.execute("INSERT INTO t (k, n, flag, note) VALUES (?, ?, ?, ?)", ("b", 8, False, "y"))
    with table.store().reading() as tx:
        assert tx.fetchone("SELECT k, flag FROM t WHERE k = ?", (key,)) == (str(key), 1)
        total = tx.fetchone("SELECT SUM(n), COUNT(*) FROM t")
    assert total == (15, 2)
    assert all(type(value) is int for value in total or ())


def test_a_table_recreated_with_other_types_is_written_with_its_new_types(
    table: Backend,
) -> None:
    store = table.store()
    with store.transaction() as tx:
        tx.executemany(UPSERT, [(f"k{n}", n, 0, "a") for n in range(BULK_MIN_ROWS)])
        tx.execute("DROP TABLE t")
        tx.execute("CREATE TABLE t (k TEXT PRIMARY KEY, n TEXT, flag INT, note TEXT)")
        tx.executemany(UPSERT, [(f"k{n}", f"第{n}", 1, "b") for n in range(BULK_MIN_ROWS)])
    assert rows_of(table)[0] == ("k0", "第0", 1, "b")
