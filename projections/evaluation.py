"""The 100-point evaluation (考评) of an agency for a year (004 att.11 and its 考核评定标准).

Deductions the events prove come from `projections.accountability` (violations that occurred in
the year, as things stood on `as_of`) and from corrected appeals; the criteria that need a
person's judgement come from the agency's evaluation record (`domain.evaluation_record`).
备注 1: a row's deductions never exceed its points, so no row and no section drops below zero.
备注 2: one problem is deducted once, in the first row that claims it (order: `PRIORITY`).
Art 12: falsification costs 2-5 points off the total. Art 5: ≥ 90 优秀, 70-89 合格, < 70 不合格.

Computed on demand from the agency's histories (one pass over its events), never stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from domain.annual_report_record import ReportLevel, annual_report_id
from domain.base import DomainEvent
from domain.calendar import WorkingDayCalendar
from domain.codes import AppealResult
from domain.disclosure_request import DisclosureRequest
from domain.evaluation_record import (
    APPEAL_CORRECTED_POINTS,
    CRITERIA,
    FRAUD,
    SECTIONS,
    Criterion,
    EvaluationRecord,
    evaluation_record_id,
)
from domain.policy import PolicyBook
from projections.accountability import EventRef, Kind, Violation, assess_agency

Request = DisclosureRequest

# Which row each violation is deducted under, and how many points (004 att.11 附件).
# A March-review decision made late (002 Art 55) has no row of its own: it is listed, not
# deducted.
ROW: dict[Kind, tuple[str, int]] = {
    Kind.PUBLISHED_NOT_DISCLOSABLE: ("2.1", 3),  # 公开不应当公开的政府信息，1次扣3分
    Kind.PUBLISHED_WITHOUT_REVIEW: ("2.1", 3),
    Kind.PUBLISHED_WITHOUT_APPROVAL: ("2.1", 3),
    Kind.LATE_PUBLICATION: ("2.1", 1),  # 1项内容未按时公开扣1分
    Kind.UNPUBLISHED_PAST_DUE: ("2.1", 1),
    Kind.REPLY_LATE: ("2.2", 1),  # 未按规定办理的，1次扣1分
    Kind.REQUEST_OVERDUE: ("2.2", 1),
    Kind.REPLY_INCOMPLETE: ("2.2", 1),
    Kind.EXTENSION_IRREGULAR: ("2.2", 1),
    Kind.FEE_ABOVE_STANDARD: ("4.4", 1),  # 违规收费，1次扣1分
    Kind.CATALOGUE_NOT_UPDATED: ("1.3", 1),  # 目录未及时更新，1次扣1分
    Kind.READING_ROOM_LATE: ("4.5", 1),  # 未按规定送交查阅场所，1次扣1分
    Kind.ANNUAL_REPORT_LATE: ("4.1", 1),  # 1次未按时上报扣1分
}
# A problem claimed by several rows is deducted in the first of them (备注 2).
PRIORITY = ("2.1", "2.2", "4.4", "4.2", "1.3", "4.5", "4.1")
GRADES = ((90, "优秀", "excellent"), (70, "合格", "pass"), (0, "不合格", "fail"))


@dataclass(frozen=True, slots=True)
class Deduction:
    criterion: str
    points: int
    source: str  # "events" | "judgement"
    detail: str
    evidence: tuple[EventRef, ...]
    problem: tuple[str, ...]
    counted: bool = True
    note: str = ""
    violation: Violation | None = None


@dataclass(frozen=True, slots=True)
class RowResult:
    criterion: Criterion
    deducted: int  # never more than criterion.points (备注 1)
    deductions: tuple[Deduction, ...]

    @property
    def score(self) -> int:
        return self.criterion.points - self.deducted


@dataclass(frozen=True, slots=True)
class SectionResult:
    section: str
    title: str
    points: int
    deducted: int

    @property
    def score(self) -> int:
        return self.points - self.deducted


@dataclass(frozen=True, slots=True)
class Evaluation:
    agency_code: str
    year: int
    as_of: date
    rows: tuple[RowResult, ...]
    sections: tuple[SectionResult, ...]
    fraud: tuple[Deduction, ...]  # Art 12
    score: int
    grade: str
    grade_en: str
    unassessed: tuple[str, ...]  # judged rows nobody has recorded a judgement for yet
    calendar_version: str

    def row(self, criterion: str) -> RowResult:
        return next(r for r in self.rows if r.criterion.id == criterion)


def grade(score: int) -> tuple[str, str]:
    """004 att.11 Art 5: 90分以上为优秀，70分-89分为合格，70分以下为不合格."""
    return next((zh, en) for floor, zh, en in GRADES if score >= floor)


def _from_violation(violation: Violation) -> Deduction | None:
    row = ROW.get(violation.kind)
    if row is None:
        return None
    return Deduction(
        row[0],
        row[1],
        "events",
        f"{violation.label}: {violation.detail}",
        violation.evidence,
        violation.problem,
        violation=violation,
    )


def _corrected_appeals(events: Sequence[DomainEvent], year: int, as_of: date) -> list[Deduction]:
    """4.2: 被申请行政复议或提起行政诉讼，被纠错或改判的，每次扣3分."""
    return [
        Deduction(
            "4.2",
            APPEAL_CORRECTED_POINTS,
            "events",
            f"{type(e).__name__} {e.on}: corrected (纠错/改判)",
            (EventRef.of(e),),
            ("appeal", str(e.originator_id), str(e.originator_version)),
        )
        for e in events
        if isinstance(e, (Request.ReconsiderationDecided, Request.LitigationDecided))
        and e.result is AppealResult.CORRECTED
        and e.on.year == year
        and e.on <= as_of
    ]


def _judged(record: EvaluationRecord | None) -> list[Deduction]:
    if record is None:
        return []
    return [
        Deduction(
            f.criterion,
            f.points,
            "judgement",
            f"{f.description} (recorded by {f.by.official_id} on {f.on}"
            + (f", {f.evidence_ref})" if f.evidence_ref else ")"),
            (EventRef(record.id, f.version, "FindingRecorded", f.on, f.recorded_at),),
            ("judged", str(f.subject_id) if f.subject_id else f"finding-{f.version}"),
        )
        for f in record.active_findings
    ]


def _fold(events: Sequence[DomainEvent] | None) -> Any:
    state: Any = None
    for event in events or ():
        state = event.mutate(state)
    return state


def evaluate(
    histories: Mapping[UUID, Sequence[DomainEvent]],
    agency_code: str,
    year: int,
    policies: PolicyBook,
    calendar: WorkingDayCalendar,
    as_of: date | None = None,
) -> Evaluation:
    """The evaluation of `agency_code` for `year`, as the events stood on `as_of` (default:
    31 December of the year)."""
    as_of = as_of or date(year, 12, 31)
    candidates = [
        deduction
        for attribution in assess_agency(histories, agency_code, policies, calendar, as_of)
        if attribution.violation.occurred_on.year == year
        and (deduction := _from_violation(attribution.violation)) is not None
    ]
    for events in histories.values():
        first = events[0]
        if isinstance(first, Request.Received) and first.agency_code == agency_code:
            candidates += _corrected_appeals(events, year, as_of)
    record: EvaluationRecord | None = _fold(histories.get(evaluation_record_id(agency_code, year)))
    automatic = _deduct_once(candidates)
    deducted_subjects = {
        str(d.violation.aggregate_id) for d in automatic if d.counted and d.violation is not None
    }
    judged = [
        _mark_duplicate(d, "the ledger already deducts a problem of this subject")
        if d.problem[1] in deducted_subjects
        else d
        for d in _judged(record)
    ]
    rows = tuple(_row(c, [d for d in automatic + judged if d.criterion == c.id]) for c in CRITERIA)
    sections = tuple(
        SectionResult(
            key, title, points, sum(r.deducted for r in rows if r.criterion.section == key)
        )
        for key, (title, points) in SECTIONS.items()
    )
    fraud = tuple(d for d in judged if d.criterion == FRAUD)
    total = 100 - sum(s.deducted for s in sections) - sum(d.points for d in fraud)
    score = max(0, total)
    grade_zh, grade_en = grade(score)
    report_known = annual_report_id(ReportLevel.AGENCY, agency_code, year - 1) in histories
    unassessed = tuple(
        c.id
        for c in CRITERIA
        if c.judged
        and (record is None or not record.assessed(c.id))
        and not (c.id == "4.1" and report_known)
    )
    return Evaluation(
        agency_code,
        year,
        as_of,
        rows,
        sections,
        fraud,
        score,
        grade_zh,
        grade_en,
        unassessed,
        calendar.version,
    )


def _mark_duplicate(deduction: Deduction, note: str) -> Deduction:
    return Deduction(
        deduction.criterion,
        deduction.points,
        deduction.source,
        deduction.detail,
        deduction.evidence,
        deduction.problem,
        counted=False,
        note=note,
        violation=deduction.violation,
    )


def _deduct_once(candidates: list[Deduction]) -> list[Deduction]:
    """备注 2: 同1个问题只在1处扣分 — the first row in `PRIORITY` keeps the problem."""
    ordered = sorted(
        candidates,
        key=lambda d: (PRIORITY.index(d.criterion), -d.points, d.evidence[0].on or date.min),
    )
    seen: dict[tuple[str, ...], str] = {}
    result = []
    for deduction in ordered:
        if deduction.problem in seen:
            note = f"the same problem is deducted under {seen[deduction.problem]}"
            result.append(_mark_duplicate(deduction, note))
            continue
        seen[deduction.problem] = deduction.criterion
        result.append(deduction)
    return result


def _row(criterion: Criterion, deductions: list[Deduction]) -> RowResult:
    counted = sum(d.points for d in deductions if d.counted)
    return RowResult(criterion, min(counted, criterion.points), tuple(deductions))
