"""Shared set-up for the accountability tests: officials, a ledger with a simulated clock (so
record times can be chosen), ordinary histories built through commands, and irregular ones built
from hand-made events — the domain refuses those acts, so only an imported history holds them.

Working-day facts used below (chinesecalendar, 2025):
formed Mon 3 Mar + 20 wd = Mon 31 Mar; + 15 wd = Mon 24 Mar; reviewed Thu 20 Mar + 10 wd = Thu
3 Apr; 6 May + 20 wd = Wed 4 Jun (Dragon Boat, 31 May - 2 Jun); 2 Jun + 20 wd = Mon 30 Jun;
3 Nov + 20 wd = Mon 1 Dec.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from domain.application import GongkaiLedger
from domain.base import Actor, Approval, DomainEvent
from domain.codes import (
    ApplicantType,
    Attribute,
    Channel,
    DocumentType,
    ReadingRoomMode,
    RequestChannel,
    ReviewConclusion,
    Role,
)
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import Applicant
from projections.accountability import CHINA, Attribution, Kind, assess

ARXAN = "11152200ARXS"  # objection → no share (004 att.3 Art 6(二)); 20 wd (004 att.1 Art 10)
ZHONGWEI = "640500ZW"  # objection → reduced (002 Art 64(二)); 10 wd from review (002 Art 6)
KUANCHENG = "000014349"  # 20 wd (001 Art 5(三)); no reading room among its channels

HANDLER = Actor(official_id="handler-zhao", role=Role.DRAFTER, department="科技服务科")
OFFICE = Actor(official_id="office-wang", role=Role.DISCLOSURE_OFFICE, department="办公室")
REVIEWER = Actor(
    official_id="reviewer-qian", role=Role.CONFIDENTIALITY_REVIEWER, department="保密办"
)
LEADER = Actor(official_id="leader-liu", role=Role.LEADER_IN_CHARGE, department="局领导")
PRINCIPAL = Actor(official_id="principal-chen", role=Role.PRINCIPAL_LEADER, department="局领导")
INSPECTOR = Actor(official_id="inspector-he", role=Role.INVESTIGATOR, department="纪检监察组")

APPLICANT = Applicant(
    applicant_type=ApplicantType.NATURAL_PERSON,
    name="李秀英",
    id_document="110101199001011234",
    address="内蒙古阿尔山市某街1号",
    contact="13800000000",
)
DESCRIPTION = "申请公开李秀英所在村2025年草原补助发放明细"
PERSONAL_DATA = (APPLICANT.name, APPLICANT.id_document, APPLICANT.address, APPLICANT.contact)


def approval(on: date, approver: Actor = LEADER, **collective: Any) -> Approval:
    return Approval(approver=approver, approved_on=on, **collective)


def at(day: date, hour: int = 10) -> datetime:
    """A record time: `hour` o'clock in Beijing on `day`, in UTC."""
    return datetime.combine(day, time(hour), tzinfo=CHINA).astimezone(UTC)


class Clock:
    """The record-time clock: set to the business day before each command."""

    def __init__(self) -> None:
        self.now = at(date(2025, 1, 2))

    def __call__(self) -> datetime:
        return self.now

    def on(self, day: date, hour: int = 10) -> Clock:
        self.now = at(day, hour)
        return self


Ledger = GongkaiLedger  # the application service carries the evaluation verbs


def ledger() -> tuple[Ledger, Clock]:
    clock = Clock()
    return Ledger.in_memory(clock=clock), clock


def register(
    app: GongkaiLedger, clock: Clock, agency: str, formed: date, title: str = "草原补奖政策"
) -> UUID:
    clock.on(formed)
    return app.register_item(
        HANDLER,
        agency_code=agency,
        title=title,
        department=HANDLER.department,
        formed_on=formed,
        document_type=DocumentType.NORMATIVE,
    ).id


def publishable(
    app: GongkaiLedger,
    clock: Clock,
    agency: str,
    formed: date,
    reviewed: date | None = None,
    approved: date | None = None,
) -> UUID:
    """Registered, marked 主动公开, audited, reviewed and approved (002 Art 4, 8)."""
    item_id = register(app, clock, agency, formed)
    app.mark_attribute(item_id, HANDLER, formed, Attribute.PROACTIVE)
    app.audit_attribute(item_id, OFFICE, formed)
    reviewed = reviewed or formed
    clock.on(reviewed)
    app.review_confidentiality(item_id, REVIEWER, reviewed, ReviewConclusion.PROACTIVE)
    approved = approved or reviewed
    clock.on(approved)
    app.approve_item(item_id, LEADER, approved, approval(approved))
    return item_id


def publish(app: GongkaiLedger, clock: Clock, item_id: UUID, on: date) -> None:
    clock.on(on)
    app.publish_item(item_id, OFFICE, on, [Channel.PORTAL])


def transfer(app: GongkaiLedger, clock: Clock, item_id: UUID, on: date) -> None:
    clock.on(on)
    app.transfer_to_reading_room(item_id, OFFICE, on, ReadingRoomMode.ELECTRONIC)


def receive(app: GongkaiLedger, clock: Clock, agency: str, received: date) -> UUID:
    clock.on(received)
    request_id = app.receive_request(
        OFFICE,
        agency_code=agency,
        channel=RequestChannel.IN_PERSON,
        applicant=APPLICANT,
        description=DESCRIPTION,
        department=HANDLER.department,
        submitted_on=received,
    ).id
    app.register_request(request_id, OFFICE, received)
    return request_id


def event(
    cls: type[DomainEvent],
    aggregate_id: UUID,
    version: int,
    on: date,
    actor: Actor,
    recorded: datetime | None = None,
    **fields: Any,
) -> DomainEvent:
    """A hand-made event, as an imported history would carry it."""
    return cls(
        originator_id=aggregate_id,
        originator_version=version,
        timestamp=recorded or at(on),
        actor=actor,
        on=on,
        **fields,
    )


class History:
    """Appends hand-made events to one aggregate, numbering the versions."""

    def __init__(self, aggregate_id: UUID | None = None) -> None:
        self.id = aggregate_id or uuid4()
        self.events: list[DomainEvent] = []

    def add(self, cls: type[DomainEvent], on: date, actor: Actor, **fields: Any) -> int:
        version = len(self.events) + 1
        self.events.append(event(cls, self.id, version, on, actor, **fields))
        return version


def irregular_item(agency: str, formed: date) -> History:
    """Registered and marked 主动公开: the start of the hand-made item histories."""
    history = History()
    history.add(
        DisclosureItem.Registered,
        formed,
        HANDLER,
        agency_code=agency,
        title="违规公开的文件",
        department=HANDLER.department,
    )
    history.add(DisclosureItem.AttributeMarked, formed, HANDLER, attribute=Attribute.PROACTIVE)
    return history


def assessed(app: GongkaiLedger, aggregate_id: UUID, as_of: date) -> list[Attribution]:
    return assess(app.history(aggregate_id), app.policies, app.calendar, as_of)


def of_kind(attributions: Sequence[Attribution], kind: Kind) -> list[Attribution]:
    return [a for a in attributions if a.violation.kind is kind]


def only(attributions: Sequence[Attribution], kind: Kind) -> Attribution:
    found = of_kind(attributions, kind)
    assert len(found) == 1, [a.violation for a in attributions]
    return found[0]


def shares(attribution: Attribution) -> dict[str, str]:
    return {s.official_id: s.share.value for s in attribution.shares}


def versions(refs: Sequence[Any]) -> list[int]:
    return [r.version for r in refs]
