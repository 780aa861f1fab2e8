"""The March worklist of the annual review (002 Art 55-56), built through the application
service on a SQLite file: Zhongwei reviews in 2026 the items it marked 依申请公开 or 不予公开
during 2025."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest

from domain.application import GongkaiLedger
from domain.codes import AnnualReviewOutcome, Attribute, NonDisclosureGround, ReviewConclusion
from domain.deadlines import ClockState
from projections.annual_review import (
    AnnualReviewModel,
    ReviewEntry,
    ReviewStatus,
    undecided_after_deadline,
    worklist,
)
from projections.docket import DocketModel, open_entries
from projections.store import SqlStore
from tests.backends import Backend
from tests.unit.projections.docket_support import (
    ARXAN,
    LEADER,
    OFFICE,
    PLANNER,
    REVIEWER,
    ZHONGWEI,
    Projector,
    approval,
    table_text,
)

TABLES = ("annual_review_items", "annual_review_marks", "annual_review_decisions")


@pytest.fixture
def app(backend: Backend) -> GongkaiLedger:
    return backend.ledger()


@pytest.fixture
def store(backend: Backend) -> SqlStore:
    """Beside the events: the same SQLite file or PostgreSQL schema (closed by the backend)."""
    return backend.store()


@pytest.fixture
def projector(app: GongkaiLedger, store: SqlStore) -> Projector:
    return Projector(app, store, [AnnualReviewModel(), DocketModel()])


def register(app: GongkaiLedger, agency: str, on: date, title: str) -> UUID:
    return app.register_item(
        PLANNER, agency_code=agency, title=title, department="规划科", formed_on=on
    ).id


def mark(app: GongkaiLedger, agency: str, on: date, attribute: Attribute, title: str) -> UUID:
    item_id = register(app, agency, on, title)
    if attribute is Attribute.NOT_DISCLOSED:
        app.mark_attribute(
            item_id,
            PLANNER,
            on,
            attribute,
            "涉及企业商业秘密",
            NonDisclosureGround.THIRD_PARTY_RIGHTS,
        )
    else:
        app.mark_attribute(item_id, PLANNER, on, attribute)
    return item_id


@dataclass
class Review2026:
    reclassified: UUID
    lifted: UUID
    undecided: UUID
    late: UUID
    marked_2024: UUID
    arxan: UUID
    proactive: UUID


def review_2026(app: GongkaiLedger) -> Review2026:
    """Zhongwei's 2025 markings and its 2026 March review decisions."""
    reclassified = mark(app, ZHONGWEI, date(2025, 6, 10), Attribute.ON_REQUEST, "专家库名单")
    app.decide_annual_review(
        reclassified,
        LEADER,
        date(2026, 3, 20),
        AnnualReviewOutcome.RECLASSIFIED,
        "不公开的理由已消失",
        approval(date(2026, 3, 19)),
    )
    lifted = mark(app, ZHONGWEI, date(2025, 8, 1), Attribute.ON_REQUEST, "科技奖励评审结果")
    app.lift_exemption(
        lifted, LEADER, date(2026, 2, 10), "评审已结束，情况变化", approval(date(2026, 2, 10))
    )
    undecided = mark(app, ZHONGWEI, date(2025, 11, 3), Attribute.NOT_DISCLOSED, "企业研发投入")
    late = mark(app, ZHONGWEI, date(2025, 12, 1), Attribute.PROACTIVE, "项目评审意见")
    # 000 §一(三)3: the office's audit corrects the drafter's 主动公开 to 依申请公开.
    app.audit_attribute(late, OFFICE, date(2025, 12, 5), Attribute.ON_REQUEST, "属于过程性信息")
    app.decide_annual_review(
        late, OFFICE, date(2026, 4, 10), AnnualReviewOutcome.KEPT, "仍属过程性信息"
    )
    return Review2026(
        reclassified=reclassified,
        lifted=lifted,
        undecided=undecided,
        late=late,
        marked_2024=mark(app, ZHONGWEI, date(2024, 5, 6), Attribute.ON_REQUEST, "2024年请示"),
        arxan=mark(app, ARXAN, date(2025, 7, 1), Attribute.ON_REQUEST, "阿尔山内部报告"),
        proactive=mark(app, ZHONGWEI, date(2025, 7, 1), Attribute.PROACTIVE, "年度工作要点"),
    )


def listing(projector: Projector, agency: str, year: int) -> list[ReviewEntry]:
    projector.catch_up()
    with projector.store.reading() as tx:
        return worklist(tx, agency, year)


def undecided(projector: Projector, year: int, as_of: date) -> list[UUID]:
    projector.catch_up()
    with projector.store.reading() as tx:
        return [e.item_id for e in undecided_after_deadline(tx, ZHONGWEI, year, as_of)]


class TestWorklist:
    def test_the_2026_worklist_holds_every_item_marked_non_public_during_2025(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 55: before the end of March, every item marked 依申请公开 or 不公开 during the
        previous year is reviewed — marked by the drafter or set by the office's audit."""
        items = review_2026(app)

        entries = listing(projector, ZHONGWEI, 2026)

        assert [e.item_id for e in entries] == [
            items.reclassified,
            items.lifted,
            items.undecided,
            items.late,
        ]
        late = entries[3]
        assert late.marked_by_audit
        assert late.first_marked_on == date(2025, 12, 5)
        assert late.marked_attribute is Attribute.ON_REQUEST
        assert entries[2].marked_attribute is Attribute.NOT_DISCLOSED
        assert not entries[2].marked_by_audit
        assert entries[0].title == "专家库名单"
        assert [e.item_id for e in listing(projector, ZHONGWEI, 2025)] == [items.marked_2024]
        assert [e.item_id for e in listing(projector, ARXAN, 2026)] == [items.arxan]

    def test_each_entry_shows_its_decision_approver_and_whether_it_was_late(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 55: reclassified to 主动公开 on the approval of the leader in charge, by the
        end of March; a decision in April is late; a kept attribute states its reason."""
        items = review_2026(app)

        entries = {e.item_id: e for e in listing(projector, ZHONGWEI, 2026)}

        on_time = entries[items.reclassified]
        assert on_time.status is ReviewStatus.DECIDED
        assert on_time.outcome is AnnualReviewOutcome.RECLASSIFIED
        assert (on_time.approver_id, on_time.approved_on) == (LEADER.official_id, date(2026, 3, 19))
        assert (on_time.decided_on, on_time.late) == (date(2026, 3, 20), False)
        assert on_time.current_attribute is Attribute.PROACTIVE
        late = entries[items.late]
        assert late.status is ReviewStatus.DECIDED_LATE
        assert (late.outcome, late.reason) == (AnnualReviewOutcome.KEPT, "仍属过程性信息")
        assert (late.decided_by, late.approver_id, late.late) == (OFFICE.official_id, None, True)
        assert late.current_attribute is Attribute.ON_REQUEST
        pending = entries[items.undecided]
        assert pending.status is ReviewStatus.UNDECIDED
        assert (pending.outcome, pending.decided_on, pending.late) == (None, None, False)
        assert pending.current_attribute is Attribute.NOT_DISCLOSED
        opened = entries[items.lifted]
        assert opened.status is ReviewStatus.NO_LONGER_NON_PUBLIC
        assert opened.attribute_since == date(2026, 2, 10)


class TestUndecidedAfterDeadline:
    def test_nothing_is_overdue_until_the_end_of_march(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 55: 每年3月底前 — decisions are due by 31 March."""
        review_2026(app)

        assert undecided(projector, 2026, date(2026, 3, 31)) == []

    def test_after_march_the_undecided_items_are_listed_as_of_each_day(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 55: on 1 April the item decided only on 10 April was still undecided; an
        item already opened in February (004 att.6 Art 12) has nothing left to decide."""
        items = review_2026(app)

        assert undecided(projector, 2026, date(2026, 4, 1)) == [items.undecided, items.late]
        assert undecided(projector, 2026, date(2026, 4, 15)) == [items.undecided]


class TestReclassifiedItemsArePublishedPromptly:
    def test_a_reclassified_item_goes_on_the_docket_and_is_due_after_its_new_review(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 56 with 002 Art 6 and Art 8: the office publishes a reclassified item
        promptly, reviewed first; at Zhongwei within 10 working days of passing the review —
        from Mon 23 March 2026 across Qingming (Apr 4-6 off) that is Tue 7 April."""
        items = review_2026(app)
        projector.catch_up()
        with projector.store.reading() as tx:
            awaiting = {
                e.id: e
                for e in open_entries(
                    tx, date(2026, 3, 21), calendar=app.calendar, policies=app.policies
                )
            }
        assert awaiting[items.reclassified].status is ClockState.AWAITING_REVIEW

        app.review_confidentiality(
            items.reclassified, REVIEWER, date(2026, 3, 23), ReviewConclusion.PROACTIVE
        )
        projector.catch_up()

        with projector.store.reading() as tx:
            reviewed = {
                e.id: e
                for e in open_entries(
                    tx, date(2026, 3, 23), calendar=app.calendar, policies=app.policies
                )
            }
        assert reviewed[items.reclassified].due_on == date(2026, 4, 7)


class TestRestart:
    def test_two_halves_with_a_fresh_model_equal_one_pass(
        self, app: GongkaiLedger, backend: Backend
    ) -> None:
        """002 Art 55: the worklist must not depend on where a restart cut the log."""
        review_2026(app)
        one_pass = Projector(app, backend.store("one"), [AnnualReviewModel()])
        total = one_pass.catch_up()
        halves_store = backend.store("halves")
        first = Projector(app, halves_store, [AnnualReviewModel()])
        first.catch_up(limit=total // 2)
        second = Projector(app, halves_store, [AnnualReviewModel()], position=first.position)
        second.catch_up()

        assert table_text(halves_store, *TABLES) == table_text(one_pass.store, *TABLES)
        assert listing(second, ZHONGWEI, 2026) == listing(one_pass, ZHONGWEI, 2026)

    def test_a_duplicate_delivery_changes_nothing(
        self, app: GongkaiLedger, projector: Projector, store: SqlStore
    ) -> None:
        """002 Art 55: redelivering part of the log leaves the last marking and attribute as
        they were (a replayed older marking must not overwrite the reclassification)."""
        items = review_2026(app)
        (marking,) = [
            (notification_id, event)
            for notification_id, event in projector.pending()
            if event.originator_id == items.reclassified and event.originator_version == 2
        ]
        projector.catch_up()
        before = table_text(store, *TABLES)

        with store.transaction() as tx:
            projector.models[0].handle(tx, marking[1], marking[0])

        assert table_text(store, *TABLES) == before

    def test_a_history_redelivered_from_its_registration_changes_nothing(
        self, app: GongkaiLedger, projector: Projector, store: SqlStore
    ) -> None:
        """002 Art 55: an item whose events start with its registration is folded without
        reading its rows; delivered again, its registration and marking must not overwrite the
        reclassification."""
        items = review_2026(app)
        redelivered = [
            (event, notification_id)
            for notification_id, event in projector.pending()
            if event.originator_id == items.reclassified and event.originator_version <= 2
        ]
        projector.catch_up()
        before = table_text(store, *TABLES)

        with store.transaction() as tx:
            model = projector.models[0]
            assert isinstance(model, AnnualReviewModel)
            model.handle_batch(tx, redelivered)

        assert table_text(store, *TABLES) == before
