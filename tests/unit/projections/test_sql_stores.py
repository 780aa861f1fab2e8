"""The two SQL stores give the read models the same answers: placeholders, value types,
`executemany` (on PostgreSQL a bulk insert goes through COPY — straight into the table, or into
a staging table and then `INSERT … SELECT … ON CONFLICT` — falling back to row by row where one
statement would not mean the same), and the keyed lookups of `projections.sql`."""

from __future__ import annotations

import sqlite3
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from projections import postgres_store
from projections.postgres_store import (
    BULK_MIN_ROWS,
    STAGED_MIN_ROWS,
    to_psycopg,
)
from projections.sql import IN_CHUNK, delete_in, fetch_in
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


@pytest.mark.parametrize("count", [3, BULK_MIN_ROWS * 4, STAGED_MIN_ROWS * 2])
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
        tx.executemany(UPSERT, [(f"k{n}", n, 0, "a") for n in range(STAGED_MIN_ROWS)])
        tx.execute("DROP TABLE t")
        tx.execute("CREATE TABLE t (k TEXT PRIMARY KEY, n TEXT, flag INT, note TEXT)")
        tx.executemany(UPSERT, [(f"k{n}", f"第{n}", 1, "b") for n in range(STAGED_MIN_ROWS)])
    assert rows_of(table)[0] == ("k0", "第0", 1, "b")


COUNT = "INSERT INTO c (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = c.n + excluded.n"
INSERT = "INSERT INTO t (k, n, flag, note) VALUES (?, ?, ?, ?)"
# Text COPY escapes: tab, newline, carriage return, backslash, COPY's own NULL marker `\N`.
AWKWARD = ["", " ", "a\tb", "a\nb", "a\rb", "a\\b", "\\N", "\\.", "'\"%s%%?", "{a,b}", "NULL"]
UNICODE = ["规划", "𠀋𡈽", "😀 emoji", "e\u0301", "全角２０２５", "\u3000全角空格"]


@pytest.fixture
def counts(backend: Backend) -> Backend:
    with backend.store().transaction() as tx:
        tx.execute("CREATE TABLE c (k TEXT PRIMARY KEY, n BIGINT NOT NULL)")
    return backend


def counts_of(backend: Backend) -> dict[str, int]:
    with backend.store().reading() as tx:
        return {str(k): int(n) for k, n in tx.fetchall("SELECT k, n FROM c")}


@pytest.mark.parametrize("count", [3, BULK_MIN_ROWS * 4, STAGED_MIN_ROWS * 2])
def test_an_upsert_adding_to_a_repeated_key_adds_every_row_like_sqlite(
    counts: Backend, count: int
) -> None:
    """`n = c.n + excluded.n` with keys repeated in one call: each row is applied in turn."""
    rows = [(f"k{n % 7}", n) for n in range(count)]
    with counts.store().transaction() as tx:
        tx.executemany(COUNT, rows)
        tx.executemany(COUNT, rows)
    expected: dict[str, int] = {}
    for key, n in rows + rows:
        expected[key] = expected.get(key, 0) + n
    assert counts_of(counts) == expected


def test_one_transaction_may_send_the_same_bulk_upsert_several_times(counts: Backend) -> None:
    """Each call applies its own rows once (PostgreSQL reuses one staging table per statement
    shape within a transaction: rows of an earlier call must not be applied again)."""
    size = STAGED_MIN_ROWS
    first = [(f"k{n}", 1) for n in range(size * 2)]
    second = [(f"k{n}", 10) for n in range(size * 2, size * 4)]
    overlapping = [(f"k{n}", 100) for n in range(size, size * 3)]
    store = counts.store()
    with store.transaction() as tx:
        tx.executemany(COUNT, first)
        tx.executemany(COUNT, second)
        tx.executemany(COUNT, overlapping)
    with store.transaction() as tx:
        tx.executemany(COUNT, first)
    expected = {f"k{n}": 0 for n in range(size * 4)}
    for key, n in first + second + overlapping + first:
        expected[key] += n
    assert counts_of(counts) == expected


def test_do_nothing_keeps_the_first_of_repeated_keys(table: Backend) -> None:
    sql = "INSERT INTO t (k, n, flag, note) VALUES (?, ?, ?, ?) ON CONFLICT (k) DO NOTHING"
    rows = [(f"k{n % 5}", n, 0, None) for n in range(STAGED_MIN_ROWS * 2)]
    with table.store().transaction() as tx:
        tx.execute(INSERT, ("k4", -1, 1, "before"))
        tx.executemany(sql, rows)
    assert rows_of(table) == [(f"k{n}", n, 0, None) for n in range(4)] + [("k4", -1, 1, "before")]


@pytest.mark.parametrize("upsert", [False, True], ids=["insert", "upsert"])
def test_bulk_values_come_back_as_sqlite_gives_them(table: Backend, upsert: bool) -> None:
    """NULLs, text COPY must escape (tabs, newlines, backslashes, `\\N`), unicode beyond the BMP,
    UUIDs as text, booleans as 0/1, 64-bit integers."""
    notes: list[str | None] = [*AWKWARD, *UNICODE, None]
    keys: list[UUID | str] = [uuid4() if n % 2 else f"键{n}\t" for n in range(len(notes) * 6)]
    rows = [
        (key, [0, -(2**63), 2**63 - 1, None][n % 4], n % 3 == 0, notes[n % len(notes)])
        for n, key in enumerate(keys)
    ]
    with table.store().transaction() as tx:
        tx.executemany(UPSERT if upsert else INSERT, rows)
    expected = sorted((str(k), n, int(f), note) for k, n, f, note in rows)
    assert rows_of(table) == expected


def test_large_batches_insert_and_update_every_row(table: Backend) -> None:
    size = 30_000
    with table.store().transaction() as tx:
        tx.executemany(INSERT, [(f"k{n:06}", n, n % 2, f"第{n}行") for n in range(size)])
        tx.executemany(UPSERT, [(f"k{n:06}", -n, 1, None) for n in range(0, size * 2, 2)])
    rows = rows_of(table)
    assert len(rows) == size + size // 2
    assert rows[:3] == [
        ("k000000", 0, 1, None),
        ("k000001", 1, 1, "第1行"),
        ("k000002", -2, 1, None),
    ]
    assert rows[-1] == (f"k{size * 2 - 2:06}", -(size * 2 - 2), 1, None)
    assert sum(row[1] for row in rows) == sum(range(1, size, 2)) - sum(range(0, size * 2, 2))


def test_a_repeated_key_in_a_plain_bulk_insert_fails_and_writes_nothing(table: Backend) -> None:
    rows = [(f"k{n}", n, 0, None) for n in range(BULK_MIN_ROWS * 2)] + [("k3", 0, 0, None)]
    error = (sqlite3.IntegrityError, psycopg.errors.UniqueViolation)
    with pytest.raises(error), table.store().transaction() as tx:
        tx.executemany(INSERT, rows)
    assert rows_of(table) == []


def test_bulk_writes_of_a_rolled_back_transaction_leave_nothing_behind(counts: Backend) -> None:
    rows = [(f"k{n}", 1) for n in range(STAGED_MIN_ROWS * 2)]
    store = counts.store()
    with pytest.raises(RuntimeError, match="a model failed"), store.transaction() as tx:  # noqa: PT012
        tx.executemany(COUNT, rows)
        raise RuntimeError("a model failed")
    with store.transaction() as tx:
        tx.executemany(COUNT, rows)
    with store.reading() as tx:  # outside a transaction too (autocommit on PostgreSQL)
        tx.executemany(COUNT, rows)
    assert counts_of(counts) == {key: 2 for key, _ in rows}


def test_a_percent_sign_in_the_conflict_clause_is_sql_not_a_placeholder(table: Backend) -> None:
    sql = UPSERT.replace("note = excluded.note", "note = excluded.note || '%'")
    rows = [(f"k{n}", n, 0, "a") for n in range(STAGED_MIN_ROWS)]
    with table.store().transaction() as tx:
        tx.executemany(sql, rows)
        tx.executemany(sql, rows)
    assert {row[3] for row in rows_of(table)} == {"a%"}


@pytest.fixture
def keyed(backend: Backend) -> Backend:
    with backend.store().transaction() as tx:
        tx.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, id BIGINT NOT NULL UNIQUE)")
        tx.executemany(
            "INSERT INTO kv (k, id) VALUES (?, ?)",
            [(key, n) for n, key in enumerate(LOOKUP_KEYS)],
        )
    return backend


LOOKUP_KEYS = [*AWKWARD, *UNICODE, "a,b", '"', "}", str(UUID(int=7))] + [
    f"key-{n}" for n in range(IN_CHUNK * 2 + 17)
]


def test_fetch_in_finds_every_key_of_any_number_and_spelling(keyed: Backend) -> None:
    with keyed.store().reading() as tx:
        found = fetch_in(tx, "SELECT k, id FROM kv", "k", [*LOOKUP_KEYS, "absent"], "ORDER BY id")
        assert found == [(key, n) for n, key in enumerate(LOOKUP_KEYS)]
        assert sorted(fetch_in(tx, "SELECT id, k FROM kv", "id", {3, 2, 10**12})) == [
            (2, AWKWARD[2]),
            (3, AWKWARD[3]),
        ]
        assert fetch_in(tx, "SELECT id FROM kv", "k", [UUID(int=7)]) == [
            (LOOKUP_KEYS.index(str(UUID(int=7))),)
        ]
        assert fetch_in(tx, "SELECT k FROM kv", "k", []) == []


def test_delete_in_removes_exactly_the_keys(keyed: Backend) -> None:
    gone = LOOKUP_KEYS[::3]
    with keyed.store().transaction() as tx:
        delete_in(tx, "kv", "k", gone)
        delete_in(tx, "kv", "id", [1, 4])
        delete_in(tx, "kv", "k", [])
    with keyed.store().reading() as tx:
        left = {str(row[0]) for row in tx.fetchall("SELECT k FROM kv")}
    assert left == set(LOOKUP_KEYS) - set(gone) - {LOOKUP_KEYS[1], LOOKUP_KEYS[4]}


def test_without_the_temporary_privilege_bulk_upserts_go_row_by_row(
    counts: Backend, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A role that may not create temporary tables (TEMPORARY revoked from PUBLIC) still
    writes correctly, one row at a time, and the log says why it is slow (PostgreSQL; SQLite
    has no staging tables)."""
    execute = psycopg.Connection.execute

    def refusing(self: psycopg.Connection[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        if str(query).startswith("CREATE TEMP TABLE"):
            raise psycopg.errors.InsufficientPrivilege(
                "permission denied to create temporary tables"
            )
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", refusing)
    monkeypatch.setattr(postgres_store, "_warned_without_staging", False)
    rows = [(f"k{n % 150}", n) for n in range(STAGED_MIN_ROWS * 2)]
    with counts.store().transaction() as tx:
        tx.executemany(COUNT, rows)
    expected: dict[str, int] = {}
    for key, n in rows:
        expected[key] = expected.get(key, 0) + n
    assert counts_of(counts) == expected
    assert ("may not create temporary tables" in caplog.text) == counts.is_postgres
