"""The March worklist (动态扩展和定期审查): before the end of March of year Y, every item marked
依申请公开 or 不予公开 during Y-1 is reviewed; what should be public is reclassified 主动公开 on
the approval of the leader in charge and then published (002 Art 55-56).

An item is in year Y's worklist when it was marked non-public during Y-1 on the drafting form or
by the disclosure office's audit (000 §一(三)2-3) — the same scope `DisclosureItem` enforces
when a decision is recorded. `handle_batch` folds the batch in memory over the rows its events
touch and writes each touched row once; every change is guarded by the event version, so a
restart or a re-run gives the same tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.base import DomainEvent
from domain.codes import AnnualReviewOutcome, Attribute
from domain.disclosure_item import NON_PUBLIC, DisclosureItem
from projections.driver import Positioned
from projections.sql import fetch_in, key_of
from projections.store import Tx

Item = DisclosureItem

_CREATE = (
    """CREATE TABLE IF NOT EXISTS annual_review_items (
        item_id TEXT PRIMARY KEY,
        agency_code TEXT NOT NULL,
        department TEXT NOT NULL,
        title TEXT NOT NULL,
        current_attribute TEXT,
        attribute_since TEXT,
        version INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS annual_review_marks (
        item_id TEXT NOT NULL,
        mark_year INTEGER NOT NULL,
        first_marked_on TEXT NOT NULL,
        last_marked_on TEXT NOT NULL,
        marked_attribute TEXT NOT NULL,
        marked_by_audit INTEGER NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (item_id, mark_year)
    )""",
    """CREATE TABLE IF NOT EXISTS annual_review_decisions (
        item_id TEXT NOT NULL,
        review_year INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL,
        decided_on TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        approver_id TEXT,
        approved_on TEXT,
        PRIMARY KEY (item_id, review_year)
    )""",
)
_CREATE_AGENCY_INDEX = (
    "CREATE INDEX IF NOT EXISTS annual_review_items_agency ON annual_review_items (agency_code)"
)
_TABLES = ("annual_review_decisions", "annual_review_marks", "annual_review_items")

# Whole rows, written once per batch at their folded state. The version guards are applied in
# memory, and again here: an item whose events in the batch start with its registration is
# folded from scratch without reading its rows, so a redelivered history must not overwrite
# newer ones.
_WRITE_ITEM = """
INSERT INTO annual_review_items
    (item_id, agency_code, department, title, current_attribute, attribute_since, version)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id) DO UPDATE SET
    agency_code = excluded.agency_code, department = excluded.department,
    title = excluded.title, current_attribute = excluded.current_attribute,
    attribute_since = excluded.attribute_since, version = excluded.version
WHERE excluded.version > annual_review_items.version"""
_WRITE_MARK = """
INSERT INTO annual_review_marks
    (item_id, mark_year, first_marked_on, last_marked_on, marked_attribute, marked_by_audit,
     version)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id, mark_year) DO UPDATE SET
    first_marked_on = excluded.first_marked_on, last_marked_on = excluded.last_marked_on,
    marked_attribute = excluded.marked_attribute, marked_by_audit = excluded.marked_by_audit,
    version = excluded.version
WHERE excluded.version > annual_review_marks.version"""
_READ_ITEMS = (
    "SELECT item_id, agency_code, department, title, current_attribute, attribute_since, "
    "version FROM annual_review_items"
)
_READ_MARKS = (
    "SELECT item_id, mark_year, first_marked_on, last_marked_on, marked_attribute, "
    "marked_by_audit, version FROM annual_review_marks"
)
_UPSERT_DECISION = """
INSERT INTO annual_review_decisions
    (item_id, review_year, outcome, reason, decided_on, decided_by, approver_id, approved_on)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id, review_year) DO UPDATE SET
    outcome = excluded.outcome, reason = excluded.reason, decided_on = excluded.decided_on,
    decided_by = excluded.decided_by, approver_id = excluded.approver_id,
    approved_on = excluded.approved_on"""


def review_deadline(year: int) -> date:
    """每年3月底前: decisions are due by 31 March of the review year (002 Art 55)."""
    return date(year, 3, 31)


class AnnualReviewModel:
    """The `annual_review` read model."""

    name = "annual_review"
    version = 1

    def create(self, tx: Tx) -> None:
        for statement in _CREATE:
            tx.execute(statement)

    def create_indexes(self, tx: Tx) -> None:
        """Built by the driver once the model has caught up after a reset."""
        tx.execute(_CREATE_AGENCY_INDEX)

    def drop(self, tx: Tx) -> None:
        for table in _TABLES:
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def wants(self, event_class: type) -> bool:
        """Whether this model folds events of `event_class` (the driver decodes no others)."""
        return event_class in HANDLED

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        """Fold the batch in memory, with the same version guards as one statement per event,
        then write each touched row once."""
        batch = _ReviewRows()
        batch.fold(events)
        batch.settle(tx)
        tx.executemany(_WRITE_ITEM, [batch.items[key] for key in batch.dirty_items])
        tx.executemany(_WRITE_MARK, [batch.marks[key] for key in batch.dirty_marks])
        tx.executemany(_UPSERT_DECISION, list(batch.decisions.values()))


_Fold = Callable[["_ReviewRows", str, Any], None]


class _ReviewRows:
    """The rows a batch touches, folded in memory. Rows are lists in their table's column
    order; `version` (last) guards every update, here and in the upserts.

    An item registered in the batch is folded from scratch: the batch holds its whole history,
    so even a redelivered one gives complete rows, and the guarded upserts never replace newer
    ones. The events of any other item wait until `settle` has read its stored rows (in a few
    queries for the whole batch)."""

    def __init__(self) -> None:
        self.items: dict[str, list[Any]] = {}
        self.marks: dict[tuple[str, int], list[Any]] = {}
        self.dirty_items: set[str] = set()
        self.dirty_marks: set[tuple[str, int]] = set()
        self.decisions: dict[tuple[str, int], tuple[Any, ...]] = {}
        self.waiting: dict[str, list[tuple[_Fold, Any]]] = {}

    def fold(self, events: Sequence[Positioned]) -> None:
        folds, items, waiting = _FOLDS, self.items, self.waiting
        for event in [event for event, _ in events if type(event) in folds]:
            fold = folds[type(event)]
            key = key_of(event.originator_id)
            if key in items or (fold is _registered and event.originator_version == 1):
                fold(self, key, event)
            elif key in waiting:
                waiting[key].append((fold, event))
            else:
                waiting[key] = [(fold, event)]

    def settle(self, tx: Tx) -> None:
        """Fold the events that waited, over their items' stored rows."""
        if not self.waiting:
            return
        for row in fetch_in(tx, _READ_ITEMS, "item_id", self.waiting):
            self.items[row[0]] = list(row)
        for row in fetch_in(tx, _READ_MARKS, "item_id", self.waiting):
            self.marks[(row[0], int(row[1]))] = list(row)
        for key, waiting in self.waiting.items():
            for fold, event in waiting:
                fold(self, key, event)
        self.waiting = {}

    def item_before(self, key: str, version: int) -> list[Any] | None:
        """The item's row when `version` is newer than it (None: absent or already applied);
        the caller changes it, so it is marked to be written."""
        item = self.items.get(key)
        if item is None or item[6] >= version:
            return None
        self.dirty_items.add(key)
        return item


def _registered(batch: _ReviewRows, key: str, event: Any) -> None:
    version = event.originator_version
    item = batch.items.get(key)
    if item is None:
        batch.items[key] = [key, event.agency_code, event.department, event.title, None, None,
                            version]  # fmt: skip
        batch.dirty_items.add(key)
    elif item[6] < version:
        item[1:4] = (event.agency_code, event.department, event.title)
        item[6] = version
        batch.dirty_items.add(key)


def _marked(batch: _ReviewRows, key: str, event: Any) -> None:
    version = event.originator_version
    attribute = event.attribute.value
    on = event.on.isoformat()
    item = batch.item_before(key, version)
    if item is not None:
        item[4:7] = (attribute, on, version)
    if event.attribute not in NON_PUBLIC:
        return
    by_audit = int(type(event) is Item.AttributeAudited)  # 000 §一(三)3
    mark_key = (key, event.on.year)
    mark = batch.marks.get(mark_key)
    if mark is None:
        batch.marks[mark_key] = [*mark_key, on, on, attribute, by_audit, version]
        batch.dirty_marks.add(mark_key)
    elif mark[6] < version:
        mark[3:7] = (on, attribute, by_audit, version)
        batch.dirty_marks.add(mark_key)


def _changed(batch: _ReviewRows, key: str, event: Any) -> None:
    if event.title:
        item = batch.item_before(key, event.originator_version)
        if item is not None:
            item[3] = event.title
            item[6] = event.originator_version


def _decided(batch: _ReviewRows, key: str, event: Any) -> None:
    approval = event.approval
    batch.decisions[(key, event.review_year)] = (
        key,
        event.review_year,
        event.outcome.value,
        event.reason,
        event.on.isoformat(),
        event.actor.official_id,
        approval.approver.official_id if approval else None,
        approval.approved_on.isoformat() if approval else None,
    )
    if event.outcome is AnnualReviewOutcome.RECLASSIFIED:
        _opened(batch, key, event)  # 002 Art 55: 主动公开 on the leader's approval


def _opened(batch: _ReviewRows, key: str, event: Any) -> None:
    # 004 att.6 Art 12 (an exemption lifted) and 002 Art 55 (reclassified in March).
    item = batch.item_before(key, event.originator_version)
    if item is not None:
        item[4:7] = (PROACTIVE, event.on.isoformat(), event.originator_version)


PROACTIVE = Attribute.PROACTIVE.value
_MARKINGS: frozenset[type[DomainEvent]] = frozenset({Item.AttributeMarked, Item.AttributeAudited})
_FOLDS: dict[type[DomainEvent], Callable[[_ReviewRows, str, Any], None]] = {
    Item.Registered: _registered,
    Item.AttributeMarked: _marked,
    Item.AttributeAudited: _marked,
    Item.Changed: _changed,
    Item.AnnualReviewDecided: _decided,
    Item.ExemptionLifted: _opened,
}
HANDLED: frozenset[type[DomainEvent]] = frozenset(_FOLDS)


class ReviewStatus(StrEnum):
    DECIDED = "decided"  # decided by 31 March
    DECIDED_LATE = "decided_late"  # decided after 31 March (002 Art 55: 每年3月底前)
    UNDECIDED = "undecided"
    NO_LONGER_NON_PUBLIC = "no_longer_non_public"  # already opened: nothing left to decide


@dataclass(frozen=True)
class ReviewEntry:
    item_id: UUID
    agency_code: str
    department: str
    title: str
    marked_attribute: Attribute  # the last 依申请公开 / 不予公开 marking during Y-1
    first_marked_on: date
    last_marked_on: date
    marked_by_audit: bool
    current_attribute: Attribute
    attribute_since: date
    outcome: AnnualReviewOutcome | None
    reason: str | None
    decided_on: date | None
    decided_by: str | None
    approver_id: str | None
    approved_on: date | None
    late: bool

    @property
    def status(self) -> ReviewStatus:
        if self.outcome is not None:
            return ReviewStatus.DECIDED_LATE if self.late else ReviewStatus.DECIDED
        if self.current_attribute is Attribute.PROACTIVE:
            return ReviewStatus.NO_LONGER_NON_PUBLIC
        return ReviewStatus.UNDECIDED


_WORKLIST = """
SELECT i.item_id, i.agency_code, i.department, i.title, m.marked_attribute, m.first_marked_on,
       m.last_marked_on, m.marked_by_audit, i.current_attribute, i.attribute_since,
       d.outcome, d.reason, d.decided_on, d.decided_by, d.approver_id, d.approved_on
FROM annual_review_items i
JOIN annual_review_marks m ON m.item_id = i.item_id AND m.mark_year = ?
LEFT JOIN annual_review_decisions d ON d.item_id = i.item_id AND d.review_year = ?
WHERE i.agency_code = ?
ORDER BY m.first_marked_on, i.item_id"""


def worklist(tx: Tx, agency: str, year: int) -> list[ReviewEntry]:
    """Year `year`'s worklist: the items marked non-public during `year - 1`, each with its
    current attribute and its decision for `year`, if any (002 Art 55-56)."""
    deadline = review_deadline(year)
    return [_entry(row, deadline) for row in tx.fetchall(_WORKLIST, (year - 1, year, agency))]


def undecided_after_deadline(tx: Tx, agency: str, year: int, as_of: date) -> list[ReviewEntry]:
    """Items of year `year`'s worklist still undecided at `as_of`, once 31 March has passed:
    no decision dated on or before `as_of`, and not opened by then some other way."""
    if as_of <= review_deadline(year):
        return []
    return [
        entry
        for entry in worklist(tx, agency, year)
        if (entry.decided_on is None or entry.decided_on > as_of)
        and not (entry.current_attribute is Attribute.PROACTIVE and entry.attribute_since <= as_of)
    ]


def _day(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _entry(row: tuple[object, ...], deadline: date) -> ReviewEntry:
    (item_id, agency, department, title, marked, first_on, last_on, by_audit) = row[:8]
    (current, since, outcome, reason, decided_on, decided_by, approver, approved_on) = row[8:]
    decided = _day(decided_on)
    first = _day(first_on)
    last = _day(last_on)
    attribute_since = _day(since)
    assert first is not None and last is not None and attribute_since is not None
    return ReviewEntry(
        item_id=UUID(str(item_id)),
        agency_code=str(agency),
        department=str(department),
        title=str(title),
        marked_attribute=Attribute(str(marked)),
        first_marked_on=first,
        last_marked_on=last,
        marked_by_audit=bool(by_audit),
        current_attribute=Attribute(str(current)),
        attribute_since=attribute_since,
        outcome=AnnualReviewOutcome(str(outcome)) if outcome is not None else None,
        reason=str(reason) if reason is not None else None,
        decided_on=decided,
        decided_by=str(decided_by) if decided_by is not None else None,
        approver_id=str(approver) if approver is not None else None,
        approved_on=_day(approved_on),
        late=decided is not None and decided > deadline,
    )
