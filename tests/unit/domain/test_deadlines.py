"""Statutory clocks across real holidays, computed by hand so a reader can check them.

Calendar facts used below (State Council notices; `chinesecalendar` 2025-2026):

* National Day / Mid-Autumn 2025: Oct 1-8 off; Sun Sep 28 and Sat Oct 11 are working days
  (调休); Sat Sep 27 and Sun Oct 12 are off.
* Spring Festival 2026: Feb 15-23 off; Sat Feb 14 and Sat Feb 28 are working days; Sun Mar 1 off.
* Qingming 2026: Apr 4-6 off (Mon Apr 6 is the only weekday lost).

Counting starts the day after the trigger (the Regulation Art 33: 自收到申请之日起), and a pause
covers the working days after it starts up to and including the day it ends (002 Art 35(二)).

Agencies: Arxan "11152200ARXS" replies in 20 + 20 working days (004 att.2 Art 6); Zhongwei
"640500ZW" in 15 + 15 (002 Art 35(二)) and publishes 10 working days after passing the
confidentiality review (002 Art 6); Arxan publishes 20 working days after forming (004 att.1
Art 10).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import (
    Attribute,
    Channel,
    ConsultationAnswer,
    Outcome,
    RequestChannel,
    ReviewConclusion,
    ThirdPartyInterest,
    Validity,
)
from domain.deadlines import ClockReading, ClockState
from domain.disclosure_request import Applicant
from domain.errors import CalendarYearUnknown, RuleViolation
from tests.unit.domain.conftest import ARXAN, ZHONGWEI

# ---- National Day 2025: received in person on Friday 26 September ---------------------------
ND_RECEIVED = date(2025, 9, 26)
# Working days after Fri Sep 26, numbered:
#   1 Sun Sep 28 (make-up)   2 Mon Sep 29   3 Tue Sep 30   [Oct 1-8 off]
#   4 Thu Oct 9    5 Fri Oct 10   6 Sat Oct 11 (make-up)   [Sun Oct 12 off]
#   7 Mon Oct 13   8 Tue Oct 14   9 Wed Oct 15  10 Thu Oct 16  11 Fri Oct 17
#  12 Mon Oct 20  13 Tue Oct 21  14 Wed Oct 22  15 Thu Oct 23  16 Fri Oct 24
#  17 Mon Oct 27  18 Tue Oct 28  19 Wed Oct 29  20 Thu Oct 30
ND_ZHONGWEI_DUE = date(2025, 10, 23)  # 15th
ND_ARXAN_DUE = date(2025, 10, 30)  # 20th (without the holiday it would be Fri Oct 24)

# ---- Spring Festival 2026: received online, both sides confirm on Thursday 12 February -------
SF_RECEIVED = date(2026, 2, 12)
# Working days after Thu Feb 12, numbered:
#   1 Fri Feb 13   2 Sat Feb 14 (make-up)   [Feb 15-23 off]
#   3 Tue Feb 24   4 Wed Feb 25   5 Thu Feb 26   6 Fri Feb 27   7 Sat Feb 28 (make-up)
#   [Sun Mar 1 off]
#   8 Mon Mar 2    9 Tue Mar 3   10 Wed Mar 4   11 Thu Mar 5   12 Fri Mar 6
#  13 Mon Mar 9   14 Tue Mar 10  15 Wed Mar 11  16 Thu Mar 12  17 Fri Mar 13
#  18 Mon Mar 16  19 Tue Mar 17  20 Wed Mar 18
SF_ZHONGWEI_DUE = date(2026, 3, 11)  # 15th
SF_ARXAN_DUE = date(2026, 3, 18)  # 20th


def receive(
    app: GongkaiLedger,
    office: Actor,
    applicant: Applicant,
    agency: str,
    on: date,
    channel: RequestChannel = RequestChannel.IN_PERSON,
) -> UUID:
    key = "submitted_on" if channel is RequestChannel.IN_PERSON else "confirmed_on"
    dates: dict[str, Any] = {key: on}
    request_id = app.receive_request(
        office,
        agency_code=agency,
        channel=channel,
        applicant=applicant,
        description="本单位2025年度科技项目立项清单",
        department="科技管理科",
        **dates,
    ).id
    app.register_request(request_id, office, on)
    return request_id


def reply(app: GongkaiLedger, request_id: UUID, office: Actor, on: date) -> None:
    app.reply_to_request(
        request_id,
        office,
        on,
        Outcome.DISCLOSED,
        legal_basis="《中华人民共和国政府信息公开条例》第三十六条第（二）项",
        reasons="所申请信息属于公开范围",
        remedy="可于六十日内申请行政复议或于六个月内提起行政诉讼",
    )


def extend(app: GongkaiLedger, request_id: UUID, office: Actor, on: date, days: int) -> None:
    app.extend_request(
        request_id, office, on, days, "需调取档案", Approval(approver=office, approved_on=on)
    )


def reading(app: GongkaiLedger, request_id: UUID, as_of: date) -> ClockReading:
    return app.request_clock(request_id, as_of)


# ---- requests across National Day 2025 --------------------------------------------------------


class TestNationalDay2025:
    @pytest.mark.parametrize(
        ("agency", "due"), [(ARXAN, ND_ARXAN_DUE), (ZHONGWEI, ND_ZHONGWEI_DUE)]
    )
    def test_the_reply_is_due_after_the_holiday_counting_make_up_days(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, agency: str, due: date
    ) -> None:
        """004 att.2 Art 6 (20 working days); 002 Art 35(二) (15): see the numbered list."""
        request_id = receive(app, office, applicant, agency, ND_RECEIVED)
        clock = reading(app, request_id, ND_RECEIVED)
        assert (clock.state, clock.started_on, clock.due_on) == (
            ClockState.RUNNING,
            ND_RECEIVED,
            due,
        )

    @pytest.mark.parametrize(
        ("agency", "paused_due", "extended_on", "extended_due"),
        [
            # Arxan: 20th counted day after the pause is Thu Nov 6 (list below); extended by 20:
            #   Nov 7 (1), Nov 10-14 (2-6), Nov 17-21 (7-11), Nov 24-28 (12-16),
            #   Dec 1, 2, 3, 4 (17-20) → Thu Dec 4
            (ARXAN, date(2025, 11, 6), date(2025, 11, 3), date(2025, 12, 4)),
            # Zhongwei: 15th counted day after the pause is Thu Oct 30; extended by 15:
            #   Oct 31 (1), Nov 3-7 (2-6), Nov 10-14 (7-11), Nov 17, 18, 19, 20 (12-15)
            #   → Thu Nov 20
            (ZHONGWEI, date(2025, 10, 30), date(2025, 10, 28), date(2025, 11, 20)),
        ],
    )
    def test_a_third_party_pause_then_an_extension(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        agency: str,
        paused_due: date,
        extended_on: date,
        extended_due: date,
    ) -> None:
        """002 Art 35(二); the Regulation Art 32-33: third party consulted Tue Sep 30, answer on
        Tue Oct 14. Paused working days: Oct 9, 10, 11 (make-up), 13, 14 = 5 (the holiday days
        were not working days anyway). Counting resumes:
          1 Sep 28  2 Sep 29  3 Sep 30  | paused |  4 Oct 15  5 Oct 16  6 Oct 17  7 Oct 20
          8 Oct 21  9 Oct 22  10 Oct 23  11 Oct 24  12 Oct 27  13 Oct 28  14 Oct 29  15 Oct 30
          16 Oct 31  17 Nov 3  18 Nov 4  19 Nov 5  20 Nov 6
        """
        request_id = receive(app, office, applicant, agency, ND_RECEIVED)
        app.consult_third_party(
            request_id,
            office,
            date(2025, 9, 30),
            "宁夏某科技公司",
            ThirdPartyInterest.COMMERCIAL_SECRET,
        )
        # the third party's 15 working days: Oct 9 (1), 10, 11 (3), 13-17 (4-8), 20-24 (9-13),
        # 27 (14), 28 (15) → Tue Oct 28
        consultation = app.get_request(request_id).third_parties["宁夏某科技公司"]
        assert consultation.answer_due_on == date(2025, 10, 28)
        app.record_third_party_answer(
            request_id, office, date(2025, 10, 14), "宁夏某科技公司", ConsultationAnswer.AGREED
        )
        after_pause = reading(app, request_id, date(2025, 10, 15))
        assert (after_pause.paused_working_days, after_pause.due_on) == (5, paused_due)
        extend(app, request_id, office, extended_on, app.policy(agency).extension_days)
        extended = reading(app, request_id, extended_on)
        assert (extended.due_on, extended.paused_working_days) == (extended_due, 5)

    def test_the_clock_reads_paused_during_the_consultation_even_looking_back(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 35(二): on Oct 10, between consultation (Sep 30) and answer (Oct 14), the
        clock was paused, with Oct 9 and 10 paused so far."""
        request_id = receive(app, office, applicant, ARXAN, ND_RECEIVED)
        app.consult_third_party(
            request_id, office, date(2025, 9, 30), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 10, 14), "张某", ConsultationAnswer.AGREED
        )
        looking_back = reading(app, request_id, date(2025, 10, 10))
        assert (looking_back.state, looking_back.paused_working_days) == (ClockState.PAUSED, 2)
        assert reading(app, request_id, date(2025, 10, 14)).state is ClockState.RUNNING

    @pytest.mark.parametrize(
        ("agency", "due"),
        [
            # 20 after Thu Oct 9: Oct 10 (1), 11 (2, make-up), 13-17 (3-7), 20-24 (8-12),
            # 27-31 (13-17), Nov 3, 4, 5 (18-20) → Wed Nov 5
            (ARXAN, date(2025, 11, 5)),
            # 15 after Thu Oct 9: Oct 10 (1), 11 (2), 13-17 (3-7), 20-24 (8-12), 27, 28, 29
            # (13-15) → Wed Oct 29
            (ZHONGWEI, date(2025, 10, 29)),
        ],
    )
    def test_the_clock_restarts_from_the_correction(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, agency: str, due: date
    ) -> None:
        """the Regulation Art 30: notice on Mon Sep 29, corrected application on Thu Oct 9."""
        request_id = receive(app, office, applicant, agency, ND_RECEIVED)
        app.request_correction(request_id, office, date(2025, 9, 29), ["未写明所需信息名称"])
        waiting = reading(app, request_id, date(2025, 10, 5))
        assert (waiting.state, waiting.due_on) == (ClockState.AWAITING_CORRECTION, None)
        app.record_correction(request_id, office, date(2025, 10, 9))
        clock = reading(app, request_id, date(2025, 10, 9))
        assert (clock.started_on, clock.due_on) == (date(2025, 10, 9), due)

    @pytest.mark.parametrize(
        ("as_of", "remaining", "overdue", "late_by"),
        [
            (ND_RECEIVED, 20, False, 0),
            (date(2025, 9, 30), 17, False, 0),  # days 4..20 remain
            (date(2025, 10, 5), 17, False, 0),  # a holiday: nothing counted since Sep 30
            (date(2025, 10, 11), 14, False, 0),  # the make-up Saturday is day 6
            (ND_ARXAN_DUE, 0, False, 0),  # the due date itself is still in time
            (date(2025, 10, 31), -1, True, 1),  # Fri Oct 31
            (date(2025, 11, 3), -2, True, 2),  # Oct 31, Mon Nov 3 (the weekend does not count)
        ],
    )
    def test_remaining_and_overdue_working_days_for_arxan(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        as_of: date,
        remaining: int,
        overdue: bool,
        late_by: int,
    ) -> None:
        """004 att.2 Art 6; 004 att.11 (1 point per request not handled by the rules)."""
        request_id = receive(app, office, applicant, ARXAN, ND_RECEIVED)
        clock = reading(app, request_id, as_of)
        assert (clock.remaining_working_days, clock.overdue, clock.late_by_working_days) == (
            remaining,
            overdue,
            late_by,
        )

    @pytest.mark.parametrize(
        ("agency", "answered_on", "late_by"),
        [
            (ARXAN, ND_ARXAN_DUE, 0),
            (ARXAN, date(2025, 11, 4), 3),  # Oct 31, Nov 3, Nov 4
            (ZHONGWEI, ND_ZHONGWEI_DUE, 0),
            (ZHONGWEI, date(2025, 10, 27), 2),  # Fri Oct 24, Mon Oct 27
        ],
    )
    def test_an_answer_after_the_due_date_is_late_by_working_days(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        agency: str,
        answered_on: date,
        late_by: int,
    ) -> None:
        """the Regulation Art 33; 004 att.3 Art 5 (overdue reply is a duty not performed)."""
        request_id = receive(app, office, applicant, agency, ND_RECEIVED)
        reply(app, request_id, office, answered_on)
        clock = reading(app, request_id, date(2025, 12, 31))
        assert clock.state is ClockState.ANSWERED
        assert (clock.late_by_working_days, clock.overdue, clock.remaining_working_days) == (
            late_by,
            late_by > 0,
            None,
        )

    def test_looking_back_before_the_answer_the_clock_was_running(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33: on Oct 31 the (late) Nov 4 answer had not yet been given."""
        request_id = receive(app, office, applicant, ARXAN, ND_RECEIVED)
        reply(app, request_id, office, date(2025, 11, 4))
        clock = reading(app, request_id, date(2025, 10, 31))
        assert (clock.state, clock.overdue, clock.late_by_working_days) == (
            ClockState.RUNNING,
            True,
            1,
        )


# ---- requests across Spring Festival 2026 ------------------------------------------------------


class TestSpringFestival2026:
    @pytest.mark.parametrize(
        ("agency", "due"), [(ARXAN, SF_ARXAN_DUE), (ZHONGWEI, SF_ZHONGWEI_DUE)]
    )
    def test_the_reply_is_due_after_the_festival_counting_both_make_up_saturdays(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, agency: str, due: date
    ) -> None:
        """the Regulation Art 31 (online: the day both sides confirm); 004 att.2 Art 6; 002
        Art 35(二): see the numbered list."""
        request_id = receive(app, office, applicant, agency, SF_RECEIVED, RequestChannel.ONLINE)
        assert reading(app, request_id, SF_RECEIVED).due_on == due

    @pytest.mark.parametrize(
        ("agency", "paused_due", "extended_on", "extended_due"),
        [
            # Arxan: Mar 18 + 4 paused days → Mar 19, 20, 23, 24 → Tue Mar 24; extended by 20:
            #   Mar 25, 26, 27 (1-3), Mar 30-Apr 3 (4-8), [Apr 6 Qingming], Apr 7-10 (9-12),
            #   Apr 13-17 (13-17), Apr 20, 21, 22 (18-20) → Wed Apr 22
            (ARXAN, date(2026, 3, 24), date(2026, 3, 20), date(2026, 4, 22)),
            # Zhongwei: Mar 11 + 4 → Mar 12, 13, 16, 17 → Tue Mar 17; extended by 15:
            #   Mar 18, 19, 20 (1-3), Mar 23-27 (4-8), Mar 30, 31, Apr 1, 2, 3 (9-13),
            #   [Apr 4-6 Qingming], Apr 7, 8 (14-15) → Wed Apr 8
            (ZHONGWEI, date(2026, 3, 17), date(2026, 3, 16), date(2026, 4, 8)),
        ],
    )
    def test_a_pause_across_the_festival_then_an_extension(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        agency: str,
        paused_due: date,
        extended_on: date,
        extended_due: date,
    ) -> None:
        """002 Art 35(二): consulted Fri Feb 13, answered Thu Feb 26. Paused working days:
        Sat Feb 14 (make-up), Feb 24, 25, 26 = 4; the nine festival days were never counted.
        Counting: 1 Feb 13 | paused | 2 Feb 27  3 Feb 28 (make-up)  4 Mar 2 ... 15 Mar 17
        (Zhongwei) ... 20 Mar 24 (Arxan)."""
        request_id = receive(app, office, applicant, agency, SF_RECEIVED, RequestChannel.ONLINE)
        app.consult_third_party(
            request_id, office, date(2026, 2, 13), "李某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        during = reading(app, request_id, date(2026, 2, 20))  # mid-festival, still paused
        assert (during.state, during.paused_working_days) == (ClockState.PAUSED, 1)
        app.record_third_party_answer(
            request_id, office, date(2026, 2, 26), "李某", ConsultationAnswer.OBJECTED
        )
        after_pause = reading(app, request_id, date(2026, 2, 27))
        assert (after_pause.state, after_pause.paused_working_days, after_pause.due_on) == (
            ClockState.RUNNING,
            4,
            paused_due,
        )
        extend(app, request_id, office, extended_on, app.policy(agency).extension_days)
        assert reading(app, request_id, extended_on).due_on == extended_due

    def test_third_party_silence_window_spans_the_festival(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: 15 working days after Fri Feb 13: Feb 14 (1), Feb 24-27 (2-5),
        Feb 28 (6), Mar 2-6 (7-11), Mar 9-12 (12-15) → Thu Mar 12; silence counts from Mar 13."""
        request_id = receive(app, office, applicant, ZHONGWEI, SF_RECEIVED, RequestChannel.ONLINE)
        app.consult_third_party(
            request_id, office, date(2026, 2, 13), "李某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        assert app.get_request(request_id).third_parties["李某"].answer_due_on == date(2026, 3, 12)
        with pytest.raises(RuleViolation) as caught:
            app.record_third_party_answer(
                request_id, office, date(2026, 3, 12), "李某", ConsultationAnswer.SILENT
            )
        assert caught.value.rule == "silence_only_after_window"
        app.record_third_party_answer(
            request_id, office, date(2026, 3, 13), "李某", ConsultationAnswer.SILENT
        )
        assert app.get_request(request_id).third_parties["李某"].answer is ConsultationAnswer.SILENT

    @pytest.mark.parametrize(
        ("as_of", "remaining"),
        [
            (date(2026, 2, 13), 14),  # days 2..15 remain
            (date(2026, 2, 14), 13),  # the make-up Saturday is day 2
            (date(2026, 2, 20), 13),  # mid-festival: nothing counted since Feb 14
            (date(2026, 2, 28), 8),  # the second make-up Saturday is day 7
            (date(2026, 3, 1), 8),  # Sunday
            (SF_ZHONGWEI_DUE, 0),
            (date(2026, 3, 13), -2),  # Thu Mar 12, Fri Mar 13
        ],
    )
    def test_remaining_working_days_for_zhongwei(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, as_of: date, remaining: int
    ) -> None:
        """002 Art 35(二): 15 working days, due Wed Mar 11."""
        request_id = receive(app, office, applicant, ZHONGWEI, SF_RECEIVED, RequestChannel.ONLINE)
        clock = reading(app, request_id, as_of)
        assert clock.remaining_working_days == remaining
        assert clock.overdue is (remaining < 0)
        assert clock.late_by_working_days == max(0, -remaining)

    def test_an_extension_decided_after_the_due_date_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 35(二): the extension is decided within the 15 days (to Mar 11)."""
        request_id = receive(app, office, applicant, ZHONGWEI, SF_RECEIVED, RequestChannel.ONLINE)
        with pytest.raises(RuleViolation) as caught:
            extend(app, request_id, office, date(2026, 3, 12), 15)
        assert caught.value.rule == "extend_before_due"
        extend(app, request_id, office, SF_ZHONGWEI_DUE, 15)
        # 15 after Mar 11: Mar 12, 13 (1-2), 16-20 (3-7), 23-27 (8-12), 30, 31, Apr 1 (13-15)
        assert reading(app, request_id, SF_ZHONGWEI_DUE).due_on == date(2026, 4, 1)

    def test_an_answer_late_across_the_festival(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33: a request received Mon Feb 2, 2026 by Arxan.
        20 after Feb 2: Feb 3-6 (1-4), Feb 9-13 (5-9), Feb 14 (10, make-up), Feb 24-27 (11-14),
        Feb 28 (15, make-up), Mar 2-6 (16-20) → Fri Mar 6. Answered Tue Mar 10: late by
        Mar 9, Mar 10 = 2."""
        request_id = receive(app, office, applicant, ARXAN, date(2026, 2, 2))
        reply(app, request_id, office, date(2026, 3, 10))
        clock = reading(app, request_id, date(2026, 3, 31))
        assert (clock.due_on, clock.late_by_working_days, clock.overdue) == (
            date(2026, 3, 6),
            2,
            True,
        )


# ---- special states -----------------------------------------------------------------------------


class TestClockStates:
    def test_a_request_abandoned_before_correction_reads_as_closed(
        self, app: GongkaiLedger, office: Actor, system_actor: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: no correction in time → closed (其他处理 1); its clock is no
        longer 'awaiting correction'."""
        request_id = receive(app, office, applicant, ARXAN, ND_RECEIVED)
        app.request_correction(
            request_id, office, date(2025, 9, 29), ["未提供身份证明"], due_on=date(2025, 10, 10)
        )
        app.deem_withdrawn(
            request_id, system_actor, date(2025, 10, 13), Outcome.OTHER_NO_CORRECTION, "逾期"
        )
        before = reading(app, request_id, date(2025, 10, 10))
        after = reading(app, request_id, date(2025, 10, 13))
        assert before.state is ClockState.AWAITING_CORRECTION
        assert (after.state, after.overdue, after.late_by_working_days) == (
            ClockState.ANSWERED,
            False,
            0,
        )

    def test_an_agreed_later_date_replaces_the_statutory_due_date(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: the agency sets a reasonable later date; overdue after it."""
        request_id = receive(app, office, applicant, ZHONGWEI, ND_RECEIVED)
        app.query_excessiveness(request_id, office, date(2025, 9, 29), "本月第十五件申请")
        app.assess_excessiveness(
            request_id, office, date(2025, 10, 9), True, "学术研究", date(2025, 12, 15)
        )
        assert reading(app, request_id, date(2025, 12, 15)).overdue is False
        late = reading(app, request_id, date(2025, 12, 16))
        assert (late.due_on, late.overdue, late.late_by_working_days) == (
            date(2025, 12, 15),
            True,
            1,
        )

    def test_a_deadline_in_an_unknown_year_fails_loudly(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """domain.md §5: working days follow the State Council schedule, which for 2027 is not
        loaded — the clock refuses to guess."""
        request_id = receive(app, office, applicant, ARXAN, date(2026, 12, 10))
        with pytest.raises(CalendarYearUnknown) as caught:
            reading(app, request_id, date(2026, 12, 11))
        assert caught.value.year == 2027


# ---- the publication clock -------------------------------------------------------------------


def proactive_item(app: GongkaiLedger, drafter: Actor, agency: str, formed_on: date) -> UUID:
    item_id = app.register_item(
        drafter,
        agency_code=agency,
        title="关于印发科技创新扶持办法的通知",
        department="科技管理科",
        formed_on=formed_on,
    ).id
    app.mark_attribute(item_id, drafter, formed_on, Attribute.PROACTIVE)
    return item_id


def review_and_approve(
    app: GongkaiLedger, item_id: UUID, reviewer: Actor, leader: Actor, on: date
) -> None:
    app.review_confidentiality(item_id, reviewer, on, ReviewConclusion.PROACTIVE)
    app.approve_item(item_id, leader, on)


class TestPublicationClock:
    def test_arxan_publishes_within_20_working_days_of_forming(
        self, app: GongkaiLedger, drafter: Actor
    ) -> None:
        """004 att.1 Art 10; att.7 Art 3: formed Fri Sep 26, 2025 → the 20th working day is
        Thu Oct 30 (the National Day list above)."""
        item_id = proactive_item(app, drafter, ARXAN, ND_RECEIVED)
        clock = app.item_clock(item_id, date(2025, 10, 9))
        assert (clock.state, clock.started_on, clock.due_on, clock.remaining_working_days) == (
            ClockState.RUNNING,
            ND_RECEIVED,
            ND_ARXAN_DUE,
            16,  # days 5..20 remain after Thu Oct 9 (day 4)
        )
        overdue = app.item_clock(item_id, date(2025, 10, 31))
        assert (overdue.overdue, overdue.late_by_working_days) == (True, 1)

    @pytest.mark.parametrize(
        ("published_on", "late_by"), [(ND_ARXAN_DUE, 0), (date(2025, 11, 4), 3)]
    )
    def test_publication_after_the_due_date_is_late_by_working_days(
        self,
        app: GongkaiLedger,
        drafter: Actor,
        reviewer: Actor,
        leader: Actor,
        published_on: date,
        late_by: int,
    ) -> None:
        """004 att.11: 1 point per item not published on time; Nov 4 is late by Oct 31, Nov 3,
        Nov 4."""
        item_id = proactive_item(app, drafter, ARXAN, ND_RECEIVED)
        review_and_approve(app, item_id, reviewer, leader, date(2025, 9, 29))
        app.publish_item(item_id, leader, published_on, [Channel.PORTAL])
        clock = app.item_clock(item_id, date(2025, 12, 31))
        assert (clock.state, clock.late_by_working_days, clock.overdue) == (
            ClockState.PUBLISHED,
            late_by,
            late_by > 0,
        )

    def test_zhongwei_counts_10_working_days_from_passing_review(
        self, app: GongkaiLedger, drafter: Actor, reviewer: Actor
    ) -> None:
        """002 Art 6: 自信息通过保密审查之日起10个工作日内. Formed Fri Sep 19, review passed
        Tue Sep 30; 10 after Sep 30: Oct 9 (1), 10 (2), 11 (3, make-up), 13-17 (4-8),
        20 (9), 21 (10) → Tue Oct 21."""
        item_id = proactive_item(app, drafter, ZHONGWEI, date(2025, 9, 19))
        waiting = app.item_clock(item_id, date(2025, 9, 29))
        assert (waiting.state, waiting.due_on, waiting.overdue) == (
            ClockState.AWAITING_REVIEW,
            None,
            False,
        )
        app.review_confidentiality(item_id, reviewer, date(2025, 9, 30), ReviewConclusion.PROACTIVE)
        clock = app.item_clock(item_id, date(2025, 9, 30))
        assert (clock.state, clock.started_on, clock.due_on, clock.remaining_working_days) == (
            ClockState.RUNNING,
            date(2025, 9, 30),
            date(2025, 10, 21),
            10,
        )

    def test_a_change_restarts_arxans_20_day_clock(
        self, app: GongkaiLedger, drafter: Actor, reviewer: Actor, leader: Actor
    ) -> None:
        """000 §二(三)2; 004 att.1 Art 10 (形成或者变更之日起20个工作日): published Oct 20, 2025,
        changed Thu Feb 12, 2026 → due Wed Mar 18 (the Spring Festival list above)."""
        item_id = proactive_item(app, drafter, ARXAN, ND_RECEIVED)
        review_and_approve(app, item_id, reviewer, leader, date(2025, 10, 13))
        app.publish_item(item_id, leader, date(2025, 10, 20), [Channel.PORTAL])
        app.change_item(item_id, drafter, SF_RECEIVED, "修订第三条扶持标准")
        clock = app.item_clock(item_id, date(2026, 2, 20))
        assert (clock.state, clock.started_on, clock.due_on, clock.remaining_working_days) == (
            ClockState.RUNNING,
            SF_RECEIVED,
            SF_ARXAN_DUE,
            18,  # days 3..20 remain: only the make-up Saturday Feb 14 has been counted
        )

    def test_a_change_restarts_zhongweis_clock_from_the_new_review(
        self, app: GongkaiLedger, drafter: Actor, reviewer: Actor, leader: Actor
    ) -> None:
        """002 Art 6, Art 8 (先审查、后公开): the changed item is reviewed again; passed Fri
        Feb 13, 2026 → 10 after: Feb 14 (1, make-up), Feb 24-27 (2-5), Feb 28 (6, make-up),
        Mar 2-5 (7-10) → Thu Mar 5."""
        item_id = proactive_item(app, drafter, ZHONGWEI, date(2025, 9, 19))
        review_and_approve(app, item_id, reviewer, leader, date(2025, 9, 30))
        app.publish_item(item_id, leader, date(2025, 10, 9), [Channel.PORTAL])
        assert app.item_clock(item_id, date(2025, 10, 9)).state is ClockState.PUBLISHED
        app.change_item(item_id, drafter, SF_RECEIVED, "修订申报条件")
        assert app.item_clock(item_id, SF_RECEIVED).state is ClockState.AWAITING_REVIEW
        app.review_confidentiality(item_id, reviewer, date(2026, 2, 13), ReviewConclusion.PROACTIVE)
        clock = app.item_clock(item_id, date(2026, 2, 13))
        assert (clock.state, clock.started_on, clock.due_on) == (
            ClockState.RUNNING,
            date(2026, 2, 13),
            date(2026, 3, 5),
        )

    def test_an_item_not_marked_proactive_has_no_publication_clock(
        self, app: GongkaiLedger, drafter: Actor
    ) -> None:
        """002 Art 4: only 主动公开 items are published on a clock."""
        item_id = app.register_item(
            drafter,
            agency_code=ARXAN,
            title="内部请示",
            department="办公室",
            formed_on=ND_RECEIVED,
        ).id
        app.mark_attribute(item_id, drafter, ND_RECEIVED, Attribute.ON_REQUEST)
        clock = app.item_clock(item_id, date(2025, 12, 31))
        assert (clock.state, clock.due_on, clock.overdue) == (ClockState.NOT_DUE, None, False)

    def test_a_revoked_or_archived_item_leaves_the_clock(
        self, app: GongkaiLedger, drafter: Actor, leader: Actor
    ) -> None:
        """003 Art 14: a revoked item is not published, so it is never overdue; an archived
        item that was not reopened is closed (000 §一(六)2)."""
        revoked = proactive_item(app, drafter, ARXAN, ND_RECEIVED)
        app.end_item_validity(revoked, leader, date(2025, 10, 9), Validity.REVOKED, "政策调整")
        archived = proactive_item(app, drafter, ARXAN, ND_RECEIVED)
        app.archive_item(archived, leader, date(2025, 10, 9))
        for item_id in (revoked, archived):
            clock = app.item_clock(item_id, date(2025, 12, 31))
            assert (clock.state, clock.overdue) == (ClockState.NOT_DUE, False)


# ---- the calendar version ------------------------------------------------------------------------


class TestCalendarVersionIsReported:
    def test_every_reading_names_the_calendar_it_used(
        self, app: GongkaiLedger, office: Actor, drafter: Actor, applicant: Applicant
    ) -> None:
        """domain.md §5: a reader can reproduce each figure from the named holiday schedule."""
        request_id = receive(app, office, applicant, ARXAN, ND_RECEIVED)
        item_id = proactive_item(app, drafter, ARXAN, ND_RECEIVED)
        version = app.calendar.version
        assert re.fullmatch(r"chinesecalendar [0-9.]+\+data:[0-9a-f]{12}", version)
        assert reading(app, request_id, ND_RECEIVED).calendar_version == version
        assert app.item_clock(item_id, ND_RECEIVED).calendar_version == version
        app.request_correction(request_id, office, date(2025, 9, 29), ["未提供身份证明"])
        assert reading(app, request_id, date(2025, 9, 29)).calendar_version == version
