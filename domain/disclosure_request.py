"""A disclosure request (依申请公开): receive, register, correct, consult, extend, reply, deliver,
appeal, archive (002 Art 34; domain.md §3).

The statutory clock is computed from these events by `domain.request_clock`; the aggregate keeps
the facts the clock needs (receipt, correction, pauses, extension, agreed later date).
The applicant's personal details live only in `Received.applicant`: they never leave the
aggregate except to roles allowed to see them, and never appear in error messages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.base import (
    Actor,
    Approval,
    CreationEvent,
    DomainEvent,
    ObjectionEvent,
    RecordsObjections,
    require,
)
from domain.codes import (
    AppealResult,
    ApplicantType,
    ConsultationAnswer,
    FeeBasis,
    LitigationKind,
    Outcome,
    OutcomeGroup,
    RequestChannel,
    Role,
    ThirdPartyInterest,
)
from domain.errors import RuleViolation
from domain.fees import maximum_fee

TEXT = Field(min_length=1, max_length=4000, pattern=r"\S")  # not blank (002 Art 39)


class Applicant(BaseModel):
    """Personal data of the applicant (the Regulation Art 29; 004 att.2 Art 3-4)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applicant_type: ApplicantType
    name: str = Field(min_length=1, max_length=200)
    id_document: str = Field(default="", max_length=100)
    organisation: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    contact: str = Field(default="", max_length=200)
    authorisation_letter: bool = False


class Pause:
    """An interval in which the reply clock stops (002 Art 35(二); the Regulation Art 33)."""

    def __init__(self, kind: str, started_on: date, ref: str):
        self.kind = kind
        self.started_on = started_on
        self.ref = ref
        self.ended_on: date | None = None


class ThirdPartyConsultation:
    def __init__(
        self, ref: str, interest: ThirdPartyInterest, started_on: date, answer_due_on: date
    ):
        self.ref = ref
        self.interest = interest
        self.started_on = started_on
        self.answer_due_on = answer_due_on
        self.answer: ConsultationAnswer | None = None
        self.overridden = False


class Appeal:
    def __init__(self, kind: str, filed_on: date):
        self.kind = kind
        self.filed_on = filed_on
        self.result: AppealResult | None = None
        self.decided_on: date | None = None


class DisclosureRequest(RecordsObjections):
    agency_code: str
    channel: RequestChannel
    received_on: date
    applicant: Applicant
    description: str
    purpose: str
    requested_form: str
    department: str
    registration_number: str | None
    clock_start: date | None
    correction_requested_on: date | None
    correction_due_on: date | None
    correction_defects: tuple[str, ...]
    corrected_on: date | None
    pauses: list[Pause]
    third_parties: dict[str, ThirdPartyConsultation]
    agency_consultations: dict[str, ThirdPartyConsultation]
    extension_days: int
    extension_approval: Approval | None
    excessive_queried_on: date | None
    excessive_reasonable: bool | None
    agreed_due_on: date | None
    fee_amount: Decimal | None
    fee_due_on: date | None
    fee_settled: str | None
    transfers: list[tuple[str, str, date]]
    referred_to: str | None
    outcome: Outcome | None
    closed_on: date | None
    delivered_on: date | None
    reconsiderations: list[Appeal]
    litigations: list[Appeal]
    archived_on: date | None

    class Event(DomainEvent):
        on: date

    class Received(CreationEvent, Event):
        """`on` is the receipt date fixed by the Regulation Art 31 for the channel."""

        agency_code: str = Field(min_length=1, max_length=64)
        channel: RequestChannel
        applicant: Applicant
        description: str = TEXT
        purpose: str = Field(default="", max_length=2000)
        requested_form: str = Field(default="", max_length=200)
        department: str = Field(min_length=1, max_length=128)

        def apply(self, request: DisclosureRequest) -> None:
            request.agency_code = self.agency_code
            request.channel = self.channel
            request.received_on = self.on
            request.applicant = self.applicant
            request.description = self.description
            request.purpose = self.purpose
            request.requested_form = self.requested_form
            request.department = self.department
            request.registration_number = None
            request.clock_start = self.on
            request.correction_requested_on = None
            request.correction_due_on = None
            request.correction_defects = ()
            request.corrected_on = None
            request.pauses = []
            request.third_parties = {}
            request.agency_consultations = {}
            request.extension_days = 0
            request.extension_approval = None
            request.excessive_queried_on = None
            request.excessive_reasonable = None
            request.agreed_due_on = None
            request.fee_amount = None
            request.fee_due_on = None
            request.fee_settled = None
            request.transfers = []
            request.referred_to = None
            request.outcome = None
            request.closed_on = None
            request.delivered_on = None
            request.reconsiderations = []
            request.litigations = []
            request.archived_on = None
            request.objections = []

    class Registered(Event):
        """Registered and numbered on receipt (004 att.2 Art 9)."""

        registration_number: str = Field(min_length=1, max_length=100)

        def apply(self, request: DisclosureRequest) -> None:
            request.registration_number = self.registration_number

    class CorrectionRequested(Event):
        """One notice listing every defect (the Regulation Art 30; 004 att.2 Art 9(一))."""

        defects: tuple[str, ...] = Field(min_length=1)
        due_on: date

        def apply(self, request: DisclosureRequest) -> None:
            request.correction_requested_on = self.on
            request.correction_due_on = self.due_on
            request.correction_defects = self.defects
            request.clock_start = None  # the clock runs from the corrected application

    class Corrected(Event):
        def apply(self, request: DisclosureRequest) -> None:
            request.corrected_on = self.on
            request.clock_start = self.on

    class ThirdPartyConsulted(Event):
        """Written consultation of a third party (the Regulation Art 32; 002 Art 38)."""

        third_party_ref: str = Field(min_length=1, max_length=100)
        interest: ThirdPartyInterest
        answer_due_on: date

        def apply(self, request: DisclosureRequest) -> None:
            request.third_parties[self.third_party_ref] = ThirdPartyConsultation(
                self.third_party_ref, self.interest, self.on, self.answer_due_on
            )
            request.pauses.append(Pause("third_party", self.on, self.third_party_ref))

    class ThirdPartyAnswered(Event):
        third_party_ref: str
        answer: ConsultationAnswer

        def apply(self, request: DisclosureRequest) -> None:
            request.third_parties[self.third_party_ref].answer = self.answer
            request.end_pause("third_party", self.third_party_ref, self.on)

    class PublicInterestOverridden(Event):
        """Disclosed despite a third party's objection, with written notice to it
        (000 §二(三)3; the Regulation Art 32)."""

        third_party_ref: str
        reason: str = TEXT
        notice_sent_on: date
        approval: Approval

        def apply(self, request: DisclosureRequest) -> None:
            request.third_parties[self.third_party_ref].overridden = True

    class AgencyConsulted(Event):
        """Another agency consulted (the Regulation Art 33-34): the clock pauses."""

        agency: str = Field(min_length=1, max_length=200)
        answer_due_on: date

        def apply(self, request: DisclosureRequest) -> None:
            request.agency_consultations[self.agency] = ThirdPartyConsultation(
                self.agency, ThirdPartyInterest.COMMERCIAL_SECRET, self.on, self.answer_due_on
            )
            request.pauses.append(Pause("agency", self.on, self.agency))

    class AgencyAnswered(Event):
        agency: str
        answer: ConsultationAnswer

        def apply(self, request: DisclosureRequest) -> None:
            request.agency_consultations[self.agency].answer = self.answer
            request.end_pause("agency", self.agency, self.on)

    class Extended(Event):
        """One extension, approved by the head of the disclosure office, with notice to the
        applicant (the Regulation Art 33; 001 Art 5(五); 002 Art 35(二); 004 att.2 Art 6)."""

        days: int = Field(gt=0)
        reason: str = TEXT
        approval: Approval
        notice_sent_on: date

        def apply(self, request: DisclosureRequest) -> None:
            request.extension_days = self.days
            request.extension_approval = self.approval

    class ExcessivenessQueried(Event):
        """Applications beyond a reasonable number: the agency asks for reasons
        (the Regulation Art 35)."""

        reason: str = TEXT

        def apply(self, request: DisclosureRequest) -> None:
            request.excessive_queried_on = self.on

    class ExcessivenessAssessed(Event):
        reasonable: bool
        reason: str = TEXT
        agreed_due_on: date | None = None

        def apply(self, request: DisclosureRequest) -> None:
            request.excessive_reasonable = self.reasonable
            request.agreed_due_on = self.agreed_due_on

    class FeeNoticed(Event):
        """信息处理费 notice (the Regulation Art 42; 国办函〔2020〕109号). The clock pauses until
        payment."""

        basis: FeeBasis
        count: int = Field(gt=0, description="n-th application this month, or pages")
        amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
        due_on: date

        def apply(self, request: DisclosureRequest) -> None:
            request.fee_amount = self.amount
            request.fee_due_on = self.due_on
            request.pauses.append(Pause("fee", self.on, "fee"))

    class FeePaid(Event):
        def apply(self, request: DisclosureRequest) -> None:
            request.fee_settled = "paid"
            request.end_pause("fee", "fee", self.on)

    class FeeWaived(Event):
        """Hardship waiver, approved by the office's principal (002 Art 40)."""

        reason: str = TEXT
        approval: Approval

        def apply(self, request: DisclosureRequest) -> None:
            request.fee_settled = "waived"
            request.end_pause("fee", "fee", self.on)

    class Transferred(Event):
        """Hand-over between departments, same deadline (000 §一(五)4; 001 Art 13)."""

        to_department: str = Field(min_length=1, max_length=128)
        handover_record: str = TEXT

        def apply(self, request: DisclosureRequest) -> None:
            request.transfers.append((request.department, self.to_department, self.on))
            request.department = self.to_department

    class Referred(Event):
        """Not this agency's information: name the holder (the Regulation Art 36(五))."""

        holding_agency: str = Field(min_length=1, max_length=200)
        contact: str = Field(default="", max_length=200)

        def apply(self, request: DisclosureRequest) -> None:
            request.referred_to = self.holding_agency

    class Replied(Event):
        """The reply: legal basis, reasons and remedies are mandatory (002 Art 39)."""

        outcome: Outcome
        legal_basis: str = TEXT
        reasons: str = TEXT
        remedy: str = TEXT
        withheld_reasons: str = Field(default="", max_length=4000)
        location: str = Field(default="", max_length=1000)
        holding_agency: str = Field(default="", max_length=200)

        def apply(self, request: DisclosureRequest) -> None:
            request.outcome = self.outcome
            request.closed_on = self.on
            for pause in request.pauses:
                if pause.ended_on is None:
                    pause.ended_on = self.on

    class DeemedWithdrawn(Event):
        """No correction, or fee not paid, in time: the application is abandoned
        (the Regulation Art 30, 42); counted under 其他处理 1 or 2."""

        outcome: Outcome
        reason: str = TEXT

        def apply(self, request: DisclosureRequest) -> None:
            request.outcome = self.outcome
            request.closed_on = self.on
            request.fee_settled = request.fee_settled or (
                "lapsed" if self.outcome is Outcome.OTHER_FEE_UNPAID else None
            )
            for pause in request.pauses:
                if pause.ended_on is None:
                    pause.ended_on = self.on

    class Delivered(Event):
        method: str = Field(min_length=1, max_length=100)

        def apply(self, request: DisclosureRequest) -> None:
            request.delivered_on = self.on

    class ReconsiderationFiled(Event):
        body: str = Field(min_length=1, max_length=200)

        def apply(self, request: DisclosureRequest) -> None:
            request.reconsiderations.append(Appeal("reconsideration", self.on))

    class ReconsiderationDecided(Event):
        result: AppealResult

        def apply(self, request: DisclosureRequest) -> None:
            appeal = request.reconsiderations[-1]
            appeal.result = self.result
            appeal.decided_on = self.on

    class LitigationFiled(Event):
        kind: LitigationKind
        court: str = Field(min_length=1, max_length=200)

        def apply(self, request: DisclosureRequest) -> None:
            request.litigations.append(Appeal(self.kind.value, self.on))

    class LitigationDecided(Event):
        result: AppealResult

        def apply(self, request: DisclosureRequest) -> None:
            appeal = request.litigations[-1]
            appeal.result = self.result
            appeal.decided_on = self.on

    class Archived(Event):
        archive_ref: str = Field(default="", max_length=200)

        def apply(self, request: DisclosureRequest) -> None:
            request.archived_on = self.on

    class ObjectionRecorded(ObjectionEvent, Event):
        pass

    # ---- folding helpers -------------------------------------------------------------------

    def end_pause(self, kind: str, ref: str, on: date) -> None:
        for pause in self.pauses:
            if pause.kind == kind and pause.ref == ref and pause.ended_on is None:
                pause.ended_on = on

    # ---- queries ---------------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def awaiting_correction(self) -> bool:
        return self.correction_requested_on is not None and self.corrected_on is None

    @property
    def open_pauses(self) -> list[Pause]:
        return [p for p in self.pauses if p.ended_on is None]

    # ---- commands --------------------------------------------------------------------------

    def _check_open(self, command: str) -> None:
        require(
            self.archived_on is None,
            RuleViolation(
                "archived_request_is_closed",
                "002 Art 34",
                f"the request is archived; {command} is not allowed",
            ),
        )
        require(
            not self.is_closed,
            RuleViolation(
                "request_already_answered",
                "002 Art 34",
                f"the request has been answered; {command} is no longer possible",
            ),
        )

    def _check_not_before_receipt(self, on: date) -> None:
        require(
            on >= self.received_on,
            RuleViolation(
                "date_before_receipt",
                "the Regulation Art 31",
                f"the date cannot precede the receipt date {self.received_on}",
                "on",
            ),
        )

    def register(self, actor: Actor, on: date, registration_number: str) -> None:
        self._check_open("registration")
        self._check_not_before_receipt(on)
        require(
            self.registration_number is None,
            RuleViolation("register_once", "004 att.2 Art 9", "the request is already registered"),
        )
        self.trigger(self.Registered, actor=actor, on=on, registration_number=registration_number)

    def request_correction(
        self, actor: Actor, on: date, defects: tuple[str, ...], due_on: date
    ) -> None:
        self._check_open("a correction notice")
        self._check_not_before_receipt(on)
        # The Regulation Art 30: one notice, listing everything at once.
        require(
            self.correction_requested_on is None,
            RuleViolation(
                "one_correction_notice",
                "the Regulation Art 30; 004 att.2 Art 9(一)",
                "a correction is asked for once, listing every defect in one notice",
            ),
        )
        require(
            due_on > on,
            RuleViolation(
                "correction_period_reasonable",
                "the Regulation Art 30",
                "the correction period must end after the notice",
                "due_on",
            ),
        )
        self.trigger(self.CorrectionRequested, actor=actor, on=on, defects=defects, due_on=due_on)

    def record_correction(self, actor: Actor, on: date) -> None:
        self._check_open("recording a correction")
        require(
            self.awaiting_correction,
            RuleViolation(
                "correction_needs_notice",
                "the Regulation Art 30",
                "no correction notice is outstanding",
            ),
        )
        assert self.correction_requested_on is not None
        require(
            on >= self.correction_requested_on,
            RuleViolation(
                "date_before_notice",
                "the Regulation Art 30",
                "the correction cannot predate the notice",
                "on",
            ),
        )
        self.trigger(self.Corrected, actor=actor, on=on)

    def consult_third_party(
        self,
        actor: Actor,
        on: date,
        third_party_ref: str,
        interest: ThirdPartyInterest,
        answer_due_on: date,
    ) -> None:
        self._check_open("a third-party consultation")
        self._check_not_before_receipt(on)
        require(
            third_party_ref not in self.third_parties,
            RuleViolation(
                "consult_third_party_once",
                "the Regulation Art 32",
                "that third party is already consulted",
                "third_party_ref",
            ),
        )
        self.trigger(
            self.ThirdPartyConsulted,
            actor=actor,
            on=on,
            third_party_ref=third_party_ref,
            interest=interest,
            answer_due_on=answer_due_on,
        )

    def record_third_party_answer(
        self, actor: Actor, on: date, third_party_ref: str, answer: ConsultationAnswer
    ) -> None:
        consultation = self.third_parties.get(third_party_ref)
        require(
            consultation is not None and consultation.answer is None,
            RuleViolation(
                "answer_open_consultation",
                "the Regulation Art 32",
                "there is no open consultation of that third party",
                "third_party_ref",
            ),
        )
        assert consultation is not None
        if answer is ConsultationAnswer.SILENT:
            require(
                on > consultation.answer_due_on,
                RuleViolation(
                    "silence_only_after_window",
                    "the Regulation Art 32",
                    f"the third party has until {consultation.answer_due_on} to answer",
                    "on",
                ),
            )
        self.trigger(
            self.ThirdPartyAnswered,
            actor=actor,
            on=on,
            third_party_ref=third_party_ref,
            answer=answer,
        )

    def override_for_public_interest(
        self,
        actor: Actor,
        on: date,
        third_party_ref: str,
        reason: str,
        notice_sent_on: date,
        approval: Approval,
    ) -> None:
        self._check_open("a public-interest override")
        consultation = self.third_parties.get(third_party_ref)
        require(
            consultation is not None and consultation.answer is ConsultationAnswer.OBJECTED,
            RuleViolation(
                "override_needs_objection",
                "000 §二(三)3; the Regulation Art 32",
                "the public-interest override answers a third party's objection",
                "third_party_ref",
            ),
        )
        self.trigger(
            self.PublicInterestOverridden,
            actor=actor,
            on=on,
            third_party_ref=third_party_ref,
            reason=reason,
            notice_sent_on=notice_sent_on,
            approval=approval,
        )

    def consult_agency(self, actor: Actor, on: date, agency: str, answer_due_on: date) -> None:
        self._check_open("consulting another agency")
        self._check_not_before_receipt(on)
        require(
            agency not in self.agency_consultations,
            RuleViolation(
                "consult_agency_once",
                "the Regulation Art 34",
                "that agency is already consulted",
                "agency",
            ),
        )
        self.trigger(
            self.AgencyConsulted, actor=actor, on=on, agency=agency, answer_due_on=answer_due_on
        )

    def record_agency_answer(
        self, actor: Actor, on: date, agency: str, answer: ConsultationAnswer
    ) -> None:
        consultation = self.agency_consultations.get(agency)
        require(
            consultation is not None and consultation.answer is None,
            RuleViolation(
                "answer_open_consultation",
                "the Regulation Art 34",
                "there is no open consultation of that agency",
                "agency",
            ),
        )
        assert consultation is not None
        if answer is ConsultationAnswer.SILENT:
            # the Regulation Art 34: silence counts as consent only once the window has passed.
            require(
                on > consultation.answer_due_on,
                RuleViolation(
                    "silence_only_after_window",
                    "the Regulation Art 34",
                    f"the consulted agency has until {consultation.answer_due_on} to answer",
                    "on",
                ),
            )
        self.trigger(self.AgencyAnswered, actor=actor, on=on, agency=agency, answer=answer)

    def extend(
        self,
        actor: Actor,
        on: date,
        days: int,
        reason: str,
        approval: Approval,
        notice_sent_on: date,
        *,
        max_days: int,
        citation: str,
        due_on: date | None,
    ) -> None:
        self._check_open("an extension")
        require(
            self.extension_days == 0,
            RuleViolation("extend_once", citation, "the reply period is extended once at most"),
        )
        require(
            days <= max_days,
            RuleViolation(
                "extension_limit",
                citation,
                f"the extension is at most {max_days} working days",
                "days",
            ),
        )
        require(
            approval.approver.role
            in (Role.DISCLOSURE_OFFICE, Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER),
            RuleViolation(
                "extension_needs_office_head",
                citation,
                "an extension needs the approval of the head of the disclosure office",
                "approval",
            ),
        )
        require(
            due_on is None or on <= due_on,
            RuleViolation(
                "extend_before_due",
                citation,
                f"the extension must be decided within the period, which ended {due_on}",
                "on",
            ),
        )
        self.trigger(
            self.Extended,
            actor=actor,
            on=on,
            days=days,
            reason=reason,
            approval=approval,
            notice_sent_on=notice_sent_on,
        )

    def query_excessiveness(self, actor: Actor, on: date, reason: str) -> None:
        self._check_open("asking for reasons")
        self.trigger(self.ExcessivenessQueried, actor=actor, on=on, reason=reason)

    def assess_excessiveness(
        self, actor: Actor, on: date, reasonable: bool, reason: str, agreed_due_on: date | None
    ) -> None:
        self._check_open("assessing the reasons")
        require(
            self.excessive_queried_on is not None,
            RuleViolation(
                "assess_after_query",
                "the Regulation Art 35",
                "the agency first asks the applicant for reasons",
            ),
        )
        require(
            not (reasonable and agreed_due_on is None),
            RuleViolation(
                "reasonable_needs_later_date",
                "the Regulation Art 35",
                "a reasonable request that cannot be met in time gets a reasonable later date",
                "agreed_due_on",
            ),
        )
        self.trigger(
            self.ExcessivenessAssessed,
            actor=actor,
            on=on,
            reasonable=reasonable,
            reason=reason,
            agreed_due_on=agreed_due_on if reasonable else None,
        )

    def notice_fee(
        self, actor: Actor, on: date, basis: FeeBasis, count: int, amount: Decimal, due_on: date
    ) -> None:
        self._check_open("a fee notice")
        require(
            self.fee_amount is None,
            RuleViolation(
                "one_fee_notice",
                "the Regulation Art 42",
                "a fee is charged per application or per page, never both, in one notice",
            ),
        )
        ceiling = maximum_fee(basis, count)
        require(
            amount <= ceiling,
            RuleViolation(
                "fee_above_standard",
                "the Regulation Art 42; 004 att.3 Art 5(三)",
                f"the information-processing fee for {count} ({basis.value}) is at most {ceiling}",
                "amount",
            ),
        )
        self.trigger(
            self.FeeNoticed,
            actor=actor,
            on=on,
            basis=basis,
            count=count,
            amount=amount,
            due_on=due_on,
        )

    def _check_fee_outstanding(self) -> None:
        require(
            self.fee_amount is not None and self.fee_settled is None,
            RuleViolation(
                "fee_outstanding", "the Regulation Art 42", "no fee notice is outstanding"
            ),
        )

    def record_fee_payment(self, actor: Actor, on: date) -> None:
        self._check_open("recording a payment")
        self._check_fee_outstanding()
        self.trigger(self.FeePaid, actor=actor, on=on)

    def waive_fee(self, actor: Actor, on: date, reason: str, approval: Approval) -> None:
        self._check_open("waiving a fee")
        self._check_fee_outstanding()
        self.trigger(self.FeeWaived, actor=actor, on=on, reason=reason, approval=approval)

    def transfer(self, actor: Actor, on: date, to_department: str, handover_record: str) -> None:
        self._check_open("a transfer")
        require(
            to_department != self.department,
            RuleViolation(
                "transfer_to_other_department",
                "000 §一(五)4",
                "a transfer goes to another department",
                "to_department",
            ),
        )
        self.trigger(
            self.Transferred,
            actor=actor,
            on=on,
            to_department=to_department,
            handover_record=handover_record,
        )

    def refer(self, actor: Actor, on: date, holding_agency: str, contact: str = "") -> None:
        self._check_open("a referral")
        self.trigger(
            self.Referred, actor=actor, on=on, holding_agency=holding_agency, contact=contact
        )

    def reply(
        self,
        actor: Actor,
        on: date,
        outcome: Outcome,
        legal_basis: str,
        reasons: str,
        remedy: str,
        withheld_reasons: str = "",
        location: str = "",
        holding_agency: str = "",
    ) -> None:
        self._check_open("a reply")
        self._check_not_before_receipt(on)
        require(
            self.registration_number is not None,
            RuleViolation(
                "reply_after_registration",
                "004 att.2 Art 9",
                "the request is registered and numbered before it is answered",
            ),
        )
        self._check_outcome_preconditions(outcome, withheld_reasons, holding_agency)
        self.trigger(
            self.Replied,
            actor=actor,
            on=on,
            outcome=outcome,
            legal_basis=legal_basis,
            reasons=reasons,
            remedy=remedy,
            withheld_reasons=withheld_reasons,
            location=location,
            holding_agency=holding_agency or (self.referred_to or ""),
        )

    def _check_outcome_preconditions(
        self, outcome: Outcome, withheld_reasons: str, holding_agency: str
    ) -> None:
        require(
            outcome not in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID),
            RuleViolation(
                "abandonment_is_deemed_withdrawal",
                "the Regulation Art 30, 42",
                "an application abandoned for no correction or unpaid fee is recorded as "
                "deemed withdrawn, not as a reply",
                "outcome",
            ),
        )
        if outcome.group in (OutcomeGroup.DISCLOSED, OutcomeGroup.PARTLY_DISCLOSED):
            # A third party's part may be withheld and the rest disclosed (区分处理: 003 Art 6;
            # the Regulation Art 37), so an objection blocks only full disclosure.
            blocked = [
                ref
                for ref, c in self.third_parties.items()
                if c.answer is None
                or (
                    c.answer is ConsultationAnswer.OBJECTED
                    and not c.overridden
                    and outcome is Outcome.DISCLOSED
                )
            ]
            require(
                not blocked,
                RuleViolation(
                    "third_party_objection_blocks_disclosure",
                    "002 Art 38; 000 §二(三)3; the Regulation Art 32",
                    "a third party objected or has not yet answered; disclosure needs its "
                    "consent or a public-interest override",
                    "outcome",
                ),
            )
        if outcome is Outcome.PARTLY_DISCLOSED:
            require(
                bool(withheld_reasons.strip()),
                RuleViolation(
                    "partial_needs_withheld_reasons",
                    "the Regulation Art 37",
                    "partial disclosure states why the rest is withheld",
                    "withheld_reasons",
                ),
            )
        if outcome is Outcome.CANNOT_PROVIDE_NOT_HELD:
            require(
                bool(holding_agency.strip() or self.referred_to),
                RuleViolation(
                    "name_holding_agency",
                    "the Regulation Art 36(五); 002 Art 35(五)",
                    "name the agency that holds the information (or say it is unknown)",
                    "holding_agency",
                ),
            )
        if outcome is Outcome.CANNOT_PROVIDE_STILL_UNCLEAR:
            require(
                self.corrected_on is not None,
                RuleViolation(
                    "unclear_after_correction",
                    "004 att.2 Art 9(一)",
                    "'still unclear after correction' needs a correction on record",
                    "outcome",
                ),
            )
        if outcome is Outcome.NOT_PROCESSED_EXCESSIVE:
            require(
                self.excessive_reasonable is False,
                RuleViolation(
                    "excessive_needs_assessment",
                    "the Regulation Art 35",
                    "not processing as excessive needs the applicant's reasons assessed "
                    "as unreasonable",
                    "outcome",
                ),
            )

    def deem_withdrawn(self, actor: Actor, on: date, outcome: Outcome, reason: str) -> None:
        self._check_open("deeming the application withdrawn")
        if outcome is Outcome.OTHER_NO_CORRECTION:
            require(
                self.awaiting_correction
                and self.correction_due_on is not None
                and on > self.correction_due_on,
                RuleViolation(
                    "withdrawal_after_correction_period",
                    "the Regulation Art 30",
                    "an application counts as abandoned only once the correction period "
                    "has passed without a correction",
                    "on",
                ),
            )
        elif outcome is Outcome.OTHER_FEE_UNPAID:
            require(
                self.fee_amount is not None
                and self.fee_settled is None
                and self.fee_due_on is not None
                and on > self.fee_due_on,
                RuleViolation(
                    "withdrawal_after_fee_period",
                    "the Regulation Art 42 (local rule: 20 working days)",
                    "an application counts as abandoned only once the fee period has passed unpaid",
                    "on",
                ),
            )
        else:
            raise RuleViolation(
                "withdrawal_outcome",
                "national template 三(六)",
                "deemed withdrawal is counted as 其他处理 1 (no correction) or 2 (fee unpaid)",
                "outcome",
            )
        self.trigger(self.DeemedWithdrawn, actor=actor, on=on, outcome=outcome, reason=reason)

    def deliver(self, actor: Actor, on: date, method: str) -> None:
        require(
            self.closed_on is not None and self.delivered_on is None,
            RuleViolation(
                "deliver_after_reply",
                "002 Art 34",
                "the reply is delivered once, after it is made",
            ),
        )
        assert self.closed_on is not None
        require(
            on >= self.closed_on,
            RuleViolation(
                "date_before_reply", "002 Art 34", "delivery cannot predate the reply", "on"
            ),
        )
        self.trigger(self.Delivered, actor=actor, on=on, method=method)

    def file_reconsideration(self, actor: Actor, on: date, body: str) -> None:
        require(
            self.is_closed,
            RuleViolation(
                "appeal_after_reply",
                "the Regulation Art 51; 002 Art 41",
                "reconsideration is sought against a reply",
            ),
        )
        require(
            not self.reconsiderations or self.reconsiderations[-1].result is not None,
            RuleViolation(
                "one_open_reconsideration",
                "002 Art 41",
                "a reconsideration is already pending",
            ),
        )
        self.trigger(self.ReconsiderationFiled, actor=actor, on=on, body=body)

    def decide_reconsideration(self, actor: Actor, on: date, result: AppealResult) -> None:
        require(
            bool(self.reconsiderations) and self.reconsiderations[-1].result is None,
            RuleViolation(
                "decide_pending_reconsideration", "002 Art 41", "no reconsideration is pending"
            ),
        )
        self.trigger(self.ReconsiderationDecided, actor=actor, on=on, result=result)

    def file_litigation(self, actor: Actor, on: date, kind: LitigationKind, court: str) -> None:
        require(
            self.is_closed,
            RuleViolation(
                "appeal_after_reply",
                "the Regulation Art 51; 002 Art 41",
                "litigation is brought against a reply",
            ),
        )
        if kind is LitigationKind.AFTER_RECONSIDERATION:
            require(
                any(r.result is not None for r in self.reconsiderations),
                RuleViolation(
                    "litigation_after_reconsideration",
                    "004 att.9 Art 4(五)",
                    "a suit after reconsideration needs a decided reconsideration",
                    "kind",
                ),
            )
        require(
            not self.litigations or self.litigations[-1].result is not None,
            RuleViolation("one_open_litigation", "002 Art 41", "a suit is already pending"),
        )
        self.trigger(self.LitigationFiled, actor=actor, on=on, kind=kind, court=court)

    def decide_litigation(self, actor: Actor, on: date, result: AppealResult) -> None:
        require(
            bool(self.litigations) and self.litigations[-1].result is None,
            RuleViolation("decide_pending_litigation", "002 Art 41", "no suit is pending"),
        )
        self.trigger(self.LitigationDecided, actor=actor, on=on, result=result)

    def archive(self, actor: Actor, on: date, archive_ref: str = "") -> None:
        require(
            self.is_closed and self.archived_on is None,
            RuleViolation(
                "archive_after_reply",
                "002 Art 34",
                "a request is archived once, after it is answered (存档 is the last step)",
            ),
        )
        self.trigger(self.Archived, actor=actor, on=on, archive_ref=archive_ref)


DisclosureRequest.Received.aggregate_class = DisclosureRequest
