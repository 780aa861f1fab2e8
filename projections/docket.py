"""The docket (待办台账): every open request and every unpublished proactive item, with its
statutory due date, status, department and the official responsible for the next step.

Requests are due `reply_days` (+ one extension) working days after receipt or after the
corrected application (the Regulation Art 30, 33; 001 Art 5(五); 002 Art 35(二); 004 att.2
Art 6), not counting third-party, agency or fee time (002 Art 35(二); the Regulation Art 33), or
on an agreed later date (the Regulation Art 35). Items are due 20 working days after forming or
changing (000 §二(三)2; 003 Art 11; 004 att.1 Art 10), or 10 after passing the confidentiality
review at Zhongwei (002 Art 6). Answered requests and published items leave the open docket.

Writing: `handle_batch` (or `handle`, a batch of one) folds the events into each aggregate's
clock facts (`projections.docket_facts`) in memory and then upserts one row per aggregate it
touched. An LRU of facts saves the reads; a cached entry is trusted only when its version is
exactly the one before the event, otherwise the committed row is read — so a restart, a
rolled-back batch or a duplicate delivery gives the same table as one clean pass.
Reading: the due date is computed at query time with `domain.deadlines`, because the due date
of a paused request moves every working day without any event.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Literal, TypeVar
from uuid import UUID

from domain.base import DomainEvent
from domain.calendar import WorkingDayCalendar
from domain.codes import ApplicantType
from domain.deadlines import ClockReading, ClockState, publication_clock, request_clock
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest
from domain.policy import PolicyBook
from projections.docket_facts import ItemFacts, RequestFacts, fold_item, fold_request
from projections.sql import key_of
from projections.store import Tx

CLOSED_STATES = frozenset({ClockState.ANSWERED, ClockState.PUBLISHED, ClockState.NOT_DUE})

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS docket_entries (
    aggregate_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    department TEXT NOT NULL,
    official_id TEXT,
    is_open INTEGER NOT NULL,
    closed_on TEXT,
    version INTEGER NOT NULL,
    facts TEXT NOT NULL,
    notification_id BIGINT NOT NULL
)"""
_CREATE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS docket_entries_open"
    " ON docket_entries (is_open, agency_code, department)",
    "CREATE INDEX IF NOT EXISTS docket_entries_closed ON docket_entries (closed_on)",
)
_UPSERT = """
INSERT INTO docket_entries
    (aggregate_id, kind, agency_code, department, official_id, is_open, closed_on, version,
     facts, notification_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (aggregate_id) DO UPDATE SET
    kind = excluded.kind, agency_code = excluded.agency_code,
    department = excluded.department, official_id = excluded.official_id,
    is_open = excluded.is_open, closed_on = excluded.closed_on, version = excluded.version,
    facts = excluded.facts, notification_id = excluded.notification_id"""

_SELECT_ROWS = "SELECT aggregate_id, version, facts FROM docket_entries"
_READ_CHUNK = 500  # ids per IN (...) list when reading a batch's committed rows

Facts = ItemFacts | RequestFacts
F = TypeVar("F", ItemFacts, RequestFacts)
_Row = tuple[int, str] | None  # committed version and facts JSON; None: no row


class DocketKind(StrEnum):
    ITEM = "item"
    REQUEST = "request"


class _Seen(Enum):
    ALREADY_APPLIED = "already_applied"


class DocketGapError(RuntimeError):
    """An event arrived whose predecessor the docket never saw: the log was not replayed
    from the start, or events were skipped. Rebuild the docket."""


class DocketModel:
    """The `docket` read model. Use one instance per store: its cache belongs to one table."""

    name = "docket"
    version = 2  # 2: revoked and archived items leave the docket

    def __init__(self, cache_size: int = 10_000) -> None:
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Facts] = OrderedDict()

    def create(self, tx: Tx) -> None:
        tx.execute(_CREATE_TABLE)
        for statement in _CREATE_INDEXES:
            tx.execute(statement)

    def drop(self, tx: Tx) -> None:
        tx.execute("DROP TABLE IF EXISTS docket_entries")
        self._cache.clear()

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[tuple[DomainEvent, int]]) -> None:
        """Fold a batch in memory, then write each aggregate it touched once."""
        batch = _Batch(tx, self._stored(tx, events))
        key = ""
        try:
            for event, notification_id in events:
                if _kind(event) is None:
                    continue  # number sequences and other aggregates are not on the docket
                key = key_of(event.originator_id)
                facts = self._fold(batch, key, event)
                if facts is not None:
                    batch.folded[key] = (facts, notification_id)
        except BaseException:
            for touched in [*batch.folded, key]:
                self._cache.pop(touched, None)  # a half-applied fold must never be reused
            raise
        tx.executemany(_UPSERT, [_row(k, facts, n) for k, (facts, n) in batch.folded.items()])
        for touched, (facts, _) in batch.folded.items():
            self._remember(touched, facts)

    def _stored(self, tx: Tx, events: Sequence[tuple[DomainEvent, int]]) -> dict[str, _Row]:
        """The committed rows of the batch's aggregates the cache does not hold, read in a few
        queries rather than one per event."""
        wanted = {key_of(event.originator_id) for event, _ in events if _kind(event)}
        missing = sorted(key for key in wanted if key not in self._cache)
        rows: dict[str, _Row] = {key: None for key in missing}
        for start in range(0, len(missing), _READ_CHUNK):
            chunk = missing[start : start + _READ_CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"{_SELECT_ROWS} WHERE aggregate_id IN ({marks})"
            for key, version, facts in tx.fetchall(sql, chunk):
                rows[str(key)] = (int(version), str(facts))
        return rows

    def _fold(self, batch: _Batch, key: str, event: DomainEvent) -> Facts | None:
        version = event.originator_version
        kind = _kind(event)
        if kind is DocketKind.REQUEST:
            assert isinstance(event, DisclosureRequest.Event)
            known_request = self._known(batch, key, version, RequestFacts)
            if known_request is _Seen.ALREADY_APPLIED:
                return None
            return fold_request(known_request, event)
        if kind is DocketKind.ITEM:
            assert isinstance(event, DisclosureItem.Event)
            known_item = self._known(batch, key, version, ItemFacts)
            if known_item is _Seen.ALREADY_APPLIED:
                return None
            return fold_item(known_item, event)
        return None  # number sequences and other aggregates are not on the docket

    def _known(
        self, batch: _Batch, key: str, version: int, cls: type[F]
    ) -> F | Literal[_Seen.ALREADY_APPLIED] | None:
        """The facts just before `version`: folded earlier in this batch, else from the cache
        when it holds exactly that version, else the committed row."""
        folded = batch.folded.get(key)
        if folded is not None:
            return _check(key, version, folded[0].version, folded[0], cls)
        cached = self._cache.get(key)
        if isinstance(cached, cls) and cached.version == version - 1:
            self._cache.move_to_end(key)
            return cached
        row = batch.row(key)
        if row is None:
            return _check(key, version, 0, None, cls)
        return _check(key, version, row[0], row[1], cls)

    def _remember(self, key: str, facts: Facts) -> None:
        self._cache[key] = facts
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


class _Batch:
    def __init__(self, tx: Tx, stored: dict[str, _Row]) -> None:
        self.tx = tx
        self.stored = stored
        self.folded: dict[str, tuple[Facts, int]] = {}

    def row(self, key: str) -> _Row:
        if key in self.stored:
            return self.stored[key]
        found = self.tx.fetchone(f"{_SELECT_ROWS} WHERE aggregate_id = ?", (key,))
        return None if found is None else (int(found[1]), str(found[2]))


def _check(
    key: str, version: int, known_version: int, known: Facts | str | None, cls: type[F]
) -> F | Literal[_Seen.ALREADY_APPLIED] | None:
    if known_version >= version:
        return _Seen.ALREADY_APPLIED  # a duplicate delivery changes nothing
    if known_version != version - 1:
        raise DocketGapError(f"{key}: event version {version} after {known_version}")
    if known is None or isinstance(known, cls):
        return known
    if isinstance(known, str):
        return cls.model_validate_json(known)
    raise DocketGapError(f"{key}: an item and a request share this id")


_KINDS: dict[type[DomainEvent], DocketKind | None] = {}


def _kind(event: DomainEvent) -> DocketKind | None:
    """Which docket an event's aggregate is on (None: not on the docket), once per class."""
    cls = type(event)
    try:
        return _KINDS[cls]
    except KeyError:
        kind = (
            DocketKind.REQUEST
            if issubclass(cls, DisclosureRequest.Event)
            else DocketKind.ITEM
            if issubclass(cls, DisclosureItem.Event)
            else None
        )
        _KINDS[cls] = kind
        return kind


def _row(key: str, facts: Facts, notification_id: int) -> tuple[object, ...]:
    kind = DocketKind.REQUEST if isinstance(facts, RequestFacts) else DocketKind.ITEM
    return (
        key,
        kind.value,
        facts.agency_code,
        facts.department,
        facts.official_id,
        int(facts.is_open),
        _closed_on(facts),
        facts.version,
        facts.model_dump_json(),
        notification_id,
    )


def _closed_on(facts: Facts) -> str | None:
    """A request's reply date: read at an earlier date it is still running, as the domain
    clock reads it (the Regulation Art 33). Items have none (a published version is closed
    whatever the date, as in `publication_clock`)."""
    if isinstance(facts, RequestFacts) and facts.closed_on is not None:
        return facts.closed_on.isoformat()
    return None


# ---- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocketEntry:
    """One docket row. A request shows its registration number and applicant type only, never
    the applicant's name, contacts or the description (personal data, 004 att.2 Art 3-4)."""

    kind: DocketKind
    id: UUID
    agency_code: str
    department: str
    official_id: str | None
    responsible: str  # the official, or the department when nobody there has acted yet
    title: str | None
    registration_number: str | None
    applicant_type: ApplicantType | None
    status: ClockState
    started_on: date | None
    due_on: date | None
    paused_working_days: int
    remaining_working_days: int | None
    overdue: bool
    calendar_version: str


def open_entries(
    tx: Tx,
    as_of: date,
    *,
    calendar: WorkingDayCalendar,
    policies: PolicyBook,
    agency: str | None = None,
    department: str | None = None,
    official: str | None = None,
) -> list[DocketEntry]:
    """Every open entry read at `as_of`, soonest due first (entries without a running clock —
    awaiting correction or review — last)."""
    sql = (
        "SELECT kind, aggregate_id, facts FROM docket_entries WHERE (is_open = 1 OR closed_on > ?)"
    )
    params = [as_of.isoformat()]
    for column, value in (
        ("agency_code", agency),
        ("department", department),
        ("official_id", official),
    ):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    entries = []
    for kind, key, raw in tx.fetchall(sql, params):
        entry = _read(DocketKind(kind), UUID(key), raw, as_of, calendar, policies)
        if entry.status not in CLOSED_STATES:
            entries.append(entry)
    entries.sort(key=lambda e: (e.due_on is None, e.due_on or as_of, e.kind, str(e.id)))
    return entries


def due_within(
    tx: Tx,
    working_days: int,
    as_of: date,
    *,
    calendar: WorkingDayCalendar,
    policies: PolicyBook,
    agency: str | None = None,
    department: str | None = None,
    official: str | None = None,
) -> list[DocketEntry]:
    """Open entries due on `as_of` or within the next `working_days` working days, not yet
    overdue. A paused request is read as if its pause ended on `as_of`."""
    return [
        entry
        for entry in open_entries(
            tx,
            as_of,
            calendar=calendar,
            policies=policies,
            agency=agency,
            department=department,
            official=official,
        )
        if entry.remaining_working_days is not None
        and 0 <= entry.remaining_working_days <= working_days
    ]


def overdue(
    tx: Tx,
    as_of: date,
    *,
    calendar: WorkingDayCalendar,
    policies: PolicyBook,
    agency: str | None = None,
    department: str | None = None,
    official: str | None = None,
) -> list[DocketEntry]:
    """Open entries past their due date at `as_of` (004 att.11: each one costs a point)."""
    return [
        entry
        for entry in open_entries(
            tx,
            as_of,
            calendar=calendar,
            policies=policies,
            agency=agency,
            department=department,
            official=official,
        )
        if entry.overdue
    ]


def _read(
    kind: DocketKind,
    aggregate_id: UUID,
    raw: str,
    as_of: date,
    calendar: WorkingDayCalendar,
    policies: PolicyBook,
) -> DocketEntry:
    facts: ItemFacts | RequestFacts
    reading: ClockReading
    if kind is DocketKind.REQUEST:
        facts = RequestFacts.model_validate_json(raw)
        policy = policies.get(facts.agency_code)
        reading = request_clock(facts.to_request(), policy, calendar, as_of)
        title, number, applicant_type = None, facts.registration_number, facts.applicant_type
    else:
        facts = ItemFacts.model_validate_json(raw)
        policy = policies.get(facts.agency_code)
        reading = publication_clock(facts.to_item(), policy, calendar, as_of)
        title, number, applicant_type = facts.title, None, None
    return DocketEntry(
        kind=kind,
        id=aggregate_id,
        agency_code=facts.agency_code,
        department=facts.department,
        official_id=facts.official_id,
        responsible=facts.official_id or facts.department,
        title=title,
        registration_number=number,
        applicant_type=applicant_type,
        status=reading.state,
        started_on=reading.started_on,
        due_on=reading.due_on,
        paused_working_days=reading.paused_working_days,
        remaining_working_days=reading.remaining_working_days,
        overdue=reading.overdue,
        calendar_version=reading.calendar_version,
    )
