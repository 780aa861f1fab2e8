"""Disclosure items (政府信息): register, then one POST per step of their life (domain.md §2)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.command_route import CommandRoute
from api.deps import (
    Acting,
    Authorised,
    LedgerDep,
    OnItem,
    ReaderDep,
)
from api.openapi import READ_STATUSES, command_doc
from api.permissions import LEADER_ROLES
from api.problems import problem_responses
from api.schemas import (
    AnnualReviewDecision,
    Archiving,
    AttributeAudit,
    AttributeMark,
    CatalogueRegistration,
    ClockOut,
    CoIssuerAnswer,
    CoIssuerConsultation,
    CoIssuerResolution,
    ConfidentialityReview,
    Day,
    ExemptionLifting,
    InterpretationLink,
    ItemApproval,
    ItemChange,
    ItemCreate,
    ItemOfficial,
    Objection,
    Publication,
    ReadingRoomTransfer,
    ValidityEnd,
)
from api.views import clock_out, command_response, item_official, today_in_china
from domain.codes import Validity

router = APIRouter(prefix="/items", tags=["items 政府信息"], route_class=CommandRoute)


Registering = Annotated[Acting, Depends(Authorised("item.register"))]
OnMarkAttribute = Annotated[Acting, Depends(OnItem("item.mark_attribute"))]
OnAuditAttribute = Annotated[Acting, Depends(OnItem("item.audit_attribute"))]
OnReviewConfidentiality = Annotated[Acting, Depends(OnItem("item.review_confidentiality"))]
OnConsultCoIssuer = Annotated[Acting, Depends(OnItem("item.consult_co_issuer"))]
OnRecordCoIssuerAnswer = Annotated[Acting, Depends(OnItem("item.record_co_issuer_answer"))]
OnResolveCoIssuerDisagreement = Annotated[
    Acting, Depends(OnItem("item.resolve_co_issuer_disagreement"))
]
OnApprove = Annotated[Acting, Depends(OnItem("item.approve"))]
OnPublish = Annotated[Acting, Depends(OnItem("item.publish"))]
OnRegisterInCatalogue = Annotated[Acting, Depends(OnItem("item.register_in_catalogue"))]
OnChange = Annotated[Acting, Depends(OnItem("item.change"))]
OnRevoke = Annotated[Acting, Depends(OnItem("item.revoke"))]
OnAbolish = Annotated[Acting, Depends(OnItem("item.abolish"))]
OnLinkInterpretation = Annotated[Acting, Depends(OnItem("item.link_interpretation"))]
OnTransferToReadingRoom = Annotated[Acting, Depends(OnItem("item.transfer_to_reading_room"))]
OnDecideAnnualReview = Annotated[Acting, Depends(OnItem("item.decide_annual_review"))]
OnLiftExemption = Annotated[Acting, Depends(OnItem("item.lift_exemption"))]
OnArchive = Annotated[Acting, Depends(OnItem("item.archive"))]
OnRecordObjection = Annotated[Acting, Depends(OnItem("item.record_objection"))]


@router.post(
    "",
    status_code=201,
    **command_doc(
        "item.register",
        "登记一条政府信息（形成）。Register a newly formed item: title, document number, "
        "department, date formed, theme, document type and co-issuers. The agency is the "
        "official's. With an `Idempotency-Key` the new id is derived from the key.",
        creates=True,
    ),
)
def register_item(
    body: ItemCreate,
    acting: Registering,
) -> Response:
    result = acting.ledger.register_item(
        acting.actor,
        agency_code=acting.official.agency_code,
        title=body.title,
        department=acting.department(body.department),
        formed_on=body.formed_on,
        document_number=body.document_number,
        theme=body.theme,
        document_type=body.document_type,
        co_issuers=body.co_issuers,
        summary=body.summary,
        item_id=acting.new_id(),
    )
    return command_response(result, location=f"/items/{result.id}")


@router.get(
    "/{item_id}",
    summary="查看信息 Read an item",
    description="内部视图：信息的当前状态（由事件折叠）。The item's current state, folded from its "
    "events (always current: read from the event store). Officials of its agency and "
    "investigators.",
    responses=problem_responses(*READ_STATUSES),
)
def get_item(
    item_id: UUID, reader: ReaderDep, ledger: LedgerDep, response: Response
) -> ItemOfficial:
    item = ledger.get_item(item_id)
    reader.check_agency(item.agency_code)
    response.headers["ETag"] = f'"{item.version}"'
    return item_official(item)


@router.get(
    "/{item_id}/clock",
    summary="公开时限 Publication clock",
    description="主动公开时限：20 个工作日（或中卫：审查通过后 10 个工作日）。The publication "
    "clock as of a date (000 §二(三)2; 002 Art 6), counted on the State Council calendar.",
    responses=problem_responses(*READ_STATUSES),
)
def get_item_clock(
    item_id: UUID,
    reader: ReaderDep,
    ledger: LedgerDep,
    as_of: Annotated[Day | None, Query(description="default: today (UTC+8)")] = None,
) -> ClockOut:
    reader.check_agency(ledger.get_item(item_id).agency_code)
    day = as_of or today_in_china(ledger.clock)
    return clock_out(ledger.item_clock(item_id, day), day)


@router.post(
    "/{item_id}/attribute",
    **command_doc(
        "item.mark_attribute",
        "在发文拟稿单上标注公开属性。Mark the disclosure attribute on the drafting form: "
        "proactive, on request, or not disclosed (with reason and legal ground).",
    ),
)
def mark_attribute(
    item_id: UUID,
    body: AttributeMark,
    acting: OnMarkAttribute,
) -> Response:
    result = acting.ledger.mark_attribute(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.attribute,
        body.reason,
        body.legal_ground,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/attribute-audit",
    **command_doc(
        "item.audit_attribute",
        "政务公开办公室审核属性（确认或更正）。The disclosure office confirms or corrects the "
        "attribute and its reason.",
    ),
)
def audit_attribute(
    item_id: UUID,
    body: AttributeAudit,
    acting: OnAuditAttribute,
) -> Response:
    result = acting.ledger.audit_attribute(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.attribute,
        body.reason,
        body.legal_ground,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/confidentiality-review",
    **command_doc(
        "item.review_confidentiality",
        "保密审查（先审查、后公开）。Confidentiality review: state secret, commercial secret, "
        "privacy, three securities and one stability; conclusion and redactions.",
    ),
)
def review_confidentiality(
    item_id: UUID,
    body: ConfidentialityReview,
    acting: OnReviewConfidentiality,
) -> Response:
    result = acting.ledger.review_confidentiality(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.conclusion,
        expected_version=acting.expected_version,
        state_secret=body.state_secret,
        commercial_secret=body.commercial_secret,
        personal_privacy=body.personal_privacy,
        endangers_stability=body.endangers_stability,
        redactions=tuple(body.redactions),
        reason=body.reason,
    )
    return command_response(result)


@router.post(
    "/{item_id}/co-issuer-consultations",
    **command_doc(
        "item.consult_co_issuer",
        "征求联合发文机关意见（5 个工作日答复）。Consult a co-issuing agency; it answers within "
        "5 working days, silence counts as consent.",
    ),
)
def consult_co_issuer(
    item_id: UUID,
    body: CoIssuerConsultation,
    acting: OnConsultCoIssuer,
) -> Response:
    result = acting.ledger.consult_co_issuer(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.co_issuer,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/co-issuer-answers",
    **command_doc(
        "item.record_co_issuer_answer",
        "记录联合发文机关的答复。Record a co-issuer's answer: agreed, objected, or silent "
        "(only after the window).",
    ),
)
def record_co_issuer_answer(
    item_id: UUID,
    body: CoIssuerAnswer,
    acting: OnRecordCoIssuerAnswer,
) -> Response:
    result = acting.ledger.record_co_issuer_answer(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.co_issuer,
        body.answer,
        body.reason,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/co-issuer-resolutions",
    **command_doc(
        "item.resolve_co_issuer_disagreement",
        "协调联合发文机关的不同意见。Settle a co-issuer's objection through the disclosure "
        "authority, with the approval recorded.",
    ),
)
def resolve_co_issuer_disagreement(
    item_id: UUID,
    body: CoIssuerResolution,
    acting: OnResolveCoIssuerDisagreement,
) -> Response:
    on = acting.on(body.on)
    result = acting.ledger.resolve_co_issuer_disagreement(
        item_id,
        acting.actor,
        on,
        body.co_issuer,
        body.reason,
        acting.approval(body.approval, on),
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/approval",
    **command_doc(
        "item.approve",
        "分管领导审核、签发人签发。The leader in charge or the signer approves the item after a "
        "confidentiality review concluding 主动公开.",
    ),
)
def approve_item(
    item_id: UUID,
    body: ItemApproval,
    acting: OnApprove,
) -> Response:
    on = acting.on(body.on)
    result = acting.ledger.approve_item(
        item_id,
        acting.actor,
        on,
        acting.approval(body.approval, on),
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/publication",
    **command_doc(
        "item.publish",
        "发布（门户网站、公报、微博、微信等）。Publish on one or more channels; refused before the "
        "confidentiality review (先审查、后公开) and the leader's approval.",
    ),
)
def publish_item(
    item_id: UUID,
    body: Publication,
    acting: OnPublish,
) -> Response:
    result = acting.ledger.publish_item(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.channels,
        body.url,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/catalogue-registration",
    **command_doc(
        "item.register_in_catalogue",
        "发布后登记入政府信息公开目录，生成索引号。Register the published item in the catalogue; "
        "the index number is taken from the agency's sequence.",
    ),
)
def register_in_catalogue(
    item_id: UUID,
    body: CatalogueRegistration,
    acting: OnRegisterInCatalogue,
) -> Response:
    result = acting.ledger.register_in_catalogue(
        item_id, acting.actor, acting.on(body.on), expected_version=acting.expected_version
    )
    return command_response(result)


@router.post(
    "/{item_id}/changes",
    **command_doc(
        "item.change",
        "变更信息内容（重新起算 20 个工作日，需重新审查）。Change the item; the publication clock "
        "restarts and a new review is needed.",
    ),
)
def change_item(
    item_id: UUID,
    body: ItemChange,
    acting: OnChange,
) -> Response:
    result = acting.ledger.change_item(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.description,
        body.title,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/revocation",
    **command_doc("item.revoke", "撤销，目录随之更新。Revoke the item; the catalogue follows."),
)
def revoke_item(
    item_id: UUID,
    body: ValidityEnd,
    acting: OnRevoke,
) -> Response:
    result = acting.ledger.end_item_validity(
        item_id,
        acting.actor,
        acting.on(body.on),
        Validity.REVOKED,
        body.reason,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/abolition",
    **command_doc("item.abolish", "废止，目录随之更新。Abolish the item; the catalogue follows."),
)
def abolish_item(
    item_id: UUID,
    body: ValidityEnd,
    acting: OnAbolish,
) -> Response:
    result = acting.ledger.end_item_validity(
        item_id,
        acting.actor,
        acting.on(body.on),
        Validity.ABOLISHED,
        body.reason,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/interpretation",
    **command_doc(
        "item.link_interpretation",
        "关联政策解读（规范性文件，3 个工作日内）。Link the policy interpretation of a published "
        "rule or normative document.",
    ),
)
def link_interpretation(
    item_id: UUID,
    body: InterpretationLink,
    acting: OnLinkInterpretation,
) -> Response:
    result = acting.ledger.link_interpretation(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.interpretation_ref,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/reading-room-transfers",
    **command_doc(
        "item.transfer_to_reading_room",
        "移送政府信息查阅场所（电子版 20 个工作日内；纸质版次月 10 日前）。Transfer a published "
        "item to the public reading room.",
    ),
)
def transfer_to_reading_room(
    item_id: UUID,
    body: ReadingRoomTransfer,
    acting: OnTransferToReadingRoom,
) -> Response:
    result = acting.ledger.transfer_to_reading_room(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.mode,
        body.batch_ref,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/annual-review-decisions",
    **command_doc(
        "item.decide_annual_review",
        "年度审查决定（每年 3 月底前审查上年度依申请公开和不公开信息）。Annual March review: "
        "reclassify to proactive (with the leader in charge's approval) or keep, with reason.",
    ),
)
def decide_annual_review(
    item_id: UUID,
    body: AnnualReviewDecision,
    acting: OnDecideAnnualReview,
) -> Response:
    on = acting.on(body.on)
    # 002 Art 55: a reclassification carries the leader in charge's approval; a leader
    # recording the decision approves it themselves.
    approval = (
        acting.approval(body.approval, on)
        if body.approval is not None or acting.official.role in LEADER_ROLES
        else None
    )
    result = acting.ledger.decide_annual_review(
        item_id,
        acting.actor,
        on,
        body.outcome,
        body.reason,
        approval,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/exemption-lifting",
    **command_doc(
        "item.lift_exemption",
        "解除免予公开（理由错误或情况变化）。Open an exempt item whose exemption was wrong or has "
        "lapsed, with a leader's approval.",
    ),
)
def lift_exemption(
    item_id: UUID,
    body: ExemptionLifting,
    acting: OnLiftExemption,
) -> Response:
    on = acting.on(body.on)
    result = acting.ledger.lift_exemption(
        item_id,
        acting.actor,
        on,
        body.reason,
        acting.approval(body.approval, on),
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/archive",
    **command_doc("item.archive", "归档。Archive the item under the document-archive rules."),
)
def archive_item(
    item_id: UUID,
    body: Archiving,
    acting: OnArchive,
) -> Response:
    result = acting.ledger.archive_item(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.archive_ref,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{item_id}/objections",
    **command_doc(
        "item.record_objection",
        "记录对领导指示的异议（影响责任划分）。Record an official's objection to an instruction "
        "(event version), for the responsibility rules.",
    ),
)
def record_item_objection(
    item_id: UUID,
    body: Objection,
    acting: OnRecordObjection,
) -> Response:
    result = acting.ledger.record_objection(
        item_id,
        acting.actor,
        acting.on(body.on),
        body.objected_version,
        body.objection,
        expected_version=acting.expected_version,
    )
    return command_response(result)
