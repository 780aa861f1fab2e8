"""The annual report as the records stood at a cut-off: fold the notification log up to it.

"As the records stood at T" means every event *recorded* at or before T (`timestamp <= T`),
whatever business date `on` it carries: a reply recorded in February with `on` = 30 December
is absent from the report as of 31 January and present afterwards. The log is read in
notification (record) order and folded with `annual_report_facts.fold_event`, the function the
read model uses; the tables come from `annual_report_tables`, also shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.application import Application

from domain.annual_report_record import ReportLevel, annual_report_id
from domain.base import DomainEvent
from domain.policy import PolicyBook
from projections.annual_report_doc import agency_report, city_report, compare_reports
from projections.annual_report_facts import (
    FactBook,
    FactCounts,
    RecordFact,
    count_book,
    fold_event,
)


class FoldedFacts:
    """A `FactBook` as a `FactSource` for `annual_report_doc`."""

    def __init__(self, book: FactBook) -> None:
        self.book = book

    def counts(self, agencies: Sequence[str]) -> FactCounts:
        return count_book(self.book, agencies)

    def record(self, level: ReportLevel, subject: str, year: int) -> RecordFact | None:
        return self.book.records.get(str(annual_report_id(level, subject, year)))


@dataclass(frozen=True)
class FoldedLog:
    facts: FoldedFacts
    position: int  # the last notification id read
    read: int  # notifications read and decoded
    folded: int  # of which recorded at or before the cut-off


def fold_log(
    app: Application[Any],
    cutoff: datetime | None,
    *,
    batch_size: int = 10_000,
    ordered: bool = False,
) -> FoldedLog:
    """Fold every event recorded at or before `cutoff` (all events when None).

    Notifications come in record order. With several writers, record times can interleave
    slightly out of order, so by default every notification is read and filtered; `ordered=True`
    stops at the first later event — exact when one process with a monotonic clock writes
    (the embedded mode).
    """
    if cutoff is not None and cutoff.tzinfo is None:
        raise ValueError("the cut-off must carry its time zone (record times are UTC)")
    book = FactBook()
    position = read = folded = 0
    decode = app.mapper.to_domain_event
    while True:
        notifications = app.recorder.select_notifications(
            position, batch_size, inclusive_of_start=False
        )
        if not notifications:
            break
        for notification in notifications:
            event: DomainEvent = decode(notification)  # type: ignore[assignment]
            read += 1
            if cutoff is not None and event.timestamp > cutoff:
                if ordered:
                    return FoldedLog(FoldedFacts(book), notification.id, read, folded)
                continue
            fold_event(book, event)
            folded += 1
        position = notifications[-1].id
    return FoldedLog(FoldedFacts(book), position, read, folded)


def _policies(app: Application[Any], policies: PolicyBook | None) -> PolicyBook:
    book = policies or getattr(app, "policies", None)
    if not isinstance(book, PolicyBook):
        raise TypeError("pass the PolicyBook (the application has none)")
    return book


def agency_report_as_of(
    app: Application[Any],
    agency_code: str,
    year: int,
    cutoff: datetime,
    *,
    policies: PolicyBook | None = None,
    ordered: bool = False,
) -> dict[str, Any]:
    folded = fold_log(app, cutoff, ordered=ordered)
    return agency_report(
        folded.facts, _policies(app, policies), agency_code, year, as_of=cutoff, origin="log"
    )


def city_report_as_of(
    app: Application[Any],
    city: str,
    year: int,
    cutoff: datetime,
    *,
    policies: PolicyBook | None = None,
    ordered: bool = False,
) -> dict[str, Any]:
    folded = fold_log(app, cutoff, ordered=ordered)
    return city_report(
        folded.facts, _policies(app, policies), city, year, as_of=cutoff, origin="log"
    )


def compare_cutoffs(
    app: Application[Any],
    agency_code: str,
    year: int,
    before: datetime,
    after: datetime,
    *,
    policies: PolicyBook | None = None,
) -> list[dict[str, Any]]:
    """The lines of the agency's report that changed between two cut-offs."""
    return compare_reports(
        agency_report_as_of(app, agency_code, year, before, policies=policies),
        agency_report_as_of(app, agency_code, year, after, policies=policies),
    )
