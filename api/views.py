"""Shaping aggregates and events into response models (no business decisions here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from fastapi import Response
from pydantic import BaseModel

from api.responses import OrjsonResponse
from api.schemas import (
    ActorOut,
    AgencyPublic,
    AppealOut,
    ApplicantOut,
    ApprovalOut,
    CatalogueChangeOut,
    CatalogueEntryPublic,
    ClockOut,
    CoIssuerConsultationOut,
    ConsultationOut,
    DocketEntryOut,
    EventOut,
    ItemOfficial,
    ObjectionOut,
    PauseOut,
    ReadingRoomTransferOut,
    RequestOfficial,
    ReviewEntryOut,
    TimelineEntryOut,
    TransferOut,
)
from domain.application import CommandResult
from domain.base import Actor, Approval, DomainEvent
from domain.codes import label
from domain.deadlines import ClockReading
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest
from domain.policy import AgencyPolicy
from projections.annual_review import ReviewEntry
from projections.catalogue import CatalogueChange, CatalogueEntry
from projections.decision_history import HistoryEntry
from projections.docket import DocketEntry

CHINA = timezone(timedelta(hours=8), "UTC+8")  # China has no daylight saving time
REDACTED = "[redacted]"
PERSONAL_FIELDS = ("applicant",)


def today_in_china(clock: Callable[[], datetime]) -> date:
    return clock().astimezone(CHINA).date()


def command_response(result: CommandResult, *, location: str | None = None) -> Response:
    """The command's outcome as `CommandOut` JSON; the ETag carries the new version for the next
    If-Match. A creating command answers 201 with the new record's `Location`.

    Rendered here rather than returned as a model: FastAPI would validate the model it was
    just built from again, in a second thread-pool hop per write."""
    headers = {"ETag": f'"{result.version}"'}
    if location is not None:
        headers["Location"] = location
    body = {"id": result.id, "version": result.version, "position": result.notification_id}
    return OrjsonResponse(body, status_code=201 if location else 200, headers=headers)


def actor_out(actor: Actor) -> ActorOut:
    return ActorOut.model_validate(actor.model_dump())


def approval_out(approval: Approval | None) -> ApprovalOut | None:
    if approval is None:
        return None
    return ApprovalOut(
        approver=actor_out(approval.approver),
        approved_on=approval.approved_on,
        collective=approval.collective,
        meeting_ref=approval.meeting_ref,
        members=list(approval.members),
    )


def clock_out(reading: ClockReading, as_of: date) -> ClockOut:
    return ClockOut(
        state=reading.state.value,
        started_on=reading.started_on,
        due_on=reading.due_on,
        paused_working_days=reading.paused_working_days,
        remaining_working_days=reading.remaining_working_days,
        overdue=reading.overdue,
        late_by_working_days=reading.late_by_working_days,
        calendar_version=reading.calendar_version,
        as_of=as_of,
    )


def item_official(item: DisclosureItem) -> ItemOfficial:
    return ItemOfficial(
        id=item.id,
        version=item.version,
        agency_code=item.agency_code,
        title=item.title,
        document_number=item.document_number,
        department=item.department,
        formed_on=item.formed_on,
        theme=item.theme,
        document_type=item.document_type,
        co_issuers=list(item.co_issuers),
        summary=item.summary,
        attribute=item.attribute,
        attribute_reason=item.attribute_reason,
        attribute_ground=item.attribute_ground,
        audited=item.audited,
        review=item.review,
        reviewed_on=item.reviewed_on,
        redactions=list(item.redactions),
        approval=approval_out(item.approval),
        consultations=[
            CoIssuerConsultationOut(
                co_issuer=c.co_issuer,
                asked_on=c.asked_on,
                answer_due_on=c.answer_due_on,
                answer=c.answer,
                answered_on=c.answered_on,
                resolved=c.resolved,
            )
            for c in item.consultations.values()
        ],
        published_on=item.published_on,
        channels=list(item.channels),
        url=item.url,
        awaiting_publication=item.awaiting_publication,
        index_number=item.index_number,
        content_version=item.content_version,
        published_version=item.published_version,
        catalogued_version=item.catalogued_version,
        validity=item.validity,
        validity_on=item.validity_on,
        interpretation_ref=item.interpretation_ref,
        reading_room_transfers=[
            ReadingRoomTransferOut(mode=mode, on=on, batch_ref=ref)
            for mode, on, ref in item.reading_room_transfers
        ],
        annual_reviews={str(year): outcome for year, outcome in item.annual_reviews.items()},
        archived_on=item.archived_on,
        objections=_objections(item.objections),
    )


def _objections(objections: list[tuple[int, str, str]]) -> list[ObjectionOut]:
    return [
        ObjectionOut(objected_version=v, official_id=who, objection=text)
        for v, who, text in objections
    ]


def request_official(request: DisclosureRequest, *, sees_applicant: bool) -> RequestOfficial:
    applicant = request.applicant
    return RequestOfficial(
        id=request.id,
        version=request.version,
        agency_code=request.agency_code,
        channel=request.channel,
        received_on=request.received_on,
        applicant_type=applicant.applicant_type,
        applicant=ApplicantOut.model_validate(applicant.model_dump()) if sees_applicant else None,
        description=request.description,
        purpose=request.purpose,
        requested_form=request.requested_form,
        department=request.department,
        registration_number=request.registration_number,
        clock_start=request.clock_start,
        correction_requested_on=request.correction_requested_on,
        correction_due_on=request.correction_due_on,
        correction_defects=list(request.correction_defects),
        corrected_on=request.corrected_on,
        pauses=[
            PauseOut(kind=p.kind, started_on=p.started_on, ended_on=p.ended_on, ref=p.ref)
            for p in request.pauses
        ],
        third_parties=[
            ConsultationOut(
                ref=c.ref,
                started_on=c.started_on,
                answer_due_on=c.answer_due_on,
                answer=c.answer,
                overridden=c.overridden,
                interest=c.interest,
            )
            for c in request.third_parties.values()
        ],
        agency_consultations=[
            ConsultationOut(
                ref=c.ref, started_on=c.started_on, answer_due_on=c.answer_due_on, answer=c.answer
            )
            for c in request.agency_consultations.values()
        ],
        extension_days=request.extension_days,
        excessive_queried_on=request.excessive_queried_on,
        excessive_reasonable=request.excessive_reasonable,
        agreed_due_on=request.agreed_due_on,
        fee_amount=request.fee_amount,
        fee_due_on=request.fee_due_on,
        fee_settled=request.fee_settled,
        transfers=[
            TransferOut(from_department=src, to_department=dst, on=on)
            for src, dst, on in request.transfers
        ],
        referred_to=request.referred_to,
        outcome=request.outcome,
        outcome_label=label(request.outcome) if request.outcome else None,
        closed_on=request.closed_on,
        delivered_on=request.delivered_on,
        reconsiderations=[_appeal(a) for a in request.reconsiderations],
        litigations=[_appeal(a) for a in request.litigations],
        archived_on=request.archived_on,
        objections=_objections(request.objections),
    )


def _appeal(appeal: Any) -> AppealOut:
    return AppealOut(
        kind=appeal.kind,
        filed_on=appeal.filed_on,
        result=appeal.result,
        decided_on=appeal.decided_on,
    )


def agency_public(policy: AgencyPolicy) -> AgencyPublic:
    return AgencyPublic.model_validate(policy.model_dump(mode="json"))


# ---- history ---------------------------------------------------------------------------------

_EVENT_BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "actor", "on"}


def event_out(event: DomainEvent, *, sees_applicant: bool) -> EventOut:
    data = event.model_dump(mode="json", exclude=_EVENT_BASE_FIELDS)
    if not sees_applicant:
        for name in PERSONAL_FIELDS:
            if name in data and isinstance(data[name], dict):
                data[name] = {"applicant_type": data[name].get("applicant_type"), "name": REDACTED}
    return EventOut(
        version=event.originator_version,
        type=type(event).__name__,
        recorded_at=event.timestamp,
        on=getattr(event, "on", None),
        actor=actor_out(event.actor),
        data=data,
    )


def aggregate_kind(aggregate: object) -> str:
    if isinstance(aggregate, DisclosureItem):
        return "item"
    if isinstance(aggregate, DisclosureRequest):
        return "request"
    return type(aggregate).__name__.lower()


def state_out(aggregate: object, *, sees_applicant: bool) -> dict[str, Any]:
    """Any aggregate's attributes as JSON values (the as-of state of the history route)."""
    if isinstance(aggregate, DisclosureItem):
        return item_official(aggregate).model_dump(mode="json")
    if isinstance(aggregate, DisclosureRequest):
        return request_official(aggregate, sees_applicant=sees_applicant).model_dump(mode="json")
    return {
        k: _plain(v) for k, v in vars(aggregate).items() if not k.startswith("_") and k != "clock"
    }


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items()}
    return value


# ---- read models -------------------------------------------------------------------------------


def catalogue_entry(entry: CatalogueEntry) -> CatalogueEntryPublic:
    return CatalogueEntryPublic(
        item_id=UUID(entry.item_id),
        index_number=entry.index_number,
        title=entry.title,
        summary=entry.summary,
        issuing_body=entry.issuing_body,
        agency_code=entry.agency_code,
        department=entry.department,
        document_number=entry.document_number,
        formed_on=entry.formed_on,
        published_on=entry.published_on,
        year=entry.year,
        theme=entry.theme,
        document_type=entry.document_type,
        channels=list(entry.channels),
        validity=entry.validity,
        interpretation_ref=entry.interpretation_ref,
        url=entry.url,
    )


def catalogue_change(change: CatalogueChange) -> CatalogueChangeOut:
    return CatalogueChangeOut(
        cursor=change.cursor,
        item_id=UUID(change.item_id),
        op=change.op,
        entry=catalogue_entry(change.entry) if change.entry is not None else None,
    )


def docket_entry(entry: DocketEntry) -> DocketEntryOut:
    # The read model's row carries exactly the response's fields (enum states as their values).
    return DocketEntryOut.model_validate(entry, from_attributes=True)


def review_entry(entry: ReviewEntry) -> ReviewEntryOut:
    # The read model's row carries exactly the response's fields (enum states as their values).
    return ReviewEntryOut.model_validate(entry, from_attributes=True)


def timeline_entry(entry: HistoryEntry) -> TimelineEntryOut:
    return TimelineEntryOut(
        position=entry.notification_id,
        version=entry.version,
        event_type=entry.event_type,
        recorded_at=entry.recorded_at,
        on=entry.on_date,
        official_id=entry.official_id,
        role=entry.role,
        department=entry.department,
        what_zh=entry.what_zh,
        what_en=entry.what_en,
        reason=entry.reason,
        legal_basis=entry.legal_basis,
        approver_id=entry.approver_id,
        approver_role=entry.approver_role,
        collective=entry.collective,
        meeting_ref=entry.meeting_ref,
        objection=entry.objection,
    )
