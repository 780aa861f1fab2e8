"""Request and response models of the annual report (年度报告) and accountability (责任追究)
routes. The report document is `gongkai/annual-report@1` (docs/annual-report.md); the
accountability answers each name the stored events that prove them (aggregate id + version).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from api.schemas import ActorOut, ApprovalOut, Dated, Int, LongText, Text
from domain.annual_report_record import ReportSection

# ---- query values: strict ISO forms (pydantic would also read "86400" as a date or a moment) ----

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _RFC3339.match(value)):
        return value
    raise ValueError("an RFC 3339 datetime with its zone, e.g. 2026-01-31T16:00:00+08:00")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("an ISO 8601 date such as 2025-12-31")


Moment = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# ---- commands on the annual-report record ------------------------------------------------------


class YearlyFiguresIn(Dated):
    """Section 二 figures the office counts outside the ledger (national template 第二十条
    第(五)(六)(八)项). Recording them again corrects them; the earlier stay on record."""

    licensing_decisions: Int = Field(ge=0, le=100_000_000, description="行政许可 本年处理决定数量")
    penalty_decisions: Int = Field(ge=0, le=100_000_000, description="行政处罚 本年处理决定数量")
    enforcement_decisions: Int = Field(
        ge=0, le=100_000_000, description="行政强制 本年处理决定数量"
    )
    fee_amount_10k_yuan: Decimal = Field(
        ge=0,
        le=Decimal("9999999999"),
        max_digits=14,
        decimal_places=4,
        description="行政事业性收费 本年收费金额（万元, at most 4 decimals = 1 yuan)",
    )
    note: str = Field(default="", max_length=2000, description="why (a correction's reason)")


class SectionTextIn(Dated):
    section: ReportSection = Field(
        description="overview 一、总体情况 | problems 五、存在的主要问题及改进情况 | "
        "other 六、其他需要报告的事项"
    )
    text: str = Field(min_length=1, max_length=20000, pattern=r"\S")


class ReportPublicationIn(Dated):
    url: str = Field(default="", max_length=1000, description="where it was published")


# ---- commands on the evaluation record ---------------------------------------------------------


class FindingIn(Dated):
    criterion: str = Field(
        min_length=1,
        max_length=16,
        description="a judged row of 004 att.11 (1.1, 1.2, 1.3, 1.4, 3.1, 3.2, 3.3, 4.1, 4.2, "
        "4.3) or art12 (弄虚作假)",
        examples=["3.2"],
    )
    description: Text
    points: Int | None = Field(
        default=None, ge=1, le=30, description="only for art12: 2 to 5; otherwise the row's unit"
    )
    evidence_ref: str = Field(default="", max_length=200)
    subject_id: UUID | None = Field(
        default=None, description="the item or request the finding is about, if any"
    )


class FindingWithdrawalIn(Dated):
    finding_version: Int = Field(ge=1, le=1_000_000, description="the finding's event version")
    reason: Text


class CriterionClearedIn(Dated):
    criterion: str = Field(min_length=1, max_length=16, examples=["1.1"])
    note: LongText


# ---- the annual report document (gongkai/annual-report@1) ---------------------------------------

PublicationStatus = Literal["on_time", "late", "not_published", "overdue"]


class PublicationOut(BaseModel):
    deadline: date
    citation: str
    first_published_on: date | None
    last_published_on: date | None
    editions: int
    status: PublicationStatus
    days_late: int


class AgencyPublicationOut(PublicationOut):
    code: str
    name: str


class ReportTextOut(BaseModel):
    overview: str | None
    problems: str | None
    other: str | None


class DocumentRowOut(BaseModel):
    key: str
    label: str
    issued: int
    abolished: int
    in_force: int


class KeyLabelOut(BaseModel):
    key: str
    label: str


class DecisionRowOut(BaseModel):
    key: str
    label: str
    decisions: int | None


class FeesOut(BaseModel):
    label: str
    amount_10k_yuan: str | None = Field(description="万元, a decimal string with 4 places")


class ProactiveOut(BaseModel):
    documents: list[DocumentRowOut]
    document_columns: list[KeyLabelOut]
    decisions: list[DecisionRowOut]
    fees: FeesOut


class TableColumnOut(BaseModel):
    key: str
    label: str
    group: str


class TableRowOut(BaseModel):
    key: str
    labels: list[str]
    values: dict[str, int]


class TableOut(BaseModel):
    columns: list[TableColumnOut]
    rows: list[TableRowOut]


class CheckFailureOut(BaseModel):
    check: str
    table: str
    row: str
    column: str
    expected: int
    actual: int
    citation: str


class ChecksOut(BaseModel):
    passed: bool
    failures: list[CheckFailureOut]


class NotesOut(BaseModel):
    requests_open_from_earlier_years: int


class AnnualReportOut(BaseModel):
    """政府信息公开工作年度报告 in the national template (国办公开办函〔2021〕30号)."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: Literal["gongkai/annual-report@1"] = Field(alias="schema")
    level: Literal["agency", "city"]
    subject: str
    name: str
    year: int
    title: str
    agencies: list[str]
    as_of: datetime | None = Field(description="the cut-off; null = the read model's state now")
    origin: Literal["read_model", "log"]
    publication: PublicationOut
    text: ReportTextOut
    proactive: ProactiveOut
    requests: TableOut
    appeals: TableOut
    checks: ChecksOut
    incomplete: list[str]
    notes: NotesOut
    agency_publication: list[AgencyPublicationOut] | None = Field(
        default=None, description="city documents only"
    )


class ReportLineChangeOut(BaseModel):
    path: str = Field(description="e.g. requests/carried_forward/commercial_enterprise")
    labels: list[str]
    before: Any
    after: Any


class ReportComparisonOut(BaseModel):
    agency_code: str
    year: int
    from_as_of: datetime
    to_as_of: datetime
    changes: list[ReportLineChangeOut]


# ---- accountability ----------------------------------------------------------------------------


class EventRefOut(BaseModel):
    """One stored event: aggregate id + version prove it."""

    aggregate_id: UUID
    version: int
    event: str
    on: date | None
    recorded_at: datetime


class ShareOut(BaseModel):
    official_id: str
    role: str
    department: str
    share: Literal["main", "secondary", "reduced", "none", "full"]
    share_zh: str
    reason: str
    evidence: list[EventRefOut]


class AttributionOut(BaseModel):
    rule: str = Field(description="which responsibility rule applied, e.g. leader_approval")
    citation: str
    shares: list[ShareOut]


class ViolationOut(BaseModel):
    kind: str
    label: str
    citation: str
    aggregate_id: UUID
    aggregate_type: str
    agency_code: str
    occurred_on: date
    detail: str
    problem: list[str] = Field(description="one problem is deducted once (004 att.11 备注 2)")
    evidence: list[EventRefOut]
    attribution: AttributionOut


class ViolationsOut(BaseModel):
    agency_code: str
    as_of: date
    calendar_version: str
    violations: list[ViolationOut]


class DeductionOut(BaseModel):
    criterion: str
    points: int
    source: Literal["events", "judgement"]
    detail: str
    counted: bool
    note: str
    problem: list[str]
    evidence: list[EventRefOut]
    violation_kind: str | None


class RowOut(BaseModel):
    criterion: str
    section: str
    text_zh: str
    rule_zh: str
    mode: str
    points: int
    deducted: int
    score: int
    deductions: list[DeductionOut]


class SectionOut(BaseModel):
    section: str
    title: str
    points: int
    deducted: int
    score: int


class EvaluationOut(BaseModel):
    agency_code: str
    year: int
    as_of: date
    score: int
    grade: str = Field(description="优秀 ≥ 90, 合格 70-89, 不合格 < 70 (004 att.11 Art 5)")
    grade_en: str
    sections: list[SectionOut]
    rows: list[RowOut]
    fraud: list[DeductionOut] = Field(description="Art 12 弄虚作假, off the total")
    unassessed: list[str] = Field(description="judged rows nobody has recorded a judgement for")
    calendar_version: str


class ActionOut(BaseModel):
    ref: EventRefOut
    aggregate_type: str
    agency_code: str | None
    capacity: Literal["acted", "approved", "collective_member", "objected"]
    actor: ActorOut
    summary: str


class OfficialActionsOut(BaseModel):
    official_id: str
    start: date
    end: date
    actions: list[ActionOut]


class ObjectionRefOut(BaseModel):
    official_id: str
    objected_version: int
    text: str
    ref: EventRefOut


class DecisionOut(BaseModel):
    ref: EventRefOut
    actor: ActorOut
    summary: str
    approval: ApprovalOut | None
    approval_ref: EventRefOut | None
    objections: list[ObjectionRefOut]


class DecisionsOut(BaseModel):
    id: UUID
    kind: str
    decisions: list[DecisionOut]


class AttributeChangeOut(BaseModel):
    item_id: UUID
    title: str
    ref: EventRefOut
    before: str
    after: str
    actor: ActorOut
    approval: ApprovalOut | None


class AttributeChangesOut(BaseModel):
    agency_code: str | None
    start: date
    end: date
    changes: list[AttributeChangeOut]


class SnapshotOut(BaseModel):
    """`as_recorded`: what the ledger held at `when`; `as_dated`: what the record says today
    about that day; `recorded_later`: events dated by then but recorded afterwards."""

    id: UUID
    kind: str
    when: datetime
    as_recorded: dict[str, Any] | None
    as_dated: dict[str, Any] | None
    known: list[EventRefOut]
    recorded_later: list[EventRefOut]


class CaseSubjectOut(BaseModel):
    kind: Literal["item", "request", "official"]
    key: str
    agency_code: str | None
    period: list[date] | None


class CaseTimelineOut(BaseModel):
    aggregate_id: UUID
    version: int
    event: str
    on: date | None
    recorded_at: datetime
    official_id: str
    role: str
    department: str
    capacity: str
    summary: str


class CaseViolationOut(BaseModel):
    kind: str
    label: str
    citation: str
    aggregate_id: UUID
    aggregate_type: str
    agency_code: str
    occurred_on: date
    detail: str
    evidence: list[EventRefOut]


class CaseAttributionOut(BaseModel):
    violation: CaseViolationOut
    rule: str
    citation: str
    shares: list[ShareOut]


class CaseFileOut(BaseModel):
    """案卷: applicant data redacted unless an investigator asked for it (`personal_data`)."""

    subject: CaseSubjectOut
    as_of: date
    generated_at: datetime
    calendar_version: str
    personal_data: str = Field(description="redacted, or to whom it was shown")
    timeline: list[CaseTimelineOut]
    violations: list[CaseAttributionOut]
    raw_events: list[dict[str, Any]]
