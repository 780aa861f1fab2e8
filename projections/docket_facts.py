"""Clock facts: the few fields of an item or a request that its statutory clock reads.

The docket folds events into these facts instead of whole aggregates and keeps them as JSON in
its own table, so it never reloads an aggregate from the event store and a restarted process
picks up exactly where the committed table left off. Due dates are not folded: they are
computed at query time by the domain's own clock functions (`domain.deadlines`) from a shell
aggregate carrying just these facts, so a paused request's due date moves day by day with no
event. Each fold step mirrors the `apply` of the event it names; the tests compare the docket's
readings with the domain clock over the real aggregate.

Facts are plain `__slots__` objects folded in place, and each event class is looked up once in
`FOLD_RULES` (which fact kind, which step, whether its actor takes over the next step): a
rebuild folds hundreds of thousands of events, and validated models cost several times the
whole fold.

No applicant personal data is kept: a request is known by its registration number and applicant
type only (004 att.2 Art 3-4 lists the personal data; the docket needs none of it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import orjson

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


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class _Responsible:
    """Who and where: stored in the docket's own columns, not in the facts JSON."""

    __slots__ = ("agency_code", "department", "official_id", "version")

    def __init__(
        self, version: int, agency_code: str, department: str, official_id: str | None
    ) -> None:
        self.version = version
        self.agency_code = agency_code
        self.department = department
        self.official_id = official_id  # the last official who handled it; None: the department


class PauseFact:
    __slots__ = ("ended_on", "kind", "ref", "started_on")

    def __init__(self, kind: str, ref: str, started_on: date, ended_on: date | None = None):
        self.kind = kind
        self.ref = ref
        self.started_on = started_on
        self.ended_on = ended_on


class RequestFacts(_Responsible):
    kind: ClassVar[str] = "request"

    __slots__ = (
        "agreed_due_on",
        "applicant_type",
        "clock_start",
        "closed_on",
        "extension_days",
        "pauses",
        "received_on",
        "registration_number",
    )

    def __init__(
        self,
        responsible: tuple[int, str, str, str | None],
        applicant_type: ApplicantType,
        received_on: date,
        clock_start: date | None,
    ) -> None:
        super().__init__(*responsible)
        self.registration_number: str | None = None
        self.applicant_type = applicant_type
        self.received_on = received_on
        self.clock_start = clock_start
        self.pauses: list[PauseFact] = []
        self.extension_days = 0
        self.agreed_due_on: date | None = None
        self.closed_on: date | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None  # answered or deemed withdrawn leaves the docket

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "registration_number": self.registration_number,
                "applicant_type": self.applicant_type,
                "received_on": self.received_on,
                "clock_start": self.clock_start,
                "pauses": [[p.kind, p.ref, p.started_on, p.ended_on] for p in self.pauses],
                "extension_days": self.extension_days,
                "agreed_due_on": self.agreed_due_on,
                "closed_on": self.closed_on,
            }
        ).decode()

    @classmethod
    def from_json(cls, responsible: tuple[int, str, str, str | None], raw: str) -> RequestFacts:
        data = orjson.loads(raw)
        facts = cls(
            responsible,
            ApplicantType(data["applicant_type"]),
            date.fromisoformat(data["received_on"]),
            _day(data["clock_start"]),
        )
        facts.registration_number = data["registration_number"]
        facts.pauses = [
            PauseFact(kind, ref, date.fromisoformat(started), _day(ended))
            for kind, ref, started, ended in data["pauses"]
        ]
        facts.extension_days = data["extension_days"]
        facts.agreed_due_on = _day(data["agreed_due_on"])
        facts.closed_on = _day(data["closed_on"])
        return facts

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

    def start_pause(self, kind: str, ref: str, on: date) -> None:
        self.pauses.append(PauseFact(kind, ref, on))

    def end_pause(self, kind: str, ref: str, on: date) -> None:
        for pause in self.pauses:
            if pause.kind == kind and pause.ref == ref and pause.ended_on is None:
                pause.ended_on = on


class ItemFacts(_Responsible):
    kind: ClassVar[str] = "item"
    closed_on: ClassVar[date | None] = None  # an item is never closed by a date

    __slots__ = (
        "archived",
        "attribute",
        "awaiting_publication",
        "content_version",
        "formed_on",
        "publication_due_from",
        "published_on",
        "published_version",
        "reopened_after_archiving",
        "review",
        "title",
        "validity",
    )

    def __init__(self, responsible: tuple[int, str, str, str | None], title: str, formed_on: date):
        super().__init__(*responsible)
        self.title = title
        self.formed_on = formed_on
        self.attribute: Attribute | None = None
        self.awaiting_publication = False
        self.review: ReviewConclusion | None = None
        self.content_version = 1
        self.published_version = 0
        self.published_on: date | None = None
        self.publication_due_from: date | None = formed_on
        self.validity = Validity.IN_FORCE
        self.archived = False
        self.reopened_after_archiving = False

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

    def to_json(self) -> str:
        return orjson.dumps(
            {
                "title": self.title,
                "formed_on": self.formed_on,
                "attribute": self.attribute,
                "awaiting_publication": self.awaiting_publication,
                "review": self.review,
                "content_version": self.content_version,
                "published_version": self.published_version,
                "published_on": self.published_on,
                "publication_due_from": self.publication_due_from,
                "validity": self.validity,
                "archived": self.archived,
                "reopened_after_archiving": self.reopened_after_archiving,
            }
        ).decode()

    @classmethod
    def from_json(cls, responsible: tuple[int, str, str, str | None], raw: str) -> ItemFacts:
        data = orjson.loads(raw)
        facts = cls(responsible, data["title"], date.fromisoformat(data["formed_on"]))
        attribute, review = data["attribute"], data["review"]
        facts.attribute = None if attribute is None else Attribute(attribute)
        facts.awaiting_publication = data["awaiting_publication"]
        facts.review = None if review is None else ReviewConclusion(review)
        facts.content_version = data["content_version"]
        facts.published_version = data["published_version"]
        facts.published_on = _day(data["published_on"])
        facts.publication_due_from = _day(data["publication_due_from"])
        facts.validity = Validity(data["validity"])
        facts.archived = data["archived"]
        facts.reopened_after_archiving = data["reopened_after_archiving"]
        return facts

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


Facts = ItemFacts | RequestFacts


# ---- request steps ---------------------------------------------------------------------------


def _request_received(e: Any) -> RequestFacts:
    return RequestFacts(
        (e.originator_version, e.agency_code, e.department, e.actor.official_id),
        e.applicant.applicant_type,
        e.on,
        e.on,  # the Regulation Art 33: counted from receipt
    )


def _request_registered(facts: Any, e: Any) -> None:
    facts.registration_number = e.registration_number


def _correction_requested(facts: Any, e: Any) -> None:
    facts.clock_start = None  # the Regulation Art 30: runs from the corrected application


def _corrected(facts: Any, e: Any) -> None:
    facts.clock_start = e.on


def _third_party_consulted(facts: Any, e: Any) -> None:
    # 002 Art 35(二): time spent consulting a third party does not count.
    facts.start_pause("third_party", e.third_party_ref, e.on)


def _third_party_answered(facts: Any, e: Any) -> None:
    facts.end_pause("third_party", e.third_party_ref, e.on)


def _agency_consulted(facts: Any, e: Any) -> None:
    # The Regulation Art 33: nor does time spent consulting other agencies.
    facts.start_pause("agency", e.agency, e.on)


def _agency_answered(facts: Any, e: Any) -> None:
    facts.end_pause("agency", e.agency, e.on)


def _fee_noticed(facts: Any, e: Any) -> None:
    # 国办函〔2020〕109号: the clock waits for payment of the fee.
    facts.start_pause("fee", "fee", e.on)


def _fee_settled(facts: Any, e: Any) -> None:
    facts.end_pause("fee", "fee", e.on)


def _extended(facts: Any, e: Any) -> None:
    facts.extension_days = e.days  # the Regulation Art 33; 002 Art 35(二)


def _excessiveness_assessed(facts: Any, e: Any) -> None:
    facts.agreed_due_on = e.agreed_due_on  # the Regulation Art 35


def _transferred(facts: Any, e: Any) -> None:
    # 000 §一(五)4: the receiving department takes over with the same deadline; nobody there
    # has acted yet, so the department answers for it.
    facts.department = e.to_department
    facts.official_id = None


def _request_closed(facts: Any, e: Any) -> None:
    facts.closed_on = e.on
    for pause in facts.pauses:
        if pause.ended_on is None:
            pause.ended_on = e.on


# ---- item steps ------------------------------------------------------------------------------


def _item_registered(e: Any) -> ItemFacts:
    # 000 §二(三)2: 20 working days from forming (`publication_due_from` = formed_on).
    responsible = (e.originator_version, e.agency_code, e.department, e.actor.official_id)
    return ItemFacts(responsible, e.title, e.on)


def _attribute_set(facts: Any, e: Any) -> None:
    facts.set_attribute(e.attribute)  # 000 §一(三)2-3


def _confidentiality_reviewed(facts: Any, e: Any) -> None:
    facts.review = e.conclusion
    if e.publication_clock_starts:
        facts.publication_due_from = e.on  # 002 Art 6: 10 days from the review


def _published(facts: Any, e: Any) -> None:
    facts.published_on = e.on
    facts.published_version = facts.content_version
    facts.awaiting_publication = False


def _changed(facts: Any, e: Any) -> None:
    # 000 §二(三)2: a change restarts the clock; the new version is reviewed again.
    facts.content_version += 1
    facts.title = e.title or facts.title
    facts.publication_due_from = e.on
    facts.review = None
    facts.awaiting_publication = facts.attribute is Attribute.PROACTIVE


def _annual_review_decided(facts: Any, e: Any) -> None:
    if e.outcome is AnnualReviewOutcome.RECLASSIFIED:
        facts.open_for_publication(e.on)  # 002 Art 55-56


def _exemption_lifted(facts: Any, e: Any) -> None:
    facts.open_for_publication(e.on)  # 004 att.6 Art 12


def _validity_ended(facts: Any, e: Any) -> None:
    facts.validity = e.validity  # 003 Art 14


def _archived(facts: Any, e: Any) -> None:
    facts.archived = True  # 000 §一(六)2


Step = Callable[[Any, Any], None]

_STEPS: dict[type[DomainEvent], Step] = {
    Request.Registered: _request_registered,
    Request.CorrectionRequested: _correction_requested,
    Request.Corrected: _corrected,
    Request.ThirdPartyConsulted: _third_party_consulted,
    Request.ThirdPartyAnswered: _third_party_answered,
    Request.AgencyConsulted: _agency_consulted,
    Request.AgencyAnswered: _agency_answered,
    Request.FeeNoticed: _fee_noticed,
    Request.FeePaid: _fee_settled,
    Request.FeeWaived: _fee_settled,
    Request.Extended: _extended,
    Request.ExcessivenessAssessed: _excessiveness_assessed,
    Request.Transferred: _transferred,
    Request.Replied: _request_closed,
    Request.DeemedWithdrawn: _request_closed,
    Item.AttributeMarked: _attribute_set,
    Item.AttributeAudited: _attribute_set,
    Item.ConfidentialityReviewed: _confidentiality_reviewed,
    Item.Published: _published,
    Item.Changed: _changed,
    Item.AnnualReviewDecided: _annual_review_decided,
    Item.ExemptionLifted: _exemption_lifted,
    Item.ValidityEnded: _validity_ended,
    Item.Archived: _archived,
}
_STARTS: dict[type[DomainEvent], Callable[[Any], Facts]] = {
    Request.Received: _request_received,
    Item.Registered: _item_registered,
}
# The last official who acted on it is responsible for the next step, except: an objection is
# not handling (002 Art 64(二) records it only to apportion responsibility), and after a
# transfer nobody in the receiving department has acted yet (`_transferred`).
_NOT_HANDLING: frozenset[type] = frozenset(
    (Request.ObjectionRecorded, Item.ObjectionRecorded, Request.Transferred)
)


@dataclass(frozen=True, slots=True)
class FoldRule:
    """How one event class changes the facts of its aggregate."""

    facts_class: type[ItemFacts] | type[RequestFacts]
    start: Callable[[Any], Facts] | None  # creation events: the first facts
    step: Step | None  # None: the event changes only who is responsible
    handles: bool  # its actor becomes responsible for the next step

    def fold(self, facts: Facts | None, event: Any) -> Facts:
        """Apply the event to the facts just before it (None before the creation event)."""
        if self.start is not None:
            return self.start(event)
        if facts is None:
            raise ValueError(f"{event.originator_id}: {type(event).__name__} before creation")
        if self.step is not None:
            self.step(facts, event)
        if self.handles:
            facts.official_id = event.actor.official_id
        facts.version = event.originator_version
        return facts


class _FoldRules(dict[type, FoldRule | None]):
    """Event class → its rule (None: not on the docket), worked out once per class."""

    def __missing__(self, event_class: type) -> FoldRule | None:
        rule = self[event_class] = _rule_for(event_class)
        return rule


def _rule_for(event_class: type) -> FoldRule | None:
    if issubclass(event_class, Request.Event):
        facts_class: type[ItemFacts] | type[RequestFacts] = RequestFacts
    elif issubclass(event_class, Item.Event):
        facts_class = ItemFacts
    else:
        return None  # number sequences and other aggregates are not on the docket
    return FoldRule(
        facts_class,
        _STARTS.get(event_class),
        _STEPS.get(event_class),
        event_class not in _NOT_HANDLING,
    )


FOLD_RULES = _FoldRules()
