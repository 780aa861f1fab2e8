"""The docket read model, built through the application service on each store (a SQLite file, a
PostgreSQL schema) with real dates across National Day 2025 (Oct 1-8 off; Sun Sep 28 and Sat
Oct 11 working) and Spring Festival 2026 (Feb 15-23 off; Sat Feb 14 and Sat Feb 28 working)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.application import GongkaiLedger
from domain.base import DomainEvent
from domain.codes import (
    Attribute,
    Channel,
    ConsultationAnswer,
    FeeBasis,
    Outcome,
    ReviewConclusion,
    ThirdPartyInterest,
    Validity,
)
from domain.deadlines import ClockState, publication_clock, request_clock
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest
from projections.docket import (
    CLOSED_STATES,
    DocketEntry,
    DocketGapError,
    DocketKind,
    DocketModel,
    due_within,
    open_entries,
    overdue,
)
from projections.store import SqlStore
from tests.backends import Backend
from tests.unit.projections.docket_support import (
    ARXAN,
    HANDLER,
    LEADER,
    OFFICE,
    PERSONAL_DATA,
    PLANNER,
    REVIEWER,
    ZHONGWEI,
    Projector,
    approval,
    receive,
    table_text,
)


@pytest.fixture
def app(backend: Backend) -> GongkaiLedger:
    return backend.ledger()


@pytest.fixture
def store(backend: Backend) -> SqlStore:
    """Beside the events: the same SQLite file or PostgreSQL schema (closed by the backend)."""
    return backend.store()


@pytest.fixture
def projector(app: GongkaiLedger, store: SqlStore) -> Projector:
    return Projector(app, store, [DocketModel()])


def docket(projector: Projector, as_of: date, **filters: str) -> list[DocketEntry]:
    projector.catch_up()
    app = projector.app
    with projector.store.reading() as tx:
        return open_entries(tx, as_of, calendar=app.calendar, policies=app.policies, **filters)


def due_soon(
    projector: Projector, working_days: int, as_of: date, **filters: str
) -> list[DocketEntry]:
    projector.catch_up()
    app = projector.app
    with projector.store.reading() as tx:
        return due_within(
            tx, working_days, as_of, calendar=app.calendar, policies=app.policies, **filters
        )


def late(projector: Projector, as_of: date, **filters: str) -> list[DocketEntry]:
    projector.catch_up()
    app = projector.app
    with projector.store.reading() as tx:
        return overdue(tx, as_of, calendar=app.calendar, policies=app.policies, **filters)


def entry(projector: Projector, entity_id: UUID, as_of: date) -> DocketEntry:
    found = [e for e in docket(projector, as_of) if e.id == entity_id]
    assert len(found) == 1, f"{entity_id} is not on the open docket"
    return found[0]


def on_docket(projector: Projector, entity_id: UUID, as_of: date) -> bool:
    return any(e.id == entity_id for e in docket(projector, as_of))


def register_proactive_item(
    app: GongkaiLedger, agency: str, formed_on: date, title: str = "科技项目申报指南"
) -> UUID:
    item_id = app.register_item(
        PLANNER, agency_code=agency, title=title, department="规划科", formed_on=formed_on
    ).id
    app.mark_attribute(item_id, PLANNER, formed_on, Attribute.PROACTIVE)
    return item_id


def reply(app: GongkaiLedger, request_id: UUID, on: date) -> None:
    """A disclosing reply with its legal basis, reasons and remedies (002 Art 39)."""
    app.reply_to_request(
        request_id,
        HANDLER,
        on,
        Outcome.DISCLOSED,
        legal_basis="《条例》第三十六条",
        reasons="经审查予以公开",
        remedy="可申请行政复议或提起行政诉讼",
    )


def review_approve_publish(
    app: GongkaiLedger, item_id: UUID, reviewed: date, published: date
) -> None:
    app.review_confidentiality(item_id, REVIEWER, reviewed, ReviewConclusion.PROACTIVE)
    app.approve_item(item_id, LEADER, reviewed, approval(reviewed))
    app.publish_item(item_id, OFFICE, published, [Channel.PORTAL])


class TestRequestClock:
    def test_arxan_reply_is_due_twenty_working_days_after_receipt_across_national_day(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """004 att.2 Art 6: 20 working days from receipt; Oct 1-8 do not count, the make-up
        Sunday Sep 28 and Saturday Oct 11 do."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))

        row = entry(projector, request_id, as_of=date(2025, 9, 30))

        assert row.kind is DocketKind.REQUEST
        assert row.status is ClockState.RUNNING
        assert row.started_on == date(2025, 9, 26)
        assert row.due_on == date(2025, 10, 30)
        assert row.remaining_working_days == 17  # Oct 9-11, 13-17, 20-24, 27-30
        assert not row.overdue
        assert row.agency_code == ARXAN
        assert row.department == "科技服务科"
        assert row.official_id == OFFICE.official_id  # the office registered it last
        assert row.calendar_version == app.calendar.version

    def test_zhongwei_reply_is_due_after_fifteen_days_and_an_extension_adds_fifteen(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 35(二): 15 working days, extendable once by at most 15 with the office
        head's approval; across Spring Festival 2026 the 15th working day is Sat Feb 28."""
        request_id = receive(app, ZHONGWEI, date(2026, 2, 2))
        assert entry(projector, request_id, date(2026, 2, 13)).due_on == date(2026, 2, 28)

        app.extend_request(
            request_id,
            OFFICE,
            date(2026, 2, 26),
            15,
            "需调取档案",
            approval(date(2026, 2, 26), OFFICE),
        )

        row = entry(projector, request_id, date(2026, 2, 27))
        assert row.due_on == date(2026, 3, 20)
        assert row.remaining_working_days == 16  # Feb 28, Mar 2-6, 9-13, 16-20

    def test_third_party_consultation_pauses_the_clock_and_moves_the_due_date_daily(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 35(二); the Regulation Art 33: time spent consulting a third party does
        not count, so while the consultation is open the due date moves a working day a day."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))
        app.consult_third_party(
            request_id, HANDLER, date(2025, 10, 9), "企业甲", ThirdPartyInterest.COMMERCIAL_SECRET
        )

        on_15th = entry(projector, request_id, date(2025, 10, 15))
        on_16th = entry(projector, request_id, date(2025, 10, 16))
        assert on_15th.status is ClockState.PAUSED
        assert (on_15th.paused_working_days, on_15th.due_on) == (5, date(2025, 11, 6))
        assert (on_16th.paused_working_days, on_16th.due_on) == (6, date(2025, 11, 7))
        assert on_16th.official_id == HANDLER.official_id

        app.record_third_party_answer(
            request_id, HANDLER, date(2025, 10, 20), "企业甲", ConsultationAnswer.AGREED
        )

        resumed = entry(projector, request_id, date(2025, 10, 21))
        assert resumed.status is ClockState.RUNNING
        assert resumed.paused_working_days == 8  # Oct 10, 11, 13-17, 20
        assert resumed.due_on == date(2025, 11, 11)
        assert entry(projector, request_id, date(2025, 11, 20)).due_on == date(2025, 11, 11)

    def test_correction_restarts_the_clock_from_the_corrected_application(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """The Regulation Art 30: the reply period counts from receipt of the corrected
        application; while awaiting correction there is no due date."""
        request_id = receive(app, ARXAN, date(2025, 9, 29))
        app.request_correction(request_id, OFFICE, date(2025, 9, 30), ["申请内容不明确"])

        waiting = entry(projector, request_id, date(2025, 10, 9))
        assert waiting.status is ClockState.AWAITING_CORRECTION
        assert waiting.due_on is None
        assert not due_soon(projector, 30, date(2025, 10, 9))
        assert not late(projector, date(2025, 12, 31))

        app.record_correction(request_id, OFFICE, date(2025, 10, 10))

        restarted = entry(projector, request_id, date(2025, 10, 10))
        assert restarted.status is ClockState.RUNNING
        assert restarted.started_on == date(2025, 10, 10)
        assert restarted.due_on == date(2025, 11, 6)  # not Oct 29 (20 days from Sep 29)

    def test_an_agreed_later_date_replaces_the_due_date(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """The Regulation Art 35: a reasonable but large request gets a reasonable later date."""
        request_id = receive(app, ARXAN, date(2025, 10, 9))
        app.query_excessiveness(
            request_id, OFFICE, date(2025, 10, 10), "短期内申请数量明显超过合理范围"
        )
        app.assess_excessiveness(
            request_id, OFFICE, date(2025, 10, 17), True, "理由合理", date(2025, 12, 31)
        )

        assert entry(projector, request_id, date(2025, 11, 20)).due_on == date(2025, 12, 31)


class TestItemClock:
    def test_zhongwei_item_waits_for_the_review_then_is_due_ten_working_days_after_it(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 6: published within 10 working days of passing the confidentiality review;
        before the review the item is on the docket without a due date."""
        item_id = register_proactive_item(app, ZHONGWEI, date(2025, 9, 15))

        waiting = entry(projector, item_id, date(2025, 9, 25))
        assert waiting.kind is DocketKind.ITEM
        assert waiting.status is ClockState.AWAITING_REVIEW
        assert waiting.due_on is None
        assert waiting.title == "科技项目申报指南"

        app.review_confidentiality(item_id, REVIEWER, date(2025, 9, 26), ReviewConclusion.PROACTIVE)

        reviewed = entry(projector, item_id, date(2025, 9, 30))
        assert reviewed.status is ClockState.RUNNING
        assert reviewed.started_on == date(2025, 9, 26)
        assert reviewed.due_on == date(2025, 10, 16)  # Sep 28-30, Oct 9-11, 13-16
        assert reviewed.official_id == REVIEWER.official_id

    def test_arxan_item_is_due_twenty_working_days_after_forming_and_leaves_when_published(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """004 att.1 Art 10: published within 20 working days of forming; once published it
        is no longer open (003 Art 12(四))."""
        item_id = register_proactive_item(app, ARXAN, date(2025, 9, 26))
        assert entry(projector, item_id, date(2025, 9, 26)).due_on == date(2025, 10, 30)

        review_approve_publish(app, item_id, date(2025, 10, 20), date(2025, 10, 22))

        assert not on_docket(projector, item_id, date(2025, 10, 22))

    def test_a_change_after_publication_puts_the_item_back_with_a_new_clock(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """000 §二(三)2: within 20 working days of forming *or changing*."""
        item_id = register_proactive_item(app, ARXAN, date(2025, 9, 1))
        review_approve_publish(app, item_id, date(2025, 9, 10), date(2025, 9, 12))
        assert not on_docket(projector, item_id, date(2025, 9, 12))

        app.change_item(
            item_id, PLANNER, date(2025, 11, 3), "调整申报时间", title="科技项目申报指南（修订）"
        )

        row = entry(projector, item_id, date(2025, 11, 3))
        assert (row.started_on, row.due_on) == (date(2025, 11, 3), date(2025, 12, 1))
        assert row.title == "科技项目申报指南（修订）"

    def test_an_item_withheld_from_proactive_disclosure_has_no_publication_clock(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """000 §一(三)2: only items marked 主动公开 are published on the clock."""
        item_id = app.register_item(
            PLANNER,
            agency_code=ARXAN,
            title="内部请示",
            department="规划科",
            formed_on=date(2025, 9, 1),
        ).id
        app.mark_attribute(item_id, PLANNER, date(2025, 9, 1), Attribute.ON_REQUEST)

        assert not on_docket(projector, item_id, date(2025, 12, 31))

    def test_revoked_and_archived_items_leave_the_docket(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """003 Art 14: a revoked item is never published; 000 §一(六)2: archived is closed."""
        revoked = register_proactive_item(app, ARXAN, date(2025, 9, 1))
        archived = register_proactive_item(app, ARXAN, date(2025, 9, 1), title="年度工作总结")
        assert on_docket(projector, revoked, date(2025, 9, 2))
        app.end_item_validity(revoked, LEADER, date(2025, 9, 3), Validity.REVOKED, "政策调整")
        app.archive_item(archived, LEADER, date(2025, 9, 3))
        assert not on_docket(projector, revoked, date(2025, 12, 31))
        assert not on_docket(projector, archived, date(2025, 12, 31))


class TestListings:
    def test_overdue_lists_open_entries_past_due_and_not_answered_ones(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """The Regulation Art 33 / 002 Art 35(二): a reply after the period is overdue; 004
        att.11 deducts a point for each request not handled by the rules. An answered request
        leaves the docket (002 Art 34)."""
        forgotten = receive(app, ZHONGWEI, date(2025, 9, 1))  # due Sep 22
        answered = receive(app, ZHONGWEI, date(2025, 9, 1))
        reply(app, answered, date(2025, 9, 19))
        running = receive(app, ARXAN, date(2025, 9, 26))  # due Oct 30

        late_on_oct_9 = late(projector, date(2025, 10, 9))

        assert [e.id for e in late_on_oct_9] == [forgotten]
        assert late_on_oct_9[0].due_on == date(2025, 9, 22)
        assert late_on_oct_9[0].remaining_working_days == -8  # Sep 23-26, 28-30, Oct 9
        assert late_on_oct_9[0].overdue
        assert not on_docket(projector, answered, date(2025, 9, 19))
        assert [e.id for e in late(projector, date(2025, 10, 31))] == [forgotten, running]

    def test_due_within_lists_entries_due_in_the_next_working_days_by_filter(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """004 att.2 Art 6 and 002 Art 35(二): the 20- and 15-day clocks side by side; an
        office sees what falls due in the coming working days, per agency and official."""
        arxan = receive(app, ARXAN, date(2025, 9, 26))  # due Oct 30
        zhongwei = receive(app, ZHONGWEI, date(2025, 10, 9))  # 15 days: due Oct 29
        later = receive(app, ZHONGWEI, date(2025, 10, 20))  # due Nov 10

        as_of = date(2025, 10, 24)
        assert {e.id for e in due_soon(projector, 4, as_of)} == {arxan, zhongwei}
        assert [e.id for e in due_soon(projector, 4, as_of, agency=ARXAN)] == [arxan]
        assert {e.id for e in due_soon(projector, 11, as_of, agency=ZHONGWEI)} == {zhongwei, later}
        assert due_soon(projector, 4, as_of, official=HANDLER.official_id) == []
        assert len(due_soon(projector, 4, as_of, official=OFFICE.official_id)) == 2
        assert entry(projector, zhongwei, as_of).due_on == date(2025, 10, 29)

    def test_a_transferred_request_belongs_to_the_receiving_department(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """000 §一(五)4: a transfer hands the request over with the same deadline; until
        someone there acts, the department itself is responsible."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))
        app.transfer_request(request_id, HANDLER, date(2025, 9, 29), "规划科", "移交单 2025-17")

        moved = entry(projector, request_id, date(2025, 9, 30))
        assert (moved.department, moved.official_id, moved.responsible) == (
            "规划科",
            None,
            "规划科",
        )
        assert moved.due_on == date(2025, 10, 30)
        assert docket(projector, date(2025, 9, 30), department="科技服务科") == []

        app.consult_agency(request_id, PLANNER, date(2025, 9, 30), "市发改委")

        assert entry(projector, request_id, date(2025, 9, 30)).responsible == PLANNER.official_id

    def test_an_objection_does_not_make_the_objector_responsible(
        self, app: GongkaiLedger, projector: Projector
    ) -> None:
        """002 Art 64(二): an objection is recorded to apportion responsibility; the official
        who last handled the request stays the one to act."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))
        app.consult_third_party(
            request_id, HANDLER, date(2025, 10, 9), "企业甲", ThirdPartyInterest.COMMERCIAL_SECRET
        )
        app.record_objection(request_id, PLANNER, date(2025, 10, 10), 3, "不同意征求意见范围")

        assert entry(projector, request_id, date(2025, 10, 10)).responsible == HANDLER.official_id


def mixed_scenario(app: GongkaiLedger) -> list[UUID]:
    """Requests and items in every clock state, across both holidays."""
    r_third = receive(app, ARXAN, date(2025, 9, 26))
    app.consult_third_party(
        r_third, HANDLER, date(2025, 10, 9), "企业甲", ThirdPartyInterest.PERSONAL_PRIVACY
    )
    app.record_third_party_answer(
        r_third, HANDLER, date(2025, 10, 20), "企业甲", ConsultationAnswer.AGREED
    )
    app.extend_request(
        r_third, OFFICE, date(2025, 11, 5), 20, "涉及多科室", approval(date(2025, 11, 5), OFFICE)
    )
    reply(app, r_third, date(2025, 11, 20))
    app.deliver_reply(r_third, OFFICE, date(2025, 11, 21), "邮寄")
    r_extended = receive(app, ZHONGWEI, date(2026, 2, 2))
    app.extend_request(
        r_extended, OFFICE, date(2026, 2, 26), 15, "需调取档案", approval(date(2026, 2, 26), OFFICE)
    )
    r_corrected = receive(app, ARXAN, date(2025, 9, 29))
    app.request_correction(r_corrected, OFFICE, date(2025, 9, 30), ["申请内容不明确"])
    app.record_correction(r_corrected, OFFICE, date(2025, 10, 10))
    app.transfer_request(r_corrected, HANDLER, date(2025, 10, 13), "规划科", "移交单 2025-18")
    r_awaiting = receive(app, ZHONGWEI, date(2025, 12, 1))
    app.request_correction(r_awaiting, OFFICE, date(2025, 12, 2), ["缺少身份证明"])
    r_late = receive(app, ZHONGWEI, date(2025, 9, 1))
    r_fee = receive(app, ZHONGWEI, date(2025, 12, 1))
    app.notice_fee(r_fee, OFFICE, date(2025, 12, 3), FeeBasis.PER_PAGE, 50, Decimal(200))
    app.record_fee_payment(r_fee, OFFICE, date(2025, 12, 10))
    r_agency = receive(app, ARXAN, date(2025, 11, 3))
    app.consult_agency(r_agency, HANDLER, date(2025, 11, 4), "市发改委")
    i_published = register_proactive_item(app, ZHONGWEI, date(2025, 9, 15), "科技特派员管理办法")
    review_approve_publish(app, i_published, date(2025, 9, 26), date(2025, 10, 14))
    i_waiting = register_proactive_item(app, ZHONGWEI, date(2025, 9, 20), "科技计划项目公示")
    i_open = register_proactive_item(app, ARXAN, date(2025, 9, 26), "林业补贴标准")
    i_changed = register_proactive_item(app, ARXAN, date(2025, 9, 1), "旅游扶持政策")
    review_approve_publish(app, i_changed, date(2025, 9, 10), date(2025, 9, 12))
    app.change_item(i_changed, PLANNER, date(2025, 11, 3), "调整补助标准")
    i_withheld = app.register_item(
        PLANNER,
        agency_code=ARXAN,
        title="内部请示",
        department="规划科",
        formed_on=date(2025, 9, 1),
    ).id
    app.mark_attribute(i_withheld, PLANNER, date(2025, 9, 1), Attribute.ON_REQUEST)
    return [
        r_third, r_extended, r_corrected, r_awaiting, r_late, r_fee, r_agency,
        i_published, i_waiting, i_open, i_changed, i_withheld,
    ]  # fmt: skip


AS_OF_DATES = [
    date(2025, 9, 30),
    date(2025, 10, 15),
    date(2025, 10, 21),
    date(2025, 11, 10),
    date(2025, 12, 5),
    date(2025, 12, 31),
    date(2026, 2, 27),
    date(2026, 3, 25),
]


class TestAgreesWithDomainClock:
    @pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
    def test_every_reading_equals_the_domain_clock_over_the_real_aggregate(
        self, app: GongkaiLedger, projector: Projector, as_of: date
    ) -> None:
        """002 Art 35(二), 002 Art 6, the Regulation Art 30, 33, 35: the docket's folded
        clock facts give exactly what `domain.deadlines` gives for the whole aggregate."""
        ids = mixed_scenario(app)

        rows = {e.id: e for e in docket(projector, as_of)}

        expected_open = set()
        for aggregate_id in ids:
            aggregate: object = app.repository.get(aggregate_id)
            if isinstance(aggregate, DisclosureItem):
                policy = app.policy(aggregate.agency_code)
                reading = publication_clock(aggregate, policy, app.calendar, as_of)
            else:
                assert isinstance(aggregate, DisclosureRequest)
                policy = app.policy(aggregate.agency_code)
                reading = request_clock(aggregate, policy, app.calendar, as_of)
            if reading.state in CLOSED_STATES:
                continue
            expected_open.add(aggregate_id)
            row = rows[aggregate_id]
            assert (
                row.status,
                row.started_on,
                row.due_on,
                row.paused_working_days,
                row.remaining_working_days,
                row.overdue,
            ) == (
                reading.state,
                reading.started_on,
                reading.due_on,
                reading.paused_working_days,
                reading.remaining_working_days,
                reading.overdue,
            ), aggregate_id
            assert row.department == aggregate.department
        assert set(rows) == expected_open
        assert len(expected_open) >= 8


class TestPrivacy:
    def test_no_row_or_stored_fact_contains_the_applicants_personal_data(
        self, app: GongkaiLedger, projector: Projector, store: SqlStore
    ) -> None:
        """004 att.2 Art 3-4: name, identity document, address, contact and the description
        are the applicant's; the docket shows the registration number and applicant type."""
        mixed_scenario(app)
        rows = [
            row
            for as_of in AS_OF_DATES
            for listing in (docket, late)
            for row in listing(projector, as_of)
        ]
        requests = [row for row in rows if row.kind is DocketKind.REQUEST]
        assert requests and all(row.registration_number for row in requests)
        assert {row.applicant_type for row in requests} == {"natural_person"}

        for row in rows:
            text = repr(asdict(row))
            assert not [datum for datum in PERSONAL_DATA if datum in text], row.id
        stored = table_text(store, "docket_entries")
        assert "registration_number" in stored
        assert not [datum for datum in PERSONAL_DATA if datum in stored]


def table_rows(store: SqlStore) -> list[tuple[object, ...]]:
    with store.reading() as tx:
        return tx.fetchall("SELECT * FROM docket_entries ORDER BY aggregate_id")


def crash_mid_batch(
    model: DocketModel, store: SqlStore, events: list[tuple[int, DomainEvent]]
) -> None:
    """Handle `events` in one transaction, then fail before the commit."""
    with store.transaction() as tx:
        for notification_id, event in events:
            model.handle(tx, event, notification_id)
        raise RuntimeError("driver crashed before commit")


class TestRestart:
    def test_two_halves_with_a_fresh_model_equal_one_pass(
        self, app: GongkaiLedger, backend: Backend
    ) -> None:
        """002 Art 35(二): the due dates must not depend on how the log was processed — a
        restart mid-stream (new process, empty cache) resumes from the committed table."""
        mixed_scenario(app)
        one_pass = Projector(app, backend.store("one"), [DocketModel()])
        total = one_pass.catch_up()
        halves_store = backend.store("halves")
        first = Projector(app, halves_store, [DocketModel()])
        first.catch_up(limit=total // 2)
        second = Projector(app, halves_store, [DocketModel()], position=first.position)

        assert second.catch_up() == total - total // 2
        assert table_rows(halves_store) == table_rows(one_pass.store)
        for as_of in AS_OF_DATES:
            assert docket(second, as_of) == docket(one_pass, as_of)

    def test_one_event_at_a_time_equals_whole_batches(
        self, app: GongkaiLedger, backend: Backend
    ) -> None:
        """002 Art 35(二): `handle` and `handle_batch` fold the same facts, whatever the batch
        boundaries and however small the cache."""
        mixed_scenario(app)
        batched = Projector(app, backend.store("batched"), [DocketModel()])
        batched.catch_up()
        tiny_cache = DocketModel(cache_size=2)
        one_by_one = Projector(app, backend.store("single"), [tiny_cache], per_event=True)
        while one_by_one.catch_up(limit=7):
            pass

        assert table_rows(one_by_one.store) == table_rows(batched.store)

    def test_a_rolled_back_batch_is_reprocessed_exactly_by_the_same_instance(
        self, app: GongkaiLedger, projector: Projector, store: SqlStore, backend: Backend
    ) -> None:
        """002 Art 35(二) and 000 §二(三)2: a batch that fails after the cache advanced must
        not leave the cache ahead of the table — the retry would count the third-party pause
        twice and the item's change twice (its new version would never count as published)."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))
        item_id = register_proactive_item(app, ARXAN, date(2025, 9, 1))
        review_approve_publish(app, item_id, date(2025, 9, 10), date(2025, 9, 12))
        projector.catch_up()
        app.consult_third_party(
            request_id, HANDLER, date(2025, 10, 9), "企业甲", ThirdPartyInterest.COMMERCIAL_SECRET
        )
        app.change_item(item_id, PLANNER, date(2025, 11, 3), "调整申报时间")
        review_approve_publish(app, item_id, date(2025, 11, 10), date(2025, 11, 12))
        model = projector.models[0]
        assert isinstance(model, DocketModel)

        with pytest.raises(RuntimeError, match="driver crashed"):
            crash_mid_batch(model, store, projector.pending())
        projector.catch_up()

        assert entry(projector, request_id, date(2025, 10, 15)).paused_working_days == 5
        assert not on_docket(projector, item_id, date(2025, 11, 12))
        one_pass = Projector(app, backend.store("one"), [DocketModel()])
        one_pass.catch_up()
        assert table_rows(store) == table_rows(one_pass.store)

    def test_a_duplicate_delivery_changes_nothing(
        self, app: GongkaiLedger, projector: Projector, store: SqlStore
    ) -> None:
        """The Regulation Art 33: a consultation delivered twice still pauses the clock once,
        whether the model remembers the request or reads it back from its table."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))
        app.consult_third_party(
            request_id, HANDLER, date(2025, 10, 9), "企业甲", ThirdPartyInterest.COMMERCIAL_SECRET
        )
        consulted = projector.pending()[-1]
        projector.catch_up()
        before = table_rows(store)

        with store.transaction() as tx:
            for model in (projector.models[0], DocketModel()):
                model.handle(tx, consulted[1], consulted[0])

        assert table_rows(store) == before
        assert entry(projector, request_id, date(2025, 10, 15)).paused_working_days == 5

    def test_a_history_redelivered_from_its_start_changes_nothing(
        self, app: GongkaiLedger, projector: Projector, store: SqlStore
    ) -> None:
        """The Regulation Art 33: a creation event starts the facts without reading the row, so
        a request delivered again from its receipt must not replace the newer row — neither
        its first steps alone nor its whole history."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))
        app.consult_third_party(
            request_id, HANDLER, date(2025, 10, 9), "企业甲", ThirdPartyInterest.COMMERCIAL_SECRET
        )
        history = [
            (event, notification_id)
            for notification_id, event in projector.pending()
            if event.originator_id == request_id
        ]
        projector.catch_up()
        before = table_rows(store)

        for redelivered in (history[:2], history):
            for model in (projector.models[0], DocketModel()):
                assert isinstance(model, DocketModel)
                with store.transaction() as tx:
                    model.handle_batch(tx, redelivered)
                assert table_rows(store) == before
        assert entry(projector, request_id, date(2025, 10, 15)).paused_working_days == 5

    def test_an_event_whose_predecessor_was_never_seen_is_refused(
        self, app: GongkaiLedger, projector: Projector, store: SqlStore
    ) -> None:
        """002 Art 34: a request's clock starts with its receipt; folding a later step without
        it would produce a wrong due date, so the docket asks for a rebuild instead."""
        request_id = receive(app, ARXAN, date(2025, 9, 26))
        (registered,) = [
            event
            for _, event in projector.pending()
            if event.originator_id == request_id and event.originator_version == 2
        ]

        with pytest.raises(DocketGapError), store.transaction() as tx:
            projector.models[0].handle(tx, registered, 99)

        projector.catch_up()
        assert entry(projector, request_id, date(2025, 9, 30)).due_on == date(2025, 10, 30)
