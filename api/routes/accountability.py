"""Accountability (责任追究, 004 att.3; 002 Art 63-64), the evaluation (考评, 004 att.11) and the
investigators' questions (docs/accountability.md): violations with the events that prove them and
who bears each, the 100-point score, what an official did, every decision on an item or request
and its approval, attribute changes, what the ledger knew at a moment, and the case file.

For the disclosure office (its own agency) and discipline inspectors (纪检监察, any agency) only.
Everything is computed on demand from the stored events; nothing here is a read model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Response

from api.deps import (
    Acting,
    AgencyCode,
    LedgerDep,
    OfficialDep,
    OnAgency,
    Reader,
    ServicesDep,
    permitted,
    refuse,
)
from api.openapi import READ_STATUSES, command_doc
from api.problems import ApiProblem, problem_responses
from api.responses import OrjsonResponse
from api.schemas_reports import (
    AttributeChangesOut,
    CaseFileOut,
    CriterionClearedIn,
    DecisionsOut,
    EvaluationOut,
    FindingIn,
    FindingWithdrawalIn,
    IsoDate,
    Moment,
    OfficialActionsOut,
    SnapshotOut,
    ViolationsOut,
)
from api.views import command_response, state_out, today_in_china
from api.views_reports import (
    HTML,
    action_out,
    attribute_change_out,
    decision_out,
    evaluation,
    kind_of,
    known_agency,
    refs_out,
    violations,
)
from domain.application import GongkaiLedger
from domain.errors import NotFound
from projections.case_file import Subject, build_case_file, case_file, to_html
from projections.investigation import (
    actions_of,
    as_it_stood,
    attribute_changes,
    decisions_on,
    load_histories,
)

router = APIRouter(prefix="/accountability", tags=["accountability 责任追究"])

Year = Annotated[int, Path(ge=2000, le=2999, description="考评年度 the year evaluated")]
Day = Annotated[IsoDate | None, Query(description="as things stood on this date (China)")]
Start = Annotated[IsoDate, Query(description="first business date (inclusive)")]
End = Annotated[IsoDate, Query(description="last business date (inclusive)")]
AgencyFilter = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=64,
        description="default: the official's agency; investigators: any",
    ),
]
RESPONSES = problem_responses(*READ_STATUSES)
WHO = "Disclosure office (its own agency) and investigators (any agency)."

Violations = Annotated[Reader, Depends(permitted("accountability.violations"))]
Evaluates = Annotated[Reader, Depends(permitted("accountability.evaluation"))]
Actions = Annotated[Reader, Depends(permitted("accountability.official_actions"))]
Decisions = Annotated[Reader, Depends(permitted("accountability.decisions"))]
Changes = Annotated[Reader, Depends(permitted("accountability.attribute_changes"))]
AsItStood = Annotated[Reader, Depends(permitted("accountability.as_it_stood"))]


@dataclass(frozen=True)
class CaseFileReader:
    reader: Reader
    personal_data: bool


async def case_file_reader(
    official: OfficialDep,
    personal_data: Annotated[
        bool,
        Query(description="申请人个人信息 applicant data: investigators only (Regulation Art 15)"),
    ] = False,
) -> CaseFileReader:
    """The narrower permission first: asking for applicant data is for investigators only."""
    if personal_data:
        refuse(official, "accountability.case_file_personal_data")
    refuse(official, "accountability.case_file")
    return CaseFileReader(Reader(official), personal_data)


CaseFiles = Annotated[CaseFileReader, Depends(case_file_reader)]
RecordsFinding = Annotated[Acting, Depends(OnAgency("evaluation.record_finding"))]
WithdrawsFinding = Annotated[Acting, Depends(OnAgency("evaluation.withdraw_finding"))]
ClearsCriterion = Annotated[Acting, Depends(OnAgency("evaluation.clear_criterion"))]


def _period(start: date, end: date) -> None:
    if end < start:
        raise ApiProblem("validation-error", "end precedes start", field="query.end")


# ---- violations and the evaluation ---------------------------------------------------------------


@router.get(
    "/violations",
    summary="违规及责任认定 Violations and who bears them",
    description="机关记录中的全部违规（截至 `as_of`，默认今天），每项附依据、证明事件与责任份额"
    "（002 Art 64；004 att.3 Art 6）。Every violation of the agency's records as they stood on "
    "`as_of` (default today): kind, seed citation, the events that prove it (aggregate id + "
    f"version) and the attribution (main / secondary / reduced / none / full). {WHO}",
    responses=RESPONSES,
)
def list_violations(
    reader: Violations,
    ledger: LedgerDep,
    agency: AgencyFilter = None,
    as_of: Day = None,
) -> ViolationsOut:
    code = reader.agency_filter(agency) or reader.official.agency_code
    return violations(ledger, code, as_of)


@router.get(
    "/evaluation/{agency_code}/{year}",
    summary="考评得分 The 100-point evaluation",
    description="004 att.11 考核评定标准：每行扣分（事件证明的与评议记录的），四部分得分、总分与"
    "等次（≥90 优秀，70-89 合格，<70 不合格）。Every row with its deductions (from events, and the "
    "findings evaluators recorded), each counted once (备注 2), the sections, score and grade, "
    "and the judged rows nobody has assessed. `as_of` defaults to 31 December of the year, or "
    f"today while the year runs. {WHO}",
    responses=RESPONSES,
)
def get_evaluation(
    agency_code: AgencyCode,
    year: Year,
    reader: Evaluates,
    ledger: LedgerDep,
    as_of: Day = None,
) -> EvaluationOut:
    reader.check_agency(agency_code)
    return evaluation(ledger, agency_code, year, as_of)


@router.post(
    "/evaluation/{agency_code}/{year}/findings",
    **command_doc(
        "evaluation.record_finding",
        "记录需人工评判的考评扣分（1.1、1.2、1.3、1.4、3.x、4.1-4.3，或 Art 12 弄虚作假 2-5 分）。"
        "A deduction under a criterion that needs judgement; the rows the ledger deducts from "
        "events (2.1, 2.2, 4.4, 4.5) are refused (409 `criterion_needs_judgement`).",
    ),
)
def record_finding(
    agency_code: AgencyCode,
    year: Year,
    body: FindingIn,
    acting: RecordsFinding,
) -> Response:
    known_agency(acting.ledger, agency_code)
    result = acting.ledger.record_evaluation_finding(
        acting.actor,
        agency_code=agency_code,
        year=year,
        on=acting.on(body.on),
        criterion=body.criterion,
        description=body.description,
        points=body.points,
        evidence_ref=body.evidence_ref,
        subject_id=body.subject_id,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/evaluation/{agency_code}/{year}/finding-withdrawals",
    **command_doc(
        "evaluation.withdraw_finding",
        "撤回一项考评扣分（更正；原记录保留）。Withdraw a finding by its event version (a "
        "correction: the finding stays on record, no longer deducted).",
    ),
)
def withdraw_finding(
    agency_code: AgencyCode,
    year: Year,
    body: FindingWithdrawalIn,
    acting: WithdrawsFinding,
) -> Response:
    known_agency(acting.ledger, agency_code)
    result = acting.ledger.withdraw_evaluation_finding(
        acting.actor,
        agency_code=agency_code,
        year=year,
        on=acting.on(body.on),
        finding_version=body.finding_version,
        reason=body.reason,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/evaluation/{agency_code}/{year}/cleared-criteria",
    **command_doc(
        "evaluation.clear_criterion",
        "考评项已检查、未发现问题（计为已评）。The criterion was checked and nothing was found: "
        "it counts as assessed.",
    ),
)
def clear_criterion(
    agency_code: AgencyCode,
    year: Year,
    body: CriterionClearedIn,
    acting: ClearsCriterion,
) -> Response:
    known_agency(acting.ledger, agency_code)
    result = acting.ledger.clear_evaluation_criterion(
        acting.actor,
        agency_code=agency_code,
        year=year,
        on=acting.on(body.on),
        criterion=body.criterion,
        note=body.note,
        expected_version=acting.expected_version,
    )
    return command_response(result)


# ---- investigator queries -----------------------------------------------------------------------


@router.get(
    "/officials/{official_id}/actions",
    summary="官员行为记录 Everything an official did",
    description="某官员在期间内（业务日期）的全部行为：记录的事件、给出的审批、参加的集体决定、"
    "提出的异议。The events the official recorded, the approvals they gave, the collective "
    f"decisions they sat in and their objections, between `start` and `end`. {WHO}",
    responses=RESPONSES,
)
def official_actions(
    official_id: Annotated[str, Path(min_length=1, max_length=64)],
    reader: Actions,
    ledger: LedgerDep,
    start: Start,
    end: End,
) -> OfficialActionsOut:
    _period(start, end)
    histories = load_histories(ledger, None if reader.all_agencies else reader.official.agency_code)
    return OfficialActionsOut(
        official_id=official_id,
        start=start,
        end=end,
        actions=[action_out(a) for a in actions_of(histories, official_id, start, end)],
    )


def _decisions(
    ledger: GongkaiLedger, reader: Reader, aggregate_id: UUID, kind: str
) -> DecisionsOut:
    events = ledger.history(aggregate_id)
    if kind_of(events) != kind:
        raise NotFound(kind, aggregate_id)
    reader.check_aggregate(events[0].mutate(None))
    return DecisionsOut(
        id=aggregate_id, kind=kind, decisions=[decision_out(d) for d in decisions_on(events)]
    )


@router.get(
    "/items/{item_id}/decisions",
    summary="信息的决定及审批 Decisions on an item",
    description="每项决定（属性、审查、审批、发布、变更、撤销……）及其依据的审批和针对它的异议；"
    "发布显示当时有效的审批。Every decision on the item with the approval it carries — for a "
    f"publication, the approval in force — and the objections naming it. {WHO}",
    responses=RESPONSES,
)
def item_decisions(item_id: UUID, reader: Decisions, ledger: LedgerDep) -> DecisionsOut:
    return _decisions(ledger, reader, item_id, "item")


@router.get(
    "/requests/{request_id}/decisions",
    summary="申请的决定及审批 Decisions on a request",
    description="依申请公开办理中的每项决定（补正、延期、收费、转办、答复……）及审批和异议。"
    f"Every decision on the request with its approval and the objections naming it. {WHO}",
    responses=RESPONSES,
)
def request_decisions(request_id: UUID, reader: Decisions, ledger: LedgerDep) -> DecisionsOut:
    return _decisions(ledger, reader, request_id, "request")


@router.get(
    "/attribute-changes",
    summary="公开属性变更 Attribute changes",
    description="期间内公开属性发生变化的信息（重新标注、办公室更正、年度审查改变、解除免予"
    "公开），附操作人和审批。Items whose disclosure attribute changed between `start` and "
    f"`end`, with who changed it and on whose approval. {WHO}",
    responses=RESPONSES,
)
def list_attribute_changes(
    reader: Changes,
    ledger: LedgerDep,
    start: Start,
    end: End,
    agency: AgencyFilter = None,
) -> AttributeChangesOut:
    _period(start, end)
    code = reader.agency_filter(agency)
    if code is not None:
        known_agency(ledger, code)
    changes = attribute_changes(load_histories(ledger, code), start, end)
    return AttributeChangesOut(
        agency_code=code,
        start=start,
        end=end,
        changes=[attribute_change_out(c) for c in changes],
    )


@router.get(
    "/as-it-stood/{aggregate_id}",
    summary="时点所知 What the ledger knew, and when",
    description="某时刻台账所记录的状态（as_recorded），今天的记录对该日的描述（as_dated），"
    "以及事后补录的事件（recorded_later）。The item or request as the ledger held it at `when` "
    "(record time), what the record says today about that day (business dates), and the events "
    f"dated by then but recorded afterwards — back-filled facts stand out. {WHO}",
    responses=RESPONSES,
)
def get_as_it_stood(
    aggregate_id: UUID,
    reader: AsItStood,
    ledger: LedgerDep,
    when: Annotated[Moment, Query(description="RFC 3339 datetime with zone")],
) -> SnapshotOut:
    events = ledger.history(aggregate_id)
    reader.check_aggregate(events[0].mutate(None))
    snapshot = as_it_stood(ledger, aggregate_id, when)
    sees = reader.sees_applicant

    def state(aggregate: Any) -> dict[str, Any] | None:
        return None if aggregate is None else state_out(aggregate, sees_applicant=sees)

    return SnapshotOut(
        id=aggregate_id,
        kind=kind_of(events),
        when=when,
        as_recorded=state(snapshot.as_recorded),
        as_dated=state(snapshot.as_dated),
        known=refs_out(snapshot.known),
        recorded_later=refs_out(snapshot.recorded_later),
    )


# ---- the case file ------------------------------------------------------------------------------


@router.get(
    "/case-files/{kind}/{subject_id}",
    summary="案卷 A case file",
    description="某信息、申请或官员（`start`-`end` 期间）的案卷：时间线、违规、责任认定与原始事件，"
    "JSON 或可打印 HTML。The case file of an item, a request, or an official over `start`-`end`: "
    "timeline, violations, attribution and the raw events, as JSON or a printable HTML page. "
    "Applicant personal data is redacted; `personal_data=true` reveals it to an investigator "
    f"only (anyone else: 403) and the file says to whom it was shown. {WHO}",
    response_model=None,
    responses={
        200: {"model": CaseFileOut, "content": {"text/html": {"schema": {"type": "string"}}}},
        **RESPONSES,
    },
)
def get_case_file(
    kind: Literal["item", "request", "official"],
    subject_id: Annotated[str, Path(min_length=1, max_length=64, description="id or official id")],
    access: CaseFiles,
    services: ServicesDep,
    fmt: Annotated[Literal["json", "html"], Query(alias="format")] = "json",
    as_of: Day = None,
    start: Annotated[IsoDate | None, Query(description="official files: first date")] = None,
    end: Annotated[IsoDate | None, Query(description="official files: last date")] = None,
) -> Response:
    reader = access.reader
    ledger = services.ledger
    day = as_of or today_in_china(ledger.clock)
    shown_to = reader.official.actor() if access.personal_data else None
    if kind == "official":
        if start is None or end is None:
            field = "query.start" if start is None else "query.end"
            detail = "an official's case file needs start and end"
            raise ApiProblem("validation-error", detail, field=field)
        _period(start, end)
        if not reader.all_agencies:
            official = services.officials.get(subject_id)
            if official is None:
                raise NotFound("official", subject_id)
            reader.check_agency(official.agency_code)
        case = case_file(ledger, Subject.official(subject_id, start, end), day, shown_to)
    else:
        try:
            aggregate_id = UUID(subject_id)
        except ValueError:
            raise ApiProblem(
                "validation-error", "an item or request id is a UUID", field="path.subject_id"
            ) from None
        events = ledger.history(aggregate_id)
        if kind_of(events) != kind:
            raise NotFound(kind, aggregate_id)
        reader.check_aggregate(events[0].mutate(None))
        case = build_case_file(
            {aggregate_id: events},
            Subject.aggregate(aggregate_id, kind),
            ledger.policies,
            ledger.calendar,
            day,
            ledger.clock(),
            shown_to,
        )
    if fmt == "html":
        return Response(to_html(case), media_type=HTML)
    return OrjsonResponse(case)
