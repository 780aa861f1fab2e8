"""The March worklist (动态扩展和定期审查): before the end of March of year Y, every item marked
依申请公开 or 不予公开 during Y-1 is reviewed; what should be public is reclassified 主动公开 on
the approval of the leader in charge and then published (002 Art 55-56).

An item is in year Y's worklist when it was marked non-public during Y-1 on the drafting form or
by the disclosure office's audit (000 §一(三)2-3) — the same scope `DisclosureItem` enforces
when a decision is recorded. `handle_batch` reads the rows its events touch, folds the batch
in memory and writes each touched row once; every change is guarded by the event version, so a
restart or a re-run gives the same tables.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    "CREATE INDEX IF NOT EXISTS annual_review_items_agency ON annual_review_items (agency_code)",
)
_TABLES = ("annual_review_decisions", "annual_review_marks", "annual_review_items")

# Whole rows, written once per batch at their folded state (the version guards are applied in
# memory, over the stored rows read at the start of the batch).
_WRITE_ITEM = """
INSERT INTO annual_review_items
    (item_id, agency_code, department, title, current_attribute, attribute_since, version)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id) DO UPDATE SET
    agency_code = excluded.agency_code, department = excluded.department,
    title = excluded.title, current_attribute = excluded.current_attribute,
    attribute_since = excluded.attribute_since, version = excluded.version"""
_WRITE_MARK = """
INSERT INTO annual_review_marks
    (item_id, mark_year, first_marked_on, last_marked_on, marked_attribute, marked_by_audit,
     version)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (item_id, mark_year) DO UPDATE SET
    first_marked_on = excluded.first_marked_on, last_marked_on = excluded.last_marked_on,
    marked_attribute = excluded.marked_attribute, marked_by_audit = excluded.marked_by_audit,
    version = excluded.version"""
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

    def drop(self, tx: Tx) -> None:
        for table in _TABLES:
            tx.execute(f"DROP TABLE IF EXISTS {table}")

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        """Fold the batch in memory over the stored rows it touches (read in a few queries),
        with the same version guards as one statement per event, then write each touched row
        once."""
        relevant = [(key_of(e.originator_id), e) for e, _ in events if type(e) in HANDLED]
        if not relevant:
            return
        keys = {key for key, _ in relevant}
        items: dict[str, list[Any]] = {
            row[0]: list(row)
            for row in fetch_in(
                tx,
                "SELECT item_id, agency_code, department, title, current_attribute, "
                "attribute_since, version FROM annual_review_items",
                "item_id",
                keys,
            )
        }
        marked = {key for key, e in relevant if type(e) in _MARKINGS}
        marks: dict[tuple[str, int], list[Any]] = {
            (row[0], int(row[1])): list(row)
            for row in fetch_in(
                tx,
                "SELECT item_id, mark_year, first_marked_on, last_marked_on, marked_attribute, "
                "marked_by_audit, version FROM annual_review_marks",
                "item_id",
                marked,
            )
        }
        dirty_items: set[str] = set()
        dirty_marks: set[tuple[str, int]] = set()
        decisions: dict[tuple[str, int], tuple[Any, ...]] = {}
        for key, event in relevant:
            version = event.originator_version
            kind = type(event)
            item = items.get(key)
            if kind is Item.Registered:
                assert isinstance(event, Item.Registered)
                if item is None:
                    items[key] = [key, event.agency_code, event.department, event.title, None,
                                  None, version]  # fmt: skip
                    dirty_items.add(key)
                elif item[6] < version:
                    item[1:4] = (event.agency_code, event.department, event.title)
                    item[6] = version
                    dirty_items.add(key)
            elif kind is Item.AttributeMarked or kind is Item.AttributeAudited:
                assert isinstance(event, Item.AttributeMarked | Item.AttributeAudited)
                on = event.on.isoformat()
                if item is not None and item[6] < version:
                    item[4:7] = (event.attribute.value, on, version)
                    dirty_items.add(key)
                if event.attribute in NON_PUBLIC:
                    by_audit = int(kind is Item.AttributeAudited)  # 000 §一(三)3
                    mark_key = (key, event.on.year)
                    mark = marks.get(mark_key)
                    if mark is None:
                        marks[mark_key] = [*mark_key, on, on, event.attribute.value, by_audit,
                                           version]  # fmt: skip
                        dirty_marks.add(mark_key)
                    elif mark[6] < version:
                        mark[3:7] = (on, event.attribute.value, by_audit, version)
                        dirty_marks.add(mark_key)
            elif kind is Item.Changed:
                assert isinstance(event, Item.Changed)
                if event.title and item is not None and item[6] < version:
                    item[3] = event.title
                    item[6] = version
                    dirty_items.add(key)
            elif kind is Item.AnnualReviewDecided:
                assert isinstance(event, Item.AnnualReviewDecided)
                approval = event.approval
                decisions[(key, event.review_year)] = (
                    key,
                    event.review_year,
                    event.outcome.value,
                    event.reason,
                    event.on.isoformat(),
                    event.actor.official_id,
                    approval.approver.official_id if approval else None,
                    approval.approved_on.isoformat() if approval else None,
                )
                reclassified = event.outcome is AnnualReviewOutcome.RECLASSIFIED
                if reclassified and item is not None and item[6] < version:
                    # 002 Art 55: reclassified to 主动公开 on the leader's approval.
                    item[4:7] = (PROACTIVE, event.on.isoformat(), version)
                    dirty_items.add(key)
            elif kind is Item.ExemptionLifted:
                assert isinstance(event, Item.ExemptionLifted)
                # 004 att.6 Art 12: opened outside the March review.
                if item is not None and item[6] < version:
                    item[4:7] = (PROACTIVE, event.on.isoformat(), version)
                    dirty_items.add(key)
        tx.executemany(_WRITE_ITEM, [items[key] for key in dirty_items])
        tx.executemany(_WRITE_MARK, [marks[key] for key in dirty_marks])
        tx.executemany(_UPSERT_DECISION, list(decisions.values()))


PROACTIVE = Attribute.PROACTIVE.value
_MARKINGS: frozenset[type[DomainEvent]] = frozenset({Item.AttributeMarked, Item.AttributeAudited})
HANDLED: frozenset[type[DomainEvent]] = frozenset(
    {
        Item.Registered,
        *_MARKINGS,
        Item.Changed,
        Item.AnnualReviewDecided,
        Item.ExemptionLifted,
    }
)


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
