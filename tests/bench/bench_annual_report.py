"""BENCH annual-report: an agency with 100,000 requests (and their appeals, its rules and normative
documents, its report record) written straight into a SQLite event store.

- annual-report-ms: the 2024 report (JSON document) from the read model, median of 15 runs.
- annual-report-asof: events/s of the as-of recomputation from the log (read, decode, fold,
  compute) divided by events/s of bare read-and-decode of the same notifications, same run,
  both in CPU time of this process (best of 3 each).

Run: `.venv/bin/python -m tests.bench.bench_annual_report` (GONGKAI_BENCH_REQUESTS to resize).
"""

from __future__ import annotations

import heapq
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from domain.annual_report_record import (
    AnnualReportRecord,
    ReportLevel,
    ReportSection,
    YearlyFigures,
    annual_report_id,
)
from domain.application import GongkaiLedger
from domain.base import Actor, DomainEvent
from domain.codes import AppealResult, ApplicantType, DocumentType, LitigationKind, Outcome, Role
from domain.disclosure_item import DisclosureItem as Item
from domain.disclosure_request import Applicant
from domain.disclosure_request import DisclosureRequest as Request
from projections.annual_report import AnnualReportModel, StoredFacts
from projections.annual_report_asof import fold_log
from projections.annual_report_doc import agency_report
from projections.annual_report_render import render_html, render_xlsx
from projections.driver import ProjectionDriver
from projections.store import SqliteStore

AGENCY = "000014349"
YEAR = 2024
REQUESTS = int(os.environ.get("GONGKAI_BENCH_REQUESTS", "100000"))
ITEMS = 2_000
FIRST_DAY, LAST_DAY = date(2023, 10, 1), date(2025, 1, 31)
CUTOFF = datetime(2025, 1, 31, 16, tzinfo=UTC)  # 1 February 00:00 China time
OFFICE = Actor(official_id="office-1", role=Role.DISCLOSURE_OFFICE, department="办公室")
REPLIES = [o for o in Outcome if o not in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID)]
WEIGHTS = [40, 15, *[1] * 8, 8, 3, 2, *[2] * 5, 1]
BATCH = 10_000


class History:
    """Events in record order: each day's receipts, then whatever falls due that day."""

    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.pending: list[tuple[datetime, int, DomainEvent]] = []
        self.tie = itertools.count()

    def at(self, day: date, minutes: int) -> datetime:
        return datetime(day.year, day.month, day.day, 1, tzinfo=UTC) + timedelta(minutes=minutes)

    def later(self, events: list[DomainEvent]) -> None:
        for event in events:
            heapq.heappush(self.pending, (event.timestamp, next(self.tie), event))

    def events(self) -> Iterator[DomainEvent]:
        days = (LAST_DAY - FIRST_DAY).days + 1
        yield from self.report_record()
        for offset in range(days):
            day = FIRST_DAY + timedelta(days=offset)
            receipts = (offset + 1) * REQUESTS // days - offset * REQUESTS // days
            for n in range(receipts):
                first, *rest = self.request(day, n)
                yield first
                self.later(rest)
            for n in range(ITEMS * (offset + 1) // days - ITEMS * offset // days):
                first, *rest = self.item(day, n)
                yield first
                self.later(rest)
            end = self.at(day + timedelta(days=1), 0)
            while self.pending and self.pending[0][0] < end:
                yield heapq.heappop(self.pending)[2]
        while self.pending:
            yield heapq.heappop(self.pending)[2]

    def _event(self, cls: Any, aggregate: UUID, version: int, when: datetime, **f: Any) -> Any:
        return cls(
            originator_id=aggregate,
            originator_version=version,
            timestamp=when,
            actor=OFFICE,
            on=when.date(),
            **f,
        )

    def request(self, day: date, n: int) -> list[DomainEvent]:
        rng, rid = self.rng, uuid4()
        start = self.at(day, n % 600)
        applicant = Applicant(applicant_type=rng.choice(list(ApplicantType)), name="申请人")
        events = [
            self._event(Request.Received, rid, 1, start, agency_code=AGENCY, channel="online",
                        applicant=applicant, description="申请公开某文件", department="办公室"),
            self._event(Request.Registered, rid, 2, start + timedelta(minutes=5),
                        registration_number=f"{AGENCY}-申-{day.year}-{n:06d}"),
        ]  # fmt: skip
        roll = rng.random()
        closed = start + timedelta(days=rng.randint(1, 45))
        if roll < 0.04:  # still open
            return events
        if roll < 0.08:  # no correction in time (其他处理 1)
            asked, due = start + timedelta(days=1), (start + timedelta(days=16)).date()
            lapsed = closed + timedelta(days=20)
            return [
                *events,
                self._event(Request.CorrectionRequested, rid, 3, asked, defects=("不明确",),
                            due_on=due),
                self._event(Request.DeemedWithdrawn, rid, 4, lapsed,
                            outcome=Outcome.OTHER_NO_CORRECTION, reason="逾期未补正"),
            ]  # fmt: skip
        outcome = rng.choices(REPLIES, WEIGHTS)[0]
        events.append(
            self._event(Request.Replied, rid, 3, closed, outcome=outcome,
                        legal_basis="条例第三十六条", reasons="经审查",
                        remedy="可申请行政复议或提起行政诉讼", withheld_reasons="部分涉密",
                        holding_agency="某局")
        )  # fmt: skip
        return events + self.appeals(rid, closed)

    def appeals(self, rid: UUID, closed: datetime) -> list[DomainEvent]:
        rng = self.rng
        if rng.random() > 0.03:
            return []
        filed = closed + timedelta(days=rng.randint(5, 50))
        events = [self._event(Request.ReconsiderationFiled, rid, 4, filed, body="市人民政府")]
        if rng.random() < 0.7:
            decided = filed + timedelta(days=rng.randint(20, 90))
            result = rng.choice(list(AppealResult))
            events.append(
                self._event(Request.ReconsiderationDecided, rid, 5, decided, result=result)
            )
            if rng.random() < 0.3:
                suit = decided + timedelta(days=10)
                events.append(
                    self._event(Request.LitigationFiled, rid, 6, suit,
                                kind=LitigationKind.AFTER_RECONSIDERATION, court="某区人民法院")
                )  # fmt: skip
        return events

    def item(self, day: date, n: int) -> list[DomainEvent]:
        rng, iid = self.rng, uuid4()
        formed = self.at(day, 700 + n)
        kind = DocumentType.RULE if rng.random() < 0.1 else DocumentType.NORMATIVE
        published = formed + timedelta(days=rng.randint(1, 20))
        events = [
            self._event(Item.Registered, iid, 1, formed, agency_code=AGENCY, title="某办法",
                        department="法规科", document_type=kind),
            self._event(Item.Published, iid, 2, published, channels=("portal",)),
        ]  # fmt: skip
        if rng.random() < 0.1:
            ended = published + timedelta(days=rng.randint(30, 300))
            events.append(self._event(Item.ValidityEnded, iid, 3, ended, validity="abolished",
                                      reason="已废止"))  # fmt: skip
        return events

    def report_record(self) -> list[DomainEvent]:
        rid = annual_report_id(ReportLevel.AGENCY, AGENCY, YEAR)
        when = self.at(date(2023, 10, 1), 0)
        figures = YearlyFigures(
            licensing_decisions=1_200,
            penalty_decisions=340,
            enforcement_decisions=12,
            fee_amount_10k_yuan=Decimal("3.5"),
        )
        return [
            self._event(AnnualReportRecord.Opened, rid, 1, when, level="agency", subject=AGENCY,
                        year=YEAR),
            self._event(AnnualReportRecord.YearlyFiguresRecorded, rid, 2, when, figures=figures),
            self._event(AnnualReportRecord.SectionTextRecorded, rid, 3, when,
                        section=ReportSection.OVERVIEW, text="总体情况"),
        ]  # fmt: skip


def write_history(app: GongkaiLedger) -> int:
    to_stored = app.mapper.to_stored_event
    pending: list[Any] = []
    written = 0
    for event in History().events():
        pending.append(to_stored(event))
        if len(pending) == 20_000:
            app.recorder.insert_events(pending)
            written += len(pending)
            pending = []
    app.recorder.insert_events(pending)
    return written + len(pending)


def read_and_decode(app: GongkaiLedger) -> int:
    """The baseline: the same reading loop as `fold_log`, without folding."""
    position = read = 0
    decode = app.mapper.to_domain_event
    while notifications := app.recorder.select_notifications(
        position, BATCH, inclusive_of_start=False
    ):
        for notification in notifications:
            decode(notification)
            read += 1
        position = notifications[-1].id
    return read


def as_of_report(app: GongkaiLedger) -> tuple[int, dict[str, Any]]:
    folded = fold_log(app, CUTOFF, batch_size=BATCH)
    document = agency_report(folded.facts, app.policies, AGENCY, YEAR, as_of=CUTOFF)
    return folded.read, document


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        app = GongkaiLedger.embedded(path)
        started = time.perf_counter()
        events = write_history(app)
        print(f"INFO annual-report history: {REQUESTS:,} requests, {events:,} events written "
              f"in {time.perf_counter() - started:.1f}s")  # fmt: skip

        store = SqliteStore(path)
        driver = ProjectionDriver(app, store, [AnnualReportModel()], batch_size=BATCH)
        started = time.perf_counter()
        driver.catch_up()
        elapsed = time.perf_counter() - started
        print(f"INFO annual-report projection: {events / elapsed:,.0f} events/s")

        timings = []
        with store.reading() as tx:
            for _ in range(15):
                started = time.perf_counter()
                document = agency_report(StoredFacts(tx), app.policies, AGENCY, YEAR)
                timings.append((time.perf_counter() - started) * 1000)
        new = next(r for r in document["requests"]["rows"] if r["key"] == "new")
        assert document["checks"]["passed"], document["checks"]
        assert new["values"]["total"] > REQUESTS // 2, "the 2024 report covers the requests"
        started = time.perf_counter()
        render_html(document), render_xlsx(document)
        print(
            f"INFO annual-report render html+xlsx: {(time.perf_counter() - started) * 1000:.0f}ms"
        )
        print(f"BENCH annual-report-ms value={statistics.median(timings):.2f} target<=100")

        # CPU time of this process: on a shared machine, wall time also measures the neighbours.
        bare_rates, asof_rates = [], []
        for _ in range(3):  # alternate, keep the best of each: the least disturbed runs
            started = time.process_time()
            read = read_and_decode(app)
            bare_rates.append(read / (time.process_time() - started))
            started = time.process_time()
            folded_read, as_of = as_of_report(app)
            asof_rates.append(folded_read / (time.process_time() - started))
            assert folded_read == read and as_of["checks"]["passed"]
        bare, asof = max(bare_rates), max(asof_rates)
        print(f"INFO annual-report read+decode {bare:,.0f} events/s; as-of {asof:,.0f} events/s")
        print(f"BENCH annual-report-asof ratio={asof / bare:.2f} target>=0.5")
        store.close()


if __name__ == "__main__":
    main()
