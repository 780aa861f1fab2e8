"""Read model for the annual report (年度报告, 004 att.9): per-request, per-appeal, per-item and
per-report-record facts, plus counts of those facts by the keys the template tables need.

Each batch loads the facts its events touch into a `FactBook`, folds the events with
`annual_report_facts.fold_event` (the same fold the as-of path uses), writes the facts back and
moves the counts by (new key - old key). A report then reads a few hundred count rows, however
many requests the agency has. No applicant personal data is stored: only the applicant type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from domain.annual_report_record import ReportLevel, annual_report_id
from domain.base import DomainEvent
from projections.annual_report_facts import (
    CREATION_EVENTS,
    HANDLERS,
    ITEM_EVENTS,
    RECORD_EVENTS,
    REQUEST_EVENTS,
    AppealFact,
    FactBook,
    FactCounts,
    ItemFact,
    RecordFact,
    RequestFact,
    appeal_key,
    item_key,
    request_key,
)
from projections.driver import Positioned
from projections.sql import fetch_in, key_of
from projections.store import Tx

_APPEAL_EVENTS = frozenset(
    t for t in REQUEST_EVENTS if t.__name__.startswith(("Reconsideration", "Litigation"))
)

# (table, key columns) of the three count tables, in the order of the *_key functions.
CUBES = {
    "requests": (
        "annual_report_request_counts",
        ("agency_code", "applicant_type", "outcome", "received_year", "closed_year"),
    ),
    "appeals": (
        "annual_report_appeal_counts",
        ("agency_code", "kind", "result", "filed_year", "decided_year"),
    ),
    "items": (
        "annual_report_item_counts",
        ("agency_code", "document_type", "published_year", "ended_year"),
    ),
}
FACT_TABLES = {
    "annual_report_requests": "request_id TEXT PRIMARY KEY, agency_code TEXT NOT NULL, "
    "applicant_type TEXT NOT NULL, received_on TEXT NOT NULL, closed_on TEXT, outcome TEXT",
    "annual_report_appeals": "request_id TEXT NOT NULL, track TEXT NOT NULL, seq INT NOT NULL, "
    "agency_code TEXT NOT NULL, kind TEXT NOT NULL, filed_on TEXT NOT NULL, decided_on TEXT, "
    "result TEXT, PRIMARY KEY (request_id, track, seq)",
    "annual_report_items": "item_id TEXT PRIMARY KEY, agency_code TEXT NOT NULL, "
    "document_type TEXT NOT NULL, published_on TEXT, ended_on TEXT",
    "annual_report_records": "record_id TEXT PRIMARY KEY, level TEXT NOT NULL, "
    "subject TEXT NOT NULL, year INT NOT NULL, licensing INT, penalty INT, enforcement INT, "
    "fees TEXT, sections TEXT NOT NULL, editions TEXT NOT NULL",
}


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


class AnnualReportModel:
    name = "annual_report"
    version = 1

    def create(self, tx: Tx) -> None:
        for table, columns in FACT_TABLES.items():
            tx.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
        for table, keys in CUBES.values():
            typed = ", ".join(
                f"{k} {'INT' if k.endswith('year') else 'TEXT'} NOT NULL" for k in keys
            )
            tx.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ({typed}, n INT NOT NULL, "
                f"PRIMARY KEY ({', '.join(keys)}))"
            )

    def drop(self, tx: Tx) -> None:
        for table in [*FACT_TABLES, *(t for t, _ in CUBES.values())]:
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def wants(self, event_class: type) -> bool:
        """Whether this model folds events of `event_class` (the driver decodes no others)."""
        return event_class in HANDLERS

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        relevant = [event for event, _ in events if type(event) in HANDLERS]
        if not relevant:
            return
        book = _load(tx, relevant)
        before = _keys(book)
        book.fold(relevant)
        _write(tx, book)
        after = _keys(book)
        for cube, (table, keys) in CUBES.items():
            delta: Counter[tuple[Any, ...]] = Counter(after[cube])
            delta.subtract(before[cube])
            _move_counts(tx, table, keys, delta)


def _touched(events: list[DomainEvent]) -> dict[str, set[str]]:
    """Ids of stored facts the events touch, by kind (facts created in the batch are new)."""
    kinds = ("requests", "appeals", "items", "records")
    touched: dict[str, set[str]] = {kind: set() for kind in kinds}
    created: set[str] = set()
    for event in events:
        kind = type(event)
        key = key_of(event.originator_id)
        if kind in CREATION_EVENTS:
            created.add(key)
        elif kind in REQUEST_EVENTS:
            touched["requests"].add(key)
            if kind in _APPEAL_EVENTS:
                touched["appeals"].add(key)
        elif kind in ITEM_EVENTS:
            touched["items"].add(key)
        elif kind in RECORD_EVENTS:
            touched["records"].add(key)
    return {name: ids - created for name, ids in touched.items()}


def _load(tx: Tx, events: list[DomainEvent]) -> FactBook:
    """The stored facts the batch's events touch."""
    book = FactBook()
    touched = _touched(events)
    for row in fetch_in(
        tx,
        "SELECT request_id, agency_code, applicant_type, received_on, closed_on, outcome "
        "FROM annual_report_requests",
        "request_id",
        touched["requests"],
    ):
        book.requests[row[0]] = RequestFact(
            row[0], row[1], row[2], date.fromisoformat(row[3]), _day(row[4]), row[5]
        )
    for row in fetch_in(
        tx,
        "SELECT request_id, track, seq, agency_code, kind, filed_on, decided_on, result "
        "FROM annual_report_appeals",
        "request_id",
        touched["appeals"],
    ):
        book.appeals[(row[0], row[1], int(row[2]))] = AppealFact(
            row[0], row[1], int(row[2]), row[3], row[4], date.fromisoformat(row[5]),
            _day(row[6]), row[7],
        )  # fmt: skip
    for row in fetch_in(
        tx,
        "SELECT item_id, agency_code, document_type, published_on, ended_on "
        "FROM annual_report_items",
        "item_id",
        touched["items"],
    ):
        book.items[row[0]] = ItemFact(row[0], row[1], row[2], _day(row[3]), _day(row[4]))
    for row in fetch_in(
        tx,
        "SELECT record_id, level, subject, year, licensing, penalty, enforcement, fees, "
        "sections, editions FROM annual_report_records",
        "record_id",
        touched["records"],
    ):
        book.records[row[0]] = _record_from_row(row)
    return book


def _record_from_row(row: tuple[Any, ...]) -> RecordFact:
    return RecordFact(
        row[0],
        row[1],
        row[2],
        int(row[3]),
        row[4],
        row[5],
        row[6],
        None if row[7] is None else Decimal(row[7]),
        orjson.loads(row[8]),
        [date.fromisoformat(d) for d in orjson.loads(row[9])],
    )


def _keys(book: FactBook) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "requests": [request_key(f) for f in book.requests.values()],
        "appeals": [appeal_key(f) for f in book.appeals.values()],
        "items": [item_key(f) for f in book.items.values()],
    }


def _write(tx: Tx, book: FactBook) -> None:
    tx.executemany(
        "INSERT INTO annual_report_requests (request_id, agency_code, applicant_type, "
        "received_on, closed_on, outcome) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) "
        "DO UPDATE SET closed_on = excluded.closed_on, outcome = excluded.outcome",
        [
            (f.request_id, f.agency_code, f.applicant_type, _iso(f.received_on),
             _iso(f.closed_on), f.outcome)
            for f in book.requests.values()
        ],
    )  # fmt: skip
    tx.executemany(
        "INSERT INTO annual_report_appeals (request_id, track, seq, agency_code, kind, filed_on, "
        "decided_on, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (request_id, track, seq) "
        "DO UPDATE SET decided_on = excluded.decided_on, result = excluded.result",
        [
            (f.request_id, f.track, f.seq, f.agency_code, f.kind, _iso(f.filed_on),
             _iso(f.decided_on), f.result)
            for f in book.appeals.values()
        ],
    )  # fmt: skip
    tx.executemany(
        "INSERT INTO annual_report_items (item_id, agency_code, document_type, published_on, "
        "ended_on) VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET "
        "published_on = excluded.published_on, ended_on = excluded.ended_on",
        [
            (f.item_id, f.agency_code, f.document_type, _iso(f.published_on), _iso(f.ended_on))
            for f in book.items.values()
        ],
    )
    tx.executemany(
        "INSERT INTO annual_report_records (record_id, level, subject, year, licensing, "
        "penalty, enforcement, fees, sections, editions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (record_id) DO UPDATE SET licensing = excluded.licensing, "
        "penalty = excluded.penalty, enforcement = excluded.enforcement, fees = excluded.fees, "
        "sections = excluded.sections, editions = excluded.editions",
        [
            (f.record_id, f.level, f.subject, f.year, f.licensing, f.penalty, f.enforcement,
             None if f.fees is None else str(f.fees), orjson.dumps(f.sections).decode(),
             orjson.dumps([d.isoformat() for d in f.editions]).decode())
            for f in book.records.values()
        ],
    )  # fmt: skip


def _move_counts(
    tx: Tx, table: str, keys: tuple[str, ...], delta: Counter[tuple[Any, ...]]
) -> None:
    changes = [(*key, n) for key, n in delta.items() if n]
    if not changes:
        return
    marks = ", ".join("?" * (len(keys) + 1))
    tx.executemany(
        f"INSERT INTO {table} ({', '.join(keys)}, n) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table}.n + excluded.n",
        changes,
    )
    if any(n < 0 for *_, n in changes):
        tx.execute(f"DELETE FROM {table} WHERE n = 0")


# ---- queries -----------------------------------------------------------------------------------


class StoredFacts:
    """The read model as a `FactSource` for `annual_report_doc`: counts and records via `tx`."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    def counts(self, agencies: Sequence[str]) -> FactCounts:
        found: dict[str, Counter[Any]] = {}
        for cube, (table, keys) in CUBES.items():
            counter: Counter[Any] = Counter()
            for row in fetch_in(
                self.tx, f"SELECT {', '.join(keys)}, n FROM {table}", keys[0], agencies
            ):
                counter[tuple(row[1:-1])] += int(row[-1])
            found[cube] = counter
        return FactCounts(found["requests"], found["appeals"], found["items"])

    def record(self, level: ReportLevel, subject: str, year: int) -> RecordFact | None:
        row = self.tx.fetchone(
            "SELECT record_id, level, subject, year, licensing, penalty, enforcement, fees, "
            "sections, editions FROM annual_report_records WHERE record_id = ?",
            (str(annual_report_id(level, subject, year)),),
        )
        return None if row is None else _record_from_row(row)
