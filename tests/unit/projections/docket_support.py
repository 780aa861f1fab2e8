"""Shared set-up for the docket and annual-review tests: officials, an applicant whose personal
data must never reach a read model, and a tiny projector that folds the application's
notification log into read models (standing in for the batched driver)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast
from uuid import UUID

from domain.application import GongkaiLedger
from domain.base import Actor, Approval, DomainEvent
from domain.codes import ApplicantType, RequestChannel, Role
from domain.disclosure_request import Applicant
from projections.store import ReadModel, SqlStore

ARXAN = "11152200ARXS"  # 20 + 20 working days (004 att.2 Art 6); items 20 from forming
ZHONGWEI = "640500ZW"  # 15 + 15 (002 Art 35(二)); items 10 from passing the review (002 Art 6)

OFFICE = Actor(official_id="office-wang", role=Role.DISCLOSURE_OFFICE, department="办公室")
HANDLER = Actor(official_id="handler-zhao", role=Role.DRAFTER, department="科技服务科")
PLANNER = Actor(official_id="planner-sun", role=Role.DRAFTER, department="规划科")
REVIEWER = Actor(
    official_id="reviewer-qian", role=Role.CONFIDENTIALITY_REVIEWER, department="保密办"
)
LEADER = Actor(official_id="leader-liu", role=Role.LEADER_IN_CHARGE, department="局领导")

APPLICANT = Applicant(
    applicant_type=ApplicantType.NATURAL_PERSON,
    name="李秀英",
    id_document="110101199001011234",
    address="北京市东城区某街1号",
    contact="13800000000",
)
DESCRIPTION = "申请公开李秀英所在村2025年科技特派员补助发放明细"
PERSONAL_DATA = (
    APPLICANT.name,
    APPLICANT.id_document,
    APPLICANT.address,
    APPLICANT.contact,
    DESCRIPTION,
)


def approval(on: date, approver: Actor = LEADER) -> Approval:
    return Approval(approver=approver, approved_on=on)


@dataclass
class Projector:
    """Folds new notifications into `models`, one transaction per `catch_up` like the driver's
    batch: through `handle_batch` where a model has one, unless `per_event`."""

    app: GongkaiLedger
    store: SqlStore
    models: Sequence[ReadModel]
    position: int = 0
    per_event: bool = False

    def __post_init__(self) -> None:
        with self.store.transaction() as tx:
            for model in self.models:
                model.create(tx)

    def pending(self) -> list[tuple[int, DomainEvent]]:
        notifications = self.app.recorder.select_notifications(
            start=self.position, limit=1_000_000, inclusive_of_start=False
        )
        return [
            (n.id, cast(DomainEvent, self.app.mapper.to_domain_event(n))) for n in notifications
        ]

    def catch_up(self, limit: int | None = None) -> int:
        """Process up to `limit` new events; returns how many were processed."""
        batch = self.pending()[:limit]
        with self.store.transaction() as tx:
            for model in self.models:
                handle_batch = getattr(model, "handle_batch", None)
                if handle_batch is not None and not self.per_event:
                    handle_batch(tx, [(event, notification_id) for notification_id, event in batch])
                    continue
                for notification_id, event in batch:
                    model.handle(tx, event, notification_id)
        if batch:
            self.position = batch[-1][0]
        return len(batch)


def receive(app: GongkaiLedger, agency: str, on: date, department: str = "科技服务科") -> UUID:
    """Receive and register a request in person (the Regulation Art 31: receipt = that day)."""
    request_id = app.receive_request(
        OFFICE,
        agency_code=agency,
        channel=RequestChannel.IN_PERSON,
        applicant=APPLICANT,
        description=DESCRIPTION,
        department=department,
        submitted_on=on,
    ).id
    app.register_request(request_id, OFFICE, on)
    return request_id


def table_text(store: SqlStore, *tables: str) -> str:
    with store.reading() as tx:
        return "\n".join(repr(tx.fetchall(f"SELECT * FROM {table} ORDER BY 1")) for table in tables)
