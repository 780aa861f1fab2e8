"""The facts an annual report is computed from, and THE function that folds events into them.

`fold_event(book, event)` is the only place events become report facts. The read model
(`projections.annual_report`) loads the facts an event batch touches from SQL into a `FactBook`,
folds, and writes them back; the as-of path (`projections.annual_report_asof`) folds the log up
to a cut-off into an empty `FactBook`. Both then count facts with the same `*_key` functions and
compute the tables with `projections.annual_report_tables`.

Facts hold no applicant personal data: only the applicant *type* (the column of section 三).
Dates are the business dates `on` of the events (when the act took effect), never record times.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.annual_report_record import AnnualReportRecord as Record
from domain.base import DomainEvent
from domain.codes import DocumentType
from domain.disclosure_item import DisclosureItem as Item
from domain.disclosure_request import DisclosureRequest as Request
from projections.sql import key_of

# Items counted in section 二 (national template 第二十条第(一)项: 规章, 行政规范性文件).
COUNTED_DOCUMENTS = frozenset({DocumentType.RULE.value, DocumentType.NORMATIVE.value})
RECONSIDERATION = "reconsideration"  # 行政复议
LITIGATION = "litigation"  # 行政诉讼 (kind: direct / after_reconsideration)


@dataclass(slots=True)
class RequestFact:
    request_id: str
    agency_code: str
    applicant_type: str
    received_on: date
    closed_on: date | None = None  # reply or deemed withdrawal
    outcome: str | None = None  # domain.codes.Outcome value


@dataclass(slots=True)
class AppealFact:
    request_id: str
    track: str  # RECONSIDERATION or LITIGATION
    seq: int  # 1, 2, … per request and track
    agency_code: str
    kind: str  # "reconsideration", "direct", "after_reconsideration"
    filed_on: date
    decided_on: date | None = None
    result: str | None = None  # domain.codes.AppealResult value


@dataclass(slots=True)
class ItemFact:
    item_id: str
    agency_code: str
    document_type: str
    published_on: date | None = None  # first publication (制发)
    ended_on: date | None = None  # revoked or abolished (废止)


@dataclass(slots=True)
class RecordFact:
    record_id: str
    level: str
    subject: str
    year: int
    licensing: int | None = None
    penalty: int | None = None
    enforcement: int | None = None
    fees: Decimal | None = None  # 万元
    sections: dict[str, str] = field(default_factory=dict)
    editions: list[date] = field(default_factory=list)


AppealId = tuple[str, str, int]


@dataclass
class FactBook:
    """A working set of facts: everything (as-of) or what one event batch touches (read model)."""

    requests: dict[str, RequestFact] = field(default_factory=dict)
    appeals: dict[AppealId, AppealFact] = field(default_factory=dict)
    items: dict[str, ItemFact] = field(default_factory=dict)
    records: dict[str, RecordFact] = field(default_factory=dict)

    def last_appeal(self, request_id: str, track: str) -> AppealFact | None:
        seq = 1
        while (request_id, track, seq + 1) in self.appeals:
            seq += 1
        return self.appeals.get((request_id, track, seq))

    def fold(self, events: Iterable[DomainEvent]) -> None:
        for event in events:
            fold_event(self, event)


# ---- the fold ----------------------------------------------------------------------------------


def _received(book: FactBook, e: Any) -> None:
    key = key_of(e.originator_id)
    book.requests[key] = RequestFact(key, e.agency_code, e.applicant.applicant_type.value, e.on)


def _closed(book: FactBook, e: Any) -> None:
    # A request counts in the year its reply or deemed withdrawal is made (national template
    # 三; 004 att.9 Art 4(四)2-4).
    fact = book.requests.get(key_of(e.originator_id))
    if fact is not None:
        fact.closed_on = e.on
        fact.outcome = e.outcome.value


def _filed(track: str) -> Callable[[FactBook, Any], None]:
    def filed(book: FactBook, e: Any) -> None:
        request_id = key_of(e.originator_id)
        fact = book.requests.get(request_id)
        if fact is None:
            return
        last = book.last_appeal(request_id, track)
        seq = 1 if last is None else last.seq + 1
        kind = e.kind.value if track == LITIGATION else RECONSIDERATION
        book.appeals[(request_id, track, seq)] = AppealFact(
            request_id, track, seq, fact.agency_code, kind, e.on
        )

    return filed


def _decided(track: str) -> Callable[[FactBook, Any], None]:
    def decided(book: FactBook, e: Any) -> None:
        # The aggregate decides its latest pending appeal of the track (DisclosureRequest).
        appeal = book.last_appeal(key_of(e.originator_id), track)
        if appeal is not None:
            appeal.decided_on = e.on
            appeal.result = e.result.value

    return decided


def _item_registered(book: FactBook, e: Any) -> None:
    if e.document_type.value in COUNTED_DOCUMENTS:
        key = key_of(e.originator_id)
        book.items[key] = ItemFact(key, e.agency_code, e.document_type.value)


def _item_published(book: FactBook, e: Any) -> None:
    # 本年制发: the first publication; republishing after a change (变更) is not a new document.
    fact = book.items.get(key_of(e.originator_id))
    if fact is not None and fact.published_on is None:
        fact.published_on = e.on


def _item_ended(book: FactBook, e: Any) -> None:
    # 撤销 and 废止 both end validity (003 Art 14); both leave 现行有效.
    fact = book.items.get(key_of(e.originator_id))
    if fact is not None:
        fact.ended_on = e.on


def _record_opened(book: FactBook, e: Any) -> None:
    key = key_of(e.originator_id)
    book.records[key] = RecordFact(key, e.level.value, e.subject, e.year)


def _record_figures(book: FactBook, e: Any) -> None:
    # Recorded again = corrected: the latest figures count (the earlier stay in the log).
    fact = book.records.get(key_of(e.originator_id))
    if fact is not None:
        figures = e.figures
        fact.licensing = figures.licensing_decisions
        fact.penalty = figures.penalty_decisions
        fact.enforcement = figures.enforcement_decisions
        fact.fees = figures.fee_amount_10k_yuan


def _record_section(book: FactBook, e: Any) -> None:
    fact = book.records.get(key_of(e.originator_id))
    if fact is not None:
        fact.sections[e.section.value] = e.text


def _record_published(book: FactBook, e: Any) -> None:
    # The first edition is judged against the deadline (004 att.9 Art 3).
    fact = book.records.get(key_of(e.originator_id))
    if fact is not None:
        fact.editions.append(e.on)


HANDLERS: dict[type[DomainEvent], Callable[[FactBook, Any], None]] = {
    Request.Received: _received,
    Request.Replied: _closed,
    Request.DeemedWithdrawn: _closed,
    Request.ReconsiderationFiled: _filed(RECONSIDERATION),
    Request.ReconsiderationDecided: _decided(RECONSIDERATION),
    Request.LitigationFiled: _filed(LITIGATION),
    Request.LitigationDecided: _decided(LITIGATION),
    Item.Registered: _item_registered,
    Item.Published: _item_published,
    Item.ValidityEnded: _item_ended,
    Record.Opened: _record_opened,
    Record.YearlyFiguresRecorded: _record_figures,
    Record.SectionTextRecorded: _record_section,
    Record.ReportPublished: _record_published,
}
REQUEST_EVENTS = frozenset(t for t in HANDLERS if t.__qualname__.startswith("DisclosureRequest."))
ITEM_EVENTS = frozenset(t for t in HANDLERS if t.__qualname__.startswith("DisclosureItem."))
RECORD_EVENTS = frozenset(t for t in HANDLERS if t.__qualname__.startswith("AnnualReportRecord."))
CREATION_EVENTS = frozenset({Request.Received, Item.Registered, Record.Opened})


def fold_event(book: FactBook, event: DomainEvent) -> None:
    """Fold one event into the facts (events the report does not use are ignored)."""
    handler = HANDLERS.get(type(event))
    if handler is not None:
        handler(book, event)


# ---- counting keys: what the tables need to know of a fact ------------------------------------

# Years are 0 when the date is absent (open request, pending appeal, unpublished item), so the
# keys can be primary-key columns in both SQLite and PostgreSQL.
RequestKey = tuple[str, str, str, int, int]  # agency, applicant type, outcome|"", received, closed
AppealKey = tuple[str, str, str, int, int]  # agency, kind, result|"", filed, decided
ItemKey = tuple[str, str, int, int]  # agency, document type, published, ended


def _year(day: date | None) -> int:
    return 0 if day is None else day.year


def request_key(f: RequestFact) -> RequestKey:
    return (
        f.agency_code,
        f.applicant_type,
        f.outcome or "",
        f.received_on.year,
        _year(f.closed_on),
    )


def appeal_key(f: AppealFact) -> AppealKey:
    return (f.agency_code, f.kind, f.result or "", f.filed_on.year, _year(f.decided_on))


def item_key(f: ItemFact) -> ItemKey:
    return (f.agency_code, f.document_type, _year(f.published_on), _year(f.ended_on))


@dataclass(frozen=True)
class FactCounts:
    """Facts counted by key for a set of agencies (agency column dropped): the tables' input."""

    requests: Counter[tuple[str, str, int, int]]
    appeals: Counter[tuple[str, str, int, int]]
    items: Counter[tuple[str, int, int]]


def count_book(book: FactBook, agencies: Iterable[str]) -> FactCounts:
    wanted = set(agencies)
    requests = (request_key(f) for f in book.requests.values() if f.agency_code in wanted)
    appeals = (appeal_key(f) for f in book.appeals.values() if f.agency_code in wanted)
    items = (item_key(f) for f in book.items.values() if f.agency_code in wanted)
    return FactCounts(
        Counter(k[1:] for k in requests),
        Counter(k[1:] for k in appeals),
        Counter(k[1:] for k in items),
    )
