"""Violations found in request and annual-report histories, each test naming its seed article."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.annual_report_record import (
    AnnualReportRecord,
    ReportLevel,
    ReportSection,
    YearlyFigures,
    annual_report_id,
)
from domain.base import Actor
from domain.codes import FeeBasis, Outcome, RequestChannel, Role
from domain.disclosure_request import DisclosureRequest as Request
from projections.accountability import Kind, assess, detect
from tests.unit.accountability.support import (
    APPLICANT,
    ARXAN,
    DESCRIPTION,
    HANDLER,
    OFFICE,
    ZHONGWEI,
    History,
    approval,
    assessed,
    ledger,
    only,
    receive,
    shares,
    versions,
)

RECEIVED = date(2025, 3, 3)  # Arxan: + 20 working days = 31 March; Zhongwei: + 15 = 24 March
OFFICE_HEAD = Actor(official_id="office-head-sun", role=Role.DISCLOSURE_OFFICE, department="办公室")
REPLY = {
    "legal_basis": "《条例》第三十六条",
    "reasons": "属于公开范围",
    "remedy": "可申请复议或诉讼",
}


def reply(app, clock, request_id, on):
    clock.on(on)
    app.reply_to_request(request_id, OFFICE, on, Outcome.DISCLOSED, **REPLY)


class TestReplyClock:
    def test_reply_after_the_due_date(self):
        """004 att.2 Art 6: Arxan answers within 20 working days of receipt."""
        app, clock = ledger()
        request_id = receive(app, clock, ARXAN, RECEIVED)
        reply(app, clock, request_id, date(2025, 4, 2))  # version 3

        found = only(assessed(app, request_id, date(2025, 12, 31)), Kind.REPLY_LATE)
        assert found.violation.occurred_on == date(2025, 4, 1)
        assert "due 2025-03-31" in found.violation.detail
        assert versions(found.violation.evidence) == [1, 3]
        assert found.violation.citation == "004 att.2 Art 6"
        assert shares(found) == {OFFICE.official_id: "full"}

    def test_reply_on_the_due_date(self):
        """004 att.2 Art 6."""
        app, clock = ledger()
        request_id = receive(app, clock, ARXAN, RECEIVED)
        reply(app, clock, request_id, date(2025, 3, 31))
        assert assessed(app, request_id, date(2025, 12, 31)) == []

    def test_request_still_open_after_the_due_date(self):
        """002 Art 35(二): Zhongwei answers within 15 working days."""
        app, clock = ledger()
        request_id = receive(app, clock, ZHONGWEI, RECEIVED)
        assert assessed(app, request_id, date(2025, 3, 24)) == []

        found = only(assessed(app, request_id, date(2025, 3, 26)), Kind.REQUEST_OVERDUE)
        assert found.violation.occurred_on == date(2025, 3, 25)
        assert "still unanswered on 2025-03-26" in found.violation.detail
        assert found.violation.citation == "002 Art 35(二)"
        # the official holding the file at the deadline: the last handling step (registration)
        assert shares(found) == {OFFICE.official_id: "full"}


def raw_request(agency: str = ARXAN) -> History:
    history = History()
    history.add(
        Request.Received,
        RECEIVED,
        OFFICE,
        agency_code=agency,
        channel=RequestChannel.IN_PERSON,
        applicant=APPLICANT,
        description=DESCRIPTION,
        department=HANDLER.department,
    )
    history.add(Request.Registered, RECEIVED, OFFICE, registration_number="ARXS-申-2025-00001")
    return history


class TestReplyContent:
    def test_reply_without_legal_basis_or_remedy(self):
        """002 Art 39: a reply cites its legal basis, gives reasons and states remedies."""
        history = raw_request()
        # pydantic refuses a blank basis, so only an imported record (never re-validated)
        # can hold one: build it as such.
        history.events.append(
            Request.Replied.model_construct(
                originator_id=history.id,
                originator_version=3,
                timestamp=history.events[-1].timestamp,
                actor=OFFICE,
                on=date(2025, 3, 10),
                outcome=Outcome.DISCLOSED,
                legal_basis="",
                reasons="属于公开范围",
                remedy="  ",
                withheld_reasons="",
                location="",
                holding_agency="",
            )
        )
        app, _ = ledger()
        policy = app.policy(ARXAN)
        found = detect(history.events, policy, app.calendar, date(2025, 12, 31))
        assert [v.kind for v in found] == [Kind.REPLY_INCOMPLETE]
        assert found[0].detail == "the reply lacks: legal_basis, remedy"
        assert versions(found[0].evidence) == [3]


class TestExtension:
    def test_extension_over_the_limit_on_the_office_heads_approval(self):
        """004 att.2 Art 6; the Regulation Art 33: once, at most 20 working days."""
        app, _ = ledger()
        history = raw_request()
        history.add(
            Request.Extended,
            date(2025, 3, 20),
            HANDLER,
            days=30,
            reason="涉及材料较多",
            approval=approval(date(2025, 3, 20), OFFICE_HEAD),
            notice_sent_on=date(2025, 3, 20),
        )
        app.save(*history.events)

        found = only(assessed(app, history.id, date(2025, 3, 25)), Kind.EXTENSION_IRREGULAR)
        assert "30 working days, over the 20 limit" in found.violation.detail
        assert shares(found) == {OFFICE_HEAD.official_id: "main", HANDLER.official_id: "secondary"}

    def test_second_late_and_self_approved_extension(self):
        """the Regulation Art 33: one extension, decided within the period, by the office head."""
        app, _ = ledger()
        history = raw_request()
        history.add(
            Request.Extended,
            date(2025, 3, 20),
            HANDLER,
            days=10,
            reason="材料较多",
            approval=approval(date(2025, 3, 20), OFFICE_HEAD),
            notice_sent_on=date(2025, 3, 20),
        )
        history.add(
            Request.Extended,
            date(2025, 4, 20),
            HANDLER,
            days=5,
            reason="仍需时间",
            approval=approval(date(2025, 4, 20), HANDLER),
            notice_sent_on=date(2025, 4, 20),
        )
        app.save(*history.events)

        found = only(assessed(app, history.id, date(2025, 4, 20)), Kind.EXTENSION_IRREGULAR)
        assert found.violation.detail == (
            "extension: a second extension; decided 2025-04-20, after the period ended "
            "2025-04-15; not approved by the head of the disclosure office"
        )
        assert versions(found.violation.evidence) == [4]
        assert shares(found) == {HANDLER.official_id: "full"}


class TestFees:
    def test_fee_above_the_information_processing_fee_ceiling(self):
        """the Regulation Art 42 (国办函〔2020〕109号); 004 att.3 Art 5(三): 30 pages are free."""
        app, _ = ledger()
        history = raw_request()
        history.add(
            Request.FeeNoticed,
            date(2025, 3, 5),
            OFFICE,
            basis=FeeBasis.PER_PAGE,
            count=20,
            amount=Decimal("50.00"),
            due_on=date(2025, 4, 2),
        )
        app.save(*history.events)

        found = only(assessed(app, history.id, date(2025, 3, 10)), Kind.FEE_ABOVE_STANDARD)
        assert "50.00 yuan for 20 (per_page), ceiling 0" in found.violation.detail
        assert shares(found) == {OFFICE.official_id: "full"}

    def test_fee_at_the_ceiling(self):
        """the Regulation Art 42: pages 31-50 at 10 yuan = 200 yuan."""
        app, clock = ledger()
        request_id = receive(app, clock, ARXAN, RECEIVED)
        app.notice_fee(request_id, OFFICE, date(2025, 3, 5), FeeBasis.PER_PAGE, 50, Decimal(200))
        assert assessed(app, request_id, date(2025, 3, 10)) == []


class TestAnnualReport:
    def _report(self, app, clock, published: date | None):
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
        figures = YearlyFigures(
            licensing_decisions=3,
            penalty_decisions=1,
            enforcement_decisions=0,
            fee_amount_10k_yuan=Decimal(0),
        )
        record.record_figures(OFFICE, date(2025, 1, 6), figures, "")
        record.record_section(OFFICE, date(2025, 1, 6), ReportSection.OVERVIEW, "总体情况")
        record.record_section(OFFICE, date(2025, 1, 6), ReportSection.PROBLEMS, "存在问题")
        if published:
            clock.on(published)
            record.publish(OFFICE, published)
        app.save(record)
        return record.id

    def test_report_published_after_31_january(self):
        """004 att.9 Art 3: an agency publishes its annual report by 31 January."""
        app, clock = ledger()
        record_id = self._report(app, clock, date(2025, 2, 5))
        found = only(assessed(app, record_id, date(2025, 12, 31)), Kind.ANNUAL_REPORT_LATE)
        assert found.violation.occurred_on == date(2025, 2, 1)
        assert found.violation.detail == "report on 2024 due 2025-01-31, published 2025-02-05"
        assert versions(found.violation.evidence) == [1, 5]
        assert shares(found) == {OFFICE.official_id: "full"}

    def test_report_on_time_and_report_missing(self):
        """004 att.9 Art 3."""
        app, clock = ledger()
        assert assessed(app, self._report(app, clock, date(2025, 1, 20)), date(2025, 12, 31)) == []
        app, clock = ledger()
        record_id = self._report(app, clock, None)
        assert assessed(app, record_id, date(2025, 1, 31)) == []
        found = only(assessed(app, record_id, date(2025, 2, 10)), Kind.ANNUAL_REPORT_LATE)
        assert "unpublished on 2025-02-10" in found.violation.detail


def test_assess_ignores_aggregates_of_unknown_agencies():
    """domain.md §5: policy is per agency; without one there is no clock to judge by."""
    app, _ = ledger()
    history = raw_request(agency="NO-SUCH-AGENCY")
    assert assess(history.events, app.policies, app.calendar, date(2025, 12, 31)) == []
