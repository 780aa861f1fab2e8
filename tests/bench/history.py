"""A large, realistic event history written straight into an application's event store.

Aggregates are scripted life cycles (published items, items withheld and reviewed in March,
requests from receipt to archive) built from the real domain event classes, encoded by the
application's mapper and inserted in big batches with `recorder.insert_events` — 1,000,000
events take seconds instead of the hours a million commands would. Life cycles interleave as in
a real log, and number sequences advance as the application would advance them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application

from domain.base import Actor, Approval, DomainEvent
from domain.codes import (
    AnnualReviewOutcome,
    ApplicantType,
    Attribute,
    Channel,
    ConsultationAnswer,
    DocumentType,
    NonDisclosureGround,
    Outcome,
    ReadingRoomMode,
    RequestChannel,
    ReviewConclusion,
    Role,
    ThirdPartyInterest,
    Validity,
)
from domain.disclosure_item import DisclosureItem as Item
from domain.disclosure_request import Applicant
from domain.disclosure_request import DisclosureRequest as Request
from domain.sequence import NumberSequence, sequence_id
from tests.bench.titles import DEPARTMENTS, THEMES, title

AGENCIES = ["005253103", "000014349", "640500ZW", "01527918X", "11152200ARXS"]
APPLICANT_NAMES = ["李秀英", "王建国", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]
ACTIVE_AGGREGATES = 2_000

# One (item or request) step: the event class and its fields beyond the envelope.
Step = tuple[type[DomainEvent], dict[str, Any]]


class HistoryGenerator:
    def __init__(self, seed: int = 1, start: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.now = start or datetime(2021, 1, 4, 9, tzinfo=UTC)
        self.sequences: dict[UUID, int] = {}
        self.actors = {
            role: [
                Actor(
                    official_id=f"{role.value}-{n:03d}",
                    role=role,
                    department=self.rng.choice(DEPARTMENTS),
                )
                for n in range(40)
            ]
            for role in Role
        }

    # ---- driving -----------------------------------------------------------------------------

    def events(self, count: int) -> Iterator[DomainEvent]:
        """`count` events of interleaved life cycles, in log order."""
        active = [self._life() for _ in range(ACTIVE_AGGREGATES)]
        produced = 0
        while produced < count:
            slot = self.rng.randrange(len(active))
            try:
                batch = next(active[slot])
            except StopIteration:
                active[slot] = self._life()
                continue
            self.now += timedelta(seconds=self.rng.randint(1, 90))
            for event in batch:
                yield event
                produced += 1

    def write(self, app: Application[Any], count: int, chunk: int = 20_000) -> int:
        """Insert `count` events (a few more to finish the last save) into `app`'s store."""
        to_stored = app.mapper.to_stored_event
        pending = []
        written = 0
        for event in self.events(count):
            pending.append(to_stored(event))  # type: ignore[arg-type]
            if len(pending) >= chunk:
                app.recorder.insert_events(pending)
                written += len(pending)
                pending = []
        if pending:
            app.recorder.insert_events(pending)
            written += len(pending)
        return written

    def _life(self) -> Iterator[list[DomainEvent]]:
        roll = self.rng.random()
        if roll < 0.62:
            return self._aggregate(self._published_item())
        if roll < 0.85:
            return self._aggregate(self._withheld_item())
        return self._aggregate(self._request())

    def _aggregate(self, steps: Iterator[Step | str]) -> Iterator[list[DomainEvent]]:
        """Number the steps of one aggregate; a string step takes a number from a sequence."""
        aggregate_id = uuid4()
        version = 0
        for step in steps:
            if isinstance(step, str):
                yield [self._take_number(step, aggregate_id)]
                continue
            cls, fields = step
            version += 1
            yield [
                cls(
                    originator_id=aggregate_id,
                    originator_version=version,
                    timestamp=self.now,
                    **fields,
                )
            ]

    def _take_number(self, key: str, taken_by: UUID) -> DomainEvent:
        kind, agency, year = key.split(":")
        seq = sequence_id(kind, agency, int(year))
        version = self.sequences.get(seq, 0)
        actor = self.actor(Role.DISCLOSURE_OFFICE)
        self.sequences[seq] = version + 1
        envelope = {"originator_id": seq, "timestamp": self.now, "actor": actor}
        if version == 0:
            self.sequences[seq] = 2
            return NumberSequence.Started(
                originator_version=1, kind=kind, agency_code=agency, year=int(year), **envelope
            )
        return NumberSequence.NumberTaken(
            originator_version=version + 1, number=version, taken_by=taken_by, **envelope
        )

    # ---- life cycles -------------------------------------------------------------------------

    def actor(self, role: Role) -> Actor:
        return self.rng.choice(self.actors[role])

    def today(self) -> date:
        return self.now.date()

    def step(self, cls: type[DomainEvent], role: Role, **fields: Any) -> Step:
        return cls, {"actor": self.actor(role), "on": self.today(), **fields}

    def approval(self) -> Approval:
        leader = self.actor(Role.LEADER_IN_CHARGE)
        collective = self.rng.random() < 0.1
        return Approval(
            approver=leader,
            approved_on=self.today(),
            collective=collective,
            meeting_ref="局党组会议 2021-07" if collective else "",
        )

    def _registered(self) -> tuple[Step, str, int]:
        agency = self.rng.choice(AGENCIES)
        year = self.today().year
        doc_type = self.rng.choices(
            [DocumentType.NORMATIVE, DocumentType.ORDINARY, DocumentType.LICENSING_DECISION],
            [2, 7, 1],
        )[0]
        return (
            self.step(
                Item.Registered,
                Role.DRAFTER,
                agency_code=agency,
                title=title(self.rng, year),
                document_number=f"发〔{year}〕{self.rng.randint(1, 400)}号",
                department=self.rng.choice(DEPARTMENTS),
                theme=self.rng.choice(THEMES),
                document_type=doc_type,
                summary="根据工作需要，现将有关事项通知如下。",
            ),
            agency,
            year,
        )

    def _publication(self, agency: str, year: int) -> Iterator[Step | str]:
        yield self.step(
            Item.ConfidentialityReviewed,
            Role.CONFIDENTIALITY_REVIEWER,
            conclusion=ReviewConclusion.PROACTIVE,
        )
        yield self.step(Item.Approved, Role.LEADER_IN_CHARGE, approval=self.approval())
        channels = tuple(self.rng.sample([Channel.PORTAL, Channel.GAZETTE, Channel.WECHAT], 2))
        yield self.step(
            Item.Published,
            Role.DISCLOSURE_OFFICE,
            channels=channels,
            url=f"https://gov.example.cn/{agency}/{self.rng.randrange(10**9)}.html",
        )
        yield f"index:{agency}:{year}"
        yield self.step(
            Item.CatalogueRegistered,
            Role.DISCLOSURE_OFFICE,
            index_number=f"{agency}/{year}-{self.rng.randrange(10**5):05d}",
        )

    def _published_item(self) -> Iterator[Step | str]:
        registered, agency, year = self._registered()
        yield registered
        yield self.step(Item.AttributeMarked, Role.DRAFTER, attribute=Attribute.PROACTIVE)
        yield self.step(
            Item.AttributeAudited,
            Role.DISCLOSURE_OFFICE,
            confirmed=True,
            attribute=Attribute.PROACTIVE,
        )
        yield from self._publication(agency, year)
        normative = registered[1]["document_type"] is DocumentType.NORMATIVE
        if normative and self.rng.random() < 0.6:
            yield self.step(
                Item.InterpretationLinked,
                Role.DISCLOSURE_OFFICE,
                interpretation_ref=f"https://gov.example.cn/jd/{self.rng.randrange(10**6)}",
            )
        if self.rng.random() < 0.5:
            yield self.step(
                Item.ReadingRoomTransferred, Role.DISCLOSURE_OFFICE, mode=ReadingRoomMode.ELECTRONIC
            )
        if self.rng.random() < 0.1:
            yield self.step(
                Item.Changed,
                Role.DRAFTER,
                description="根据上级文件调整有关条款",
                title=title(self.rng, year),
            )
            yield from self._publication(agency, year)
        if self.rng.random() < 0.05:
            yield self.step(
                Item.ValidityEnded,
                Role.LEADER_IN_CHARGE,
                validity=Validity.ABOLISHED,
                reason="已被新文件替代",
            )
        if self.rng.random() < 0.5:
            yield self.step(Item.Archived, Role.DISCLOSURE_OFFICE, archive_ref="WS-2021-1")

    def _withheld_item(self) -> Iterator[Step | str]:
        registered, agency, year = self._registered()
        yield registered
        attribute = self.rng.choice([Attribute.ON_REQUEST, Attribute.NOT_DISCLOSED])
        withheld = attribute is Attribute.NOT_DISCLOSED
        ground = NonDisclosureGround.PROCESS_INFORMATION if withheld else None
        reason = "属于过程性信息" if withheld else "涉及特定对象"
        yield self.step(
            Item.AttributeMarked,
            Role.DRAFTER,
            attribute=attribute,
            reason=reason,
            legal_ground=ground,
        )
        yield self.step(
            Item.AttributeAudited,
            Role.DISCLOSURE_OFFICE,
            confirmed=True,
            attribute=attribute,
            reason=reason,
            legal_ground=ground,
        )
        conclusion = ReviewConclusion.EXEMPT if withheld else ReviewConclusion.ON_REQUEST
        yield self.step(
            Item.ConfidentialityReviewed,
            Role.CONFIDENTIALITY_REVIEWER,
            conclusion=conclusion,
            reason=reason,
        )
        if self.rng.random() < 0.1:
            yield self.step(
                Item.ObjectionRecorded,
                Role.DRAFTER,
                objected_version=2,
                objection="本人认为应当主动公开",
            )
        if self.rng.random() < 0.3:
            reclassified = self.rng.random() < 0.5
            yield self.step(
                Item.AnnualReviewDecided,
                Role.DISCLOSURE_OFFICE,
                review_year=year + 1,
                outcome=AnnualReviewOutcome.RECLASSIFIED
                if reclassified
                else AnnualReviewOutcome.KEPT,
                reason="情况变化，应当公开" if reclassified else "仍属不予公开范围",
                approval=self.approval() if reclassified else None,
            )
            if reclassified:
                yield from self._publication(agency, year)
        if self.rng.random() < 0.5:
            yield self.step(Item.Archived, Role.DISCLOSURE_OFFICE, archive_ref="WS-2021-2")

    def _request(self) -> Iterator[Step | str]:
        agency = self.rng.choice(AGENCIES)
        applicant = Applicant(
            applicant_type=self.rng.choice(list(ApplicantType)),
            name=self.rng.choice(APPLICANT_NAMES),
            id_document="110101199001011234",
            address="某市某区某街1号",
            contact="13800000000",
        )
        yield self.step(
            Request.Received,
            Role.DISCLOSURE_OFFICE,
            agency_code=agency,
            channel=self.rng.choice(list(RequestChannel)),
            applicant=applicant,
            description="申请公开某项目的审批文件",
            department=self.rng.choice(DEPARTMENTS),
        )
        year = self.today().year
        yield f"request:{agency}:{year}"
        yield self.step(
            Request.Registered,
            Role.DISCLOSURE_OFFICE,
            registration_number=f"{agency}-申-{year}-{self.rng.randrange(10**5):05d}",
        )
        if self.rng.random() < 0.2:
            yield self.step(
                Request.CorrectionRequested,
                Role.DISCLOSURE_OFFICE,
                defects=("所需信息描述不明确",),
                due_on=self.today() + timedelta(days=20),
            )
            yield self.step(Request.Corrected, Role.DISCLOSURE_OFFICE)
        if self.rng.random() < 0.1:
            yield self.step(
                Request.ThirdPartyConsulted,
                Role.DISCLOSURE_OFFICE,
                third_party_ref="TP-1",
                interest=ThirdPartyInterest.COMMERCIAL_SECRET,
                answer_due_on=self.today() + timedelta(days=21),
            )
            yield self.step(
                Request.ThirdPartyAnswered,
                Role.DISCLOSURE_OFFICE,
                third_party_ref="TP-1",
                answer=ConsultationAnswer.AGREED,
            )
        if self.rng.random() < 0.1:
            yield self.step(
                Request.Extended,
                Role.DISCLOSURE_OFFICE,
                days=15,
                reason="需要调取档案",
                approval=self.approval(),
                notice_sent_on=self.today(),
            )
        if self.rng.random() < 0.03:
            yield self.step(
                Request.FeeNoticed,
                Role.DISCLOSURE_OFFICE,
                basis="per_page",
                count=40,
                amount=Decimal("100.00"),
                due_on=self.today() + timedelta(days=28),
            )
            yield self.step(Request.FeePaid, Role.DISCLOSURE_OFFICE)
        outcome = self.rng.choice(
            [
                Outcome.DISCLOSED,
                Outcome.PARTLY_DISCLOSED,
                Outcome.CANNOT_PROVIDE_NOT_HELD,
                Outcome.NOT_DISCLOSED_STATE_SECRET,
            ]
        )
        yield self.step(
            Request.Replied,
            Role.DISCLOSURE_OFFICE,
            outcome=outcome,
            legal_basis="《政府信息公开条例》第三十六条",
            reasons="经检索",
            remedy="可在六十日内申请行政复议或六个月内提起行政诉讼",
            holding_agency="某局" if outcome is Outcome.CANNOT_PROVIDE_NOT_HELD else "",
        )
        yield self.step(Request.Delivered, Role.DISCLOSURE_OFFICE, method="邮寄")
        if self.rng.random() < 0.5:
            yield self.step(Request.Archived, Role.DISCLOSURE_OFFICE, archive_ref="YSQ-2021")


def main(argv: list[str]) -> None:
    """`python -m tests.bench.history PATH EVENTS`: write a history into a new SQLite file."""
    from domain.application import GongkaiLedger

    path, events = argv
    app = GongkaiLedger.embedded(path)
    try:
        written = HistoryGenerator(seed=7).write(app, int(events))
    finally:
        app.close()
    print(f"{written:,} events written to {path}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
