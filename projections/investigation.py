"""Investigator queries (纪检监察, 004 att.3 Art 4, 8): who did what, when, on whose approval,
and what the ledger knew at any moment.

Everything is read from the event histories (`load_histories` reads the notification log once),
so an answer can always be checked against the stored events it names (aggregate id + version).
Investigators may see applicant data; the summaries here leave it out all the same — the case
file (`projections.case_file`) decides what to reveal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from domain.application import GongkaiLedger
from domain.base import Actor, Approval, DomainEvent
from domain.codes import Attribute
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest
from domain.evaluation_record import EvaluationRecord
from domain.sequence import NumberSequence
from projections.accountability import (
    CHINA,
    EventRef,
    Objection,
    agency_of,
    business_date,
    objections_in,
)

Item = DisclosureItem
Request = DisclosureRequest
BASE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "actor", "on"})
# The Regulation Art 29 / 004 att.2 Art 3-4: what an application says about its applicant.
PERSONAL_FIELDS = frozenset({"applicant", "description", "purpose", "requested_form"})
DECISIONS: tuple[type[DomainEvent], ...] = (
    Item.AttributeMarked,
    Item.AttributeAudited,
    Item.ConfidentialityReviewed,
    Item.CoIssuerDisagreementResolved,
    Item.Approved,
    Item.Published,
    Item.Changed,
    Item.ValidityEnded,
    Item.AnnualReviewDecided,
    Item.ExemptionLifted,
    Item.Archived,
    Request.CorrectionRequested,
    Request.PublicInterestOverridden,
    Request.Extended,
    Request.ExcessivenessAssessed,
    Request.FeeNoticed,
    Request.FeeWaived,
    Request.Transferred,
    Request.Referred,
    Request.Replied,
    Request.DeemedWithdrawn,
    Request.Archived,
)


def load_histories(
    app: GongkaiLedger, agency_code: str | None = None, page: int = 10_000
) -> dict[UUID, list[DomainEvent]]:
    """Every aggregate's events from the notification log, optionally one agency's only."""
    histories: dict[UUID, list[DomainEvent]] = {}
    position = 0
    while True:
        notifications = app.recorder.select_notifications(
            start=position, limit=page, inclusive_of_start=False
        )
        for notification in notifications:
            event = cast(DomainEvent, app.mapper.to_domain_event(notification))
            histories.setdefault(event.originator_id, []).append(event)
        if len(notifications) < page:
            break
        position = notifications[-1].id
    if agency_code is None:
        return histories
    return {key: events for key, events in histories.items() if owner(events) == agency_code}


def owner(events: Sequence[DomainEvent]) -> str | None:
    """The agency an aggregate belongs to (items, requests, reports, evaluation records)."""
    if events and isinstance(events[0], EvaluationRecord.Opened):
        return events[0].agency_code
    return agency_of(events)


def summary(event: DomainEvent) -> str:
    """`EventType: field=value, …` without the base fields or the applicant's data."""
    return describe(type(event).__name__, event.model_dump(mode="json"))


def describe(name: str, data: Mapping[str, Any]) -> str:
    """The summary of an event already dumped to JSON values (e.g. after redaction)."""
    parts = []
    for key, value in data.items():
        if key in BASE_FIELDS or key in PERSONAL_FIELDS or key == "event":
            continue
        if value in ("", None, [], {}, False):
            continue
        text = _approval_text(value) if key == "approval" else str(value)
        parts.append(f"{key}={text if len(text) <= 80 else text[:79] + '…'}")
    return f"{name}: {', '.join(parts)}" if parts else name


def _approval_text(approval: Mapping[str, Any]) -> str:
    approver = approval["approver"]
    text = f"{approver['official_id']} ({approver['role']}) {approval['approved_on']}"
    if approval.get("collective"):
        text += f", collective {approval['meeting_ref']} [{', '.join(approval['members'])}]"
    return text


def _kind(events: Sequence[DomainEvent]) -> str:
    first = events[0]
    if isinstance(first, Item.Registered):
        return "item"
    if isinstance(first, Request.Received):
        return "request"
    return type(first).__qualname__.split(".")[0]


# ---- everything one official did --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    ref: EventRef
    aggregate_type: str
    agency_code: str | None
    capacity: str  # acted | approved | collective_member | objected
    actor: Actor
    summary: str


def actions_of(
    histories: Mapping[UUID, Sequence[DomainEvent]], official_id: str, start: date, end: date
) -> list[Action]:
    """What `official_id` did between `start` and `end` (business dates, inclusive): the
    events they recorded, the approvals they gave, the collective decisions they sat in."""
    found = []
    for events in histories.values():
        if not events or isinstance(events[0], NumberSequence.Started):
            continue  # index and registration numbers: bookkeeping, not acts
        kind, agency = _kind(events), owner(events)
        for event in events:
            if not start <= business_date(event) <= end:
                continue
            capacity = _capacity(event, official_id)
            if capacity:
                ref = EventRef.of(event)
                found.append(Action(ref, kind, agency, capacity, event.actor, summary(event)))
    return sorted(found, key=lambda a: (a.ref.on or start, a.ref.recorded_at, a.ref.version))


def _capacity(event: DomainEvent, official_id: str) -> str | None:
    """How the official took part: gave the approval, recorded the event, or sat in the
    collective decision it carries (in that order)."""
    approval: Approval | None = getattr(event, "approval", None)
    if approval is not None and approval.approver.official_id == official_id:
        return "approved"
    if event.actor.official_id == official_id:
        objection = isinstance(event, (Item.ObjectionRecorded, Request.ObjectionRecorded))
        return "objected" if objection else "acted"
    if approval is not None and approval.collective and official_id in approval.members:
        return "collective_member"
    return None


# ---- every decision on an item or request, and who approved it ---------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    ref: EventRef
    actor: Actor
    summary: str
    approval: Approval | None
    approval_ref: EventRef | None  # the event recording the approval (the same one if inline)
    objections: tuple[Objection, ...]


def decisions_on(events: Sequence[DomainEvent]) -> list[Decision]:
    """Each decision in one history; a publication shows the approval it relied on."""
    objections = objections_in(events)
    decisions = []
    state: Any = None
    approval_ref: EventRef | None = None
    for event in events:
        ref = EventRef.of(event)
        inline: Approval | None = getattr(event, "approval", None)
        state = event.mutate(state)
        in_force: Approval | None = getattr(state, "approval", None)  # items keep one
        if in_force is None:
            approval_ref = None
        elif inline is in_force:
            approval_ref = ref
        if not isinstance(event, DECISIONS):
            continue
        shown, shown_ref = (inline, ref) if inline else (None, None)
        if isinstance(event, Item.Published):
            shown, shown_ref = in_force, approval_ref
        decisions.append(
            Decision(
                ref,
                event.actor,
                summary(event),
                shown,
                shown_ref,
                tuple(o for o in objections if o.objected_version == ref.version),
            )
        )
    return decisions


# ---- every item whose attribute changed ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttributeChange:
    item_id: UUID
    title: str
    ref: EventRef
    before: Attribute
    after: Attribute
    actor: Actor
    approval: Approval | None


def attribute_changes(
    histories: Mapping[UUID, Sequence[DomainEvent]], start: date, end: date
) -> list[AttributeChange]:
    """Items whose 公开属性 changed between `start` and `end`: re-marking, the office's
    correction (000 §一(三)3), March reclassification (002 Art 55), lifted exemption (004 att.6
    Art 12). The first marking is not a change."""
    found = []
    for events in histories.values():
        if not events or not isinstance(events[0], Item.Registered):
            continue
        item: Any = None
        for event in events:
            before = item.attribute if item is not None else None
            item = event.mutate(item)
            if (
                before is None
                or item.attribute == before
                or not start <= business_date(event) <= end
            ):
                continue
            found.append(
                AttributeChange(
                    item.id,
                    item.title,
                    EventRef.of(event),
                    before,
                    item.attribute,
                    event.actor,
                    getattr(event, "approval", None),
                )
            )
    return sorted(found, key=lambda c: (c.ref.on or start, str(c.item_id)))


# ---- what did they know, and when ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An item or request as it stood at `when`.

    `as_recorded`: what the ledger held at that moment (events recorded by then).
    `as_dated`: what the record says today about that day (events dated up to it).
    `recorded_later`: events dated on or before that day but recorded after `when` — what was
    added afterwards about the past.
    """

    when: datetime
    as_recorded: Any
    as_dated: Any
    known: tuple[EventRef, ...]
    recorded_later: tuple[EventRef, ...]


def as_it_stood(app: GongkaiLedger, aggregate_id: UUID, when: datetime) -> Snapshot:
    events = app.history(aggregate_id)
    day = when.astimezone(CHINA).date()
    dated: Any = None
    for event in events:
        if business_date(event) > day:
            break
        dated = event.mutate(dated)
    return Snapshot(
        when,
        app.state_as_of(aggregate_id, when),
        dated,
        _refs(e for e in events if e.timestamp <= when),
        _refs(e for e in events if e.timestamp > when and business_date(e) <= day),
    )


def _refs(events: Iterable[DomainEvent]) -> tuple[EventRef, ...]:
    return tuple(EventRef.of(e) for e in events)
