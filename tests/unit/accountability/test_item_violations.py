"""Violations found in disclosure-item histories, each test naming its seed article."""

from __future__ import annotations

from datetime import date

from domain.codes import (
    AnnualReviewOutcome,
    Attribute,
    NonDisclosureGround,
    ReviewConclusion,
    Validity,
)
from domain.disclosure_item import DisclosureItem as Item
from projections.accountability import Kind
from tests.unit.accountability.support import (
    ARXAN,
    HANDLER,
    KUANCHENG,
    LEADER,
    OFFICE,
    REVIEWER,
    ZHONGWEI,
    approval,
    assessed,
    irregular_item,
    ledger,
    of_kind,
    only,
    publish,
    publishable,
    register,
    shares,
    transfer,
    versions,
)

FORMED = date(2025, 3, 3)  # + 20 working days = 31 March


class TestPublicationClock:
    def test_publication_after_the_agency_clock_is_late(self):
        """004 att.1 Art 10: Arxan publishes within 20 working days of forming."""
        app, clock = ledger()
        item_id = publishable(app, clock, ARXAN, FORMED)
        publish(app, clock, item_id, date(2025, 4, 2))  # version 6

        found = assessed(app, item_id, date(2025, 4, 30))
        late = only(found, Kind.LATE_PUBLICATION).violation
        assert late.occurred_on == date(2025, 4, 1)
        assert "due 2025-03-31" in late.detail and "2 working days late" in late.detail
        assert versions(late.evidence) == [1, 6]  # formed (clock start), published
        assert late.citation == "004 att.1 Art 10; att.7 Art 3"
        # the reading-room copy (002 Art 61) is late too, but it is the same problem
        room = only(found, Kind.READING_ROOM_LATE).violation
        assert room.problem == late.problem

    def test_publication_on_the_last_day_is_in_time(self):
        """004 att.1 Art 10: the 20th working day itself is in time."""
        app, clock = ledger()
        item_id = publishable(app, clock, ARXAN, FORMED)
        publish(app, clock, item_id, date(2025, 3, 31))
        transfer(app, clock, item_id, date(2025, 3, 31))
        assert assessed(app, item_id, date(2025, 12, 31)) == []

    def test_zhongwei_counts_ten_working_days_from_the_review(self):
        """002 Art 6: Zhongwei publishes within 10 working days of passing the review."""
        app, clock = ledger()
        in_time = publishable(app, clock, ZHONGWEI, FORMED, reviewed=date(2025, 3, 20))
        publish(app, clock, in_time, date(2025, 4, 3))  # 20 March + 10 working days
        late = publishable(app, clock, ZHONGWEI, FORMED, reviewed=date(2025, 3, 20))
        publish(app, clock, late, date(2025, 4, 7))  # 4 April is Qingming

        as_of = date(2025, 4, 30)
        assert of_kind(assessed(app, in_time, as_of), Kind.LATE_PUBLICATION) == []
        found = only(assessed(app, late, as_of), Kind.LATE_PUBLICATION).violation
        assert "due 2025-04-03" in found.detail and "1 working day late" in found.detail
        assert versions(found.evidence) == [4, 6]  # the review started the clock
        assert found.citation == "002 Art 6"

    def test_unpublished_item_is_overdue_after_the_clock(self):
        """001 Art 5(三): 20 working days; 谁制作、谁公开 (000 §二(二); 003 Art 8)."""
        app, clock = ledger()
        item_id = publishable(app, clock, KUANCHENG, FORMED)
        assert assessed(app, item_id, date(2025, 3, 31)) == []

        found = only(assessed(app, item_id, date(2025, 4, 10)), Kind.UNPUBLISHED_PAST_DUE)
        assert found.violation.occurred_on == date(2025, 4, 1)
        assert "still unpublished on 2025-04-10" in found.violation.detail
        assert shares(found) == {HANDLER.official_id: "full"}  # who formed it

    def test_an_item_revoked_before_its_due_date_is_not_overdue(self):
        """003 Art 14: a revoked item is no longer published."""
        app, clock = ledger()
        item_id = publishable(app, clock, KUANCHENG, FORMED)
        clock.on(date(2025, 3, 20))
        app.end_item_validity(item_id, OFFICE, date(2025, 3, 20), Validity.REVOKED, "已废止")
        assert assessed(app, item_id, date(2025, 6, 30)) == []


class TestImproperPublication:
    def test_published_without_a_confidentiality_review(self):
        """002 Art 8; 001 Art 8: 先审查、后公开, no unreviewed information online."""
        app, _ = ledger()
        history = irregular_item(KUANCHENG, FORMED)
        history.add(Item.Published, date(2025, 3, 5), OFFICE, channels=("portal",))
        app.save(*history.events)

        found = only(assessed(app, history.id, date(2025, 12, 31)), Kind.PUBLISHED_WITHOUT_REVIEW)
        assert versions(found.violation.evidence) == [3]
        assert "no confidentiality review" in found.violation.detail
        assert "no leader's approval" in found.violation.detail

    def test_published_without_the_leaders_approval(self):
        """002 Art 4; 003 Art 12(二): the leader signs before publication."""
        app, _ = ledger()
        history = irregular_item(KUANCHENG, FORMED)
        history.add(
            Item.ConfidentialityReviewed, FORMED, REVIEWER, conclusion=ReviewConclusion.PROACTIVE
        )
        history.add(Item.Published, date(2025, 3, 5), OFFICE, channels=("portal",))
        app.save(*history.events)

        found = only(assessed(app, history.id, date(2025, 12, 31)), Kind.PUBLISHED_WITHOUT_APPROVAL)
        assert versions(found.violation.evidence) == [3, 4]
        assert found.rule == "no_approval"

    def test_published_although_marked_not_disclosed_and_reviewed_exempt(self):
        """004 att.3 Art 5(五): 公开不应当公开的政府信息; 004 att.6 Art 9: 免予公开."""
        app, _ = ledger()
        history = irregular_item(KUANCHENG, FORMED)
        history.add(
            Item.AttributeMarked,
            FORMED,
            HANDLER,
            attribute=Attribute.NOT_DISCLOSED,
            reason="涉及个人隐私",
            legal_ground=NonDisclosureGround.THIRD_PARTY_RIGHTS,
        )
        history.add(
            Item.ConfidentialityReviewed, FORMED, REVIEWER, conclusion=ReviewConclusion.EXEMPT
        )
        history.add(Item.Approved, FORMED, LEADER, approval=approval(FORMED))
        history.add(Item.Published, date(2025, 3, 5), OFFICE, channels=("portal",))
        app.save(*history.events)

        found = only(assessed(app, history.id, date(2025, 12, 31)), Kind.PUBLISHED_NOT_DISCLOSABLE)
        assert versions(found.violation.evidence) == [4, 5, 6]
        assert "the attribute is 不予公开" in found.violation.detail
        assert "concluded exempt" in found.violation.detail

    def test_published_although_the_review_referred_it_upward(self):
        """004 att.6 Art 7, 9: 需报审 — the superior decides before anything is published."""
        app, _ = ledger()
        history = irregular_item(KUANCHENG, FORMED)
        history.add(
            Item.ConfidentialityReviewed,
            FORMED,
            REVIEWER,
            conclusion=ReviewConclusion.REFER_UPWARD,
        )
        history.add(Item.Approved, FORMED, LEADER, approval=approval(FORMED))
        history.add(Item.Published, date(2025, 3, 5), OFFICE, channels=("portal",))
        app.save(*history.events)

        found = assessed(app, history.id, date(2025, 12, 31))
        assert [a.violation.kind for a in found] == [Kind.PUBLISHED_NOT_DISCLOSABLE]


class TestCatalogue:
    def _catalogued_then_changed(self, registered_again: date | None):
        app, clock = ledger()
        item_id = publishable(app, clock, KUANCHENG, FORMED)
        publish(app, clock, item_id, date(2025, 3, 5))
        clock.on(date(2025, 3, 6))
        app.register_in_catalogue(item_id, OFFICE, date(2025, 3, 6))  # version 7
        clock.on(date(2025, 5, 6))
        app.change_item(item_id, HANDLER, date(2025, 5, 6), "修订第三条")  # version 8
        app.review_confidentiality(item_id, REVIEWER, date(2025, 5, 7), ReviewConclusion.PROACTIVE)
        app.approve_item(item_id, LEADER, date(2025, 5, 7), approval(date(2025, 5, 7)))
        publish(app, clock, item_id, date(2025, 5, 8))  # version 11
        if registered_again:
            clock.on(registered_again)
            app.register_in_catalogue(item_id, OFFICE, registered_again)  # version 12
        return app, item_id

    def test_catalogue_not_following_a_change_in_time(self):
        """003 Art 14; 004 att.3 Art 5(二): the catalogue follows a change within the clock."""
        app, item_id = self._catalogued_then_changed(date(2025, 6, 20))
        found = only(assessed(app, item_id, date(2025, 12, 31)), Kind.CATALOGUE_NOT_UPDATED)
        assert found.violation.occurred_on == date(2025, 6, 5)  # due 4 June (Dragon Boat)
        assert versions(found.violation.evidence) == [8, 12]
        assert shares(found) == {OFFICE.official_id: "full"}  # who keeps the catalogue

    def test_catalogue_following_a_change_in_time(self):
        """003 Art 14: registered on the last day of the clock."""
        app, item_id = self._catalogued_then_changed(date(2025, 6, 4))
        assert assessed(app, item_id, date(2025, 12, 31)) == []

    def test_catalogue_never_updated_after_a_change(self):
        """003 Art 14: still the old entry when the clock has run out."""
        app, item_id = self._catalogued_then_changed(None)
        found = only(assessed(app, item_id, date(2025, 6, 10)), Kind.CATALOGUE_NOT_UPDATED)
        assert "not registered by 2025-06-10" in found.violation.detail

    def _revoked(self, recorded: date):
        app, clock = ledger()
        item_id = publishable(app, clock, KUANCHENG, FORMED)
        publish(app, clock, item_id, date(2025, 3, 5))
        app.register_in_catalogue(item_id, OFFICE, date(2025, 3, 6))
        clock.on(recorded)
        app.end_item_validity(item_id, OFFICE, date(2025, 5, 6), Validity.REVOKED, "上位法修改")
        return app, item_id

    def test_revocation_recorded_late_left_the_item_in_the_catalogue(self):
        """003 Art 14: the catalogue drops a revoked item; recording it late kept it listed."""
        app, item_id = self._revoked(recorded=date(2025, 6, 30))
        found = only(assessed(app, item_id, date(2025, 12, 31)), Kind.CATALOGUE_NOT_UPDATED)
        assert "recorded only on 2025-06-30" in found.violation.detail
        assert found.violation.occurred_on == date(2025, 6, 5)

    def test_revocation_recorded_promptly(self):
        """003 Art 14."""
        app, item_id = self._revoked(recorded=date(2025, 5, 7))
        assert assessed(app, item_id, date(2025, 12, 31)) == []


class TestReadingRoom:
    def test_electronic_copy_after_twenty_working_days(self):
        """002 Art 58, 61: electronic copy within 20 working days of forming."""
        app, clock = ledger()
        item_id = publishable(app, clock, ZHONGWEI, FORMED)
        publish(app, clock, item_id, date(2025, 3, 5))  # version 6
        transfer(app, clock, item_id, date(2025, 4, 10))  # version 7

        found = only(assessed(app, item_id, date(2025, 12, 31)), Kind.READING_ROOM_LATE)
        assert found.violation.occurred_on == date(2025, 4, 1)
        assert versions(found.violation.evidence) == [1, 6, 7]
        assert shares(found) == {OFFICE.official_id: "full"}  # 局办公室负责移送 (Art 58)

    def test_electronic_copy_in_time_and_missing_copy(self):
        """002 Art 58, 61."""
        app, clock = ledger()
        in_time = publishable(app, clock, ZHONGWEI, FORMED)
        publish(app, clock, in_time, date(2025, 3, 5))
        transfer(app, clock, in_time, date(2025, 3, 28))
        missing = publishable(app, clock, ZHONGWEI, FORMED)
        publish(app, clock, missing, date(2025, 3, 5))

        assert assessed(app, in_time, date(2025, 12, 31)) == []
        found = only(assessed(app, missing, date(2025, 4, 15)), Kind.READING_ROOM_LATE)
        assert "not transferred by 2025-04-15" in found.violation.detail

    def test_agencies_without_a_reading_room_channel_are_not_checked(self):
        """domain.md §5: channels are agency policy (Kuancheng lists none for the reading room)."""
        app, clock = ledger()
        item_id = publishable(app, clock, KUANCHENG, FORMED)
        publish(app, clock, item_id, date(2025, 3, 5))
        assert assessed(app, item_id, date(2025, 12, 31)) == []


class TestAnnualReview:
    def _withheld_in_2024(self):
        app, clock = ledger()
        item_id = register(app, clock, KUANCHENG, date(2024, 5, 6))
        app.mark_attribute(
            item_id,
            HANDLER,
            date(2024, 5, 6),
            Attribute.NOT_DISCLOSED,
            reason="内部人事安排",
            legal_ground=NonDisclosureGround.INTERNAL_AFFAIRS,
        )
        return app, clock, item_id

    def test_item_undecided_after_31_march(self):
        """002 Art 55: last year's non-public items are reviewed before the end of March."""
        app, _, item_id = self._withheld_in_2024()
        assert assessed(app, item_id, date(2025, 3, 31)) == []
        found = only(assessed(app, item_id, date(2025, 4, 1)), Kind.ANNUAL_REVIEW_UNDECIDED)
        assert found.violation.occurred_on == date(2025, 4, 1)
        assert versions(found.violation.evidence) == [2]
        assert shares(found) == {HANDLER.official_id: "full"}

    def test_decided_in_march_and_decided_late(self):
        """002 Art 55: the decision is due by 31 March."""
        app, clock, item_id = self._withheld_in_2024()
        clock.on(date(2025, 4, 10))
        app.decide_annual_review(
            item_id, OFFICE, date(2025, 4, 10), AnnualReviewOutcome.KEPT, "仍属内部事务"
        )
        found = only(assessed(app, item_id, date(2025, 12, 31)), Kind.ANNUAL_REVIEW_UNDECIDED)
        assert "decided late on 2025-04-10" in found.violation.detail
        assert versions(found.violation.evidence) == [2, 3]

        app, clock, item_id = self._withheld_in_2024()
        app.decide_annual_review(
            item_id, OFFICE, date(2025, 3, 20), AnnualReviewOutcome.KEPT, "仍属内部事务"
        )
        assert assessed(app, item_id, date(2025, 12, 31)) == []
