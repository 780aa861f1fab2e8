"""Disclosure requests (依申请公开): receive, then one POST per workflow step (002 Art 34;
domain.md §3). Applicant personal data is shown to the disclosure office and investigators only."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.command_route import CommandRoute
from api.deps import (
    Acting,
    Authorised,
    LedgerDep,
    OnRequest,
    ReaderDep,
)
from api.openapi import READ_STATUSES, command_doc
from api.problems import problem_responses
from api.schemas import (
    AgencyAnswer,
    AgencyConsultation,
    AppealDecision,
    Archiving,
    ClockOut,
    CorrectionNotice,
    CorrectionReceived,
    Day,
    DeemedWithdrawal,
    Delivery,
    ExcessivenessAssessment,
    ExcessivenessQuery,
    Extension,
    FeeNotice,
    FeePayment,
    FeeWaiver,
    LitigationFiling,
    Objection,
    PublicInterestOverride,
    ReconsiderationFiling,
    Referral,
    Reply,
    RequestCreate,
    RequestOfficial,
    RequestRegistration,
    RequestTransfer,
    ThirdPartyAnswer,
    ThirdPartyConsultation,
)
from api.views import clock_out, command_response, request_official, today_in_china
from domain.disclosure_request import Applicant

router = APIRouter(prefix="/requests", tags=["requests 依申请公开"], route_class=CommandRoute)

Receiving = Annotated[Acting, Depends(Authorised("request.receive"))]
OnRegister = Annotated[Acting, Depends(OnRequest("request.register"))]
OnRequestCorrection = Annotated[Acting, Depends(OnRequest("request.request_correction"))]
OnRecordCorrection = Annotated[Acting, Depends(OnRequest("request.record_correction"))]
OnConsultThirdParty = Annotated[Acting, Depends(OnRequest("request.consult_third_party"))]
OnRecordThirdPartyAnswer = Annotated[
    Acting, Depends(OnRequest("request.record_third_party_answer"))
]
OnOverrideForPublicInterest = Annotated[
    Acting, Depends(OnRequest("request.override_for_public_interest"))
]
OnConsultAgency = Annotated[Acting, Depends(OnRequest("request.consult_agency"))]
OnRecordAgencyAnswer = Annotated[Acting, Depends(OnRequest("request.record_agency_answer"))]
OnExtend = Annotated[Acting, Depends(OnRequest("request.extend"))]
OnQueryExcessiveness = Annotated[Acting, Depends(OnRequest("request.query_excessiveness"))]
OnAssessExcessiveness = Annotated[Acting, Depends(OnRequest("request.assess_excessiveness"))]
OnNoticeFee = Annotated[Acting, Depends(OnRequest("request.notice_fee"))]
OnRecordFeePayment = Annotated[Acting, Depends(OnRequest("request.record_fee_payment"))]
OnWaiveFee = Annotated[Acting, Depends(OnRequest("request.waive_fee"))]
OnTransfer = Annotated[Acting, Depends(OnRequest("request.transfer"))]
OnRefer = Annotated[Acting, Depends(OnRequest("request.refer"))]
OnReply = Annotated[Acting, Depends(OnRequest("request.reply"))]
OnDeemWithdrawn = Annotated[Acting, Depends(OnRequest("request.deem_withdrawn"))]
OnDeliver = Annotated[Acting, Depends(OnRequest("request.deliver"))]
OnFileReconsideration = Annotated[Acting, Depends(OnRequest("request.file_reconsideration"))]
OnDecideReconsideration = Annotated[Acting, Depends(OnRequest("request.decide_reconsideration"))]
OnFileLitigation = Annotated[Acting, Depends(OnRequest("request.file_litigation"))]
OnDecideLitigation = Annotated[Acting, Depends(OnRequest("request.decide_litigation"))]
OnArchive = Annotated[Acting, Depends(OnRequest("request.archive"))]
OnRecordObjection = Annotated[Acting, Depends(OnRequest("request.record_objection"))]


@router.post(
    "",
    status_code=201,
    **command_doc(
        "request.receive",
        "接收申请：收到日期按渠道确定（当面提交之日、签收之日、双方确认之日）。Receive an "
        "application; the receipt date follows the channel (the Regulation Art 31). The agency "
        "is the official's. With an `Idempotency-Key` the new id is derived from the key.",
        creates=True,
    ),
)
def receive_request(
    body: RequestCreate,
    acting: Receiving,
) -> Response:
    result = acting.ledger.receive_request(
        acting.actor,
        agency_code=acting.official.agency_code,
        channel=body.channel,
        applicant=Applicant.model_validate(body.applicant.model_dump()),
        description=body.description,
        department=acting.department(body.department),
        purpose=body.purpose,
        requested_form=body.requested_form,
        submitted_on=body.submitted_on,
        signed_for_on=body.signed_for_on,
        confirmed_on=body.confirmed_on,
        request_id=acting.new_id(),
    )
    return command_response(result, location=f"/requests/{result.id}")


@router.get(
    "/{request_id}",
    summary="查看申请 Read a request",
    description="申请的当前状态；申请人个人信息仅政务公开办公室和纪检监察可见。The request's "
    "current state, read from the event store; `applicant` is null unless the role is the "
    "disclosure office or an investigator.",
    responses=problem_responses(*READ_STATUSES),
)
def get_request(
    request_id: UUID, reader: ReaderDep, ledger: LedgerDep, response: Response
) -> RequestOfficial:
    request = ledger.get_request(request_id)
    reader.check_agency(request.agency_code)
    response.headers["ETag"] = f'"{request.version}"'
    return request_official(request, sees_applicant=reader.sees_applicant)


@router.get(
    "/{request_id}/clock",
    summary="答复时限 Reply clock",
    description="答复期限：自收到申请（或补正）之日起的工作日，扣除征求意见和缴费期间。The "
    "reply clock as of a date: working days from receipt or correction, less consultation and "
    "fee pauses, plus one extension.",
    responses=problem_responses(*READ_STATUSES),
)
def get_request_clock(
    request_id: UUID,
    reader: ReaderDep,
    ledger: LedgerDep,
    as_of: Annotated[Day | None, Query(description="default: today (UTC+8)")] = None,
) -> ClockOut:
    reader.check_agency(ledger.get_request(request_id).agency_code)
    day = as_of or today_in_china(ledger.clock)
    return clock_out(ledger.request_clock(request_id, day), day)


@router.post(
    "/{request_id}/registration",
    **command_doc(
        "request.register",
        "登记编号（接收后登记）。Register and number the request.",
    ),
)
def register_request(
    request_id: UUID,
    body: RequestRegistration,
    acting: OnRegister,
) -> Response:
    result = acting.ledger.register_request(
        request_id, acting.actor, acting.on(body.on), expected_version=acting.expected_version
    )
    return command_response(result)


@router.post(
    "/{request_id}/correction-notice",
    **command_doc(
        "request.request_correction",
        "补正告知：一次性列明全部需补正事项，答复期限自收到补正之日起算。"
        "Ask for a correction, listing every defect in one notice; the clock restarts from the "
        "corrected application.",
    ),
)
def request_correction(
    request_id: UUID,
    body: CorrectionNotice,
    acting: OnRequestCorrection,
) -> Response:
    result = acting.ledger.request_correction(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.defects,
        body.due_on,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/correction",
    **command_doc(
        "request.record_correction",
        "收到补正后的申请。Record the corrected application (the reply clock starts again).",
    ),
)
def record_correction(
    request_id: UUID,
    body: CorrectionReceived,
    acting: OnRecordCorrection,
) -> Response:
    result = acting.ledger.record_correction(
        request_id, acting.actor, acting.on(body.on), expected_version=acting.expected_version
    )
    return command_response(result)


@router.post(
    "/{request_id}/third-party-consultations",
    **command_doc(
        "request.consult_third_party",
        "书面征求第三方意见（征求期间不计入答复期限）。"
        "Consult a third party in writing; the clock pauses.",
    ),
)
def consult_third_party(
    request_id: UUID,
    body: ThirdPartyConsultation,
    acting: OnConsultThirdParty,
) -> Response:
    result = acting.ledger.consult_third_party(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.third_party_ref,
        body.interest,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/third-party-answers",
    **command_doc(
        "request.record_third_party_answer",
        "记录第三方意见。Record the third party's answer; the clock resumes.",
    ),
)
def record_third_party_answer(
    request_id: UUID,
    body: ThirdPartyAnswer,
    acting: OnRecordThirdPartyAnswer,
) -> Response:
    result = acting.ledger.record_third_party_answer(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.third_party_ref,
        body.answer,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/public-interest-overrides",
    **command_doc(
        "request.override_for_public_interest",
        "不公开可能对公共利益造成重大影响的，予以公开并书面告知第三方。"
        "Disclose despite a third party's objection for the public interest, with written notice "
        "to it.",
    ),
)
def override_for_public_interest(
    request_id: UUID,
    body: PublicInterestOverride,
    acting: OnOverrideForPublicInterest,
) -> Response:
    on = acting.on(body.on)
    result = acting.ledger.override_for_public_interest(
        request_id,
        acting.actor,
        on,
        body.third_party_ref,
        body.reason,
        body.notice_sent_on or on,
        acting.approval(body.approval, on),
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/agency-consultations",
    **command_doc(
        "request.consult_agency",
        "征求其他机关意见（期间不计入答复期限）。Consult another agency; the clock pauses.",
    ),
)
def consult_agency(
    request_id: UUID,
    body: AgencyConsultation,
    acting: OnConsultAgency,
) -> Response:
    result = acting.ledger.consult_agency(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.agency,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/agency-answers",
    **command_doc(
        "request.record_agency_answer",
        "记录其他机关意见。Record the consulted agency's answer; the clock resumes.",
    ),
)
def record_agency_answer(
    request_id: UUID,
    body: AgencyAnswer,
    acting: OnRecordAgencyAnswer,
) -> Response:
    result = acting.ledger.record_agency_answer(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.agency,
        body.answer,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/extension",
    **command_doc(
        "request.extend",
        "延长答复期限（一次，经工作机构负责人同意并告知申请人）。"
        "Extend the reply period once, with the office head's approval and a notice to the "
        "applicant.",
    ),
)
def extend_request(
    request_id: UUID,
    body: Extension,
    acting: OnExtend,
) -> Response:
    on = acting.on(body.on)
    result = acting.ledger.extend_request(
        request_id,
        acting.actor,
        on,
        body.days,
        body.reason,
        acting.approval(body.approval, on),
        body.notice_sent_on,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/excessiveness-query",
    **command_doc(
        "request.query_excessiveness",
        "申请数量、频次明显超过合理范围的，要求说明理由。"
        "Ask the applicant for the reasons of clearly excessive applications.",
    ),
)
def query_excessiveness(
    request_id: UUID,
    body: ExcessivenessQuery,
    acting: OnQueryExcessiveness,
) -> Response:
    result = acting.ledger.query_excessiveness(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.reason,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/excessiveness-assessment",
    **command_doc(
        "request.assess_excessiveness",
        "审核理由：不合理的不予处理；合理的确定延迟答复的合理期限。"
        "Assess the reasons: unreasonable → not processed; reasonable → a later date.",
    ),
)
def assess_excessiveness(
    request_id: UUID,
    body: ExcessivenessAssessment,
    acting: OnAssessExcessiveness,
) -> Response:
    result = acting.ledger.assess_excessiveness(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.reasonable,
        body.reason,
        body.agreed_due_on,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/fee-notice",
    **command_doc(
        "request.notice_fee",
        "信息处理费收费通知（按件或按量，不得同时适用）。"
        "Fee notice for the information-processing fee, per application or per page; the clock "
        "pauses until payment.",
    ),
)
def notice_fee(
    request_id: UUID,
    body: FeeNotice,
    acting: OnNoticeFee,
) -> Response:
    result = acting.ledger.notice_fee(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.basis,
        body.count,
        body.amount,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/fee-payment",
    **command_doc(
        "request.record_fee_payment",
        "申请人已缴费。The fee is paid; the clock resumes.",
    ),
)
def record_fee_payment(
    request_id: UUID,
    body: FeePayment,
    acting: OnRecordFeePayment,
) -> Response:
    result = acting.ledger.record_fee_payment(
        request_id, acting.actor, acting.on(body.on), expected_version=acting.expected_version
    )
    return command_response(result)


@router.post(
    "/{request_id}/fee-waiver",
    **command_doc(
        "request.waive_fee",
        "经济困难减免费用。Waive the fee for hardship, with the office principal's approval.",
    ),
)
def waive_fee(
    request_id: UUID,
    body: FeeWaiver,
    acting: OnWaiveFee,
) -> Response:
    on = acting.on(body.on)
    result = acting.ledger.waive_fee(
        request_id,
        acting.actor,
        on,
        body.reason,
        acting.approval(body.approval, on),
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/transfer",
    **command_doc(
        "request.transfer",
        "转办至其他科室（办理交接，时限不变）。"
        "Transfer to another department with a hand-over record; the deadline is unchanged.",
    ),
)
def transfer_request(
    request_id: UUID,
    body: RequestTransfer,
    acting: OnTransfer,
) -> Response:
    result = acting.ledger.transfer_request(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.to_department,
        body.handover_record,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/referral",
    **command_doc(
        "request.refer",
        "告知申请人掌握该信息的机关。Name the agency that holds the information.",
    ),
)
def refer_request(
    request_id: UUID,
    body: Referral,
    acting: OnRefer,
) -> Response:
    result = acting.ledger.refer_request(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.holding_agency,
        body.contact,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/reply",
    **command_doc(
        "request.reply",
        "作出答复：写明依据、理由、救济途径。"
        "Reply with the outcome (the 21 sub-reasons of the national template), legal basis, "
        "reasons and remedies.",
    ),
)
def reply_to_request(
    request_id: UUID,
    body: Reply,
    acting: OnReply,
) -> Response:
    result = acting.ledger.reply_to_request(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.outcome,
        body.legal_basis,
        body.reasons,
        body.remedy,
        body.withheld_reasons,
        body.location,
        body.holding_agency,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/deemed-withdrawal",
    **command_doc(
        "request.deem_withdrawn",
        "视为放弃申请（逾期未补正或未缴费）。"
        "The application counts as abandoned: no correction or no payment in time.",
    ),
)
def deem_withdrawn(
    request_id: UUID,
    body: DeemedWithdrawal,
    acting: OnDeemWithdrawn,
) -> Response:
    result = acting.ledger.deem_withdrawn(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.outcome,
        body.reason,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/delivery",
    **command_doc(
        "request.deliver",
        "送达答复。Deliver the reply to the applicant.",
    ),
)
def deliver_reply(
    request_id: UUID,
    body: Delivery,
    acting: OnDeliver,
) -> Response:
    result = acting.ledger.deliver_reply(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.method,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/reconsiderations",
    **command_doc(
        "request.file_reconsideration",
        "申请人提起行政复议。"
        "Record an application for administrative reconsideration of the reply.",
    ),
)
def file_reconsideration(
    request_id: UUID,
    body: ReconsiderationFiling,
    acting: OnFileReconsideration,
) -> Response:
    result = acting.ledger.file_reconsideration(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.body,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/reconsideration-decision",
    **command_doc(
        "request.decide_reconsideration",
        "行政复议结果（维持、纠正、其他）。Record the reconsideration result.",
    ),
)
def decide_reconsideration(
    request_id: UUID,
    body: AppealDecision,
    acting: OnDecideReconsideration,
) -> Response:
    result = acting.ledger.decide_reconsideration(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.result,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/litigations",
    **command_doc(
        "request.file_litigation",
        "提起行政诉讼（直接起诉或复议后起诉）。Record a suit, direct or after reconsideration.",
    ),
)
def file_litigation(
    request_id: UUID,
    body: LitigationFiling,
    acting: OnFileLitigation,
) -> Response:
    result = acting.ledger.file_litigation(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.kind,
        body.court,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/litigation-decision",
    **command_doc(
        "request.decide_litigation",
        "行政诉讼结果。Record the court's result.",
    ),
)
def decide_litigation(
    request_id: UUID,
    body: AppealDecision,
    acting: OnDecideLitigation,
) -> Response:
    result = acting.ledger.decide_litigation(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.result,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/archive",
    **command_doc(
        "request.archive",
        "存档（最后一步）。Archive the answered request.",
    ),
)
def archive_request(
    request_id: UUID,
    body: Archiving,
    acting: OnArchive,
) -> Response:
    result = acting.ledger.archive_request(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.archive_ref,
        expected_version=acting.expected_version,
    )
    return command_response(result)


@router.post(
    "/{request_id}/objections",
    **command_doc(
        "request.record_objection",
        "记录对领导指示的异议。Record an official's objection to an instruction (event version).",
    ),
)
def record_request_objection(
    request_id: UUID,
    body: Objection,
    acting: OnRecordObjection,
) -> Response:
    result = acting.ledger.record_objection(
        request_id,
        acting.actor,
        acting.on(body.on),
        body.objected_version,
        body.objection,
        expected_version=acting.expected_version,
    )
    return command_response(result)
