"""Responsibility for a violation (002 Art 64; 004 att.3 Art 6): one scenario per rule.

The act in most scenarios is the publication of an item the review found exempt (免予公开):
the domain refuses it, so the histories are hand-made, as an imported record would hold them.
"""

from __future__ import annotations

from datetime import date

from domain.base import Actor
from domain.codes import ReviewConclusion, Role
from domain.disclosure_item import DisclosureItem as Item
from projections.accountability import Kind
from tests.unit.accountability.support import (
    ARXAN,
    HANDLER,
    KUANCHENG,
    LEADER,
    OFFICE,
    PRINCIPAL,
    REVIEWER,
    ZHONGWEI,
    History,
    approval,
    assessed,
    irregular_item,
    ledger,
    only,
    publish,
    publishable,
    shares,
    versions,
)

FORMED = date(2025, 3, 3)
PUBLISHED = date(2025, 3, 5)
MEETING = {"collective": True, "meeting_ref": "2025年第3次局务会"}
MEMBERS = (PRINCIPAL.official_id, "deputy-ma", "deputy-gao")


def exempt_item(agency: str, approver: Actor = LEADER, **collective: object) -> History:
    """Reviewed 免予公开 (version 3), approved by `approver` (version 4)."""
    history = irregular_item(agency, FORMED)
    history.add(Item.ConfidentialityReviewed, FORMED, REVIEWER, conclusion=ReviewConclusion.EXEMPT)
    history.add(Item.Approved, FORMED, approver, approval=approval(FORMED, approver, **collective))
    return history


def published_attribution(agency: str, history: History, as_of: date = date(2025, 12, 31)):
    history.add(Item.Published, PUBLISHED, OFFICE, channels=("portal",))
    app, _ = ledger()
    app.save(*history.events)
    return only(assessed(app, history.id, as_of), Kind.PUBLISHED_NOT_DISCLOSABLE)


def object_to(history: History, version: int, on: date, by: Actor = OFFICE) -> int:
    return history.add(
        Item.ObjectionRecorded,
        on,
        by,
        objected_version=version,
        objection="该信息经审查免予公开，不应公开",
    )


class TestWithoutApproval:
    def test_skipping_the_review_puts_it_all_on_the_handler(self):
        """004 att.3 Art 6(一): 不履行保密审查程序 → 直接承办人承担全部责任, approval or not."""
        history = irregular_item(KUANCHENG, FORMED)
        history.add(Item.Approved, FORMED, LEADER, approval=approval(FORMED))
        history.add(Item.Published, PUBLISHED, OFFICE, channels=("portal",))
        app, _ = ledger()
        app.save(*history.events)

        found = only(assessed(app, history.id, date(2025, 12, 31)), Kind.PUBLISHED_WITHOUT_REVIEW)
        assert found.rule == "review_skipped"
        assert shares(found) == {OFFICE.official_id: "full"}
        assert versions(found.shares[0].evidence) == [4]

    def test_acting_without_approval_puts_it_all_on_the_handler(self):
        """002 Art 64(一); 004 att.3 Art 6(一): 未经主管领导审核批准 → 承办人承担全部责任."""
        history = irregular_item(KUANCHENG, FORMED)
        history.add(
            Item.ConfidentialityReviewed, FORMED, REVIEWER, conclusion=ReviewConclusion.EXEMPT
        )
        found = published_attribution(KUANCHENG, history)
        assert found.rule == "no_approval"
        assert found.citation == "004 att.3 Art 6(一); 002 Art 64(一)"
        assert shares(found) == {OFFICE.official_id: "full"}

    def test_an_approval_by_someone_not_entitled_is_no_approval(self):
        """003 Art 12(二); 004 att.3 Art 6(一): only a leader's approval counts."""
        found = published_attribution(KUANCHENG, exempt_item(KUANCHENG, approver=HANDLER))
        assert found.rule == "no_approval"
        assert shares(found) == {OFFICE.official_id: "full"}
        assert "handler-zhao cannot approve this act" in found.shares[0].reason

    def test_a_leader_acting_on_their_own_approval_bears_it_all(self):
        """004 att.3 Art 6(一): approving one's own act is not the leader's approval."""
        history = exempt_item(KUANCHENG)
        history.add(Item.Published, PUBLISHED, LEADER, channels=("portal",))
        app, _ = ledger()
        app.save(*history.events)
        found = only(assessed(app, history.id, date(2025, 12, 31)), Kind.PUBLISHED_NOT_DISCLOSABLE)
        assert shares(found) == {LEADER.official_id: "full"}


class TestLeadersApproval:
    def test_the_leader_bears_the_main_share_the_handler_the_secondary(self):
        """004 att.3 Art 6(二); 002 Art 64(二): 经主管领导审核批准 → 领导主要、承办人次要."""
        found = published_attribution(KUANCHENG, exempt_item(KUANCHENG))
        assert found.rule == "leader_approval"
        assert shares(found) == {LEADER.official_id: "main", OFFICE.official_id: "secondary"}
        leader = next(s for s in found.shares if s.official_id == LEADER.official_id)
        assert versions(leader.evidence) == [4]  # the approval

    def test_late_publication_on_a_late_approval_is_the_leaders(self):
        """004 att.3 Art 6(二): the delay was done on the leader's approval, given after the
        deadline (001 Art 5(三): 20 working days)."""
        app, clock = ledger()
        item_id = publishable(app, clock, KUANCHENG, FORMED, approved=date(2025, 4, 1))
        publish(app, clock, item_id, date(2025, 4, 1))
        found = only(assessed(app, item_id, date(2025, 12, 31)), Kind.LATE_PUBLICATION)
        assert shares(found) == {LEADER.official_id: "main", OFFICE.official_id: "secondary"}
        assert versions(found.violation.evidence) == [1, 5, 6]

    def test_late_publication_after_a_timely_approval_is_the_handlers(self):
        """004 att.3 Art 6(一): approved in time, the delay is the handler's own act."""
        app, clock = ledger()
        item_id = publishable(app, clock, KUANCHENG, FORMED, approved=date(2025, 3, 20))
        publish(app, clock, item_id, date(2025, 4, 2))
        found = only(assessed(app, item_id, date(2025, 12, 31)), Kind.LATE_PUBLICATION)
        assert shares(found) == {OFFICE.official_id: "full"}


class TestObjection:
    def test_arxan_handler_who_objected_bears_nothing(self):
        """004 att.3 Art 6(二): 承办人提出异议，未能改变领导意见 → 承办人不承担责任."""
        history = exempt_item(ARXAN)
        objection = object_to(history, version=4, on=FORMED)
        found = published_attribution(ARXAN, history)
        assert found.rule == "objection"
        assert found.citation == "004 att.3 Art 6(二)"
        assert shares(found) == {LEADER.official_id: "main", OFFICE.official_id: "none"}
        handler = next(s for s in found.shares if s.official_id == OFFICE.official_id)
        assert versions(handler.evidence) == [6, objection]

    def test_zhongwei_handler_who_objected_has_a_reduced_share(self):
        """002 Art 64(二): 承办人提出了正确意见的，可减轻或免除责任."""
        history = exempt_item(ZHONGWEI)
        object_to(history, version=4, on=FORMED)
        found = published_attribution(ZHONGWEI, history)
        assert found.citation == "002 Art 64(二)"
        assert shares(found) == {LEADER.official_id: "main", OFFICE.official_id: "reduced"}

    def test_an_objection_dated_after_the_act_does_not_count(self):
        """004 att.3 Art 6(二): the objection comes before acting (提出异议 … 而作出)."""
        history = exempt_item(ARXAN)
        history.add(Item.Published, PUBLISHED, OFFICE, channels=("portal",))
        object_to(history, version=4, on=date(2025, 3, 6))
        app, _ = ledger()
        app.save(*history.events)
        found = only(assessed(app, history.id, date(2025, 12, 31)), Kind.PUBLISHED_NOT_DISCLOSABLE)
        assert shares(found) == {LEADER.official_id: "main", OFFICE.official_id: "secondary"}

    def test_only_the_handlers_own_objection_to_that_instruction_counts(self):
        """004 att.3 Art 6(二): 承办人提出异议 — someone else's, or to another step, is not it."""
        history = exempt_item(ARXAN)
        object_to(history, version=4, on=FORMED, by=HANDLER)  # the drafter, not the publisher
        object_to(history, version=3, on=FORMED)  # the review, not the leader's instruction
        found = published_attribution(ARXAN, history)
        assert shares(found) == {LEADER.official_id: "main", OFFICE.official_id: "secondary"}


class TestCollectiveDecision:
    def test_zhongwei_principal_and_handler_main_members_secondary(self):
        """002 Art 64(三): 主要领导和承办人承担主要责任，班子其他成员承担次要责任."""
        history = exempt_item(ZHONGWEI, approver=PRINCIPAL, members=MEMBERS, **MEETING)
        found = published_attribution(ZHONGWEI, history)
        assert found.rule == "collective"
        assert found.citation == "002 Art 64(三)"
        assert shares(found) == {
            PRINCIPAL.official_id: "main",
            "deputy-ma": "secondary",
            "deputy-gao": "secondary",
            OFFICE.official_id: "main",
        }

    def test_zhongwei_member_who_objected_has_a_reduced_share(self):
        """002 Art 64(三): 班子其他成员提出了正确意见的，可减轻或免除责任."""
        history = exempt_item(ZHONGWEI, approver=PRINCIPAL, members=MEMBERS, **MEETING)
        deputy = Actor(official_id="deputy-gao", role=Role.LEADER_IN_CHARGE, department="局领导")
        object_to(history, version=4, on=FORMED, by=deputy)
        found = published_attribution(ZHONGWEI, history)
        assert shares(found)["deputy-gao"] == "reduced"
        assert shares(found)["deputy-ma"] == "secondary"

    def test_arxan_principal_main_members_secondary(self):
        """004 att.3 Art 6(三): 主要领导承担主要责任，其他领导成员承担次要责任 (the handler
        carrying out the decision is not named)."""
        history = exempt_item(ARXAN, approver=PRINCIPAL, members=MEMBERS, **MEETING)
        found = published_attribution(ARXAN, history)
        assert found.citation == "004 att.3 Art 6(三)"
        assert shares(found) == {
            PRINCIPAL.official_id: "main",
            "deputy-ma": "secondary",
            "deputy-gao": "secondary",
            OFFICE.official_id: "none",
        }
        member = next(s for s in found.shares if s.official_id == "deputy-ma")
        assert versions(member.evidence) == [4]  # the meeting's decision
