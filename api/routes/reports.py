"""The annual report (政府信息公开工作年度报告, 004 att.9; docs/annual-report.md): the agency's
report and the city aggregate in the national template — now, or as the records stood at a
cut-off — as JSON, printable HTML or XLSX; the line-by-line comparison of two cut-offs; and the
office's commands that record what the ledger cannot know (yearly figures, section text) and the
publication."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from api.deps import (
    Acting,
    AgencyCode,
    CityName,
    ConsistentRead,
    LedgerDep,
    OnAgency,
    OnCity,
    Reader,
    ServicesDep,
    permitted,
)
from api.openapi import READ_STATUSES, command_doc
from api.problems import problem_responses
from api.schemas_reports import (
    AnnualReportOut,
    Moment,
    ReportComparisonOut,
    ReportLineChangeOut,
    ReportPublicationIn,
    SectionTextIn,
    YearlyFiguresIn,
)
from api.views import command_response
from api.views_reports import (
    XLSX,
    ReportFormat,
    known_agency,
    known_city,
    render_report,
    report_as_of,
    report_now,
)
from domain.annual_report_record import ReportLevel, YearlyFigures
from projections.annual_report_asof import compare_cutoffs

router = APIRouter(prefix="/reports/annual", tags=["reports 年度报告"])

Year = Annotated[int, Path(ge=2000, le=2999, description="报告年度 the report year Y")]
Format = Annotated[
    ReportFormat,
    Query(
        alias="format",
        description="json (gongkai/annual-report@1), html (printable, A4 landscape) or xlsx",
    ),
]
AsOf = Annotated[
    Moment | None,
    Query(
        description="截止时点 the report as the records stood at this moment (record time): an "
        "RFC 3339 datetime with its zone, e.g. 2026-01-31T16:00:00+08:00. Omitted: the read "
        "model now (`wait=true` for read-your-writes)."
    ),
]

ReadsAgency = Annotated[Reader, Depends(permitted("report.read_agency"))]
ReadsCity = Annotated[Reader, Depends(permitted("report.read_city"))]
Compares = Annotated[Reader, Depends(permitted("report.compare"))]
RecordsFigures = Annotated[Acting, Depends(OnAgency("report.record_figures"))]
RecordsSection = Annotated[Acting, Depends(OnAgency("report.record_section"))]
Publishes = Annotated[Acting, Depends(OnAgency("report.publish"))]
RecordsCitySection = Annotated[Acting, Depends(OnCity("report.record_section"))]
PublishesCity = Annotated[Acting, Depends(OnCity("report.publish"))]

DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": AnnualReportOut,
        "description": "JSON (default); `format=html` text/html; `format=xlsx` a workbook "
        "download (Content-Disposition names the file)",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
        "headers": {
            "Content-Disposition": {
                "description": "xlsx only: attachment; filename=… (and filename*=UTF-8''…)",
                "schema": {"type": "string"},
            }
        },
    },
    **problem_responses(*READ_STATUSES, 503),
}
READ_NOTE = (
    "Roles: disclosure office, leaders, confidentiality reviewer, investigators (any agency); "
    "others 403. `as_of` folds the event log up to the cut-off (always current); without it the "
    "read model answers."
)


# The city routes come first: `/city/{city}/{year}` would otherwise match the agency routes.


@router.get(
    "/city/{city}/{year}",
    summary="市级汇总年度报告 The city's aggregate annual report",
    description="所属机关年度报告的汇总（004 att.9 Art 3，2月20日前公布），附各机关发布情况。"
    "The sum over the agencies whose policy names the city, with each agency's publication "
    f"status (004 att.11: 1 point per late report). Officials of an agency of that city. "
    f"{READ_NOTE}",
    response_model=None,
    responses=DOCUMENT_RESPONSES,
)
def city_annual_report(
    city: CityName,
    year: Year,
    reader: ReadsCity,
    services: ServicesDep,
    _: ConsistentRead,
    fmt: Format = "json",
    as_of: AsOf = None,
) -> Response:
    reader.check_city(city, services.ledger.policies)
    known_city(services.ledger, city)
    if as_of is not None:
        document = report_as_of(services.ledger, ReportLevel.CITY, city, year, as_of)
    else:
        document = report_now(services, ReportLevel.CITY, city, year)
    return render_report(document, fmt)


@router.post(
    "/city/{city}/{year}/sections",
    **{
        **command_doc(
            "report.record_section",
            "市级汇总报告的正文（一、五、六）。The text of the city report's section 一, 五 or 六; "
            "recording it again corrects it. The disclosure office of an agency of that city.",
        ),
        "operation_id": "report_record_city_section",
    },
)
def record_city_section(
    city: CityName,
    year: Year,
    body: SectionTextIn,
    acting: RecordsCitySection,
) -> Response:
    result = acting.ledger.record_report_section(
        acting.actor,
        level=ReportLevel.CITY,
        subject=city,
        year=year,
        on=acting.on(body.on),
        section=body.section,
        text=body.text,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/city/{city}/{year}/publication",
    **{
        **command_doc(
            "report.publish",
            "市级汇总报告已公布（2月20日前，004 att.9 Art 3）。The city report went public on "
            "`on`; the first edition is judged against 20 February, later ones are "
            "republications.",
        ),
        "operation_id": "report_publish_city",
    },
)
def publish_city_report(
    city: CityName,
    year: Year,
    body: ReportPublicationIn,
    acting: PublishesCity,
) -> Response:
    result = acting.ledger.publish_annual_report(
        acting.actor,
        level=ReportLevel.CITY,
        subject=city,
        year=year,
        on=acting.on(body.on),
        url=body.url,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.get(
    "/{agency_code}/{year}",
    summary="机关年度报告 An agency's annual report",
    description="按国家模板（国办公开办函〔2021〕30号）生成的年度报告：二 主动公开、三 依申请、"
    "四 复议诉讼、正文、发布情况与校验。The agency's report in the national template, with its "
    f"publication against 31 January (004 att.9 Art 3) and the template's balance checks. "
    f"{READ_NOTE}",
    response_model=None,
    responses=DOCUMENT_RESPONSES,
)
def agency_annual_report(
    agency_code: AgencyCode,
    year: Year,
    reader: ReadsAgency,
    services: ServicesDep,
    _: ConsistentRead,
    fmt: Format = "json",
    as_of: AsOf = None,
) -> Response:
    reader.check_agency(agency_code)
    known_agency(services.ledger, agency_code)
    if as_of is not None:
        document = report_as_of(services.ledger, ReportLevel.AGENCY, agency_code, year, as_of)
    else:
        document = report_now(services, ReportLevel.AGENCY, agency_code, year)
    return render_report(document, fmt)


@router.get(
    "/{agency_code}/{year}/comparison",
    summary="两个截止时点的比较 Compare the report at two cut-offs",
    description="两个截止时点之间发生变化的报告行（迟录的答复、更正的数据、再次公布）。The lines "
    "of the agency's report that differ between the records as they stood at `from` and at `to` "
    "(late-recorded acts, corrected figures or text, republication), each with its template "
    "labels. Same roles as the report.",
    responses=problem_responses(*READ_STATUSES),
)
def compare_report(
    agency_code: AgencyCode,
    year: Year,
    reader: Compares,
    ledger: LedgerDep,
    from_as_of: Annotated[Moment, Query(alias="from", description="the earlier cut-off")],
    to_as_of: Annotated[Moment, Query(alias="to", description="the later cut-off")],
) -> ReportComparisonOut:
    reader.check_agency(agency_code)
    known_agency(ledger, agency_code)
    changes = compare_cutoffs(ledger, agency_code, year, from_as_of, to_as_of)
    return ReportComparisonOut(
        agency_code=agency_code,
        year=year,
        from_as_of=from_as_of,
        to_as_of=to_as_of,
        changes=[ReportLineChangeOut.model_validate(change) for change in changes],
    )


@router.post(
    "/{agency_code}/{year}/figures",
    **command_doc(
        "report.record_figures",
        "记录二 主动公开中台账无法得知的年度数据：行政许可、行政处罚、行政强制处理决定数量，"
        "行政事业性收费金额（万元）。The yearly figures of section 二 that no item records; "
        "recording them again corrects them (the earlier figures stay in the log).",
    ),
)
def record_figures(
    agency_code: AgencyCode,
    year: Year,
    body: YearlyFiguresIn,
    acting: RecordsFigures,
) -> Response:
    figures = YearlyFigures(
        licensing_decisions=body.licensing_decisions,
        penalty_decisions=body.penalty_decisions,
        enforcement_decisions=body.enforcement_decisions,
        fee_amount_10k_yuan=body.fee_amount_10k_yuan,
    )
    result = acting.ledger.record_yearly_figures(
        acting.actor,
        agency_code=agency_code,
        year=year,
        on=acting.on(body.on),
        figures=figures,
        note=body.note,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{agency_code}/{year}/sections",
    **command_doc(
        "report.record_section",
        "年度报告正文：一、总体情况；五、存在的主要问题及改进情况；六、其他需要报告的事项。"
        "The text of section 一, 五 or 六 (004 att.9 Art 4); recording it again corrects it.",
    ),
)
def record_section(
    agency_code: AgencyCode,
    year: Year,
    body: SectionTextIn,
    acting: RecordsSection,
) -> Response:
    result = acting.ledger.record_report_section(
        acting.actor,
        level=ReportLevel.AGENCY,
        subject=agency_code,
        year=year,
        on=acting.on(body.on),
        section=body.section,
        text=body.text,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{agency_code}/{year}/publication",
    **command_doc(
        "report.publish",
        "年度报告已公布（1月31日前，004 att.9 Art 3）：须有一、五和年度数据。The report went "
        "public on `on` (after the year ends); it needs sections 一 and 五 and the yearly figures. "
        "The first edition is judged against 31 January; later ones are republications.",
    ),
)
def publish_report(
    agency_code: AgencyCode,
    year: Year,
    body: ReportPublicationIn,
    acting: Publishes,
) -> Response:
    result = acting.ledger.publish_annual_report(
        acting.actor,
        level=ReportLevel.AGENCY,
        subject=agency_code,
        year=year,
        on=acting.on(body.on),
        url=body.url,
        expected_version=acting.expected_version,
    )
    return command_response(result)
