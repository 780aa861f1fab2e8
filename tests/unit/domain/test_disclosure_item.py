"""The disclosure item's transitions and refusals, each test naming its seed article."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import (
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
from domain.disclosure_item import DisclosureItem
from domain.errors import NotFound, RuleViolation, StaleVersion, UnknownAgency
from tests.unit.domain.conftest import ZHENGZHOU, ZHONGWEI

FORMED = date(2025, 3, 3)


def register(app: GongkaiLedger, drafter: Actor, **overrides: object) -> UUID:
    fields: dict[str, object] = {
        "agency_code": ZHENGZHOU,
        "title": "关于印发工业发展规划的通知",
        "department": "规划处",
        "formed_on": FORMED,
        "document_number": "郑工信〔2025〕1号",
        "theme": "工业",
        "document_type": DocumentType.NORMATIVE,
    }
    fields.update(overrides)
    return app.register_item(drafter, **fields).id  # type: ignore[arg-type]


def ready_to_publish(
    app: GongkaiLedger, drafter: Actor, office: Actor, reviewer: Actor, leader: Actor, **kw: object
) -> UUID:
    item_id = register(app, drafter, **kw)
    app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
    app.audit_attribute(item_id, office, FORMED)
    app.review_confidentiality(item_id, reviewer, FORMED, ReviewConclusion.PROACTIVE)
    app.approve_item(item_id, leader, FORMED)
    return item_id


def refused(rule: str, call: object, *args: object, **kwargs: object) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.rule == rule, caught.value
    return caught.value


def withheld(app: GongkaiLedger, drafter: Actor, year: int = 2024) -> UUID:
    item_id = register(app, drafter, formed_on=date(year, 5, 6))
    app.mark_attribute(
        item_id,
        drafter,
        date(year, 5, 6),
        Attribute.NOT_DISCLOSED,
        reason="涉及内部人事安排",
        legal_ground=NonDisclosureGround.INTERNAL_AFFAIRS,
    )
    return item_id


class TestRegistration:
    def test_registered_item_keeps_what_the_drafting_form_says(self, app, drafter):
        """002 Art 4: the drafting section proposes; the item is formed with its facts."""
        item = app.get_item(register(app, drafter, co_issuers=["郑州市财政局"]))
        assert (item.title, item.department, item.formed_on) == (
            "关于印发工业发展规划的通知",
            "规划处",
            FORMED,
        )
        assert item.co_issuers == ("郑州市财政局",)
        assert item.attribute is None and item.version == 1

    def test_unknown_agency_is_refused_before_storing(self, app, drafter):
        """domain.md §5: policy is per agency; an agency without policy cannot act."""
        with pytest.raises(UnknownAgency):
            register(app, drafter, agency_code="nope")

    def test_unknown_item_is_not_found(self, app, drafter):
        with pytest.raises(NotFound):
            app.get_item(UUID(int=1))


class TestAttributeMarking:
    def test_marking_proactive(self, app, drafter):
        """000 §一(三)2: the attribute is marked on the drafting form."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        assert app.get_item(item_id).attribute is Attribute.PROACTIVE

    def test_non_disclosure_needs_reason(self, app, drafter):
        """000 §一(三)2: 不予公开 is marked with its reason."""
        item_id = register(app, drafter)
        error = refused(
            "non_disclosure_needs_reason",
            app.mark_attribute,
            item_id,
            drafter,
            FORMED,
            Attribute.NOT_DISCLOSED,
            legal_ground=NonDisclosureGround.STATE_SECRET,
        )
        assert error.citation == "000 §一(三)2" and error.field == "reason"

    def test_non_disclosure_needs_legal_ground(self, app, drafter):
        """000 §一(三)2: 不予公开 is marked with its legal ground."""
        item_id = register(app, drafter)
        error = refused(
            "non_disclosure_needs_legal_ground",
            app.mark_attribute,
            item_id,
            drafter,
            FORMED,
            Attribute.NOT_DISCLOSED,
            reason="涉密",
        )
        assert error.field == "legal_ground"
        assert app.get_item(item_id).version == 1  # nothing was stored

    def test_marking_before_forming_is_refused(self, app, drafter):
        """domain.md §2: each step follows the one before it."""
        item_id = register(app, drafter)
        refused(
            "date_before_previous_step",
            app.mark_attribute,
            item_id,
            drafter,
            date(2025, 1, 1),
            Attribute.PROACTIVE,
        )


class TestOfficeAudit:
    def test_office_confirms(self, app, drafter, office):
        """000 §一(三)3: the disclosure office audits the attribute."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        app.audit_attribute(item_id, office, FORMED)
        event = app.history(item_id)[-1]
        assert isinstance(event, DisclosureItem.AttributeAudited)
        assert event.confirmed and app.get_item(item_id).audited

    def test_office_corrects_with_grounds(self, app, drafter, office):
        """000 §一(三)3: the office may correct the attribute and the reason."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        app.audit_attribute(
            item_id,
            office,
            FORMED,
            Attribute.NOT_DISCLOSED,
            reason="过程性信息",
            legal_ground=NonDisclosureGround.PROCESS_INFORMATION,
        )
        event = app.history(item_id)[-1]
        assert isinstance(event, DisclosureItem.AttributeAudited) and not event.confirmed
        assert app.get_item(item_id).attribute is Attribute.NOT_DISCLOSED

    def test_correction_to_non_disclosure_needs_grounds(self, app, drafter, office):
        """000 §一(三)2-3: a correction to 不予公开 needs reason and ground too."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        refused(
            "non_disclosure_needs_reason",
            app.audit_attribute,
            item_id,
            office,
            FORMED,
            Attribute.NOT_DISCLOSED,
        )

    def test_audit_needs_a_marked_attribute(self, app, drafter, office):
        """000 §一(三)3: the office audits what the drafter marked."""
        refused(
            "audit_needs_marked_attribute",
            app.audit_attribute,
            register(app, drafter),
            office,
            FORMED,
        )

    def test_only_the_disclosure_office_audits(self, app, drafter):
        """000 §一(三)3."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        refused("audit_by_disclosure_office", app.audit_attribute, item_id, drafter, FORMED)


class TestConfidentialityReview:
    def test_review_needs_marked_attribute(self, app, drafter, reviewer):
        """004 att.6 Art 9: the attribute is stated when the document is drafted."""
        refused(
            "review_needs_marked_attribute",
            app.review_confidentiality,
            register(app, drafter),
            reviewer,
            FORMED,
            ReviewConclusion.PROACTIVE,
        )

    def test_state_secret_cannot_be_concluded_disclosable(self, app, drafter, reviewer):
        """004 att.6 Art 5: state secrets are not disclosed."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        refused(
            "secret_cannot_be_disclosed",
            app.review_confidentiality,
            item_id,
            reviewer,
            FORMED,
            ReviewConclusion.PROACTIVE,
            state_secret=True,
        )

    def test_redactions_go_with_partial_disclosure(self, app, drafter, reviewer):
        """004 att.6 Art 10; 003 Art 6: separable content is redacted, the rest disclosed."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        refused(
            "redaction_only_for_partial_disclosure",
            app.review_confidentiality,
            item_id,
            reviewer,
            FORMED,
            ReviewConclusion.EXEMPT,
            redactions=("附件二",),
        )
        app.review_confidentiality(
            item_id, reviewer, FORMED, ReviewConclusion.PROACTIVE, redactions=("附件二",)
        )
        assert app.get_item(item_id).redactions == ("附件二",)

    def test_refer_upward_is_recorded(self, app, drafter, reviewer):
        """004 att.6 Art 7, 9: unclear secrecy is referred upward (需报审)."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        app.review_confidentiality(item_id, reviewer, FORMED, ReviewConclusion.REFER_UPWARD)
        assert app.get_item(item_id).review is ReviewConclusion.REFER_UPWARD

    def test_zhongwei_clock_starts_when_review_passes(self, app, drafter, reviewer):
        """002 Art 6: 10 working days from passing the confidentiality review."""
        item_id = register(app, drafter, agency_code=ZHONGWEI)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        passed_on = date(2025, 3, 10)
        app.review_confidentiality(item_id, reviewer, passed_on, ReviewConclusion.PROACTIVE)
        assert app.get_item(item_id).publication_due_from == passed_on


class TestApprovalAndPublication:
    def test_full_path_publishes_and_catalogues(self, app, drafter, office, reviewer, leader):
        """003 Art 12(四): publish, then register in the catalogue with an index number."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        app.publish_item(item_id, office, date(2025, 3, 5), [Channel.PORTAL], "https://x/1")
        app.register_in_catalogue(item_id, office, date(2025, 3, 5))
        item = app.get_item(item_id)
        assert item.published_on == date(2025, 3, 5)
        assert item.index_number == "005253103/2025-00001"

    def test_index_numbers_are_sequential_per_agency_and_year(
        self, app, drafter, office, reviewer, leader
    ):
        """domain.md §8: index numbers from the agency's pattern; never reused."""
        numbers = []
        for _ in range(3):
            item_id = ready_to_publish(app, drafter, office, reviewer, leader)
            app.publish_item(item_id, office, date(2025, 3, 5), [Channel.PORTAL])
            app.register_in_catalogue(item_id, office, date(2025, 3, 5))
            numbers.append(app.get_item(item_id).index_number)
        assert numbers == [f"005253103/2025-0000{n}" for n in (1, 2, 3)]

    def test_approval_only_by_a_leader(self, app, drafter, office, reviewer):
        """003 Art 12(二); 002 Art 4: the leader in charge or the signer approves."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        app.review_confidentiality(item_id, reviewer, FORMED, ReviewConclusion.PROACTIVE)
        refused("approval_by_leader", app.approve_item, item_id, office, FORMED)

    def test_approval_follows_review(self, app, drafter, leader):
        """002 Art 8: 先审查、后公开."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        refused("approval_after_review", app.approve_item, item_id, leader, FORMED)

    def test_publishing_without_review_is_refused(self, app, drafter, office):
        """002 Art 8; 001 Art 8: no unreviewed information goes online."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        error = refused(
            "publish_after_confidentiality_review",
            app.publish_item,
            item_id,
            office,
            FORMED,
            [Channel.PORTAL],
        )
        assert error.citation == "002 Art 8; 001 Art 8"

    def test_publishing_without_approval_is_refused(self, app, drafter, office, reviewer):
        """002 Art 4; 003 Art 12(二)."""
        item_id = register(app, drafter)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE)
        app.review_confidentiality(item_id, reviewer, FORMED, ReviewConclusion.PROACTIVE)
        refused(
            "publish_after_approval", app.publish_item, item_id, office, FORMED, [Channel.PORTAL]
        )

    def test_publishing_a_non_proactive_item_is_refused(self, app, drafter, office):
        """000 §一(三)2: only 主动公开 items are published proactively."""
        item_id = withheld(app, drafter, 2025)
        refused(
            "publish_only_proactive", app.publish_item, item_id, office, FORMED, [Channel.PORTAL]
        )

    def test_publishing_needs_a_channel(self, app, drafter, office, reviewer, leader):
        """003 Art 12(四): published on one or more channels."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        with pytest.raises(ValueError, match="channels"):
            app.publish_item(item_id, office, FORMED, [])

    def test_publishing_twice_is_refused(self, app, drafter, office, reviewer, leader):
        """003 Art 12(四)."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        refused("already_published", app.publish_item, item_id, office, FORMED, [Channel.PORTAL])

    def test_catalogue_registration_follows_publication(
        self, app, drafter, office, reviewer, leader
    ):
        """003 Art 12(四): publish first, then register."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        refused("register_after_publication", app.register_in_catalogue, item_id, office, FORMED)
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        app.register_in_catalogue(item_id, office, FORMED)
        refused("already_catalogued", app.register_in_catalogue, item_id, office, FORMED)


class TestCoIssuers:
    def test_publication_waits_for_co_issuers(self, app, drafter, office, reviewer, leader):
        """004 att.7 Art 8-9: co-issuers are consulted before publication."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader, co_issuers=["财政局"])
        refused("co_issuers_consulted", app.publish_item, item_id, office, FORMED, [Channel.PORTAL])
        app.consult_co_issuer(item_id, office, FORMED, "财政局")
        refused("co_issuers_consulted", app.publish_item, item_id, office, FORMED, [Channel.PORTAL])
        app.record_co_issuer_answer(
            item_id, office, date(2025, 3, 5), "财政局", ConsultationAnswer.AGREED
        )
        app.publish_item(item_id, office, date(2025, 3, 6), [Channel.PORTAL])

    def test_silence_is_consent_only_after_five_working_days(
        self, app, drafter, office, reviewer, leader
    ):
        """004 att.7 Art 9: silence after 5 working days counts as consent."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader, co_issuers=["财政局"])
        app.consult_co_issuer(item_id, office, date(2025, 3, 3), "财政局")  # due Mon 10 March
        refused(
            "silence_only_after_window",
            app.record_co_issuer_answer,
            item_id,
            office,
            date(2025, 3, 10),
            "财政局",
            ConsultationAnswer.SILENT,
        )
        app.record_co_issuer_answer(
            item_id, office, date(2025, 3, 11), "财政局", ConsultationAnswer.SILENT
        )
        app.publish_item(item_id, office, date(2025, 3, 11), [Channel.PORTAL])

    def test_objection_blocks_until_resolved(self, app, drafter, office, reviewer, leader):
        """004 att.7 Art 10: a disagreement goes to the disclosure authority."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader, co_issuers=["财政局"])
        app.consult_co_issuer(item_id, office, FORMED, "财政局")
        app.record_co_issuer_answer(item_id, office, FORMED, "财政局", ConsultationAnswer.OBJECTED)
        refused("co_issuers_consulted", app.publish_item, item_id, office, FORMED, [Channel.PORTAL])
        authority = Approval(approver=leader, approved_on=FORMED)
        app.resolve_co_issuer_disagreement(
            item_id, office, FORMED, "财政局", "经协调同意公开", authority
        )
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])

    def test_only_named_co_issuers_are_consulted(self, app, drafter, office):
        """004 att.7 Art 8."""
        refused(
            "consult_named_co_issuer",
            app.consult_co_issuer,
            register(app, drafter),
            office,
            FORMED,
            "某局",
        )

    def test_only_an_objection_is_resolved(self, app, drafter, office, leader):
        """004 att.7 Art 10."""
        item_id = register(app, drafter, co_issuers=["财政局"])
        refused(
            "resolve_only_objection",
            app.resolve_co_issuer_disagreement,
            item_id,
            office,
            FORMED,
            "财政局",
            "x",
            Approval(approver=leader, approved_on=FORMED),
        )

    def test_answer_needs_an_open_consultation(self, app, drafter, office):
        """004 att.7 Art 9."""
        item_id = register(app, drafter, co_issuers=["财政局"])
        refused(
            "answer_open_consultation",
            app.record_co_issuer_answer,
            item_id,
            office,
            FORMED,
            "财政局",
            ConsultationAnswer.AGREED,
        )


class TestChangeAndValidity:
    def test_change_restarts_clock_and_needs_new_review(
        self, app, drafter, office, reviewer, leader
    ):
        """000 §二(三)2: 20 working days from forming *or changing*; 002 Art 8: reviewed again."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        app.change_item(
            item_id, drafter, date(2025, 4, 1), "修订第三条", title="关于印发规划（修订）的通知"
        )
        item = app.get_item(item_id)
        assert item.publication_due_from == date(2025, 4, 1)
        assert item.title.endswith("（修订）的通知") and item.awaiting_publication
        refused(
            "publish_after_confidentiality_review",
            app.publish_item,
            item_id,
            office,
            date(2025, 4, 2),
            [Channel.PORTAL],
        )
        app.review_confidentiality(item_id, reviewer, date(2025, 4, 2), ReviewConclusion.PROACTIVE)
        app.approve_item(item_id, leader, date(2025, 4, 2))
        app.publish_item(item_id, office, date(2025, 4, 3), [Channel.PORTAL])
        assert app.get_item(item_id).is_current_version_published

    def test_revocation_stops_publication_and_changes(self, app, drafter, office, reviewer, leader):
        """003 Art 14: a revoked or abolished item leaves the catalogue and is not changed."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        app.end_item_validity(item_id, leader, FORMED, Validity.ABOLISHED, "被新规划替代")
        refused(
            "no_publication_after_revocation",
            app.publish_item,
            item_id,
            office,
            FORMED,
            [Channel.PORTAL],
        )
        refused("no_change_after_revocation", app.change_item, item_id, drafter, FORMED, "x")
        refused(
            "end_validity_once",
            app.end_item_validity,
            item_id,
            leader,
            FORMED,
            Validity.REVOKED,
            "x",
        )

    def test_in_force_is_not_an_ending(self, app, drafter, leader):
        """003 Art 14."""
        refused(
            "end_validity_once",
            app.end_item_validity,
            register(app, drafter),
            leader,
            FORMED,
            Validity.IN_FORCE,
            "x",
        )


class TestInterpretationAndReadingRoom:
    def test_interpretation_linked_to_published_normative_document(
        self, app, drafter, office, reviewer, leader
    ):
        """004 att.4 §五; 002 Art 12: normative documents get an interpretation, cross-linked."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        refused(
            "interpretation_after_publication",
            app.link_interpretation,
            item_id,
            office,
            FORMED,
            "jd-1",
        )
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        app.link_interpretation(item_id, office, FORMED, "jd-1")
        assert app.get_item(item_id).interpretation_ref == "jd-1"

    def test_interpretation_only_for_normative_documents(
        self, app, drafter, office, reviewer, leader
    ):
        """004 att.4 §五."""
        item_id = ready_to_publish(
            app, drafter, office, reviewer, leader, document_type=DocumentType.ORDINARY
        )
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        refused(
            "interpretation_for_normative_documents",
            app.link_interpretation,
            item_id,
            office,
            FORMED,
            "jd",
        )

    def test_reading_room_receives_published_items(self, app, drafter, office, reviewer, leader):
        """002 Art 58-59: electronic copies and monthly paper batches."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        refused(
            "transfer_published_items",
            app.transfer_to_reading_room,
            item_id,
            office,
            FORMED,
            ReadingRoomMode.ELECTRONIC,
        )
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        app.transfer_to_reading_room(item_id, office, FORMED, ReadingRoomMode.ELECTRONIC)
        app.transfer_to_reading_room(
            item_id, office, date(2025, 4, 10), ReadingRoomMode.PAPER_BATCH, "2025-03"
        )
        assert len(app.get_item(item_id).reading_room_transfers) == 2


class TestAnnualReview:
    def test_reclassified_with_leader_approval_then_published(
        self, app, drafter, office, reviewer, leader
    ):
        """002 Art 55-56: reclassified to 主动公开 on the leader's approval, then published."""
        item_id = withheld(app, drafter, 2024)
        approval = Approval(approver=leader, approved_on=date(2025, 3, 20))
        app.decide_annual_review(
            item_id,
            office,
            date(2025, 3, 20),
            AnnualReviewOutcome.RECLASSIFIED,
            "情况已变化",
            approval,
        )
        item = app.get_item(item_id)
        assert item.attribute is Attribute.PROACTIVE and item.annual_reviews == {
            2025: AnnualReviewOutcome.RECLASSIFIED
        }
        app.review_confidentiality(item_id, reviewer, date(2025, 3, 21), ReviewConclusion.PROACTIVE)
        app.publish_item(item_id, office, date(2025, 3, 24), [Channel.PORTAL])

    def test_kept_with_reason(self, app, drafter, office):
        """002 Art 55: each decision — kept too — is recorded with its reason."""
        item_id = withheld(app, drafter, 2024)
        app.decide_annual_review(
            item_id, office, date(2025, 3, 10), AnnualReviewOutcome.KEPT, "仍属内部事务"
        )
        assert app.get_item(item_id).attribute is Attribute.NOT_DISCLOSED

    def test_item_not_marked_last_year_is_out_of_scope(self, app, drafter, office, leader):
        """002 Art 55: only items marked 依申请公开/不公开 during the previous year."""
        item_id = withheld(app, drafter, 2023)
        approval = Approval(approver=leader, approved_on=date(2025, 3, 20))
        error = refused(
            "annual_review_scope",
            app.decide_annual_review,
            item_id,
            office,
            date(2025, 3, 20),
            AnnualReviewOutcome.RECLASSIFIED,
            "x",
            approval,
        )
        assert error.citation == "002 Art 55"

    def test_proactive_item_is_out_of_scope(self, app, drafter, office):
        """002 Art 55."""
        item_id = register(app, drafter, formed_on=date(2024, 6, 3))
        app.mark_attribute(item_id, drafter, date(2024, 6, 3), Attribute.PROACTIVE)
        refused(
            "annual_review_scope",
            app.decide_annual_review,
            item_id,
            office,
            date(2025, 3, 3),
            AnnualReviewOutcome.KEPT,
            "x",
        )

    def test_reclassification_needs_leader_in_charge(self, app, drafter, office):
        """002 Art 55: 报局政务公开工作分管领导审核后."""
        item_id = withheld(app, drafter, 2024)
        refused(
            "reclassification_needs_leader_approval",
            app.decide_annual_review,
            item_id,
            office,
            date(2025, 3, 3),
            AnnualReviewOutcome.RECLASSIFIED,
            "x",
            Approval(approver=office, approved_on=date(2025, 3, 3)),
        )

    def test_one_decision_per_year(self, app, drafter, office):
        """002 Art 55."""
        item_id = withheld(app, drafter, 2024)
        app.decide_annual_review(item_id, office, date(2025, 3, 3), AnnualReviewOutcome.KEPT, "x")
        refused(
            "annual_review_once",
            app.decide_annual_review,
            item_id,
            office,
            date(2025, 3, 4),
            AnnualReviewOutcome.KEPT,
            "y",
        )

    def test_exemption_lifted_outside_march(self, app, drafter, office, leader):
        """004 att.6 Art 12: a wrong or lapsed exemption is opened at any time."""
        item_id = withheld(app, drafter, 2025)
        app.lift_exemption(
            item_id,
            office,
            date(2025, 9, 1),
            "情况变化",
            Approval(approver=leader, approved_on=date(2025, 9, 1)),
        )
        assert app.get_item(item_id).attribute is Attribute.PROACTIVE
        refused(
            "lift_only_exempt_items",
            app.lift_exemption,
            item_id,
            office,
            date(2025, 9, 2),
            "x",
            Approval(approver=leader, approved_on=date(2025, 9, 2)),
        )

    def test_lifting_needs_a_leader(self, app, drafter, office):
        """004 att.6 Art 12."""
        refused(
            "lifting_needs_leader_approval",
            app.lift_exemption,
            withheld(app, drafter, 2025),
            office,
            date(2025, 9, 1),
            "x",
            Approval(approver=office, approved_on=date(2025, 9, 1)),
        )


class TestArchive:
    def test_archived_item_refuses_ordinary_work(self, app, drafter, office, reviewer, leader):
        """000 §一(六)2: once archived, the item is closed to marking, changes, transfers."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        app.archive_item(item_id, office, date(2025, 12, 31), "档案-2025-1")
        for call, args in [
            (app.mark_attribute, (Attribute.PROACTIVE,)),
            (app.change_item, ("x",)),
            (app.transfer_to_reading_room, (ReadingRoomMode.ELECTRONIC,)),
        ]:
            refused("archived_item_is_closed", call, item_id, drafter, date(2026, 1, 5), *args)
        refused("archive_once", app.archive_item, item_id, office, date(2026, 1, 5))

    def test_archived_item_can_still_be_abolished(self, app, drafter, office, reviewer, leader):
        """003 Art 14: the catalogue follows an abolition even after archiving."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        app.publish_item(item_id, office, FORMED, [Channel.PORTAL])
        app.archive_item(item_id, office, date(2025, 12, 31))
        app.end_item_validity(item_id, leader, date(2026, 2, 2), Validity.ABOLISHED, "废止")
        assert app.get_item(item_id).validity is Validity.ABOLISHED

    def test_archived_item_reviewed_in_march_and_published(
        self, app, drafter, office, reviewer, leader
    ):
        """002 Art 55-56: the March review covers archived items, then they are published."""
        item_id = withheld(app, drafter, 2024)
        app.archive_item(item_id, office, date(2024, 12, 31))
        approval = Approval(approver=leader, approved_on=date(2025, 3, 3))
        app.decide_annual_review(
            item_id, office, date(2025, 3, 3), AnnualReviewOutcome.RECLASSIFIED, "应公开", approval
        )
        app.review_confidentiality(item_id, reviewer, date(2025, 3, 4), ReviewConclusion.PROACTIVE)
        app.publish_item(item_id, office, date(2025, 3, 5), [Channel.PORTAL])
        app.register_in_catalogue(item_id, office, date(2025, 3, 5))
        assert app.get_item(item_id).index_number is not None


class TestObjectionsAndConcurrency:
    def test_objection_names_a_recorded_event(self, app, drafter):
        """002 Art 64(二): a handler's objection to an instruction lightens responsibility."""
        item_id = register(app, drafter)
        app.record_objection(item_id, drafter, FORMED, 1, "不同意按领导意见公开")
        assert app.get_item(item_id).objections == [
            (1, drafter.official_id, "不同意按领导意见公开")
        ]
        refused(
            "objection_names_recorded_event", app.record_objection, item_id, drafter, FORMED, 9, "x"
        )

    def test_expected_version_must_be_current(self, app, drafter):
        """API If-Match: a stale expected version is refused before anything is stored."""
        item_id = register(app, drafter)
        with pytest.raises(StaleVersion):
            app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE, expected_version=3)
        app.mark_attribute(item_id, drafter, FORMED, Attribute.PROACTIVE, expected_version=1)

    def test_every_event_carries_actor_and_time(self, app, drafter, office, reviewer, leader):
        """004 att.3 Art 6: responsibility follows who decided — so every event says who."""
        item_id = ready_to_publish(app, drafter, office, reviewer, leader)
        roles = [event.actor.role for event in app.history(item_id)]
        assert roles == [
            Role.DRAFTER,
            Role.DRAFTER,
            Role.DISCLOSURE_OFFICE,
            Role.CONFIDENTIALITY_REVIEWER,
            Role.LEADER_IN_CHARGE,
        ]
        assert all(event.timestamp.tzinfo is not None for event in app.history(item_id))


def test_actor_role_must_be_known():
    """domain.md §1: roles come from the seeds' list."""
    with pytest.raises(ValueError, match="role"):
        Actor(official_id="x", role="boss", department="办公室")  # type: ignore[arg-type]
