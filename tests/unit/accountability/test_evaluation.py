"""The 100-point evaluation (004 att.11): a constructed year with its deductions written out by
hand, the grade, the judged criteria recorded as events, and the evaluation record's rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.annual_report_record import (
    AnnualReportRecord,
    ReportLevel,
    ReportSection,
    YearlyFigures,
    annual_report_id,
)
from domain.base import Actor
from domain.codes import (
    AppealResult,
    FeeBasis,
    Outcome,
    ReadingRoomMode,
    RequestChannel,
    ReviewConclusion,
    Role,
)
from domain.disclosure_item import DisclosureItem as Item
from domain.disclosure_request import DisclosureRequest as Request
from domain.errors import RuleViolation
from projections.evaluation import evaluate, grade
from projections.investigation import load_histories
from tests.unit.accountability.support import (
    APPLICANT,
    ARXAN,
    DESCRIPTION,
    HANDLER,
    INSPECTOR,
    LEADER,
    OFFICE,
    REVIEWER,
    ZHONGWEI,
    Clock,
    History,
    Ledger,
    approval,
    irregular_item,
    ledger,
    publish,
    publishable,
    receive,
    transfer,
)

REPLY = {
    "legal_basis": "《条例》第三十六条",
    "reasons": "属于公开范围",
    "remedy": "可申请复议或诉讼",
}
OFFICE_HEAD = Actor(official_id="office-head-sun", role=Role.DISCLOSURE_OFFICE, department="办公室")
JUDGED_ON = date(2026, 1, 12)
COMMON: dict[str, object] = {"agency_code": ARXAN, "year": 2025, "on": JUDGED_ON}


def reply(app: Ledger, clock: Clock, request_id: UUID, on: date) -> None:
    clock.on(on)
    app.reply_to_request(request_id, OFFICE, on, Outcome.DISCLOSED, **REPLY)


def raw_request(app: Ledger) -> History:
    history = History()
    history.add(
        Request.Received,
        date(2025, 3, 3),
        OFFICE,
        agency_code=ARXAN,
        channel=RequestChannel.IN_PERSON,
        applicant=APPLICANT,
        description=DESCRIPTION,
        department=HANDLER.department,
    )
    history.add(Request.Registered, date(2025, 3, 3), OFFICE, registration_number="申-2025")
    return history


def build_items(app: Ledger, clock: Clock) -> dict[str, UUID]:
    items = {}
    # I1: clean — published and transferred in time.
    items["clean"] = publishable(app, clock, ARXAN, date(2025, 3, 3))
    publish(app, clock, items["clean"], date(2025, 3, 10))
    transfer(app, clock, items["clean"], date(2025, 3, 10))
    # I2: published late (due 31 Mar), transferred late: one problem.
    items["late"] = publishable(app, clock, ARXAN, date(2025, 3, 3))
    publish(app, clock, items["late"], date(2025, 4, 2))
    transfer(app, clock, items["late"], date(2025, 4, 3))
    # I3: published late (due 30 Jun), never transferred: one problem.
    items["late_untransferred"] = publishable(app, clock, ARXAN, date(2025, 6, 2))
    publish(app, clock, items["late_untransferred"], date(2025, 7, 3))
    # I4: published without the review (imported record), on time, transferred in time.
    history = irregular_item(ARXAN, date(2025, 5, 6))
    history.add(Item.Published, date(2025, 5, 8), OFFICE, channels=("portal",))
    history.add(
        Item.ReadingRoomTransferred, date(2025, 5, 9), OFFICE, mode=ReadingRoomMode.ELECTRONIC
    )
    app.save(*history.events)
    items["unreviewed"] = history.id
    # I5: published in time (due 29 Aug), transferred late.
    items["transfer_late"] = publishable(app, clock, ARXAN, date(2025, 8, 1))
    publish(app, clock, items["transfer_late"], date(2025, 8, 5))
    transfer(app, clock, items["transfer_late"], date(2025, 9, 10))
    # I6: changed on 6 May; republished in time, but the catalogue follows only on 20 June.
    changed = items["catalogue_late"] = publishable(app, clock, ARXAN, date(2025, 3, 3))
    publish(app, clock, changed, date(2025, 3, 5))
    transfer(app, clock, changed, date(2025, 3, 5))
    app.register_in_catalogue(changed, OFFICE, date(2025, 3, 6))
    clock.on(date(2025, 5, 6))
    app.change_item(changed, HANDLER, date(2025, 5, 6), "修订第三条")
    app.review_confidentiality(changed, REVIEWER, date(2025, 5, 7), ReviewConclusion.PROACTIVE)
    app.approve_item(changed, LEADER, date(2025, 5, 7), approval(date(2025, 5, 7)))
    publish(app, clock, changed, date(2025, 5, 8))
    transfer(app, clock, changed, date(2025, 5, 9))
    clock.on(date(2025, 6, 20))
    app.register_in_catalogue(changed, OFFICE, date(2025, 6, 20))
    # Not counted: late in 2024 (another year), and late at Zhongwei (another agency).
    old = publishable(app, clock, ARXAN, date(2024, 3, 4))
    publish(app, clock, old, date(2024, 6, 3))
    transfer(app, clock, old, date(2024, 6, 3))
    other = publishable(app, clock, ZHONGWEI, date(2025, 3, 3))
    publish(app, clock, other, date(2025, 6, 3))
    return items


def build_requests(app: Ledger, clock: Clock) -> None:
    # R1: answered late (due 31 Mar).
    late = receive(app, clock, ARXAN, date(2025, 3, 3))
    reply(app, clock, late, date(2025, 4, 2))
    # R2: received 3 Nov, due 1 Dec, still open on 31 Dec.
    receive(app, clock, ARXAN, date(2025, 11, 3))
    # R3: extended by 30 (limit 20) and still answered late: one problem.
    history = raw_request(app)
    history.add(
        Request.Extended,
        date(2025, 3, 20),
        HANDLER,
        days=30,
        reason="材料较多",
        approval=approval(date(2025, 3, 20), OFFICE_HEAD),
        notice_sent_on=date(2025, 3, 20),
    )
    history.add(Request.Replied, date(2025, 5, 16), OFFICE, outcome=Outcome.DISCLOSED, **REPLY)
    app.save(*history.events)
    # R4-R7: four fees above the ceiling (the row has 3 points).
    for _ in range(4):
        history = raw_request(app)
        history.add(
            Request.FeeNoticed,
            date(2025, 3, 5),
            OFFICE,
            basis=FeeBasis.PER_PAGE,
            count=20,
            amount=Decimal(50),
            due_on=date(2025, 4, 2),
        )
        history.add(Request.FeePaid, date(2025, 3, 6), OFFICE)
        history.add(Request.Replied, date(2025, 3, 20), OFFICE, outcome=Outcome.DISCLOSED, **REPLY)
        app.save(*history.events)
    # R8: answered in time, corrected on reconsideration.
    corrected = receive(app, clock, ARXAN, date(2025, 3, 3))
    reply(app, clock, corrected, date(2025, 3, 20))
    app.file_reconsideration(corrected, OFFICE, date(2025, 4, 1), "阿尔山市人民政府")
    app.decide_reconsideration(corrected, OFFICE, date(2025, 6, 1), AppealResult.CORRECTED)


def build_report(app: Ledger, clock: Clock) -> None:
    """The report on 2024, due 31 January 2025, published 5 February."""
    record = AnnualReportRecord.start(
        AnnualReportRecord.Opened,
        annual_report_id(ReportLevel.AGENCY, ARXAN, 2024),
        clock=clock,
        actor=OFFICE,
        on=date(2025, 1, 6),
        level=ReportLevel.AGENCY,
        subject=ARXAN,
        year=2024,
    )
    record.record_figures(
        OFFICE,
        date(2025, 1, 6),
        YearlyFigures(
            licensing_decisions=0,
            penalty_decisions=0,
            enforcement_decisions=0,
            fee_amount_10k_yuan=Decimal(0),
        ),
        "",
    )
    record.record_section(OFFICE, date(2025, 1, 6), ReportSection.OVERVIEW, "总体情况")
    record.record_section(OFFICE, date(2025, 1, 6), ReportSection.PROBLEMS, "存在问题")
    record.publish(OFFICE, date(2025, 2, 5))
    app.save(record)


def record_judgements(app: Ledger, clock: Clock, late_item: UUID) -> None:
    clock.on(JUDGED_ON)
    common = COMMON
    app.record_evaluation_finding(OFFICE, criterion="1.1", description="无经费保障", **common)
    app.record_evaluation_finding(INSPECTOR, criterion="3.3", description="无新闻发布会", **common)
    app.record_evaluation_finding(
        INSPECTOR, criterion="4.2", description="投诉被查实", evidence_ref="投诉2025-07", **common
    )
    mistaken = app.record_evaluation_finding(
        OFFICE, criterion="1.2", description="保密审查制度未落实", **common
    )
    app.withdraw_evaluation_finding(
        OFFICE, finding_version=mistaken.version, reason="复核后制度已落实", **common
    )
    app.record_evaluation_finding(
        INSPECTOR,
        criterion="3.1",
        description="网上公开内容更新不及时",
        subject_id=late_item,
        **common,
    )
    app.record_evaluation_finding(
        INSPECTOR, criterion="art12", points=2, description="自评材料与台账不符", **common
    )
    for criterion in ("1.3", "1.4", "4.3"):
        app.clear_evaluation_criterion(OFFICE, criterion=criterion, note="已核查", **common)


def test_score_of_a_constructed_year():
    """004 att.11: deductions per row (附件), rows capped at their points (备注1), one problem
    deducted once (备注2), falsification off the total (Art 12), the grade (Art 5)."""
    app, clock = ledger()
    items = build_items(app, clock)
    build_requests(app, clock)
    build_report(app, clock)
    record_judgements(app, clock, items["late"])

    result = evaluate(load_histories(app), ARXAN, 2025, app.policies, app.calendar)

    deducted = {row.criterion.id: row.deducted for row in result.rows}
    assert deducted == {
        "1.1": 1,  # judged: no funding
        "1.2": 0,  # the finding was withdrawn
        "1.3": 1,  # I6: catalogue after the change
        "1.4": 0,
        "2.1": 5,  # I2 late 1 + I3 late 1 + I4 unreviewed 3
        "2.2": 3,  # R1 late, R2 open, R3 extension and late reply (one problem)
        "3.1": 0,  # judged, but the same problem as I2's late publication
        "3.2": 0,
        "3.3": 3,  # judged: no means of publication of one kind
        "4.1": 1,  # report on 2024 published 5 Feb
        "4.2": 4,  # R8 corrected 3 + a substantiated complaint 1
        "4.3": 0,
        "4.4": 3,  # four fees above the ceiling, capped at the row's 3 points
        "4.5": 1,  # I5 (I2's and I3's late transfers are their late publications)
    }
    assert {s.section: s.deducted for s in result.sections} == {"一": 2, "二": 8, "三": 3, "四": 9}
    assert [d.points for d in result.fraud] == [2]
    assert result.score == 100 - 22 - 2 == 76
    assert (result.grade, result.grade_en) == ("合格", "pass")
    assert result.unassessed == ("1.2", "3.2")

    room = result.row("4.5").deductions
    assert sorted(d.counted for d in room) == [False, False, True]
    assert {d.note for d in room if not d.counted} == {"the same problem is deducted under 2.1"}
    fees = result.row("4.4").deductions
    assert [d.counted for d in fees] == [True] * 4
    duplicate = result.row("3.1").deductions[0]
    assert not duplicate.counted and duplicate.source == "judgement"


def test_a_clean_year_scores_full_marks_for_what_the_events_show():
    """004 att.11 Art 5: 100 points; nothing judged yet is listed, not assumed."""
    app, clock = ledger()
    item_id = publishable(app, clock, ARXAN, date(2025, 3, 3))
    publish(app, clock, item_id, date(2025, 3, 10))
    transfer(app, clock, item_id, date(2025, 3, 10))

    result = evaluate(load_histories(app), ARXAN, 2025, app.policies, app.calendar)
    assert (result.score, result.grade) == (100, "优秀")
    assert result.unassessed == (
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "3.1",
        "3.2",
        "3.3",
        "4.1",
        "4.2",
        "4.3",
    )


def test_evaluation_as_of_an_earlier_date_sees_what_was_overdue_then():
    """004 att.11 Art 6-7: an inspection during the year deducts what it finds then."""
    app, clock = ledger()
    item_id = publishable(app, clock, ARXAN, date(2025, 3, 3))
    publish(app, clock, item_id, date(2025, 3, 10))
    transfer(app, clock, item_id, date(2025, 3, 10))
    receive(app, clock, ARXAN, date(2025, 11, 3))  # due 1 December
    histories = load_histories(app)

    assert (
        evaluate(histories, ARXAN, 2025, app.policies, app.calendar, date(2025, 12, 1)).score == 100
    )
    later = evaluate(histories, ARXAN, 2025, app.policies, app.calendar, date(2025, 12, 2))
    assert later.row("2.2").deducted == 1 and later.score == 99


@pytest.mark.parametrize(
    ("score", "expected"),
    [(100, "优秀"), (90, "优秀"), (89, "合格"), (70, "合格"), (69, "不合格"), (0, "不合格")],
)
def test_grades(score, expected):
    """004 att.11 Art 5: 90分以上为优秀，70分-89分为合格，70分以下为不合格."""
    assert grade(score)[0] == expected


class TestEvaluationRecordRules:
    def refused(self, rule: str, call, *args, **kwargs) -> None:
        with pytest.raises(RuleViolation) as caught:
            call(*args, **kwargs)
        assert caught.value.rule == rule

    def test_only_the_disclosure_office_or_an_inspector_records_findings(self):
        """004 att.11 Art 3, 7-8, 11."""
        app, _ = ledger()
        self.refused(
            "evaluation_by_office_or_inspector",
            app.record_evaluation_finding,
            HANDLER,
            criterion="1.1",
            description="自评",
            **COMMON,
        )

    def test_criteria_the_ledger_deducts_are_not_judged(self):
        """004 att.11 附件: late publication (row 2.1) is proven by events, not judged."""
        app, _ = ledger()
        self.refused(
            "criterion_needs_judgement",
            app.record_evaluation_finding,
            OFFICE,
            criterion="2.1",
            description="未按时公开",
            **COMMON,
        )

    def test_points_follow_the_standard(self):
        """004 att.11 附件 (3.3: 扣3分); Art 12: falsification 2-5 points."""
        app, _ = ledger()
        for criterion, points in (("3.3", 1), ("art12", 6), ("art12", None)):
            self.refused(
                "finding_points_by_standard",
                app.record_evaluation_finding,
                OFFICE,
                criterion=criterion,
                points=points,
                description="问题",
                **COMMON,
            )
        app.record_evaluation_finding(OFFICE, criterion="3.3", description="问题", **COMMON)
        record = app.get_evaluation_record(ARXAN, 2025)
        assert [f.points for f in record.active_findings] == [3]

    def test_withdraw_only_a_finding_in_force(self):
        """004 att.11 Art 8: a finding is corrected by withdrawing it, once."""
        app, _ = ledger()
        found = app.record_evaluation_finding(
            OFFICE, criterion="1.1", description="无经费保障", **COMMON
        )
        app.withdraw_evaluation_finding(
            OFFICE, finding_version=found.version, reason="已核实有经费", **COMMON
        )
        self.refused(
            "withdraw_recorded_finding",
            app.withdraw_evaluation_finding,
            OFFICE,
            finding_version=found.version,
            reason="重复撤回",
            **COMMON,
        )
        record = app.get_evaluation_record(ARXAN, 2025)
        assert record.active_findings == [] and not record.assessed("1.1")
