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
touched. A creation event starts the facts from scratch (the upsert is guarded by version, so a
redelivered history never replaces a newer row); a cache of recently written facts saves the
other reads, trusted only at exactly the version before the event; any other aggregate's events
wait until one set of queries has read the committed rows. So a restart, a rolled-back batch or
a duplicate delivery gives the same table as one clean pass.
Reading: the due date is computed at query time with `domain.deadlines`, because the due date
of a paused request moves every working day without any event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from typing import Any, Literal
from uuid import UUID

from domain.base import DomainEvent
from domain.calendar import WorkingDayCalendar
from domain.codes import ApplicantType
from domain.deadlines import ClockReading, ClockState, publication_clock, request_clock
from domain.policy import PolicyBook
from projections.docket_facts import FOLD_RULES, Facts, FoldRule, ItemFacts, RequestFacts
from projections.sql import fetch_in, key_of
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
    facts TEXT NOT NULL
)"""
_CREATE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS docket_entries_open"
    " ON docket_entries (is_open, agency_code, department)",
    "CREATE INDEX IF NOT EXISTS docket_entries_closed ON docket_entries (closed_on)",
)
_UPSERT = """
INSERT INTO docket_entries
    (aggregate_id, kind, agency_code, department, official_id, is_open, closed_on, version, facts)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (aggregate_id) DO UPDATE SET
    kind = excluded.kind, agency_code = excluded.agency_code,
    department = excluded.department, official_id = excluded.official_id,
    is_open = excluded.is_open, closed_on = excluded.closed_on, version = excluded.version,
    facts = excluded.facts
WHERE excluded.version > docket_entries.version"""

# The stored facts: kind, who and where (columns), and the clock facts (JSON).
_SELECT_FACTS = (
    "SELECT aggregate_id, kind, version, agency_code, department, official_id, facts"
    " FROM docket_entries"
)


class DocketKind(StrEnum):
    ITEM = "item"
    REQUEST = "request"


_FACTS_OF: dict[str, type[Facts]] = {cls.kind: cls for cls in (ItemFacts, RequestFacts)}


class _Skip(Enum):
    SKIP = "skip"  # the event is not folded now: already applied, or waiting for its row


class DocketGapError(RuntimeError):
    """An event arrived whose predecessor the docket never saw: the log was not replayed
    from the start, or events were skipped. Rebuild the docket."""


class DocketModel:
    """The `docket` read model. Use one instance per store: its cache belongs to one table."""

    name = "docket"
    version = 3  # 2: revoked and archived items leave the docket; 3: facts JSON without the
    # columns, no notification id, secondary indexes built after a rebuild

    def __init__(self, cache_size: int = 10_000) -> None:
        self._cache = _RecentFacts(cache_size)

    def create(self, tx: Tx) -> None:
        tx.execute(_CREATE_TABLE)

    def create_indexes(self, tx: Tx) -> None:
        """The queries' indexes, built once the docket has caught up after a reset."""
        for statement in _CREATE_INDEXES:
            tx.execute(statement)

    def drop(self, tx: Tx) -> None:
        tx.execute("DROP TABLE IF EXISTS docket_entries")
        self._cache.clear()

    def wants(self, event_class: type) -> bool:
        """Whether this model folds events of `event_class` (the driver decodes no others)."""
        return FOLD_RULES[event_class] is not None

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        """Fold a batch in memory, then write each aggregate it touched once."""
        batch = _BatchFold(self._cache)
        try:
            batch.fold(events)
            batch.settle(tx)
            tx.executemany(_UPSERT, batch.rows())
        except BaseException:
            self._cache.clear()  # facts folded in place may be half-applied: never reuse them
            raise
        self._cache.remember(batch.folded)


class _RecentFacts:
    """Facts as last written, by aggregate id integer, for at least the `size // 2` aggregates
    written last: two generations, the older dropped whole when the younger fills up, so there
    is no bookkeeping per entry. Facts are folded in place, so an entry can run ahead of the
    table (a batch rolled back after folding): it is used only at exactly the version before
    the event."""

    def __init__(self, size: int) -> None:
        self.generation_size = max(1, size // 2)
        self.young: dict[int, Facts] = {}
        self.old: dict[int, Facts] = {}

    def get(self, aggregate: int) -> Facts | None:
        found = self.young.get(aggregate)
        return self.old.get(aggregate) if found is None else found

    def remember(self, written: dict[int, Facts]) -> None:
        self.young.update(written)
        if len(self.young) >= self.generation_size:
            self.old, self.young = self.young, {}

    def clear(self) -> None:
        self.young, self.old = {}, {}


Positioned = tuple[DomainEvent, int]
_Waiting = list[tuple[Any, FoldRule]]  # an aggregate's events awaiting its stored row


class _BatchFold:
    """One batch folded in memory: the facts of every aggregate it touched, by id integer.

    An aggregate's first event in the batch starts from the cache when it holds exactly the
    previous version. A creation event starts the facts from scratch: the batch then holds the
    aggregate's whole history, so its facts are complete even if the table has a row for it (a
    redelivery), and the guarded upsert never replaces a newer row. Any other event waits, with
    the aggregate's later events, until `settle` has read the stored rows."""

    def __init__(self, cache: _RecentFacts) -> None:
        self.cache = cache
        self.folded: dict[int, Facts] = {}
        self.keys: dict[int, str] = {}  # row keys of the aggregates the batch touched
        self.waiting: dict[int, _Waiting] = {}

    def fold(self, events: Sequence[Positioned]) -> None:
        rules, folded = FOLD_RULES, self.folded
        for event, _ in events:
            rule = rules[type(event)]
            if rule is None:
                continue  # number sequences and other aggregates are not on the docket
            aggregate = event.originator_id.int
            facts = folded.get(aggregate)
            if (
                facts is not None
                and facts.version == event.originator_version - 1
                and type(facts) is rule.facts_class
            ):
                rule.fold(facts, event)  # the common case: the next event of a folded aggregate
            else:
                prior = self._prior(aggregate, event, rule)
                if prior is not _Skip.SKIP:
                    folded[aggregate] = rule.fold(prior, event)

    def _prior(
        self, aggregate: int, event: Any, rule: FoldRule
    ) -> Facts | Literal[_Skip.SKIP] | None:
        """The facts just before `event`, None for a new aggregate, or `_Skip.SKIP` when the
        event is not folded now (already applied, or waiting for the stored row)."""
        waiting = self.waiting.get(aggregate)
        if waiting is not None:
            waiting.append((event, rule))
            return _Skip.SKIP
        known = self.folded.get(aggregate)
        if known is not None:
            return known if _follows(event, known, rule) else _Skip.SKIP
        self.keys[aggregate] = key_of(event.originator_id)
        version = event.originator_version
        if version == 1:
            return None  # its history starts here
        cached = self.cache.get(aggregate)
        if cached is not None and cached.version == version - 1:
            return cached if _follows(event, cached, rule) else _Skip.SKIP
        self.waiting[aggregate] = [(event, rule)]
        return _Skip.SKIP

    def settle(self, tx: Tx) -> None:
        """Fold the events that wait, over the stored rows read in one set of queries."""
        if self.waiting:
            keys = {self.keys[aggregate]: aggregate for aggregate in self.waiting}
            self._fold_waiting(_stored(tx, keys))

    def _fold_waiting(self, stored: dict[int, Facts]) -> None:
        for aggregate, waiting in self.waiting.items():
            facts = stored.get(aggregate)
            for event, rule in waiting:
                if _follows(event, facts, rule):  # False: a duplicate delivery changes nothing
                    facts = self.folded[aggregate] = rule.fold(facts, event)
        self.waiting = {}

    def rows(self) -> list[tuple[object, ...]]:
        """One row per aggregate, in `_UPSERT`'s column order. `closed_on` is a request's reply
        date: read at an earlier date it is still running, as the domain clock reads it (the
        Regulation Art 33); items have none (a published version is closed whatever the date,
        as in `publication_clock`)."""
        keys = self.keys
        return [
            (
                keys[aggregate],
                facts.kind,
                facts.agency_code,
                facts.department,
                facts.official_id,
                int(facts.is_open),
                None if facts.closed_on is None else facts.closed_on.isoformat(),
                facts.version,
                facts.to_json(),
            )
            for aggregate, facts in self.folded.items()
        ]


def _follows(event: Any, known: Facts | None, rule: FoldRule) -> bool:
    """True when the event comes right after the known facts (None: nothing known yet), False
    when it was already applied (a duplicate delivery changes nothing); otherwise a gap."""
    version = event.originator_version
    known_version = 0 if known is None else known.version
    if known_version >= version:
        return False
    if known_version != version - 1:
        raise DocketGapError(
            f"{event.originator_id}: event version {version} after {known_version}"
        )
    if known is not None and type(known) is not rule.facts_class:
        raise DocketGapError(f"{event.originator_id}: an item and a request share this id")
    return True


def _stored(tx: Tx, keys: dict[str, int]) -> dict[int, Facts]:
    """The committed facts of these aggregates (row key → id integer), in a few queries."""
    return {
        keys[str(row[0])]: _facts_from_row(row[1:])
        for row in fetch_in(tx, _SELECT_FACTS, "aggregate_id", keys)
    }


def _facts_from_row(row: Sequence[Any]) -> Facts:
    kind, version, agency_code, department, official_id, raw = row
    responsible = (int(version), str(agency_code), str(department), official_id)
    return _FACTS_OF[str(kind)].from_json(responsible, str(raw))


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
    sql = f"{_SELECT_FACTS} WHERE (is_open = 1 OR closed_on > ?)"
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
    for row in tx.fetchall(sql, params):
        entry = _read(UUID(str(row[0])), _facts_from_row(row[1:]), as_of, calendar, policies)
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
    aggregate_id: UUID,
    facts: Facts,
    as_of: date,
    calendar: WorkingDayCalendar,
    policies: PolicyBook,
) -> DocketEntry:
    reading: ClockReading
    policy = policies.get(facts.agency_code)
    if isinstance(facts, RequestFacts):
        reading = request_clock(facts.to_request(), policy, calendar, as_of)
        title, number, applicant_type = None, facts.registration_number, facts.applicant_type
    else:
        reading = publication_clock(facts.to_item(), policy, calendar, as_of)
        title, number, applicant_type = facts.title, None, None
    return DocketEntry(
        kind=DocketKind(facts.kind),
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
