"""Request and response models of the HTTP API (`ItemCreate` / `ItemOfficial` style).

Request bodies forbid unknown fields and carry the domain's length limits, so bad input is a 422
naming the field before any command runs. Every body's `on` is the business date the act took
effect (办理日期); it defaults to today in China (UTC+8). The acting official never appears in a
body: it comes from the bearer token.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict

from domain.codes import (
    AnnualReviewOutcome,
    AppealResult,
    ApplicantType,
    Attribute,
    Channel,
    ConsultationAnswer,
    DocumentType,
    FeeBasis,
    LitigationKind,
    NonDisclosureGround,
    Outcome,
    ReadingRoomMode,
    RequestChannel,
    ReviewConclusion,
    Role,
    ThirdPartyInterest,
    Validity,
)

# Reasons, bases and remedies must say something (002 Art 39), so blank text is refused.
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]
LongText = Annotated[str, Field(min_length=1, max_length=4000, pattern=r"\S")]
OptionalText = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Department = Annotated[str, Field(min_length=1, max_length=128)]
OfficialId = Annotated[str, Field(min_length=1, max_length=64)]


def _iso_date(value: Any) -> Any:
    """JSON has no date type: a date is an ISO string ("2025-03-03"), never a number."""
    if isinstance(value, date) or (isinstance(value, str) and len(value) == 10):
        return value
    raise ValueError("a date is an ISO 8601 string such as 2025-03-03")


Day = Annotated[date, BeforeValidator(_iso_date)]

_ISO_MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?$"
)


def _iso_moment(value: Any) -> Any:
    """An ISO date or datetime string — never a number, which pydantic would read as seconds."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_MOMENT.match(value)):
        return value
    raise ValueError("an ISO 8601 date or datetime such as 2025-12-31 or 2025-12-31T18:00+08:00")


DayOrMoment = Annotated[datetime | date, BeforeValidator(_iso_moment)]
Int = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]

ON_DESCRIPTION = "办理日期 the business date the act took effect; defaults to today (UTC+8)"


class Body(BaseModel):
    """A request body: unknown fields are refused, and so are values of the wrong JSON type
    (`0` is not a date, `"1"` not a number, `1` not a boolean: see `Day`, `Int`, `Flag`)."""

    model_config = ConfigDict(extra="forbid")


class Dated(Body):
    on: Day | None = Field(default=None, description=ON_DESCRIPTION)


class ApprovalIn(Body):
    """On whose approval (批准): a configured official, or the acting official when omitted."""

    approved_by: OfficialId | None = Field(
        default=None, description="official id of the approver; default: the acting official"
    )
    approved_on: Day | None = Field(default=None, description="default: the command's date")
    collective: Flag = Field(default=False, description="领导班子集体决定 collective decision")
    meeting_ref: str = Field(default="", max_length=200)
    members: list[OfficialId] = Field(default_factory=list, max_length=30)


# ---- commands on items ---------------------------------------------------------------------


class ItemCreate(Body):
    title: str = Field(min_length=1, max_length=500)
    formed_on: Day = Field(description="形成日期 the date the information was formed")
    department: Department | None = Field(
        default=None, description="承办科室; default: the acting official's department"
    )
    document_number: str = Field(default="", max_length=100, description="文号")
    theme: str = Field(default="", max_length=100, description="主题分类")
    document_type: DocumentType = DocumentType.ORDINARY
    co_issuers: list[Name] = Field(default_factory=list, max_length=20, description="联合发文机关")
    summary: str = Field(default="", max_length=2000)


class AttributeMark(Dated):
    attribute: Attribute
    reason: OptionalText = ""
    legal_ground: NonDisclosureGround | None = None


class AttributeAudit(Dated):
    attribute: Attribute | None = Field(
        default=None, description="the corrected attribute; omitted = confirm the marked one"
    )
    reason: OptionalText = ""
    legal_ground: NonDisclosureGround | None = None


class ConfidentialityReview(Dated):
    conclusion: ReviewConclusion
    state_secret: Flag = False
    commercial_secret: Flag = False
    personal_privacy: Flag = False
    endangers_stability: Flag = False
    redactions: list[Name] = Field(default_factory=list, max_length=50)
    reason: OptionalText = ""


class CoIssuerConsultation(Dated):
    co_issuer: Name


class CoIssuerAnswer(Dated):
    co_issuer: Name
    answer: ConsultationAnswer
    reason: OptionalText = ""


class CoIssuerResolution(Dated):
    co_issuer: Name
    reason: Text
    approval: ApprovalIn | None = None


class ItemApproval(Dated):
    approval: ApprovalIn | None = Field(
        default=None, description="default: the acting leader signs"
    )


class Publication(Dated):
    channels: list[Channel] = Field(min_length=1, max_length=7)
    url: str = Field(default="", max_length=1000)


class CatalogueRegistration(Dated):
    pass


class ItemChange(Dated):
    description: Text
    title: str | None = Field(default=None, min_length=1, max_length=500)


class ValidityEnd(Dated):
    reason: Text


class InterpretationLink(Dated):
    interpretation_ref: str = Field(min_length=1, max_length=1000)


class ReadingRoomTransfer(Dated):
    mode: ReadingRoomMode
    batch_ref: str = Field(default="", max_length=200)


class AnnualReviewDecision(Dated):
    outcome: AnnualReviewOutcome
    reason: Text
    approval: ApprovalIn | None = Field(
        default=None, description="reclassifying needs the leader in charge (002 Art 55)"
    )


class ExemptionLifting(Dated):
    reason: Text
    approval: ApprovalIn | None = None


class Archiving(Dated):
    archive_ref: str = Field(default="", max_length=200)


class Objection(Dated):
    objected_version: Int = Field(ge=1, le=1_000_000)
    objection: Text


# ---- commands on requests ------------------------------------------------------------------


class ApplicantIn(Body):
    """申请人 (the Regulation Art 29): shown only to the disclosure office and investigators."""

    applicant_type: ApplicantType
    name: Name
    id_document: str = Field(default="", max_length=100)
    organisation: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    contact: str = Field(default="", max_length=200)
    authorisation_letter: Flag = False


class RequestCreate(Body):
    channel: RequestChannel
    applicant: ApplicantIn
    description: LongText
    purpose: OptionalText = ""
    requested_form: str = Field(default="", max_length=200)
    department: Department | None = Field(
        default=None, description="承办科室; default: the acting official's department"
    )
    submitted_on: Day | None = Field(default=None, description="in person / oral")
    signed_for_on: Day | None = Field(default=None, description="post: the day signed for")
    confirmed_on: Day | None = Field(
        default=None, description="online, fax, ordinary letter: the day both sides confirmed"
    )


class RequestRegistration(Dated):
    pass


class CorrectionNotice(Dated):
    defects: list[Name] = Field(min_length=1, max_length=20)
    due_on: Day | None = Field(default=None, description="default: 15 working days")


class CorrectionReceived(Dated):
    pass


class ThirdPartyConsultation(Dated):
    third_party_ref: str = Field(min_length=1, max_length=100)
    interest: ThirdPartyInterest


class ThirdPartyAnswer(Dated):
    third_party_ref: str = Field(min_length=1, max_length=100)
    answer: ConsultationAnswer


class PublicInterestOverride(Dated):
    third_party_ref: str = Field(min_length=1, max_length=100)
    reason: LongText
    notice_sent_on: Day | None = Field(default=None, description="default: the command's date")
    approval: ApprovalIn | None = None


class AgencyConsultation(Dated):
    agency: Name


class AgencyAnswer(Dated):
    agency: Name
    answer: ConsultationAnswer


class Extension(Dated):
    days: Int = Field(ge=1, le=60)
    reason: LongText
    notice_sent_on: Day | None = None
    approval: ApprovalIn | None = None


class ExcessivenessQuery(Dated):
    reason: LongText


class ExcessivenessAssessment(Dated):
    reasonable: Flag
    reason: LongText
    agreed_due_on: Day | None = None


class FeeNotice(Dated):
    basis: FeeBasis
    count: Int = Field(ge=1, le=100_000, description="n-th application this month, or pages")
    amount: Decimal = Field(gt=0, le=Decimal("10000000"), max_digits=12, decimal_places=2)


class FeePayment(Dated):
    pass


class FeeWaiver(Dated):
    reason: LongText
    approval: ApprovalIn | None = None


class RequestTransfer(Dated):
    to_department: Department
    handover_record: LongText


class Referral(Dated):
    holding_agency: Name
    contact: str = Field(default="", max_length=200)


class Reply(Dated):
    outcome: Outcome
    legal_basis: LongText
    reasons: LongText
    remedy: LongText = Field(description="救济途径 remedies, channels and time limits")
    withheld_reasons: str = Field(default="", max_length=4000)
    location: str = Field(default="", max_length=1000)
    holding_agency: str = Field(default="", max_length=200)


class DeemedWithdrawal(Dated):
    outcome: Literal[Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID]
    reason: LongText


class Delivery(Dated):
    method: str = Field(min_length=1, max_length=100)


class ReconsiderationFiling(Dated):
    body: Name


class AppealDecision(Dated):
    result: AppealResult


class LitigationFiling(Dated):
    kind: LitigationKind
    court: Name


# ---- responses ------------------------------------------------------------------------------


class CommandOut(BaseModel):
    """What a command returns; the ETag header repeats the version."""

    id: UUID
    version: int = Field(description="the aggregate's new version (also the ETag)")
    position: int | None = Field(
        description="notification id of the recorded event; pass as X-Min-Position to read it"
    )


class ActorOut(BaseModel):
    official_id: str
    role: Role
    department: str
    name: str = ""


class ApprovalOut(BaseModel):
    approver: ActorOut
    approved_on: date
    collective: bool = False
    meeting_ref: str = ""
    members: list[str] = Field(default_factory=list)


class ClockOut(BaseModel):
    state: str
    started_on: date | None
    due_on: date | None
    paused_working_days: int
    remaining_working_days: int | None
    overdue: bool
    late_by_working_days: int
    calendar_version: str
    as_of: date


class CoIssuerConsultationOut(BaseModel):
    co_issuer: str
    asked_on: date
    answer_due_on: date | None
    answer: ConsultationAnswer | None
    answered_on: date | None
    resolved: bool


class ReadingRoomTransferOut(BaseModel):
    mode: ReadingRoomMode
    on: date
    batch_ref: str


class ObjectionOut(BaseModel):
    objected_version: int
    official_id: str
    objection: str


class ItemOfficial(BaseModel):
    """An item as officials see it (内部视图), folded from its events."""

    id: UUID
    version: int
    agency_code: str
    title: str
    document_number: str
    department: str
    formed_on: date
    theme: str
    document_type: DocumentType
    co_issuers: list[str]
    summary: str
    attribute: Attribute | None
    attribute_reason: str
    attribute_ground: NonDisclosureGround | None
    audited: bool
    review: ReviewConclusion | None
    reviewed_on: date | None
    redactions: list[str]
    approval: ApprovalOut | None
    consultations: list[CoIssuerConsultationOut]
    published_on: date | None
    channels: list[Channel]
    url: str
    awaiting_publication: bool
    index_number: str | None
    content_version: int
    published_version: int
    catalogued_version: int
    validity: Validity
    validity_on: date | None
    interpretation_ref: str | None
    reading_room_transfers: list[ReadingRoomTransferOut]
    annual_reviews: dict[str, AnnualReviewOutcome]
    archived_on: date | None
    objections: list[ObjectionOut]


class ApplicantOut(BaseModel):
    applicant_type: ApplicantType
    name: str
    id_document: str
    organisation: str
    address: str
    contact: str
    authorisation_letter: bool


class PauseOut(BaseModel):
    kind: str
    started_on: date
    ended_on: date | None
    ref: str


class ConsultationOut(BaseModel):
    ref: str
    started_on: date
    answer_due_on: date
    answer: ConsultationAnswer | None
    overridden: bool = False
    interest: ThirdPartyInterest | None = None


class TransferOut(BaseModel):
    from_department: str
    to_department: str
    on: date


class AppealOut(BaseModel):
    kind: str
    filed_on: date
    result: AppealResult | None
    decided_on: date | None


class RequestOfficial(BaseModel):
    """A request as officials see it. `applicant` is null unless the role may see it."""

    id: UUID
    version: int
    agency_code: str
    channel: RequestChannel
    received_on: date
    applicant_type: ApplicantType
    applicant: ApplicantOut | None = Field(
        description="personal data: disclosure office and investigators only"
    )
    description: str
    purpose: str
    requested_form: str
    department: str
    registration_number: str | None
    clock_start: date | None
    correction_requested_on: date | None
    correction_due_on: date | None
    correction_defects: list[str]
    corrected_on: date | None
    pauses: list[PauseOut]
    third_parties: list[ConsultationOut]
    agency_consultations: list[ConsultationOut]
    extension_days: int
    excessive_queried_on: date | None
    excessive_reasonable: bool | None
    agreed_due_on: date | None
    fee_amount: Decimal | None
    fee_due_on: date | None
    fee_settled: str | None
    transfers: list[TransferOut]
    referred_to: str | None
    outcome: Outcome | None
    outcome_label: str | None
    closed_on: date | None
    delivered_on: date | None
    reconsiderations: list[AppealOut]
    litigations: list[AppealOut]
    archived_on: date | None
    objections: list[ObjectionOut]


class EventOut(BaseModel):
    version: int
    type: str = Field(description="the event class, e.g. Published")
    recorded_at: datetime
    on: date | None
    actor: ActorOut
    data: dict[str, Any] = Field(description="the event's other fields")


class HistoryOut(BaseModel):
    id: UUID
    kind: str
    as_of: datetime | None
    version: int = Field(description="the version reached at as_of (0: not yet created)")
    events: list[EventOut] = Field(description="the recorded events (event store), to as_of")
    timeline: list[TimelineEntryOut] = Field(
        description="the decision-history read model's steps, to as_of (wait=true for the newest)"
    )
    state: dict[str, Any] | None = Field(
        description="the aggregate as it stood at as_of (null before it existed)"
    )


class OfficialOut(BaseModel):
    official_id: str
    name: str
    role: Role
    role_label: str
    department: str
    agency_code: str
    commands: list[str] = Field(description="the commands this role may issue")
    reads: list[str] = Field(
        default_factory=list, description="the restricted reads (GET) this role may make"
    )


class AgencyPublic(BaseModel):
    code: str
    name: str
    name_en: str
    city: str
    seed: str
    index_pattern: str
    publication_days: int
    publication_clock_start: str
    publication_citation: str
    reply_days: int
    extension_days: int
    reply_citation: str
    correction_notice_days: int
    third_party_answer_days: int
    third_party_consult_start_days: int | None
    agency_consultation_days: int
    co_issuer_ask_days: int
    co_issuer_answer_days: int
    interpretation_days: int
    interpretation_working_days: bool
    reading_room_days: int
    fee_payment_days: int
    objection_policy: str
    channels: list[Channel]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class ProblemKindOut(BaseModel):
    type: str
    status: int
    title: str
    description: str


# ---- read models ------------------------------------------------------------------------------


class CatalogueEntryPublic(BaseModel):
    """目录条目: what portals show (the Regulation Art 12; domain.md §6). No applicant data."""

    item_id: UUID
    index_number: str | None = Field(description="索引号")
    title: str
    summary: str
    issuing_body: str = Field(description="发布机构")
    agency_code: str
    department: str
    document_number: str = Field(description="文号")
    formed_on: date = Field(description="成文日期")
    published_on: date = Field(description="发布日期")
    year: int
    theme: str = Field(description="主题分类")
    document_type: str
    channels: list[str]
    validity: str = Field(description="有效性")
    interpretation_ref: str | None = Field(description="政策解读")
    url: str


class CataloguePage(BaseModel):
    entries: list[CatalogueEntryPublic]
    next_cursor: int | None = Field(description="pass as `cursor` for the next page")


class CatalogueChangeOut(BaseModel):
    cursor: int
    item_id: UUID
    op: str = Field(
        description="published | changed (upsert entry) — revoked | abolished | withdrawn (delete)"
    )
    entry: CatalogueEntryPublic | None


class CatalogueChangesPage(BaseModel):
    changes: list[CatalogueChangeOut]
    next_cursor: int = Field(description="ask again from here")


class DocketEntryOut(BaseModel):
    """A docket row: requests show registration number and applicant type, never the applicant."""

    kind: str
    id: UUID
    agency_code: str
    department: str
    official_id: str | None
    responsible: str
    title: str | None
    registration_number: str | None
    applicant_type: str | None
    status: str
    started_on: date | None
    due_on: date | None
    paused_working_days: int
    remaining_working_days: int | None
    overdue: bool
    calendar_version: str


class DocketOut(BaseModel):
    as_of: date
    entries: list[DocketEntryOut]


class ReviewEntryOut(BaseModel):
    item_id: UUID
    agency_code: str
    department: str
    title: str
    marked_attribute: Attribute
    first_marked_on: date
    last_marked_on: date
    marked_by_audit: bool
    current_attribute: Attribute
    attribute_since: date
    status: str = Field(description="decided | decided_late | undecided | no_longer_non_public")
    outcome: AnnualReviewOutcome | None
    reason: str | None
    decided_on: date | None
    decided_by: str | None
    approver_id: str | None
    approved_on: date | None
    late: bool


class AnnualReviewOut(BaseModel):
    agency_code: str
    year: int
    deadline: date = Field(description="每年3月底前 (002 Art 55)")
    entries: list[ReviewEntryOut]


class TimelineEntryOut(BaseModel):
    """One step in the decision history read model (bilingual, with basis and approval)."""

    position: int
    version: int
    event_type: str
    recorded_at: datetime
    on: date
    official_id: str
    role: str
    department: str
    what_zh: str
    what_en: str
    reason: str
    legal_basis: str
    approver_id: str | None
    approver_role: str | None
    collective: bool
    meeting_ref: str
    objection: str
