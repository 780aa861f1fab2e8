"""The annual report and accountability answers, shared by the HTTP routes and the CLI: which
projection to ask, and how its answer is shaped into response models (no business decisions
here: those are in `projections/`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal, cast
from urllib.parse import quote

from fastapi import Response

from api.responses import OrjsonResponse
from api.schemas_reports import (
    ActionOut,
    AttributeChangeOut,
    AttributionOut,
    DecisionOut,
    DeductionOut,
    EvaluationOut,
    EventRefOut,
    ObjectionRefOut,
    RowOut,
    SectionOut,
    ShareOut,
    ViolationOut,
    ViolationsOut,
)
from api.services import Services
from api.views import actor_out, aggregate_kind, approval_out, today_in_china
from domain.annual_report_record import ReportLevel
from domain.application import GongkaiLedger
from domain.base import DomainEvent
from domain.errors import NotFound
from projections.accountability import (
    SHARE_LABELS,
    Attribution,
    EventRef,
    Objection,
    assess_agency,
)
from projections.annual_report import StoredFacts
from projections.annual_report_asof import agency_report_as_of, city_report_as_of
from projections.annual_report_doc import agency_report, city_report
from projections.annual_report_render import render_html, render_xlsx
from projections.evaluation import Deduction, Evaluation, RowResult, evaluate
from projections.investigation import Action, AttributeChange, Decision, load_histories

ReportFormat = Literal["json", "html", "xlsx"]
Capacity = Literal["acted", "approved", "collective_member", "objected"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML = "text/html; charset=utf-8"

# ---- the annual report -----------------------------------------------------------------------


def known_agency(ledger: GongkaiLedger, code: str) -> None:
    if code not in ledger.policies:
        raise NotFound("agency", code)


def known_city(ledger: GongkaiLedger, city: str) -> None:
    if not any(policy.city == city for policy in ledger.policies.all()):
        raise NotFound("city", city)


def report_now(services: Services, level: ReportLevel, subject: str, year: int) -> dict[str, Any]:
    """The report from the read model (current to its position); an unpublished report is
    overdue when today (China) is past the deadline."""
    ledger = services.ledger
    today = today_in_china(ledger.clock)
    with services.store.reading() as tx:
        facts = StoredFacts(tx)
        if level is ReportLevel.AGENCY:
            return agency_report(facts, ledger.policies, subject, year, today=today)
        return city_report(facts, ledger.policies, subject, year, today=today)


def report_as_of(
    ledger: GongkaiLedger, level: ReportLevel, subject: str, year: int, cutoff: datetime
) -> dict[str, Any]:
    """The report as the records stood at `cutoff` (record time): the log folded up to it."""
    if level is ReportLevel.AGENCY:
        return agency_report_as_of(ledger, subject, year, cutoff)
    return city_report_as_of(ledger, subject, year, cutoff)


def report_filename(document: dict[str, Any], extension: str) -> str:
    return f"annual-report-{document['level']}-{document['subject']}-{document['year']}.{extension}"


def content_disposition(filename: str) -> str:
    """An ASCII fallback plus the UTF-8 name (RFC 6266 / RFC 8187): a city name is Chinese."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def render_report(document: dict[str, Any], fmt: ReportFormat) -> Response:
    """JSON (the document), printable HTML, or an XLSX download."""
    if fmt == "html":
        return Response(render_html(document), media_type=HTML)
    if fmt == "xlsx":
        return Response(
            render_xlsx(document),
            media_type=XLSX,
            headers={"Content-Disposition": content_disposition(report_filename(document, "xlsx"))},
        )
    return OrjsonResponse(document)


# ---- accountability -----------------------------------------------------------------------------


def ref_out(ref: EventRef) -> EventRefOut:
    return EventRefOut(
        aggregate_id=ref.aggregate_id,
        version=ref.version,
        event=ref.event_type,
        on=ref.on,
        recorded_at=ref.recorded_at,
    )


def refs_out(refs: Sequence[EventRef]) -> list[EventRefOut]:
    return [ref_out(r) for r in refs]


def attribution_out(attribution: Attribution) -> AttributionOut:
    return AttributionOut(
        rule=attribution.rule,
        citation=attribution.citation,
        shares=[
            ShareOut(
                official_id=s.official_id,
                role=s.role,
                department=s.department,
                share=s.share.value,
                share_zh=SHARE_LABELS[s.share],
                reason=s.reason,
                evidence=refs_out(s.evidence),
            )
            for s in attribution.shares
        ],
    )


def violation_out(attribution: Attribution) -> ViolationOut:
    v = attribution.violation
    return ViolationOut(
        kind=v.kind.value,
        label=v.label,
        citation=v.citation,
        aggregate_id=v.aggregate_id,
        aggregate_type=v.aggregate_type,
        agency_code=v.agency_code,
        occurred_on=v.occurred_on,
        detail=v.detail,
        problem=list(v.problem),
        evidence=refs_out(v.evidence),
        attribution=attribution_out(attribution),
    )


def violations(ledger: GongkaiLedger, agency_code: str, as_of: date | None) -> ViolationsOut:
    """Every violation of the agency's records as they stood on `as_of` (default: today)."""
    known_agency(ledger, agency_code)
    day = as_of or today_in_china(ledger.clock)
    histories = load_histories(ledger, agency_code)
    found = assess_agency(histories, agency_code, ledger.policies, ledger.calendar, day)
    return ViolationsOut(
        agency_code=agency_code,
        as_of=day,
        calendar_version=ledger.calendar.version,
        violations=[violation_out(a) for a in found],
    )


def deduction_out(deduction: Deduction) -> DeductionOut:
    source = "judgement" if deduction.source == "judgement" else "events"
    return DeductionOut(
        criterion=deduction.criterion,
        points=deduction.points,
        source=source,
        detail=deduction.detail,
        counted=deduction.counted,
        note=deduction.note,
        problem=list(deduction.problem),
        evidence=refs_out(deduction.evidence),
        violation_kind=deduction.violation.kind.value if deduction.violation else None,
    )


def _row_out(row: RowResult) -> RowOut:
    c = row.criterion
    return RowOut(
        criterion=c.id,
        section=c.section,
        text_zh=c.text_zh,
        rule_zh=c.rule_zh,
        mode=c.mode.value,
        points=c.points,
        deducted=row.deducted,
        score=row.score,
        deductions=[deduction_out(d) for d in row.deductions],
    )


def evaluation_out(result: Evaluation) -> EvaluationOut:
    return EvaluationOut(
        agency_code=result.agency_code,
        year=result.year,
        as_of=result.as_of,
        score=result.score,
        grade=result.grade,
        grade_en=result.grade_en,
        sections=[
            SectionOut(
                section=s.section,
                title=s.title,
                points=s.points,
                deducted=s.deducted,
                score=s.score,
            )
            for s in result.sections
        ],
        rows=[_row_out(r) for r in result.rows],
        fraud=[deduction_out(d) for d in result.fraud],
        unassessed=list(result.unassessed),
        calendar_version=result.calendar_version,
    )


def evaluation(
    ledger: GongkaiLedger, agency_code: str, year: int, as_of: date | None
) -> EvaluationOut:
    """The 004 att.11 evaluation for `year`, as things stood on `as_of` — by default the end of
    the year, or today while the year is still running (a deadline still ahead is no fault)."""
    known_agency(ledger, agency_code)
    day = as_of or min(date(year, 12, 31), today_in_china(ledger.clock))
    histories = load_histories(ledger, agency_code)
    result = evaluate(histories, agency_code, year, ledger.policies, ledger.calendar, day)
    return evaluation_out(result)


def action_out(action: Action) -> ActionOut:
    capacity = cast(Capacity, action.capacity)  # one of the four `actions_of` gives
    return ActionOut(
        ref=ref_out(action.ref),
        aggregate_type=action.aggregate_type,
        agency_code=action.agency_code,
        capacity=capacity,
        actor=actor_out(action.actor),
        summary=action.summary,
    )


def objection_out(objection: Objection) -> ObjectionRefOut:
    return ObjectionRefOut(
        official_id=objection.official_id,
        objected_version=objection.objected_version,
        text=objection.text,
        ref=ref_out(objection.ref),
    )


def decision_out(decision: Decision) -> DecisionOut:
    return DecisionOut(
        ref=ref_out(decision.ref),
        actor=actor_out(decision.actor),
        summary=decision.summary,
        approval=approval_out(decision.approval),
        approval_ref=ref_out(decision.approval_ref) if decision.approval_ref else None,
        objections=[objection_out(o) for o in decision.objections],
    )


def attribute_change_out(change: AttributeChange) -> AttributeChangeOut:
    return AttributeChangeOut(
        item_id=change.item_id,
        title=change.title,
        ref=ref_out(change.ref),
        before=change.before.value,
        after=change.after.value,
        actor=actor_out(change.actor),
        approval=approval_out(change.approval),
    )


def kind_of(events: Sequence[DomainEvent]) -> str:
    """item | request | another aggregate's class name, from its creation event."""
    return aggregate_kind(events[0].mutate(None)) if events else ""
