"""A disclosure item (政府信息): its life from drafting to archive (domain.md §2, §4).

Every command checks its rule, then records one past-tense event carrying the actor, the date
the act took effect (`on`), and the reason / legal basis / approval the rules need.

After archiving (归档, 000 §一(六)2) only these remain allowed, because the seeds still require
them of archived items: the annual March review and the lifting of a wrong or lapsed exemption
(002 Art 55; 004 att.6 Art 12), revocation / abolition (the catalogue must follow, 003 Art 14),
recording an objection (accountability, 002 Art 64), and — once an archived item has been
reclassified as proactive — the review, approval, publication and catalogue steps that publish it
(002 Art 56: "及时公开").
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

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
    LEADERS,
    AnnualReviewOutcome,
    Attribute,
    Channel,
    ConsultationAnswer,
    DocumentType,
    NonDisclosureGround,
    ReadingRoomMode,
    ReviewConclusion,
    Role,
    Validity,
)
from domain.errors import RuleViolation

NON_PUBLIC = frozenset({Attribute.ON_REQUEST, Attribute.NOT_DISCLOSED})
TEXT = Field(min_length=1, max_length=2000)


class CoIssuerConsultation:
    def __init__(self, co_issuer: str, asked_on: date, answer_due_on: date | None):
        self.co_issuer = co_issuer
        self.asked_on = asked_on
        self.answer_due_on = answer_due_on
        self.answer: ConsultationAnswer | None = None
        self.answered_on: date | None = None
        self.resolved = False  # an objection settled by the disclosure authority

    @property
    def blocks_publication(self) -> bool:
        if self.answer is None:
            return True
        return self.answer is ConsultationAnswer.OBJECTED and not self.resolved


class DisclosureItem(RecordsObjections):
    agency_code: str
    title: str
    document_number: str
    department: str
    formed_on: date
    theme: str
    document_type: DocumentType
    co_issuers: tuple[str, ...]
    summary: str
    attribute: Attribute | None
    attribute_reason: str
    attribute_ground: NonDisclosureGround | None
    non_public_marks: list[date]
    audited: bool
    review: ReviewConclusion | None
    reviewed_on: date | None
    redactions: tuple[str, ...]
    approval: Approval | None
    consultations: dict[str, CoIssuerConsultation]
    published_on: date | None
    channels: tuple[Channel, ...]
    url: str
    publication_due_from: date | None
    awaiting_publication: bool
    index_number: str | None
    catalogued_version: int
    content_version: int
    published_version: int
    validity: Validity
    validity_on: date | None
    interpretation_ref: str | None
    reading_room_transfers: list[tuple[ReadingRoomMode, date, str]]
    annual_reviews: dict[int, AnnualReviewOutcome]
    archived_on: date | None
    reopened_after_archiving: bool

    class Event(DomainEvent):
        on: date

    class Registered(CreationEvent, Event):
        agency_code: str = Field(min_length=1, max_length=64)
        title: str = Field(min_length=1, max_length=500)
        document_number: str = Field(default="", max_length=100)
        department: str = Field(min_length=1, max_length=128)
        theme: str = Field(default="", max_length=100)
        document_type: DocumentType = DocumentType.ORDINARY
        co_issuers: tuple[str, ...] = ()
        summary: str = Field(default="", max_length=2000)

        def apply(self, item: DisclosureItem) -> None:
            item.agency_code = self.agency_code
            item.title = self.title
            item.document_number = self.document_number
            item.department = self.department
            item.formed_on = self.on
            item.theme = self.theme
            item.document_type = self.document_type
            item.co_issuers = self.co_issuers
            item.summary = self.summary
            item.attribute = None
            item.attribute_reason = ""
            item.attribute_ground = None
            item.non_public_marks = []
            item.audited = False
            item.review = None
            item.reviewed_on = None
            item.redactions = ()
            item.approval = None
            item.consultations = {}
            item.published_on = None
            item.channels = ()
            item.url = ""
            item.publication_due_from = self.on
            item.awaiting_publication = False
            item.index_number = None
            item.catalogued_version = 0
            item.content_version = 1
            item.published_version = 0
            item.validity = Validity.IN_FORCE
            item.validity_on = None
            item.interpretation_ref = None
            item.reading_room_transfers = []
            item.annual_reviews = {}
            item.archived_on = None
            item.reopened_after_archiving = False
            item.objections = []

    class AttributeMarked(Event):
        attribute: Attribute
        reason: str = Field(default="", max_length=2000)
        legal_ground: NonDisclosureGround | None = None

        def apply(self, item: DisclosureItem) -> None:
            item.set_attribute(self.attribute, self.reason, self.legal_ground, self.on)
            item.audited = False

    class AttributeAudited(Event):
        """The disclosure office confirms or corrects the attribute (000 §一(三)3)."""

        confirmed: bool
        attribute: Attribute
        reason: str = Field(default="", max_length=2000)
        legal_ground: NonDisclosureGround | None = None

        def apply(self, item: DisclosureItem) -> None:
            item.set_attribute(self.attribute, self.reason, self.legal_ground, self.on)
            item.audited = True

    class ConfidentialityReviewed(Event):
        """保密审查 (002 Art 8; 004 att.6 Art 2, 5, 9, 10)."""

        conclusion: ReviewConclusion
        state_secret: bool = False
        commercial_secret: bool = False
        personal_privacy: bool = False
        endangers_stability: bool = False
        redactions: tuple[str, ...] = ()
        reason: str = Field(default="", max_length=2000)
        publication_clock_starts: bool = False

        def apply(self, item: DisclosureItem) -> None:
            item.review = self.conclusion
            item.reviewed_on = self.on
            item.redactions = self.redactions
            if self.publication_clock_starts:
                item.publication_due_from = self.on

    class CoIssuerConsulted(Event):
        co_issuer: str = Field(min_length=1, max_length=200)
        answer_due_on: date

        def apply(self, item: DisclosureItem) -> None:
            item.consultations[self.co_issuer] = CoIssuerConsultation(
                self.co_issuer, self.on, self.answer_due_on
            )

    class CoIssuerAnswered(Event):
        co_issuer: str
        answer: ConsultationAnswer
        reason: str = Field(default="", max_length=2000)

        def apply(self, item: DisclosureItem) -> None:
            consultation = item.consultations[self.co_issuer]
            consultation.answer = self.answer
            consultation.answered_on = self.on

    class CoIssuerDisagreementResolved(Event):
        """The disclosure authority settles a co-issuer's objection (004 att.7 Art 10)."""

        co_issuer: str
        reason: str = TEXT
        approval: Approval

        def apply(self, item: DisclosureItem) -> None:
            item.consultations[self.co_issuer].resolved = True

    class Approved(Event):
        """Sign-off by the leader in charge or signer (002 Art 4; 003 Art 12(二))."""

        approval: Approval

        def apply(self, item: DisclosureItem) -> None:
            item.approval = self.approval

    class Published(Event):
        channels: tuple[Channel, ...] = Field(min_length=1)
        url: str = Field(default="", max_length=1000)

        def apply(self, item: DisclosureItem) -> None:
            item.published_on = self.on
            item.channels = self.channels
            item.url = self.url
            item.published_version = item.content_version
            item.awaiting_publication = False

    class CatalogueRegistered(Event):
        """Registered in the 政府信息公开目录 after publication (003 Art 12(四))."""

        index_number: str

        def apply(self, item: DisclosureItem) -> None:
            item.index_number = self.index_number
            item.catalogued_version = item.content_version

    class Changed(Event):
        """A change restarts the publication clock (000 §二(三)2) and needs a new review."""

        description: str = TEXT
        title: str | None = Field(default=None, min_length=1, max_length=500)

        def apply(self, item: DisclosureItem) -> None:
            item.content_version += 1
            if self.title:
                item.title = self.title
            item.publication_due_from = self.on
            item.review = None
            item.approval = None
            item.redactions = ()
            item.awaiting_publication = item.attribute is Attribute.PROACTIVE

    class ValidityEnded(Event):
        """Revoked (撤销) or abolished (废止): the catalogue must follow (003 Art 14)."""

        validity: Validity
        reason: str = TEXT

        def apply(self, item: DisclosureItem) -> None:
            item.validity = self.validity
            item.validity_on = self.on

    class InterpretationLinked(Event):
        """政策解读 cross-linked with its normative document (004 att.4 §五; 002 Art 12-15)."""

        interpretation_ref: str = Field(min_length=1, max_length=1000)

        def apply(self, item: DisclosureItem) -> None:
            item.interpretation_ref = self.interpretation_ref

    class ReadingRoomTransferred(Event):
        """移送查阅场所 (002 Art 58-61)."""

        mode: ReadingRoomMode
        batch_ref: str = Field(default="", max_length=200)

        def apply(self, item: DisclosureItem) -> None:
            item.reading_room_transfers.append((self.mode, self.on, self.batch_ref))

    class AnnualReviewDecided(Event):
        """The March review of last year's non-public items (002 Art 55-56)."""

        review_year: int
        outcome: AnnualReviewOutcome
        reason: str = TEXT
        approval: Approval | None = None

        def apply(self, item: DisclosureItem) -> None:
            item.annual_reviews[self.review_year] = self.outcome
            if self.outcome is AnnualReviewOutcome.RECLASSIFIED:
                item.open_for_publication(self.on, self.approval)

    class ExemptionLifted(Event):
        """A wrong or lapsed exemption is opened (004 att.6 Art 12; expired secrets Art 8)."""

        reason: str = TEXT
        approval: Approval

        def apply(self, item: DisclosureItem) -> None:
            item.open_for_publication(self.on, self.approval)

    class Archived(Event):
        archive_ref: str = Field(default="", max_length=200)

        def apply(self, item: DisclosureItem) -> None:
            item.archived_on = self.on

    class ObjectionRecorded(ObjectionEvent, Event):
        pass

    # ---- folding helpers -------------------------------------------------------------------

    def set_attribute(
        self, attribute: Attribute, reason: str, ground: NonDisclosureGround | None, on: date
    ) -> None:
        self.attribute = attribute
        self.attribute_reason = reason
        self.attribute_ground = ground
        if attribute in NON_PUBLIC:
            self.non_public_marks.append(on)
        self.awaiting_publication = attribute is Attribute.PROACTIVE and not self.is_published

    def open_for_publication(self, on: date, approval: Approval | None) -> None:
        self.attribute = Attribute.PROACTIVE
        self.attribute_ground = None
        self.review = None  # 先审查、后公开: the reclassified item is reviewed again (002 Art 8)
        self.approval = approval
        self.publication_due_from = on
        self.awaiting_publication = True
        self.reopened_after_archiving = self.is_archived

    # ---- queries ---------------------------------------------------------------------------

    @property
    def is_published(self) -> bool:
        return self.published_version > 0

    @property
    def is_current_version_published(self) -> bool:
        return self.published_version == self.content_version

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    @property
    def opened_after_archiving(self) -> bool:
        return self.is_archived and self.reopened_after_archiving

    def marked_non_public_in(self, year: int) -> bool:
        return any(day.year == year for day in self.non_public_marks)

    # ---- commands --------------------------------------------------------------------------

    def _check_not_archived(self, command: str, publication_step: bool = False) -> None:
        allowed = publication_step and self.opened_after_archiving
        require(
            not self.is_archived or allowed,
            RuleViolation(
                "archived_item_is_closed",
                "000 §一(六)2",
                f"the item is archived; {command} is not allowed on an archived item",
            ),
        )

    def _check_on_or_after(self, on: date, earlier: date | None, what: str) -> None:
        require(
            earlier is None or on >= earlier,
            RuleViolation(
                "date_before_previous_step",
                "domain.md §2",
                f"{what} cannot predate {earlier}",
                "on",
            ),
        )

    def mark_attribute(
        self,
        actor: Actor,
        on: date,
        attribute: Attribute,
        reason: str = "",
        legal_ground: NonDisclosureGround | None = None,
    ) -> None:
        self._check_not_archived("marking the attribute")
        self._check_on_or_after(on, self.formed_on, "marking")
        self._check_non_disclosure_grounds(attribute, reason, legal_ground)
        self.trigger(
            self.AttributeMarked,
            actor=actor,
            on=on,
            attribute=attribute,
            reason=reason,
            legal_ground=legal_ground,
        )

    @staticmethod
    def _check_non_disclosure_grounds(
        attribute: Attribute, reason: str, legal_ground: NonDisclosureGround | None
    ) -> None:
        if attribute is Attribute.NOT_DISCLOSED:
            # 000 §一(三)2: non-disclosure is marked with its reason and legal ground.
            require(
                bool(reason.strip()),
                RuleViolation(
                    "non_disclosure_needs_reason",
                    "000 §一(三)2",
                    "marking 不予公开 requires the reason",
                    "reason",
                ),
            )
            require(
                legal_ground is not None,
                RuleViolation(
                    "non_disclosure_needs_legal_ground",
                    "000 §一(三)2",
                    "marking 不予公开 requires the legal ground",
                    "legal_ground",
                ),
            )

    def audit_attribute(
        self,
        actor: Actor,
        on: date,
        attribute: Attribute | None = None,
        reason: str = "",
        legal_ground: NonDisclosureGround | None = None,
    ) -> None:
        self._check_not_archived("auditing the attribute")
        require(
            self.attribute is not None,
            RuleViolation(
                "audit_needs_marked_attribute",
                "000 §一(三)3",
                "the office audits an attribute the drafter has marked; none is marked",
            ),
        )
        require(
            actor.role is Role.DISCLOSURE_OFFICE,
            RuleViolation(
                "audit_by_disclosure_office",
                "000 §一(三)3",
                "the attribute is audited by the disclosure office",
                "actor",
            ),
        )
        assert self.attribute is not None
        new_attribute = attribute or self.attribute
        if new_attribute is self.attribute:
            reason = reason or self.attribute_reason
            legal_ground = legal_ground or self.attribute_ground
        self._check_non_disclosure_grounds(new_attribute, reason, legal_ground)
        self.trigger(
            self.AttributeAudited,
            actor=actor,
            on=on,
            confirmed=(new_attribute, reason, legal_ground)
            == (self.attribute, self.attribute_reason, self.attribute_ground),
            attribute=new_attribute,
            reason=reason,
            legal_ground=legal_ground,
        )

    def review_confidentiality(
        self,
        actor: Actor,
        on: date,
        conclusion: ReviewConclusion,
        *,
        clock_starts_on_review: bool,
        state_secret: bool = False,
        commercial_secret: bool = False,
        personal_privacy: bool = False,
        endangers_stability: bool = False,
        redactions: tuple[str, ...] = (),
        reason: str = "",
    ) -> None:
        self._check_not_archived("the confidentiality review", publication_step=True)
        require(
            self.attribute is not None,
            RuleViolation(
                "review_needs_marked_attribute",
                "004 att.6 Art 9",
                "the attribute is marked when the document is drafted, before the review",
            ),
        )
        found_bar = state_secret or endangers_stability
        require(
            not (
                found_bar
                and conclusion in (ReviewConclusion.PROACTIVE, ReviewConclusion.ON_REQUEST)
            ),
            RuleViolation(
                "secret_cannot_be_disclosed",
                "004 att.6 Art 5",
                "a state secret or a danger to the three securities and one stability "
                "cannot be concluded disclosable",
                "conclusion",
            ),
        )
        require(
            not redactions
            or conclusion in (ReviewConclusion.PROACTIVE, ReviewConclusion.ON_REQUEST),
            RuleViolation(
                "redaction_only_for_partial_disclosure",
                "004 att.6 Art 10; 003 Art 6",
                "redactions go with a conclusion that discloses the rest",
                "redactions",
            ),
        )
        passed = conclusion is ReviewConclusion.PROACTIVE
        self.trigger(
            self.ConfidentialityReviewed,
            actor=actor,
            on=on,
            conclusion=conclusion,
            state_secret=state_secret,
            commercial_secret=commercial_secret,
            personal_privacy=personal_privacy,
            endangers_stability=endangers_stability,
            redactions=redactions,
            reason=reason,
            # 002 Art 6: Zhongwei counts its 10 working days from passing the review.
            publication_clock_starts=passed and clock_starts_on_review,
        )

    def consult_co_issuer(
        self, actor: Actor, on: date, co_issuer: str, answer_due_on: date
    ) -> None:
        self._check_not_archived("consulting a co-issuer", publication_step=True)
        require(
            co_issuer in self.co_issuers,
            RuleViolation(
                "consult_named_co_issuer",
                "004 att.7 Art 8",
                "only an agency named as co-issuer is consulted",
                "co_issuer",
            ),
        )
        self.trigger(
            self.CoIssuerConsulted,
            actor=actor,
            on=on,
            co_issuer=co_issuer,
            answer_due_on=answer_due_on,
        )

    def record_co_issuer_answer(
        self, actor: Actor, on: date, co_issuer: str, answer: ConsultationAnswer, reason: str = ""
    ) -> None:
        consultation = self.consultations.get(co_issuer)
        require(
            consultation is not None and consultation.answer is None,
            RuleViolation(
                "answer_open_consultation",
                "004 att.7 Art 9",
                "there is no open consultation of that co-issuer",
                "co_issuer",
            ),
        )
        assert consultation is not None
        if answer is ConsultationAnswer.SILENT:
            # 004 att.7 Art 9: silence counts as consent only once the 5 working days have passed.
            require(
                consultation.answer_due_on is None or on > consultation.answer_due_on,
                RuleViolation(
                    "silence_only_after_window",
                    "004 att.7 Art 9",
                    f"silence counts as consent only after {consultation.answer_due_on}",
                    "on",
                ),
            )
        self.trigger(
            self.CoIssuerAnswered,
            actor=actor,
            on=on,
            co_issuer=co_issuer,
            answer=answer,
            reason=reason,
        )

    def resolve_co_issuer_disagreement(
        self, actor: Actor, on: date, co_issuer: str, reason: str, approval: Approval
    ) -> None:
        consultation = self.consultations.get(co_issuer)
        require(
            consultation is not None
            and consultation.answer is ConsultationAnswer.OBJECTED
            and not consultation.resolved,
            RuleViolation(
                "resolve_only_objection",
                "004 att.7 Art 10",
                "only an unresolved co-issuer objection is settled",
                "co_issuer",
            ),
        )
        self.trigger(
            self.CoIssuerDisagreementResolved,
            actor=actor,
            on=on,
            co_issuer=co_issuer,
            reason=reason,
            approval=approval,
        )

    def approve(self, actor: Actor, on: date, approval: Approval) -> None:
        self._check_not_archived("approval", publication_step=True)
        require(
            approval.approver.role in LEADERS,
            RuleViolation(
                "approval_by_leader",
                "003 Art 12(二); 002 Art 4",
                "items are approved by the leader in charge or the signer",
                "approval",
            ),
        )
        require(
            self.review is ReviewConclusion.PROACTIVE,
            RuleViolation(
                "approval_after_review",
                "002 Art 8; 004 att.6 Art 3",
                "approval follows a confidentiality review concluding 主动公开 (先审查、后公开)",
            ),
        )
        self.trigger(self.Approved, actor=actor, on=on, approval=approval)

    def publish(self, actor: Actor, on: date, channels: tuple[Channel, ...], url: str = "") -> None:
        self._check_not_archived("publication", publication_step=True)
        require(
            self.validity is Validity.IN_FORCE,
            RuleViolation(
                "no_publication_after_revocation",
                "003 Art 14",
                "a revoked or abolished item is not published",
            ),
        )
        require(
            self.attribute is Attribute.PROACTIVE,
            RuleViolation(
                "publish_only_proactive",
                "000 §一(三)2; 002 Art 4",
                "only an item whose attribute is 主动公开 is published",
            ),
        )
        require(
            self.review is ReviewConclusion.PROACTIVE,
            RuleViolation(
                "publish_after_confidentiality_review",
                "002 Art 8; 001 Art 8",
                "no publication before a confidentiality review concluding 主动公开 "
                "(先审查、后公开; 未经审核的信息不准上网)",
            ),
        )
        require(
            self.approval is not None,
            RuleViolation(
                "publish_after_approval",
                "002 Art 4; 003 Art 12(二)",
                "no publication before the leader's approval",
            ),
        )
        blocking = sorted(c for c, s in self.consultations.items() if s.blocks_publication)
        missing = sorted(set(self.co_issuers) - set(self.consultations))
        require(
            not blocking and not missing,
            RuleViolation(
                "co_issuers_consulted",
                "004 att.7 Art 8-10; 002 Art 4",
                "co-issuers must be consulted and agree (silence after the window is consent) "
                f"before publication; outstanding: {', '.join(missing + blocking)}",
            ),
        )
        require(
            not self.is_current_version_published,
            RuleViolation(
                "already_published",
                "003 Art 12(四)",
                "this version of the item is already published",
            ),
        )
        self.trigger(self.Published, actor=actor, on=on, channels=channels, url=url)

    def register_in_catalogue(self, actor: Actor, on: date, index_number: str) -> None:
        self._check_not_archived("catalogue registration", publication_step=True)
        require(
            self.is_current_version_published,
            RuleViolation(
                "register_after_publication",
                "003 Art 12(四)",
                "an item is registered in the catalogue after it is published",
            ),
        )
        require(
            self.catalogued_version != self.content_version,
            RuleViolation(
                "already_catalogued",
                "003 Art 12(四)",
                "this version is already registered in the catalogue",
            ),
        )
        self.trigger(
            self.CatalogueRegistered,
            actor=actor,
            on=on,
            index_number=self.index_number or index_number,
        )

    def change(self, actor: Actor, on: date, description: str, title: str | None = None) -> None:
        self._check_not_archived("a change")
        require(
            self.validity is Validity.IN_FORCE,
            RuleViolation(
                "no_change_after_revocation",
                "003 Art 14",
                "a revoked or abolished item is not changed",
            ),
        )
        self.trigger(self.Changed, actor=actor, on=on, description=description, title=title)

    def end_validity(self, actor: Actor, on: date, validity: Validity, reason: str) -> None:
        require(
            validity is not Validity.IN_FORCE and self.validity is Validity.IN_FORCE,
            RuleViolation(
                "end_validity_once",
                "003 Art 14",
                "an item in force can be revoked or abolished once",
                "validity",
            ),
        )
        self.trigger(self.ValidityEnded, actor=actor, on=on, validity=validity, reason=reason)

    def link_interpretation(self, actor: Actor, on: date, interpretation_ref: str) -> None:
        self._check_not_archived("linking an interpretation", publication_step=True)
        require(
            self.document_type in (DocumentType.NORMATIVE, DocumentType.RULE),
            RuleViolation(
                "interpretation_for_normative_documents",
                "004 att.4 §五; 002 Art 12",
                "interpretations are linked to rules and normative documents",
            ),
        )
        require(
            self.is_published,
            RuleViolation(
                "interpretation_after_publication",
                "004 att.4 §五",
                "the interpretation follows the document's publication",
            ),
        )
        self.trigger(
            self.InterpretationLinked, actor=actor, on=on, interpretation_ref=interpretation_ref
        )

    def transfer_to_reading_room(
        self, actor: Actor, on: date, mode: ReadingRoomMode, batch_ref: str = ""
    ) -> None:
        self._check_not_archived("a reading-room transfer")
        require(
            self.is_published,
            RuleViolation(
                "transfer_published_items",
                "002 Art 58",
                "the reading room receives proactively published information",
            ),
        )
        self.trigger(
            self.ReadingRoomTransferred, actor=actor, on=on, mode=mode, batch_ref=batch_ref
        )

    def decide_annual_review(
        self,
        actor: Actor,
        on: date,
        outcome: AnnualReviewOutcome,
        reason: str,
        approval: Approval | None = None,
    ) -> None:
        # 002 Art 55: in year Y the items marked 依申请公开 / 不公开 during Y-1 are reviewed.
        review_year = on.year
        require(
            self.marked_non_public_in(review_year - 1),
            RuleViolation(
                "annual_review_scope",
                "002 Art 55",
                f"the {review_year} review covers items marked 依申请公开 or 不予公开 during "
                f"{review_year - 1}; this item was not",
            ),
        )
        require(
            self.attribute in NON_PUBLIC,
            RuleViolation(
                "annual_review_scope",
                "002 Art 55",
                "the item is already 主动公开; there is nothing to review",
            ),
        )
        require(
            review_year not in self.annual_reviews,
            RuleViolation(
                "annual_review_once",
                "002 Art 55",
                f"the {review_year} review decision for this item is already recorded",
            ),
        )
        if outcome is AnnualReviewOutcome.RECLASSIFIED:
            require(
                approval is not None and approval.approver.role is Role.LEADER_IN_CHARGE,
                RuleViolation(
                    "reclassification_needs_leader_approval",
                    "002 Art 55",
                    "reclassifying to 主动公开 needs the approval of the leader in charge",
                    "approval",
                ),
            )
        self.trigger(
            self.AnnualReviewDecided,
            actor=actor,
            on=on,
            review_year=review_year,
            outcome=outcome,
            reason=reason,
            approval=approval,
        )

    def lift_exemption(self, actor: Actor, on: date, reason: str, approval: Approval) -> None:
        require(
            self.attribute in NON_PUBLIC,
            RuleViolation(
                "lift_only_exempt_items",
                "004 att.6 Art 12",
                "only an item withheld from proactive disclosure can be opened",
            ),
        )
        require(
            approval.approver.role in LEADERS,
            RuleViolation(
                "lifting_needs_leader_approval",
                "004 att.6 Art 12",
                "opening an exempt item needs a leader's approval",
                "approval",
            ),
        )
        self.trigger(self.ExemptionLifted, actor=actor, on=on, reason=reason, approval=approval)

    def archive(self, actor: Actor, on: date, archive_ref: str = "") -> None:
        require(
            not self.is_archived,
            RuleViolation("archive_once", "000 §一(六)2", "the item is already archived"),
        )
        self.trigger(self.Archived, actor=actor, on=on, archive_ref=archive_ref)


DisclosureItem.Registered.aggregate_class = DisclosureItem
