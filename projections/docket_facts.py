"""Clock facts: the few fields of an item or a request that its statutory clock reads.

The docket folds events into these facts instead of whole aggregates and keeps them as JSON in
its own table, so it never reloads an aggregate from the event store and a restarted process
picks up exactly where the committed table left off. Due dates are not folded: they are
computed at query time by the domain's own clock functions (`domain.deadlines`) from a shell
aggregate carrying just these facts, so a paused request's due date moves day by day with no
event. Each fold step mirrors the `apply` of the event it names; the tests compare the docket's
readings with the domain clock over the real aggregate.

No applicant personal data is kept: a request is known by its registration number and applicant
type only (004 att.2 Art 3-4 lists the personal data; the docket needs none of it).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.base import DomainEvent
from domain.codes import (
    AnnualReviewOutcome,
    ApplicantType,
    Attribute,
    ReviewConclusion,
    Validity,
)
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest, Pause

Item = DisclosureItem
Request = DisclosureRequest


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    agency_code: str
    department: str
    official_id: str | None  # the last official who handled it; None: the department


class PauseFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    ref: str
    started_on: date
    ended_on: date | None = None


class RequestFacts(_Facts):
    registration_number: str | None = None
    applicant_type: ApplicantType
    received_on: date
    clock_start: date | None
    pauses: list[PauseFact] = Field(default_factory=list)
    extension_days: int = 0
    agreed_due_on: date | None = None
    closed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None  # answered or deemed withdrawn leaves the docket

    def to_request(self) -> DisclosureRequest:
        """A request carrying only what `domain.deadlines.request_clock` reads."""
        request = DisclosureRequest.__new__(DisclosureRequest)
        request.agency_code = self.agency_code
        request.received_on = self.received_on
        request.clock_start = self.clock_start
        request.extension_days = self.extension_days
        request.agreed_due_on = self.agreed_due_on
        request.closed_on = self.closed_on
        request.pauses = []
        for fact in self.pauses:
            pause = Pause(fact.kind, fact.started_on, fact.ref)
            pause.ended_on = fact.ended_on
            request.pauses.append(pause)
        return request

    def end_pause(self, kind: str, ref: str, on: date) -> None:
        for pause in self.pauses:
            if pause.kind == kind and pause.ref == ref and pause.ended_on is None:
                pause.ended_on = on


class ItemFacts(_Facts):
    title: str
    formed_on: date
    attribute: Attribute | None = None
    awaiting_publication: bool = False
    review: ReviewConclusion | None = None
    content_version: int = 1
    published_version: int = 0
    published_on: date | None = None
    publication_due_from: date | None = None
    validity: Validity = Validity.IN_FORCE
    archived: bool = False
    reopened_after_archiving: bool = False

    @property
    def is_open(self) -> bool:
        """Proactive (or reopened) and the current version not yet published — the cases in
        which `domain.deadlines.publication_clock` runs a clock (000 §二(三)2; 002 Art 6) —
        unless revoked (003 Art 14) or archived without being reopened (000 §一(六)2)."""
        due = self.attribute is Attribute.PROACTIVE or self.awaiting_publication
        closed = self.validity is not Validity.IN_FORCE or (
            self.archived and not self.reopened_after_archiving
        )
        return due and not closed and self.published_version != self.content_version

    def to_item(self) -> DisclosureItem:
        """An item carrying only what `domain.deadlines.publication_clock` reads."""
        item = DisclosureItem.__new__(DisclosureItem)
        item.agency_code = self.agency_code
        item.formed_on = self.formed_on
        item.attribute = self.attribute
        item.awaiting_publication = self.awaiting_publication
        item.review = self.review
        item.content_version = self.content_version
        item.published_version = self.published_version
        item.published_on = self.published_on
        item.publication_due_from = self.publication_due_from
        item.validity = self.validity
        item.archived_on = self.formed_on if self.archived else None
        item.reopened_after_archiving = self.reopened_after_archiving
        return item

    def set_attribute(self, attribute: Attribute) -> None:
        self.attribute = attribute
        self.awaiting_publication = attribute is Attribute.PROACTIVE and self.published_version == 0

    def open_for_publication(self, on: date) -> None:
        # 002 Art 55-56, 004 att.6 Art 12: reclassified or opened items are published anew,
        # after a new review (002 Art 8), on a clock from the decision.
        self.attribute = Attribute.PROACTIVE
        self.review = None
        self.publication_due_from = on
        self.awaiting_publication = True
        self.reopened_after_archiving = self.archived


def _handled_by(facts: _Facts, event: DomainEvent) -> None:
    """The last official who acted on it is responsible for the next step. An objection is not
    handling (002 Art 64(二) records it only to apportion responsibility); after a transfer
    nobody in the receiving department has acted yet, so the department answers for it."""
    if isinstance(event, Request.Transferred):
        facts.official_id = None
    elif not isinstance(event, Request.ObjectionRecorded | Item.ObjectionRecorded):
        facts.official_id = event.actor.official_id


def fold_request(facts: RequestFacts | None, event: Request.Event) -> RequestFacts:
    """Apply one request event to its facts (None before `Received`)."""
    if isinstance(event, Request.Received):
        return RequestFacts(
            version=event.originator_version,
            agency_code=event.agency_code,
            department=event.department,
            official_id=event.actor.official_id,
            applicant_type=event.applicant.applicant_type,
            received_on=event.on,
            clock_start=event.on,  # the Regulation Art 33: counted from receipt
        )
    if facts is None:
        raise ValueError(f"request {event.originator_id}: {type(event).__name__} before Received")
    match event:
        case Request.Registered():
            facts.registration_number = event.registration_number
        case Request.CorrectionRequested():
            facts.clock_start = None  # the Regulation Art 30: runs from the corrected application
        case Request.Corrected():
            facts.clock_start = event.on
        case Request.ThirdPartyConsulted():
            # 002 Art 35(二): time spent consulting a third party does not count.
            facts.pauses.append(
                PauseFact(kind="third_party", ref=event.third_party_ref, started_on=event.on)
            )
        case Request.ThirdPartyAnswered():
            facts.end_pause("third_party", event.third_party_ref, event.on)
        case Request.AgencyConsulted():
            # The Regulation Art 33: nor does time spent consulting other agencies.
            facts.pauses.append(PauseFact(kind="agency", ref=event.agency, started_on=event.on))
        case Request.AgencyAnswered():
            facts.end_pause("agency", event.agency, event.on)
        case Request.FeeNoticed():
            # 国办函〔2020〕109号: the clock waits for payment of the fee.
            facts.pauses.append(PauseFact(kind="fee", ref="fee", started_on=event.on))
        case Request.FeePaid() | Request.FeeWaived():
            facts.end_pause("fee", "fee", event.on)
        case Request.Extended():
            facts.extension_days = event.days  # the Regulation Art 33; 002 Art 35(二)
        case Request.ExcessivenessAssessed():
            facts.agreed_due_on = event.agreed_due_on  # the Regulation Art 35
        case Request.Transferred():
            # 000 §一(五)4: the receiving department takes over with the same deadline.
            facts.department = event.to_department
        case Request.Replied() | Request.DeemedWithdrawn():
            facts.closed_on = event.on
            for pause in facts.pauses:
                if pause.ended_on is None:
                    pause.ended_on = event.on
    _handled_by(facts, event)
    facts.version = event.originator_version
    return facts


def fold_item(facts: ItemFacts | None, event: Item.Event) -> ItemFacts:
    """Apply one item event to its facts (None before `Registered`)."""
    if isinstance(event, Item.Registered):
        return ItemFacts(
            version=event.originator_version,
            agency_code=event.agency_code,
            department=event.department,
            official_id=event.actor.official_id,
            title=event.title,
            formed_on=event.on,
            publication_due_from=event.on,  # 000 §二(三)2: 20 working days from forming
        )
    if facts is None:
        raise ValueError(f"item {event.originator_id}: {type(event).__name__} before Registered")
    match event:
        case Item.AttributeMarked() | Item.AttributeAudited():
            facts.set_attribute(event.attribute)  # 000 §一(三)2-3
        case Item.ConfidentialityReviewed():
            facts.review = event.conclusion
            if event.publication_clock_starts:
                facts.publication_due_from = event.on  # 002 Art 6: 10 days from the review
        case Item.Published():
            facts.published_on = event.on
            facts.published_version = facts.content_version
            facts.awaiting_publication = False
        case Item.Changed():
            # 000 §二(三)2: a change restarts the clock; the new version is reviewed again.
            facts.content_version += 1
            facts.title = event.title or facts.title
            facts.publication_due_from = event.on
            facts.review = None
            facts.awaiting_publication = facts.attribute is Attribute.PROACTIVE
        case Item.AnnualReviewDecided():
            if event.outcome is AnnualReviewOutcome.RECLASSIFIED:
                facts.open_for_publication(event.on)
        case Item.ExemptionLifted():
            facts.open_for_publication(event.on)
        case Item.ValidityEnded():
            facts.validity = event.validity  # 003 Art 14
        case Item.Archived():
            facts.archived = True  # 000 §一(六)2
    _handled_by(facts, event)
    facts.version = event.originator_version
    return facts
