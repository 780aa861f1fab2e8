"""The request aggregate (依申请公开): every transition and every refusal, each test naming its
seed article (domain.md §3; 002 Art 34 lists the steps).

Dates are in March 2025 unless a test says otherwise: Monday 3 March has no holiday within the
20 working days that follow, so the Arxan reply is due on Monday 31 March (Mar 4-7, 10-14, 17-21,
24-28 are 19 working days, Mar 31 the 20th). Holiday-sensitive arithmetic is in test_deadlines.py.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pydantic import ValidationError

import domain.application
import domain.disclosure_request
from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import (
    AppealResult,
    ConsultationAnswer,
    FeeBasis,
    LitigationKind,
    Outcome,
    OutcomeGroup,
    RequestChannel,
    Role,
    ThirdPartyInterest,
)
from domain.deadlines import ClockState
from domain.disclosure_request import Applicant, DisclosureRequest
from domain.errors import RuleViolation, UnknownAgency
from domain.fees import maximum_fee
from tests.unit.domain.conftest import ARXAN, ZHONGWEI, actor

RECEIVED = date(2025, 3, 3)  # Monday
ARXAN_DUE = date(2025, 3, 31)  # 20th working day after RECEIVED (see the module docstring)
REPLY_DAY = date(2025, 3, 20)

BASIS = "《中华人民共和国政府信息公开条例》第三十六条"
REASONS = "经检索，申请的信息由本机关制作并保存"
REMEDY = "如不服本答复，可自收到之日起六十日内申请行政复议，或六个月内提起行政诉讼"


# ---- helpers ----


def receive(
    app: GongkaiLedger,
    office: Actor,
    applicant: Applicant,
    *,
    agency: str = ARXAN,
    on: date = RECEIVED,
    department: str = "规划处",
) -> UUID:
    return app.receive_request(
        office,
        agency_code=agency,
        channel=RequestChannel.IN_PERSON,
        applicant=applicant,
        description="2024年度工业项目扶持资金分配结果",
        department=department,
        purpose="了解政策落实情况",
        requested_form="电子邮件",
        submitted_on=on,
    ).id


def registered(app: GongkaiLedger, office: Actor, applicant: Applicant, **kw: Any) -> UUID:
    request_id = receive(app, office, applicant, **kw)
    app.register_request(request_id, office, kw.get("on", RECEIVED))
    return request_id


def answer(
    app: GongkaiLedger,
    request_id: UUID,
    who: Actor,
    outcome: Outcome = Outcome.DISCLOSED,
    on: date = REPLY_DAY,
    **kw: Any,
) -> None:
    fields: dict[str, Any] = {"legal_basis": BASIS, "reasons": REASONS, "remedy": REMEDY}
    fields.update(kw)
    app.reply_to_request(request_id, who, on, outcome, **fields)


def refused(rule: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert caught.value.rule == rule, caught.value
    return caught.value


def office_head_approval(office: Actor, on: date = RECEIVED) -> Approval:
    return Approval(approver=office, approved_on=on)


def clock(app: GongkaiLedger, request_id: UUID, as_of: date) -> Any:
    return app.request_clock(request_id, as_of)


# ---- receipt ----


class TestReceiptDateByChannel:
    def test_in_person_receipt_is_the_day_submitted(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 31(一): in person, the day the application is submitted."""
        request_id = app.receive_request(
            office,
            agency_code=ARXAN,
            channel=RequestChannel.IN_PERSON,
            applicant=applicant,
            description="资金分配结果",
            department="规划处",
            submitted_on=date(2025, 3, 5),
            signed_for_on=date(2025, 3, 7),
            confirmed_on=date(2025, 3, 10),
        ).id
        assert app.get_request(request_id).received_on == date(2025, 3, 5)

    def test_oral_request_is_received_the_day_staff_write_it_down(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 29, 31(一): oral requests are written down; the day submitted."""
        request_id = app.receive_request(
            office,
            agency_code=ARXAN,
            channel=RequestChannel.ORAL,
            applicant=applicant,
            description="资金分配结果",
            department="规划处",
            submitted_on=date(2025, 3, 6),
        ).id
        request = app.get_request(request_id)
        assert (request.received_on, request.channel) == (date(2025, 3, 6), RequestChannel.ORAL)

    def test_post_receipt_is_the_day_signed_for(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 31(二): by post, the day the agency signs for the letter."""
        request_id = app.receive_request(
            office,
            agency_code=ARXAN,
            channel=RequestChannel.POST,
            applicant=applicant,
            description="资金分配结果",
            department="规划处",
            submitted_on=date(2025, 3, 3),
            signed_for_on=date(2025, 3, 7),
        ).id
        assert app.get_request(request_id).received_on == date(2025, 3, 7)

    @pytest.mark.parametrize(
        "channel", [RequestChannel.ORDINARY_LETTER, RequestChannel.ONLINE, RequestChannel.FAX]
    )
    def test_confirmed_channels_receive_on_the_day_both_sides_confirm(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, channel: RequestChannel
    ) -> None:
        """the Regulation Art 31(二)(三): an unsigned ordinary letter on the day the agency
        confirms with the applicant; online or fax on the day both sides confirm."""
        request_id = app.receive_request(
            office,
            agency_code=ARXAN,
            channel=channel,
            applicant=applicant,
            description="资金分配结果",
            department="规划处",
            submitted_on=date(2025, 3, 3),
            signed_for_on=date(2025, 3, 4),
            confirmed_on=date(2025, 3, 10),
        ).id
        assert app.get_request(request_id).received_on == date(2025, 3, 10)

    @pytest.mark.parametrize(
        ("channel", "needed", "given"),
        [
            (RequestChannel.IN_PERSON, "submitted_on", {"confirmed_on": date(2025, 3, 3)}),
            (RequestChannel.ORAL, "submitted_on", {"signed_for_on": date(2025, 3, 3)}),
            (RequestChannel.POST, "signed_for_on", {"submitted_on": date(2025, 3, 3)}),
            (RequestChannel.ORDINARY_LETTER, "confirmed_on", {"signed_for_on": date(2025, 3, 3)}),
            (RequestChannel.ONLINE, "confirmed_on", {"submitted_on": date(2025, 3, 3)}),
            (RequestChannel.FAX, "confirmed_on", {}),
        ],
    )
    def test_the_channels_own_date_is_required(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        channel: RequestChannel,
        needed: str,
        given: dict[str, date],
    ) -> None:
        """the Regulation Art 31: each channel has its own receipt date; no other will do."""
        error = refused(
            "receipt_date_by_channel",
            app.receive_request,
            office,
            agency_code=ARXAN,
            channel=channel,
            applicant=applicant,
            description="资金分配结果",
            department="规划处",
            **given,
        )
        assert error.field == needed
        assert error.citation == "the Regulation Art 31"

    def test_an_unknown_agency_is_refused_before_anything_is_stored(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """domain.md §5: policy is per agency; an agency without a policy has no clock."""
        with pytest.raises(UnknownAgency):
            receive(app, office, applicant, agency="999999999")
        assert list(app.notification_log.select(start=1, limit=10)) == []

    def test_receipt_records_the_application_and_starts_the_clock(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.2 Art 3-4 (what an application holds); 004 att.2 Art 6 (20 working days
        from receipt)."""
        request_id = receive(app, office, applicant)
        request = app.get_request(request_id)
        assert request.applicant == applicant
        assert (request.agency_code, request.department) == (ARXAN, "规划处")
        assert (request.purpose, request.requested_form) == ("了解政策落实情况", "电子邮件")
        assert request.registration_number is None
        reading = clock(app, request_id, RECEIVED)
        assert (reading.state, reading.started_on, reading.due_on) == (
            ClockState.RUNNING,
            RECEIVED,
            ARXAN_DUE,
        )
        [event] = app.history(request_id)
        assert isinstance(event, DisclosureRequest.Received)
        assert event.actor == office

    @pytest.mark.parametrize("field", ["description", "department"])
    def test_an_empty_description_or_department_is_refused_by_validation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, field: str
    ) -> None:
        """the Regulation Art 29(二): the application describes the information sought."""
        fields: dict[str, Any] = {"description": "资金分配结果", "department": "规划处"}
        fields[field] = ""
        with pytest.raises(ValidationError):
            app.receive_request(
                office,
                agency_code=ARXAN,
                channel=RequestChannel.IN_PERSON,
                applicant=applicant,
                submitted_on=RECEIVED,
                **fields,
            )

    def test_an_organisation_applies_with_its_authorisation_letter(
        self, app: GongkaiLedger, office: Actor, organisation_applicant: Applicant
    ) -> None:
        """004 att.2 Art 4: organisations add an authorisation letter."""
        request_id = receive(app, office, organisation_applicant)
        stored = app.get_request(request_id).applicant
        assert stored.authorisation_letter is True
        assert stored.organisation == "某某律师事务所"


# ---- registration ----


class TestRegistration:
    def test_registration_numbers_the_request_per_agency_and_year(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.2 Art 9: the request is registered and numbered."""
        first = registered(app, office, applicant)
        second = registered(app, office, applicant)
        other_agency = registered(app, office, applicant, agency=ZHONGWEI)
        assert app.get_request(first).registration_number == "11152200ARXS-申-2025-00001"
        assert app.get_request(second).registration_number == "11152200ARXS-申-2025-00002"
        assert app.get_request(other_agency).registration_number == "640500ZW-申-2025-00001"

    def test_a_request_is_registered_once(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.2 Art 9: one registration per request."""
        request_id = registered(app, office, applicant)
        refused("register_once", app.register_request, request_id, office, RECEIVED)
        assert app.get_request(request_id).version == 2

    def test_registration_cannot_predate_receipt(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 31: nothing happens to a request before its receipt date."""
        request_id = receive(app, office, applicant)
        error = refused(
            "date_before_receipt", app.register_request, request_id, office, date(2025, 3, 2)
        )
        assert error.field == "on"

    def test_an_unregistered_request_cannot_be_answered(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.2 Art 9: registered and numbered before it is answered."""
        request_id = receive(app, office, applicant)
        refused("reply_after_registration", answer, app, request_id, office)


# ---- correction (补正) ----


class TestCorrection:
    def test_one_notice_lists_every_defect_and_stops_the_clock(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30; 004 att.2 Art 9(一): one notice listing every defect."""
        request_id = registered(app, office, applicant)
        defects = ("未写明所需信息的文号或名称", "未提供身份证明", "一份申请包含三项信息")
        app.request_correction(request_id, office, date(2025, 3, 4), defects)
        request = app.get_request(request_id)
        assert request.correction_defects == defects
        # default period: 15 working days after the notice: Mar 5-7, 10-14, 17-21, 24, 25
        assert request.correction_due_on == date(2025, 3, 25)
        reading = clock(app, request_id, date(2025, 3, 10))
        assert (reading.state, reading.due_on, reading.overdue) == (
            ClockState.AWAITING_CORRECTION,
            None,
            False,
        )

    def test_a_second_correction_notice_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: a correction is asked for once (一次性告知)."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["未提供身份证明"])
        refused(
            "one_correction_notice",
            app.request_correction,
            request_id,
            office,
            date(2025, 3, 5),
            ["又发现一项缺陷"],
        )

    def test_a_second_notice_is_refused_even_after_the_correction(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: still unclear after correction → cannot provide, no new notice
        (004 att.2 Art 9(一))."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["描述不明确"])
        app.record_correction(request_id, office, date(2025, 3, 6))
        refused(
            "one_correction_notice",
            app.request_correction,
            request_id,
            office,
            date(2025, 3, 7),
            ["仍不明确"],
        )

    def test_a_notice_without_defects_is_refused_by_validation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: the notice lists what must be corrected."""
        request_id = registered(app, office, applicant)
        with pytest.raises(ValidationError):
            app.request_correction(request_id, office, date(2025, 3, 4), [])

    @pytest.mark.parametrize("due_on", [date(2025, 3, 4), date(2025, 3, 3)])
    def test_the_correction_period_must_end_after_the_notice(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, due_on: date
    ) -> None:
        """the Regulation Art 30: a reasonable period for the correction."""
        request_id = registered(app, office, applicant)
        error = refused(
            "correction_period_reasonable",
            app.request_correction,
            request_id,
            office,
            date(2025, 3, 4),
            ["未提供身份证明"],
            due_on=due_on,
        )
        assert error.field == "due_on"

    def test_a_notice_cannot_predate_receipt(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30-31: the notice follows receipt."""
        request_id = registered(app, office, applicant)
        refused(
            "date_before_receipt",
            app.request_correction,
            request_id,
            office,
            date(2025, 2, 28),
            ["未提供身份证明"],
        )

    def test_the_clock_restarts_from_the_corrected_application(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: the reply period counts from receipt of the correction."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["未提供身份证明"])
        app.record_correction(request_id, office, date(2025, 3, 10))
        reading = clock(app, request_id, date(2025, 3, 10))
        # 20 working days after Mon Mar 10: Mar 11-14 (4), 17-21 (9), 24-28 (14), Mar 31-Apr 3
        # (18), Apr 4 is Qingming, Apr 7 (19), Apr 8 (20)
        assert (reading.state, reading.started_on, reading.due_on) == (
            ClockState.RUNNING,
            date(2025, 3, 10),
            date(2025, 4, 8),
        )

    def test_a_correction_needs_an_outstanding_notice(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: a correction answers a notice."""
        request_id = registered(app, office, applicant)
        refused("correction_needs_notice", app.record_correction, request_id, office, RECEIVED)

    def test_a_correction_is_recorded_once(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: once corrected, no notice is outstanding."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["未提供身份证明"])
        app.record_correction(request_id, office, date(2025, 3, 6))
        refused(
            "correction_needs_notice", app.record_correction, request_id, office, date(2025, 3, 7)
        )

    def test_a_correction_cannot_predate_its_notice(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: the corrected application answers the notice."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 5), ["未提供身份证明"])
        error = refused(
            "date_before_notice", app.record_correction, request_id, office, date(2025, 3, 4)
        )
        assert error.field == "on"

    def test_no_correction_after_the_period_is_deemed_withdrawn(
        self, app: GongkaiLedger, office: Actor, system_actor: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: no correction in time = abandoned; counted as 其他处理 1
        (national template 三(六)1)."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["未提供身份证明"])
        app.deem_withdrawn(
            request_id, system_actor, date(2025, 3, 26), Outcome.OTHER_NO_CORRECTION, "逾期未补正"
        )
        request = app.get_request(request_id)
        assert (request.outcome, request.closed_on) == (
            Outcome.OTHER_NO_CORRECTION,
            date(2025, 3, 26),
        )
        assert request.outcome is not None
        assert request.outcome.group is OutcomeGroup.OTHER

    @pytest.mark.parametrize("on", [date(2025, 3, 10), date(2025, 3, 25)])
    def test_withdrawal_is_refused_until_the_correction_period_has_passed(
        self,
        app: GongkaiLedger,
        office: Actor,
        system_actor: Actor,
        applicant: Applicant,
        on: date,
    ) -> None:
        """the Regulation Art 30: abandoned only once the period (to Mar 25) has passed."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["未提供身份证明"])
        error = refused(
            "withdrawal_after_correction_period",
            app.deem_withdrawn,
            request_id,
            system_actor,
            on,
            Outcome.OTHER_NO_CORRECTION,
            "逾期未补正",
        )
        assert error.field == "on"

    def test_withdrawal_is_refused_once_the_correction_arrived(
        self, app: GongkaiLedger, office: Actor, system_actor: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: a late correction is still a correction (not abandoned)."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["未提供身份证明"])
        app.record_correction(request_id, office, date(2025, 3, 27))
        refused(
            "withdrawal_after_correction_period",
            app.deem_withdrawn,
            request_id,
            system_actor,
            date(2025, 3, 28),
            Outcome.OTHER_NO_CORRECTION,
            "逾期未补正",
        )

    def test_withdrawal_without_a_correction_notice_is_refused(
        self, app: GongkaiLedger, office: Actor, system_actor: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30: no notice, nothing to abandon."""
        request_id = registered(app, office, applicant)
        refused(
            "withdrawal_after_correction_period",
            app.deem_withdrawn,
            request_id,
            system_actor,
            date(2025, 5, 6),
            Outcome.OTHER_NO_CORRECTION,
            "逾期未补正",
        )

    def test_still_unclear_needs_a_correction_on_record(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.2 Art 9(一): 'still unclear after correction' → 无法提供 3."""
        request_id = registered(app, office, applicant)
        refused(
            "unclear_after_correction",
            answer,
            app,
            request_id,
            office,
            Outcome.CANNOT_PROVIDE_STILL_UNCLEAR,
        )
        app.request_correction(request_id, office, date(2025, 3, 4), ["描述不明确"])
        app.record_correction(request_id, office, date(2025, 3, 6))
        answer(app, request_id, office, Outcome.CANNOT_PROVIDE_STILL_UNCLEAR)
        assert app.get_request(request_id).outcome is Outcome.CANNOT_PROVIDE_STILL_UNCLEAR


# ---- third-party consultation (征求第三方意见) ----


class TestThirdPartyConsultation:
    def test_consultation_pauses_the_clock_and_sets_the_answer_window(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32 (15 working days to answer); 002 Art 35(二) (consulting time
        does not count)."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id,
            office,
            date(2025, 3, 4),
            "某某科技公司",
            ThirdPartyInterest.COMMERCIAL_SECRET,
        )
        consultation = app.get_request(request_id).third_parties["某某科技公司"]
        # 15 working days after Mar 4: Mar 5-7, 10-14, 17-21, 24, 25
        assert consultation.answer_due_on == date(2025, 3, 25)
        reading = clock(app, request_id, date(2025, 3, 7))
        # Mar 5, 6, 7 are paused so far; the projected due date moves by 3 (Apr 1, 2, 3)
        assert (reading.state, reading.paused_working_days, reading.due_on) == (
            ClockState.PAUSED,
            3,
            date(2025, 4, 3),
        )

    def test_the_answer_restarts_the_clock_and_the_consulting_days_do_not_count(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 35(二); the Regulation Art 33: consulting time is not counted."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 11), "张某", ConsultationAnswer.AGREED
        )
        reading = clock(app, request_id, date(2025, 3, 12))
        # paused: Mar 5, 6, 7, 10, 11 (5 days); Mar 31 + 5 = Apr 1, 2, 3, (4 off), 7, 8
        assert (reading.state, reading.paused_working_days, reading.due_on) == (
            ClockState.RUNNING,
            5,
            date(2025, 4, 8),
        )
        assert app.get_request(request_id).open_pauses == []

    def test_a_third_party_is_consulted_once(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: one written consultation per third party."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        error = refused(
            "consult_third_party_once",
            app.consult_third_party,
            request_id,
            office,
            date(2025, 3, 5),
            "张某",
            ThirdPartyInterest.PERSONAL_PRIVACY,
        )
        assert error.field == "third_party_ref"

    def test_consultation_cannot_predate_receipt(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.2 Art 7: consultation follows receipt of the application."""
        request_id = registered(app, office, applicant)
        refused(
            "date_before_receipt",
            app.consult_third_party,
            request_id,
            office,
            date(2025, 3, 1),
            "张某",
            ThirdPartyInterest.PERSONAL_PRIVACY,
        )

    def test_an_answer_needs_an_open_consultation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: only a consulted third party answers, and once."""
        request_id = registered(app, office, applicant)
        refused(
            "answer_open_consultation",
            app.record_third_party_answer,
            request_id,
            office,
            date(2025, 3, 5),
            "张某",
            ConsultationAnswer.AGREED,
        )
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 6), "张某", ConsultationAnswer.AGREED
        )
        refused(
            "answer_open_consultation",
            app.record_third_party_answer,
            request_id,
            office,
            date(2025, 3, 7),
            "张某",
            ConsultationAnswer.OBJECTED,
        )

    @pytest.mark.parametrize("on", [date(2025, 3, 18), date(2025, 3, 25)])
    def test_silence_is_refused_within_the_fifteen_day_window(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, on: date
    ) -> None:
        """the Regulation Art 32: the third party has 15 working days (to Mar 25) to answer."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        error = refused(
            "silence_only_after_window",
            app.record_third_party_answer,
            request_id,
            office,
            on,
            "张某",
            ConsultationAnswer.SILENT,
        )
        assert "2025-03-25" in str(error)

    def test_silence_after_the_window_lets_the_agency_decide(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: no answer in 15 working days → the agency decides."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 26), "张某", ConsultationAnswer.SILENT
        )
        answer(app, request_id, office, on=date(2025, 3, 27))
        assert app.get_request(request_id).outcome is Outcome.DISCLOSED

    def test_an_objection_blocks_disclosure(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 38: 第三方不同意公开的，不得公开."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id,
            office,
            date(2025, 3, 4),
            "某某科技公司",
            ThirdPartyInterest.COMMERCIAL_SECRET,
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 10), "某某科技公司", ConsultationAnswer.OBJECTED
        )
        error = refused("third_party_objection_blocks_disclosure", answer, app, request_id, office)
        assert error.field == "outcome"
        answer(app, request_id, office, Outcome.NOT_DISCLOSED_THIRD_PARTY)
        assert app.get_request(request_id).outcome is Outcome.NOT_DISCLOSED_THIRD_PARTY

    def test_an_objection_still_allows_partial_disclosure(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """003 Art 6; the Regulation Art 37: withhold the third party's part, disclose the rest."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id,
            office,
            date(2025, 3, 4),
            "某某科技公司",
            ThirdPartyInterest.COMMERCIAL_SECRET,
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 10), "某某科技公司", ConsultationAnswer.OBJECTED
        )
        answer(
            app,
            request_id,
            office,
            Outcome.PARTLY_DISCLOSED,
            withheld_reasons="第三方商业秘密部分不予公开",
        )
        assert app.get_request(request_id).outcome is Outcome.PARTLY_DISCLOSED

    def test_an_unanswered_consultation_blocks_disclosure(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: the agency decides only after the answer or the window."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        refused("third_party_objection_blocks_disclosure", answer, app, request_id, office)

    def test_consent_allows_disclosure(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 15: disclosed when the third party agrees."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 6), "张某", ConsultationAnswer.AGREED
        )
        answer(app, request_id, office)
        assert app.get_request(request_id).outcome is Outcome.DISCLOSED

    def test_public_interest_override_with_notice_lets_disclosure_through(
        self, app: GongkaiLedger, office: Actor, principal: Actor, applicant: Applicant
    ) -> None:
        """000 §二(三)3; the Regulation Art 32: disclosed despite the objection when withholding
        would seriously harm the public interest, with written notice to the third party."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "某某化工厂", ThirdPartyInterest.COMMERCIAL_SECRET
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 10), "某某化工厂", ConsultationAnswer.OBJECTED
        )
        approval = Approval(approver=principal, approved_on=date(2025, 3, 12))
        app.override_for_public_interest(
            request_id,
            office,
            date(2025, 3, 12),
            "某某化工厂",
            "排污数据关系周边居民健康，不公开将严重损害公共利益",
            notice_sent_on=date(2025, 3, 12),
            approval=approval,
        )
        event = app.history(request_id)[-1]
        assert isinstance(event, DisclosureRequest.PublicInterestOverridden)
        assert (event.notice_sent_on, event.approval) == (date(2025, 3, 12), approval)
        answer(app, request_id, office)
        assert app.get_request(request_id).outcome is Outcome.DISCLOSED

    @pytest.mark.parametrize("answer_given", [None, ConsultationAnswer.AGREED])
    def test_the_override_answers_an_objection_only(
        self,
        app: GongkaiLedger,
        office: Actor,
        principal: Actor,
        applicant: Applicant,
        answer_given: ConsultationAnswer | None,
    ) -> None:
        """000 §二(三)3: the override is for a third party that refused."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        if answer_given is not None:
            app.record_third_party_answer(
                request_id, office, date(2025, 3, 6), "张某", answer_given
            )
        error = refused(
            "override_needs_objection",
            app.override_for_public_interest,
            request_id,
            office,
            date(2025, 3, 12),
            "张某",
            "公共利益",
            notice_sent_on=date(2025, 3, 12),
            approval=Approval(approver=principal, approved_on=date(2025, 3, 12)),
        )
        assert error.field == "third_party_ref"

    def test_the_override_of_an_unconsulted_party_is_refused(
        self, app: GongkaiLedger, office: Actor, principal: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: no consultation, nothing to override."""
        request_id = registered(app, office, applicant)
        refused(
            "override_needs_objection",
            app.override_for_public_interest,
            request_id,
            office,
            date(2025, 3, 12),
            "从未征求的公司",
            "公共利益",
            notice_sent_on=date(2025, 3, 12),
            approval=Approval(approver=principal, approved_on=date(2025, 3, 12)),
        )

    def test_the_override_needs_a_reason(
        self, app: GongkaiLedger, office: Actor, principal: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: the override states why the public interest prevails."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 6), "张某", ConsultationAnswer.OBJECTED
        )
        with pytest.raises(ValidationError):
            app.override_for_public_interest(
                request_id,
                office,
                date(2025, 3, 12),
                "张某",
                "",
                notice_sent_on=date(2025, 3, 12),
                approval=Approval(approver=principal, approved_on=date(2025, 3, 12)),
            )


# ---- agency consultation ----


class TestAgencyConsultation:
    def test_consulting_another_agency_pauses_the_clock(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33-34: the consulted agency has 15 working days; the time does
        not count."""
        request_id = registered(app, office, applicant)
        app.consult_agency(request_id, office, date(2025, 3, 4), "阿尔山市财政局")
        consultation = app.get_request(request_id).agency_consultations["阿尔山市财政局"]
        assert consultation.answer_due_on == date(2025, 3, 25)
        assert clock(app, request_id, date(2025, 3, 5)).state is ClockState.PAUSED
        app.record_agency_answer(
            request_id, office, date(2025, 3, 6), "阿尔山市财政局", ConsultationAnswer.AGREED
        )
        reading = clock(app, request_id, date(2025, 3, 7))
        # paused Mar 5, 6; Mar 31 + 2 = Apr 2
        assert (reading.state, reading.paused_working_days, reading.due_on) == (
            ClockState.RUNNING,
            2,
            date(2025, 4, 2),
        )

    def test_an_agency_is_consulted_once(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 34: one consultation per agency."""
        request_id = registered(app, office, applicant)
        app.consult_agency(request_id, office, date(2025, 3, 4), "阿尔山市财政局")
        error = refused(
            "consult_agency_once",
            app.consult_agency,
            request_id,
            office,
            date(2025, 3, 5),
            "阿尔山市财政局",
        )
        assert error.field == "agency"

    def test_agency_consultation_cannot_predate_receipt(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 31, 34: consultation follows receipt."""
        request_id = registered(app, office, applicant)
        refused(
            "date_before_receipt",
            app.consult_agency,
            request_id,
            office,
            date(2025, 3, 2),
            "阿尔山市财政局",
        )

    def test_an_agency_answer_needs_an_open_consultation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 34: only a consulted agency answers, and once."""
        request_id = registered(app, office, applicant)
        refused(
            "answer_open_consultation",
            app.record_agency_answer,
            request_id,
            office,
            date(2025, 3, 5),
            "阿尔山市财政局",
            ConsultationAnswer.AGREED,
        )
        app.consult_agency(request_id, office, date(2025, 3, 4), "阿尔山市财政局")
        app.record_agency_answer(
            request_id, office, date(2025, 3, 5), "阿尔山市财政局", ConsultationAnswer.AGREED
        )
        refused(
            "answer_open_consultation",
            app.record_agency_answer,
            request_id,
            office,
            date(2025, 3, 6),
            "阿尔山市财政局",
            ConsultationAnswer.AGREED,
        )

    def test_agency_silence_counts_only_after_its_window(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 34: 逾期未提出意见的视为同意 — silence is consent only once the 15
        working days (to Mar 25) have passed."""
        request_id = registered(app, office, applicant)
        app.consult_agency(request_id, office, date(2025, 3, 4), "阿尔山市财政局")
        refused(
            "silence_only_after_window",
            app.record_agency_answer,
            request_id,
            office,
            date(2025, 3, 25),
            "阿尔山市财政局",
            ConsultationAnswer.SILENT,
        )
        app.record_agency_answer(
            request_id, office, date(2025, 3, 26), "阿尔山市财政局", ConsultationAnswer.SILENT
        )
        consultation = app.get_request(request_id).agency_consultations["阿尔山市财政局"]
        assert consultation.answer is ConsultationAnswer.SILENT

    def test_concurrent_consultations_do_not_pause_a_day_twice(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33: time consulting third parties and agencies is not counted —
        once, however many are consulted at the same time."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        app.consult_agency(request_id, office, date(2025, 3, 5), "阿尔山市财政局")
        app.record_agency_answer(
            request_id, office, date(2025, 3, 7), "阿尔山市财政局", ConsultationAnswer.AGREED
        )
        app.record_third_party_answer(
            request_id, office, date(2025, 3, 10), "张某", ConsultationAnswer.AGREED
        )
        reading = clock(app, request_id, date(2025, 3, 11))
        # union of Mar 5-10 (third party) and Mar 6-7 (agency): Mar 5, 6, 7, 10 → 4 days
        assert (reading.paused_working_days, reading.due_on) == (4, date(2025, 4, 7))


# ---- extension (延期答复) ----


class TestExtension:
    @pytest.mark.parametrize(("agency", "days"), [(ARXAN, 20), (ZHONGWEI, 15)])
    def test_one_extension_up_to_the_agency_maximum(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, agency: str, days: int
    ) -> None:
        """004 att.2 Art 6 (Arxan 20); 002 Art 35(二) (Zhongwei 15): extended once, with the
        office head's approval and a notice to the applicant."""
        request_id = registered(app, office, applicant, agency=agency)
        before = clock(app, request_id, date(2025, 3, 10))
        app.extend_request(
            request_id,
            office,
            date(2025, 3, 10),
            days,
            "涉及多个科室，需要检索档案",
            office_head_approval(office, date(2025, 3, 10)),
            notice_sent_on=date(2025, 3, 11),
        )
        after = clock(app, request_id, date(2025, 3, 10))
        assert before.due_on is not None
        assert after.due_on == app.calendar.add_working_days(before.due_on, days)
        event = app.history(request_id)[-1]
        assert isinstance(event, DisclosureRequest.Extended)
        assert (event.days, event.notice_sent_on, event.approval.approver) == (
            days,
            date(2025, 3, 11),
            office,
        )

    def test_the_notice_defaults_to_the_day_of_the_extension(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33: the applicant is told of the extension."""
        request_id = registered(app, office, applicant)
        app.extend_request(
            request_id, office, date(2025, 3, 10), 5, "检索档案", office_head_approval(office)
        )
        event = app.history(request_id)[-1]
        assert isinstance(event, DisclosureRequest.Extended)
        assert event.notice_sent_on == date(2025, 3, 10)

    @pytest.mark.parametrize(("agency", "days"), [(ARXAN, 21), (ZHONGWEI, 16)])
    def test_an_extension_beyond_the_agency_maximum_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, agency: str, days: int
    ) -> None:
        """004 att.2 Art 6: at most 20; 002 Art 35(二): at most 15."""
        request_id = registered(app, office, applicant, agency=agency)
        error = refused(
            "extension_limit",
            app.extend_request,
            request_id,
            office,
            date(2025, 3, 10),
            days,
            "检索档案",
            office_head_approval(office),
        )
        assert error.field == "days"
        assert error.citation == app.policy(agency).reply_citation

    def test_a_second_extension_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33; 004 att.2 Art 6: extended once at most."""
        request_id = registered(app, office, applicant)
        app.extend_request(
            request_id, office, date(2025, 3, 10), 5, "检索档案", office_head_approval(office)
        )
        refused(
            "extend_once",
            app.extend_request,
            request_id,
            office,
            date(2025, 3, 11),
            5,
            "仍需检索",
            office_head_approval(office),
        )

    @pytest.mark.parametrize(
        "role", [Role.DRAFTER, Role.SECTION_HEAD, Role.SIGNER, Role.CONFIDENTIALITY_REVIEWER]
    )
    def test_an_extension_without_the_office_heads_approval_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, role: Role
    ) -> None:
        """004 att.2 Art 6: 经政府信息公开工作机构负责人同意."""
        request_id = registered(app, office, applicant)
        error = refused(
            "extension_needs_office_head",
            app.extend_request,
            request_id,
            office,
            date(2025, 3, 10),
            5,
            "检索档案",
            Approval(approver=actor(role), approved_on=date(2025, 3, 10)),
        )
        assert error.field == "approval"

    @pytest.mark.parametrize(
        "role", [Role.DISCLOSURE_OFFICE, Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER]
    )
    def test_the_office_head_or_a_leader_above_may_approve(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, role: Role
    ) -> None:
        """004 att.2 Art 6: the head of the disclosure office (or a leader above it)."""
        request_id = registered(app, office, applicant)
        app.extend_request(
            request_id,
            office,
            date(2025, 3, 10),
            5,
            "检索档案",
            Approval(approver=actor(role), approved_on=date(2025, 3, 10)),
        )
        assert app.get_request(request_id).extension_days == 5

    def test_an_extension_on_the_due_date_is_allowed(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33: extended within the period (the last day included)."""
        request_id = registered(app, office, applicant)
        app.extend_request(
            request_id, office, ARXAN_DUE, 20, "检索档案", office_head_approval(office, ARXAN_DUE)
        )
        assert app.get_request(request_id).extension_days == 20

    def test_an_extension_after_the_due_date_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 33: an overdue request cannot be rescued by an extension."""
        request_id = registered(app, office, applicant)
        error = refused(
            "extend_before_due",
            app.extend_request,
            request_id,
            office,
            date(2025, 4, 1),
            20,
            "检索档案",
            office_head_approval(office, date(2025, 4, 1)),
        )
        assert "2025-03-31" in str(error)

    @pytest.mark.parametrize(("days", "reason"), [(0, "检索档案"), (-1, "检索档案"), (5, "")])
    def test_a_zero_extension_or_one_without_reason_is_refused_by_validation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, days: int, reason: str
    ) -> None:
        """the Regulation Art 33: an extension extends, and says why."""
        request_id = registered(app, office, applicant)
        with pytest.raises(ValidationError):
            app.extend_request(
                request_id, office, date(2025, 3, 10), days, reason, office_head_approval(office)
            )


# ---- excessive requests (the Regulation Art 35) ----


class TestExcessiveRequests:
    def test_query_then_unreasonable_leads_to_not_processed_4(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: asked for reasons; unreasonable → 不予处理 4."""
        request_id = registered(app, office, applicant)
        app.query_excessiveness(request_id, office, date(2025, 3, 5), "本月已提交四十余件申请")
        app.assess_excessiveness(
            request_id,
            office,
            date(2025, 3, 12),
            reasonable=False,
            reason="未说明正当理由",
            agreed_due_on=date(2025, 6, 30),
        )
        request = app.get_request(request_id)
        assert (request.excessive_queried_on, request.excessive_reasonable) == (
            date(2025, 3, 5),
            False,
        )
        assert request.agreed_due_on is None  # no later date for an unreasonable request
        answer(app, request_id, office, Outcome.NOT_PROCESSED_EXCESSIVE)
        assert app.get_request(request_id).outcome is Outcome.NOT_PROCESSED_EXCESSIVE

    def test_not_processed_4_needs_the_query_and_the_assessment(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: reasons asked, then assessed as unreasonable."""
        request_id = registered(app, office, applicant)
        refused(
            "excessive_needs_assessment",
            answer,
            app,
            request_id,
            office,
            Outcome.NOT_PROCESSED_EXCESSIVE,
        )
        app.query_excessiveness(request_id, office, date(2025, 3, 5), "本月申请过多")
        refused(
            "excessive_needs_assessment",
            answer,
            app,
            request_id,
            office,
            Outcome.NOT_PROCESSED_EXCESSIVE,
        )

    def test_a_reasonable_request_cannot_be_not_processed_as_excessive(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: reasonable requests are answered, later if need be."""
        request_id = registered(app, office, applicant)
        app.query_excessiveness(request_id, office, date(2025, 3, 5), "本月申请过多")
        app.assess_excessiveness(
            request_id, office, date(2025, 3, 12), True, "课题研究需要", date(2025, 5, 30)
        )
        refused(
            "excessive_needs_assessment",
            answer,
            app,
            request_id,
            office,
            Outcome.NOT_PROCESSED_EXCESSIVE,
        )

    def test_assessment_needs_the_query_first(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: 可以要求申请人说明理由 — the question comes first."""
        request_id = registered(app, office, applicant)
        refused(
            "assess_after_query",
            app.assess_excessiveness,
            request_id,
            office,
            date(2025, 3, 12),
            False,
            "未说明理由",
        )

    def test_a_reasonable_request_needs_a_later_date(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: reasonable but impossible in time → a reasonable later date."""
        request_id = registered(app, office, applicant)
        app.query_excessiveness(request_id, office, date(2025, 3, 5), "本月申请过多")
        error = refused(
            "reasonable_needs_later_date",
            app.assess_excessiveness,
            request_id,
            office,
            date(2025, 3, 12),
            True,
            "课题研究需要",
        )
        assert error.field == "agreed_due_on"

    def test_the_later_date_becomes_the_due_date(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: the agreed date replaces the 20 working days."""
        request_id = registered(app, office, applicant)
        app.query_excessiveness(request_id, office, date(2025, 3, 5), "本月申请过多")
        app.assess_excessiveness(
            request_id, office, date(2025, 3, 12), True, "课题研究需要", date(2025, 5, 30)
        )
        reading = clock(app, request_id, date(2025, 4, 15))
        assert (reading.due_on, reading.overdue) == (date(2025, 5, 30), False)
        assert clock(app, request_id, date(2025, 6, 3)).overdue is True

    def test_the_query_states_its_reason(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 35: the agency asks the applicant to explain — saying why."""
        request_id = registered(app, office, applicant)
        with pytest.raises(ValidationError):
            app.query_excessiveness(request_id, office, date(2025, 3, 5), "")


# ---- fees (信息处理费) ----


FEE_EDGES = [
    # (basis, count, ceiling) — band edges of 国办函〔2020〕109号 (the Regulation Art 42)
    (FeeBasis.PER_APPLICATION, 11, Decimal(100)),
    (FeeBasis.PER_APPLICATION, 30, Decimal(100)),
    (FeeBasis.PER_APPLICATION, 31, Decimal(200)),
    (FeeBasis.PER_APPLICATION, 40, Decimal(200)),
    (FeeBasis.PER_APPLICATION, 41, Decimal(300)),
    (FeeBasis.PER_PAGE, 31, Decimal(10)),
    (FeeBasis.PER_PAGE, 100, Decimal(700)),
    (FeeBasis.PER_PAGE, 101, Decimal(720)),
    (FeeBasis.PER_PAGE, 200, Decimal(2700)),
    (FeeBasis.PER_PAGE, 201, Decimal(2740)),
]


class TestFees:
    @pytest.mark.parametrize(("basis", "count", "ceiling"), FEE_EDGES)
    def test_a_fee_at_the_ceiling_is_accepted_and_one_cent_more_refused(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        basis: FeeBasis,
        count: int,
        ceiling: Decimal,
    ) -> None:
        """the Regulation Art 42; 004 att.3 Art 5(三): charging beyond the standard is a
        violation."""
        assert maximum_fee(basis, count) == ceiling
        over = registered(app, office, applicant)
        error = refused(
            "fee_above_standard",
            app.notice_fee,
            over,
            office,
            date(2025, 3, 4),
            basis,
            count,
            ceiling + Decimal("0.01"),
        )
        assert error.field == "amount"
        assert str(ceiling) in str(error)
        exact = registered(app, office, applicant)
        app.notice_fee(exact, office, date(2025, 3, 4), basis, count, ceiling)
        assert app.get_request(exact).fee_amount == ceiling

    @pytest.mark.parametrize(
        ("basis", "count"),
        [(FeeBasis.PER_APPLICATION, 1), (FeeBasis.PER_APPLICATION, 10), (FeeBasis.PER_PAGE, 30)],
    )
    def test_no_fee_within_the_free_band(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, basis: FeeBasis, count: int
    ) -> None:
        """the Regulation Art 42: up to 10 applications a month, or 30 pages, are free."""
        request_id = registered(app, office, applicant)
        refused(
            "fee_above_standard",
            app.notice_fee,
            request_id,
            office,
            date(2025, 3, 4),
            basis,
            count,
            Decimal("0.01"),
        )

    @pytest.mark.parametrize(("count", "amount"), [(0, Decimal(100)), (11, Decimal(0))])
    def test_a_zero_count_or_amount_is_refused_by_validation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, count: int, amount: Decimal
    ) -> None:
        """the Regulation Art 42: a notice charges something for something."""
        request_id = registered(app, office, applicant)
        with pytest.raises((ValidationError, ValueError)):
            app.notice_fee(
                request_id, office, date(2025, 3, 4), FeeBasis.PER_APPLICATION, count, amount
            )
        assert app.get_request(request_id).fee_amount is None

    def test_one_fee_notice_per_application(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """国办函〔2020〕109号 (the Regulation Art 42): per application or per page, never both."""
        request_id = registered(app, office, applicant)
        app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 31, Decimal(10))
        refused(
            "one_fee_notice",
            app.notice_fee,
            request_id,
            office,
            date(2025, 3, 5),
            FeeBasis.PER_APPLICATION,
            11,
            Decimal(100),
        )

    def test_the_fee_notice_pauses_the_clock_until_payment(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 42 (国办函〔2020〕109号): the time to pay is not counted; payment
        within 20 working days of the notice."""
        request_id = registered(app, office, applicant)
        app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 31, Decimal(10))
        # 20 working days after Mar 4: Mar 5-7, 10-14, 17-21, 24-28, 31, Apr 1
        assert app.get_request(request_id).fee_due_on == date(2025, 4, 1)
        assert clock(app, request_id, date(2025, 3, 6)).state is ClockState.PAUSED
        app.record_fee_payment(request_id, office, date(2025, 3, 7))
        reading = clock(app, request_id, date(2025, 3, 10))
        # paused Mar 5, 6, 7 → due Mar 31 + 3 = Apr 3
        assert (reading.state, reading.paused_working_days, reading.due_on) == (
            ClockState.RUNNING,
            3,
            date(2025, 4, 3),
        )
        assert app.get_request(request_id).fee_settled == "paid"

    def test_a_hardship_waiver_settles_the_fee(
        self, app: GongkaiLedger, office: Actor, principal: Actor, applicant: Applicant
    ) -> None:
        """002 Art 40: waived for hardship on the applicant's request, approved by the
        office's principal."""
        request_id = registered(app, office, applicant)
        app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 101, Decimal(720))
        app.waive_fee(
            request_id,
            office,
            date(2025, 3, 6),
            "申请人持低保证明",
            Approval(approver=principal, approved_on=date(2025, 3, 6)),
        )
        request = app.get_request(request_id)
        assert (request.fee_settled, request.open_pauses) == ("waived", [])

    def test_a_waiver_states_its_reason(
        self, app: GongkaiLedger, office: Actor, principal: Actor, applicant: Applicant
    ) -> None:
        """002 Art 40: 确有经济困难 — the hardship is recorded."""
        request_id = registered(app, office, applicant)
        app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 31, Decimal(10))
        with pytest.raises(ValidationError):
            app.waive_fee(
                request_id,
                office,
                date(2025, 3, 6),
                "",
                Approval(approver=principal, approved_on=date(2025, 3, 6)),
            )

    def test_payment_or_waiver_needs_an_outstanding_notice(
        self, app: GongkaiLedger, office: Actor, principal: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 42: no notice (or already settled), nothing to pay or waive."""
        request_id = registered(app, office, applicant)
        waiver = Approval(approver=principal, approved_on=date(2025, 3, 6))
        refused("fee_outstanding", app.record_fee_payment, request_id, office, date(2025, 3, 5))
        refused(
            "fee_outstanding", app.waive_fee, request_id, office, date(2025, 3, 5), "困难", waiver
        )
        app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 31, Decimal(10))
        app.record_fee_payment(request_id, office, date(2025, 3, 5))
        refused("fee_outstanding", app.record_fee_payment, request_id, office, date(2025, 3, 6))
        refused(
            "fee_outstanding", app.waive_fee, request_id, office, date(2025, 3, 6), "困难", waiver
        )

    def test_unpaid_after_the_period_is_deemed_withdrawn(
        self, app: GongkaiLedger, office: Actor, system_actor: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 42 (local rule: 20 working days); counted as 其他处理 2."""
        request_id = registered(app, office, applicant)
        app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 31, Decimal(10))
        app.deem_withdrawn(
            request_id, system_actor, date(2025, 4, 2), Outcome.OTHER_FEE_UNPAID, "逾期未缴费"
        )
        request = app.get_request(request_id)
        assert (request.outcome, request.fee_settled, request.closed_on) == (
            Outcome.OTHER_FEE_UNPAID,
            "lapsed",
            date(2025, 4, 2),
        )
        assert request.open_pauses == []

    def test_withdrawal_for_the_fee_is_refused_on_the_last_day_to_pay(
        self, app: GongkaiLedger, office: Actor, system_actor: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 42: abandoned only once the period (to Apr 1) has passed."""
        request_id = registered(app, office, applicant)
        app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 31, Decimal(10))
        error = refused(
            "withdrawal_after_fee_period",
            app.deem_withdrawn,
            request_id,
            system_actor,
            date(2025, 4, 1),
            Outcome.OTHER_FEE_UNPAID,
            "逾期未缴费",
        )
        assert error.field == "on"

    @pytest.mark.parametrize("settle", ["none", "paid", "waived"])
    def test_withdrawal_for_the_fee_needs_an_unpaid_notice(
        self,
        app: GongkaiLedger,
        office: Actor,
        principal: Actor,
        system_actor: Actor,
        applicant: Applicant,
        settle: str,
    ) -> None:
        """the Regulation Art 42: paid, waived or never charged → nothing lapses."""
        request_id = registered(app, office, applicant)
        if settle != "none":
            app.notice_fee(request_id, office, date(2025, 3, 4), FeeBasis.PER_PAGE, 31, Decimal(10))
        if settle == "paid":
            app.record_fee_payment(request_id, office, date(2025, 3, 5))
        if settle == "waived":
            app.waive_fee(
                request_id,
                office,
                date(2025, 3, 5),
                "困难",
                Approval(approver=principal, approved_on=date(2025, 3, 5)),
            )
        refused(
            "withdrawal_after_fee_period",
            app.deem_withdrawn,
            request_id,
            system_actor,
            date(2025, 5, 6),
            Outcome.OTHER_FEE_UNPAID,
            "逾期未缴费",
        )

    @pytest.mark.parametrize(
        "outcome",
        [o for o in Outcome if o not in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID)],
    )
    def test_deemed_withdrawal_counts_only_as_other_1_or_2(
        self,
        app: GongkaiLedger,
        office: Actor,
        system_actor: Actor,
        applicant: Applicant,
        outcome: Outcome,
    ) -> None:
        """national template 三(六): deemed withdrawal is 其他处理 1 or 2, nothing else."""
        request_id = registered(app, office, applicant)
        error = refused(
            "withdrawal_outcome",
            app.deem_withdrawn,
            request_id,
            system_actor,
            date(2025, 5, 6),
            outcome,
            "视为撤回",
        )
        assert error.field == "outcome"


# ---- transfer and referral ----


class TestTransferAndReferral:
    def test_a_transfer_hands_over_with_the_same_deadline(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """000 §一(五)4; 001 Art 13: hand-over record, same deadline."""
        request_id = registered(app, office, applicant)
        app.transfer_request(request_id, office, date(2025, 3, 5), "财务科", "交接单 2025-017")
        request = app.get_request(request_id)
        assert request.department == "财务科"
        assert request.transfers == [("规划处", "财务科", date(2025, 3, 5))]
        assert clock(app, request_id, date(2025, 3, 5)).due_on == ARXAN_DUE

    def test_a_transfer_to_the_same_department_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """000 §一(五)4: a transfer goes to another department."""
        request_id = registered(app, office, applicant)
        error = refused(
            "transfer_to_other_department",
            app.transfer_request,
            request_id,
            office,
            date(2025, 3, 5),
            "规划处",
            "交接单",
        )
        assert error.field == "to_department"

    def test_a_transfer_needs_a_handover_record(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """000 §一(五)4: 做好交接登记."""
        request_id = registered(app, office, applicant)
        with pytest.raises(ValidationError):
            app.transfer_request(request_id, office, date(2025, 3, 5), "财务科", "")

    def test_referral_then_cannot_provide_1_names_the_holder(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 36(五): not this agency's — name the agency that holds it."""
        request_id = registered(app, office, applicant)
        app.refer_request(request_id, office, date(2025, 3, 6), "兴安盟财政局", "0482-0000000")
        answer(app, request_id, office, Outcome.CANNOT_PROVIDE_NOT_HELD)
        event = app.history(request_id)[-1]
        assert isinstance(event, DisclosureRequest.Replied)
        assert (event.outcome, event.holding_agency) == (
            Outcome.CANNOT_PROVIDE_NOT_HELD,
            "兴安盟财政局",
        )

    def test_cannot_provide_1_without_a_holder_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 36(五); 002 Art 35(五): name the holder (or say it is unknown)."""
        request_id = registered(app, office, applicant)
        error = refused(
            "name_holding_agency", answer, app, request_id, office, Outcome.CANNOT_PROVIDE_NOT_HELD
        )
        assert error.field == "holding_agency"
        refused(
            "name_holding_agency",
            answer,
            app,
            request_id,
            office,
            Outcome.CANNOT_PROVIDE_NOT_HELD,
            holding_agency="   ",
        )

    def test_the_holder_can_be_named_in_the_reply_itself(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 36(五): 能够确定该政府信息的公开机关的，告知申请人该行政机关的名称."""
        request_id = registered(app, office, applicant)
        answer(
            app,
            request_id,
            office,
            Outcome.CANNOT_PROVIDE_NOT_HELD,
            holding_agency="所属机关不明，经检索无法确定",
        )
        assert app.get_request(request_id).outcome is Outcome.CANNOT_PROVIDE_NOT_HELD


# ---- the reply ----


@dataclass(frozen=True)
class Route:
    """How a reply outcome is reached: what must happen first, and what the reply says."""

    setup: Callable[[GongkaiLedger, UUID, Actor], None] = lambda app, rid, who: None
    extra: tuple[tuple[str, str], ...] = ()


def _corrected(app: GongkaiLedger, rid: UUID, who: Actor) -> None:
    app.request_correction(rid, who, date(2025, 3, 4), ["描述不明确"])
    app.record_correction(rid, who, date(2025, 3, 6))


def _unreasonable(app: GongkaiLedger, rid: UUID, who: Actor) -> None:
    app.query_excessiveness(rid, who, date(2025, 3, 5), "本月已提交四十余件申请")
    app.assess_excessiveness(rid, who, date(2025, 3, 12), False, "未说明正当理由")


REPLY_ROUTES: dict[Outcome, Route] = {
    Outcome.DISCLOSED: Route(extra=(("location", "阿尔山市人民政府门户网站/信息公开/财政资金"),)),
    Outcome.PARTLY_DISCLOSED: Route(extra=(("withheld_reasons", "涉及企业银行账号，不予公开"),)),
    Outcome.NOT_DISCLOSED_STATE_SECRET: Route(),
    Outcome.NOT_DISCLOSED_PROHIBITED_BY_LAW: Route(),
    Outcome.NOT_DISCLOSED_THREE_SECURITIES: Route(),
    Outcome.NOT_DISCLOSED_THIRD_PARTY: Route(),
    Outcome.NOT_DISCLOSED_INTERNAL_AFFAIRS: Route(),
    Outcome.NOT_DISCLOSED_PROCESS_INFORMATION: Route(),
    Outcome.NOT_DISCLOSED_ENFORCEMENT_CASE_FILE: Route(),
    Outcome.NOT_DISCLOSED_ENQUIRY_MATTER: Route(),
    Outcome.CANNOT_PROVIDE_NOT_HELD: Route(extra=(("holding_agency", "兴安盟财政局"),)),
    Outcome.CANNOT_PROVIDE_WOULD_CREATE: Route(),
    Outcome.CANNOT_PROVIDE_STILL_UNCLEAR: Route(setup=_corrected),
    Outcome.NOT_PROCESSED_PETITION: Route(),
    Outcome.NOT_PROCESSED_REPEATED: Route(),
    Outcome.NOT_PROCESSED_PUBLICATION: Route(extra=(("location", "《阿尔山市年鉴2024》"),)),
    Outcome.NOT_PROCESSED_EXCESSIVE: Route(setup=_unreasonable),
    Outcome.NOT_PROCESSED_CONFIRMATION: Route(),
    Outcome.OTHER: Route(),
}

DEEMED_WITHDRAWN = (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID)


class TestReply:
    def test_every_sub_reason_of_the_template_is_reachable_exactly_one_way(self) -> None:
        """004 att.9 Art 4(四) (national template 三(一)-(六)): 21 sub-reasons — 19 by reply,
        其他处理 1 and 2 only by deemed withdrawal."""
        assert len(Outcome) == 21
        assert set(REPLY_ROUTES) | set(DEEMED_WITHDRAWN) == set(Outcome)
        assert set(REPLY_ROUTES).isdisjoint(DEEMED_WITHDRAWN)

    @pytest.mark.parametrize("outcome", list(REPLY_ROUTES))
    def test_each_reply_outcome_is_recorded_with_basis_reasons_and_remedy(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, outcome: Outcome
    ) -> None:
        """002 Art 39 (basis, reasons, remedy); the Regulation Art 36-37; 004 att.2 Art 9-10."""
        request_id = registered(app, office, applicant)
        route = REPLY_ROUTES[outcome]
        route.setup(app, request_id, office)
        extra: dict[str, Any] = dict(route.extra)
        answer(app, request_id, office, outcome, **extra)
        request = app.get_request(request_id)
        assert (request.outcome, request.closed_on) == (outcome, REPLY_DAY)
        event = app.history(request_id)[-1]
        assert isinstance(event, DisclosureRequest.Replied)
        assert (event.legal_basis, event.reasons, event.remedy) == (BASIS, REASONS, REMEDY)
        assert clock(app, request_id, REPLY_DAY).state is ClockState.ANSWERED

    @pytest.mark.parametrize("outcome", DEEMED_WITHDRAWN)
    def test_other_1_and_2_are_refused_as_replies(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, outcome: Outcome
    ) -> None:
        """the Regulation Art 30, 42: abandonment is recorded as deemed withdrawal."""
        request_id = registered(app, office, applicant)
        error = refused(
            "abandonment_is_deemed_withdrawal", answer, app, request_id, office, outcome
        )
        assert error.field == "outcome"

    @pytest.mark.parametrize("field", ["legal_basis", "reasons", "remedy"])
    def test_an_empty_basis_reason_or_remedy_is_refused_by_validation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, field: str
    ) -> None:
        """002 Art 39: 援引法律依据、说明理由、提供救济方式和渠道及期限."""
        request_id = registered(app, office, applicant)
        empty: dict[str, Any] = {field: ""}
        with pytest.raises(ValidationError):
            answer(app, request_id, office, Outcome.NOT_DISCLOSED_STATE_SECRET, **empty)
        assert app.get_request(request_id).outcome is None

    @pytest.mark.parametrize("field", ["legal_basis", "reasons", "remedy"])
    def test_a_blank_basis_reason_or_remedy_is_refused_by_validation(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, field: str
    ) -> None:
        """002 Art 39: whitespace (including the ideographic space) is not a legal basis, a
        reason or a remedy."""
        request_id = registered(app, office, applicant)
        blank: dict[str, Any] = {field: " \u3000\n"}
        with pytest.raises(ValidationError) as caught:
            answer(app, request_id, office, Outcome.NOT_DISCLOSED_STATE_SECRET, **blank)
        assert caught.value.errors()[0]["loc"] == (field,)
        assert app.get_request(request_id).outcome is None

    @pytest.mark.parametrize("withheld", ["", "  "])
    def test_partial_disclosure_states_why_the_rest_is_withheld(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, withheld: str
    ) -> None:
        """the Regulation Art 37; 003 Art 6: partial disclosure gives reasons for what is
        withheld."""
        request_id = registered(app, office, applicant)
        error = refused(
            "partial_needs_withheld_reasons",
            answer,
            app,
            request_id,
            office,
            Outcome.PARTLY_DISCLOSED,
            withheld_reasons=withheld,
        )
        assert error.field == "withheld_reasons"

    def test_a_reply_cannot_predate_receipt(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 31, 33: the period runs from receipt."""
        request_id = registered(app, office, applicant)
        refused("date_before_receipt", answer, app, request_id, office, on=date(2025, 3, 2))

    def test_a_reply_is_given_once(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: 做出答复 is one step."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        refused("request_already_answered", answer, app, request_id, office, Outcome.OTHER)

    def test_the_reply_ends_any_open_pause(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 32: after the window the agency decides (the consultation is
        closed by the reply)."""
        request_id = registered(app, office, applicant)
        app.consult_third_party(
            request_id, office, date(2025, 3, 4), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
        )
        answer(app, request_id, office, Outcome.NOT_DISCLOSED_THIRD_PARTY)
        request = app.get_request(request_id)
        assert request.open_pauses == []
        assert clock(app, request_id, date(2025, 4, 30)).state is ClockState.ANSWERED

    @pytest.mark.parametrize(
        "command",
        [
            lambda app, rid, who: app.register_request(rid, who, date(2025, 3, 21)),
            lambda app, rid, who: app.request_correction(rid, who, date(2025, 3, 21), ["缺陷"]),
            lambda app, rid, who: app.consult_third_party(
                rid, who, date(2025, 3, 21), "张某", ThirdPartyInterest.PERSONAL_PRIVACY
            ),
            lambda app, rid, who: app.consult_agency(rid, who, date(2025, 3, 21), "财政局"),
            lambda app, rid, who: app.extend_request(
                rid,
                who,
                date(2025, 3, 21),
                5,
                "检索",
                Approval(approver=who, approved_on=date(2025, 3, 21)),
            ),
            lambda app, rid, who: app.query_excessiveness(rid, who, date(2025, 3, 21), "过多"),
            lambda app, rid, who: app.assess_excessiveness(
                rid, who, date(2025, 3, 21), False, "无理由"
            ),
            lambda app, rid, who: app.notice_fee(
                rid, who, date(2025, 3, 21), FeeBasis.PER_PAGE, 31, Decimal(10)
            ),
            lambda app, rid, who: app.record_fee_payment(rid, who, date(2025, 3, 21)),
            lambda app, rid, who: app.waive_fee(
                rid,
                who,
                date(2025, 3, 21),
                "困难",
                Approval(approver=who, approved_on=date(2025, 3, 21)),
            ),
            lambda app, rid, who: app.transfer_request(
                rid, who, date(2025, 3, 21), "财务科", "交接"
            ),
            lambda app, rid, who: app.refer_request(rid, who, date(2025, 3, 21), "财政局"),
            lambda app, rid, who: app.deem_withdrawn(
                rid, who, date(2025, 5, 6), Outcome.OTHER_NO_CORRECTION, "逾期"
            ),
            lambda app, rid, who: app.record_correction(rid, who, date(2025, 3, 21)),
            lambda app, rid, who: app.override_for_public_interest(
                rid,
                who,
                date(2025, 3, 21),
                "张某",
                "公益",
                date(2025, 3, 21),
                Approval(approver=who, approved_on=date(2025, 3, 21)),
            ),
        ],
        ids=[
            "register",
            "correction",
            "third_party",
            "agency",
            "extension",
            "query",
            "assess",
            "fee",
            "payment",
            "waiver",
            "transfer",
            "referral",
            "withdrawal",
            "record_correction",
            "override",
        ],
    )
    def test_a_closed_request_refuses_further_handling(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        command: Callable[[GongkaiLedger, UUID, Actor], Any],
    ) -> None:
        """002 Art 34: once answered, the handling steps are over."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        refused("request_already_answered", command, app, request_id, office)


# ---- delivery (送达) ----


class TestDelivery:
    def test_the_reply_is_delivered_after_it_is_made(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: 做出答复、送达."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        app.deliver_reply(request_id, office, date(2025, 3, 21), "邮寄（挂号信）")
        assert app.get_request(request_id).delivered_on == date(2025, 3, 21)

    def test_a_deemed_withdrawal_is_delivered_too(
        self, app: GongkaiLedger, office: Actor, system_actor: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 30; 002 Art 34: the applicant is told the application lapsed."""
        request_id = registered(app, office, applicant)
        app.request_correction(request_id, office, date(2025, 3, 4), ["未提供身份证明"])
        app.deem_withdrawn(
            request_id, system_actor, date(2025, 3, 26), Outcome.OTHER_NO_CORRECTION, "逾期"
        )
        app.deliver_reply(request_id, office, date(2025, 3, 26), "电子邮件")
        assert app.get_request(request_id).delivered_on == date(2025, 3, 26)

    def test_delivery_before_the_reply_or_twice_is_refused(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: the reply is delivered once, after it is made."""
        request_id = registered(app, office, applicant)
        refused("deliver_after_reply", app.deliver_reply, request_id, office, REPLY_DAY, "邮寄")
        answer(app, request_id, office)
        app.deliver_reply(request_id, office, REPLY_DAY, "当面领取")
        refused(
            "deliver_after_reply", app.deliver_reply, request_id, office, date(2025, 3, 21), "邮寄"
        )

    def test_delivery_cannot_predate_the_reply(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: delivery follows the reply."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        error = refused(
            "date_before_reply", app.deliver_reply, request_id, office, date(2025, 3, 19), "邮寄"
        )
        assert error.field == "on"

    def test_delivery_names_its_method(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: 送达 is recorded with how it was done."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        with pytest.raises(ValidationError):
            app.deliver_reply(request_id, office, REPLY_DAY, "")


# ---- reconsideration and litigation ----


class TestReconsiderationAndLitigation:
    @pytest.mark.parametrize("result", list(AppealResult))
    def test_a_reconsideration_is_filed_against_a_reply_and_decided(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant, result: AppealResult
    ) -> None:
        """002 Art 41; 004 att.9 Art 4(五): reconsideration recorded with its result
        (维持 / 纠正 / 其他; pending while undecided)."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        app.file_reconsideration(request_id, office, date(2025, 4, 10), "阿尔山市人民政府")
        pending = app.get_request(request_id).reconsiderations[-1]
        assert (pending.kind, pending.filed_on, pending.result) == (
            "reconsideration",
            date(2025, 4, 10),
            None,
        )
        app.decide_reconsideration(request_id, office, date(2025, 6, 9), result)
        decided = app.get_request(request_id).reconsiderations[-1]
        assert (decided.result, decided.decided_on) == (result, date(2025, 6, 9))

    def test_reconsideration_needs_a_reply(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 51; 002 Art 41: sought against a reply."""
        request_id = registered(app, office, applicant)
        refused(
            "appeal_after_reply",
            app.file_reconsideration,
            request_id,
            office,
            date(2025, 3, 10),
            "阿尔山市人民政府",
        )

    def test_one_pending_reconsideration_at_a_time(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 41: a reconsideration already pending is not filed again."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        app.file_reconsideration(request_id, office, date(2025, 4, 10), "阿尔山市人民政府")
        refused(
            "one_open_reconsideration",
            app.file_reconsideration,
            request_id,
            office,
            date(2025, 4, 11),
            "兴安盟行政公署",
        )
        app.decide_reconsideration(request_id, office, date(2025, 6, 9), AppealResult.CORRECTED)
        app.file_reconsideration(request_id, office, date(2025, 7, 1), "阿尔山市人民政府")
        assert len(app.get_request(request_id).reconsiderations) == 2

    def test_a_decision_needs_a_pending_reconsideration(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 41: only a pending reconsideration is decided, once."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        refused(
            "decide_pending_reconsideration",
            app.decide_reconsideration,
            request_id,
            office,
            date(2025, 6, 9),
            AppealResult.MAINTAINED,
        )
        app.file_reconsideration(request_id, office, date(2025, 4, 10), "阿尔山市人民政府")
        app.decide_reconsideration(request_id, office, date(2025, 6, 9), AppealResult.MAINTAINED)
        refused(
            "decide_pending_reconsideration",
            app.decide_reconsideration,
            request_id,
            office,
            date(2025, 6, 10),
            AppealResult.CORRECTED,
        )

    def test_a_direct_suit_is_recorded_and_decided(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.9 Art 4(五): 未经复议直接起诉, with its result."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        app.file_litigation(
            request_id, office, date(2025, 4, 10), LitigationKind.DIRECT, "阿尔山市人民法院"
        )
        suit = app.get_request(request_id).litigations[-1]
        assert (suit.kind, suit.result) == ("direct", None)
        app.decide_litigation(request_id, office, date(2025, 9, 1), AppealResult.MAINTAINED)
        assert app.get_request(request_id).litigations[-1].result is AppealResult.MAINTAINED

    def test_a_suit_after_reconsideration_needs_a_decided_reconsideration(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """004 att.9 Art 4(五): 复议后起诉 follows a decided reconsideration."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        kind = LitigationKind.AFTER_RECONSIDERATION
        error = refused(
            "litigation_after_reconsideration",
            app.file_litigation,
            request_id,
            office,
            date(2025, 4, 10),
            kind,
            "阿尔山市人民法院",
        )
        assert error.field == "kind"
        app.file_reconsideration(request_id, office, date(2025, 4, 10), "阿尔山市人民政府")
        refused(
            "litigation_after_reconsideration",
            app.file_litigation,
            request_id,
            office,
            date(2025, 4, 20),
            kind,
            "阿尔山市人民法院",
        )
        app.decide_reconsideration(request_id, office, date(2025, 6, 9), AppealResult.MAINTAINED)
        app.file_litigation(request_id, office, date(2025, 6, 20), kind, "阿尔山市人民法院")
        assert app.get_request(request_id).litigations[-1].kind == "after_reconsideration"

    def test_litigation_needs_a_reply_and_one_pending_suit_at_a_time(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 51; 002 Art 41: a suit is brought against a reply, one at a
        time."""
        request_id = registered(app, office, applicant)
        direct = LitigationKind.DIRECT
        refused(
            "appeal_after_reply",
            app.file_litigation,
            request_id,
            office,
            date(2025, 3, 10),
            direct,
            "法院",
        )
        answer(app, request_id, office)
        app.file_litigation(request_id, office, date(2025, 4, 10), direct, "阿尔山市人民法院")
        refused(
            "one_open_litigation",
            app.file_litigation,
            request_id,
            office,
            date(2025, 4, 11),
            direct,
            "兴安盟中级人民法院",
        )

    def test_a_litigation_decision_needs_a_pending_suit(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 41: only a pending suit is decided, once."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        refused(
            "decide_pending_litigation",
            app.decide_litigation,
            request_id,
            office,
            date(2025, 9, 1),
            AppealResult.OTHER,
        )
        app.file_litigation(
            request_id, office, date(2025, 4, 10), LitigationKind.DIRECT, "阿尔山市人民法院"
        )
        app.decide_litigation(request_id, office, date(2025, 9, 1), AppealResult.CORRECTED)
        refused(
            "decide_pending_litigation",
            app.decide_litigation,
            request_id,
            office,
            date(2025, 9, 2),
            AppealResult.OTHER,
        )


# ---- archive (存档) ----


class TestArchive:
    def test_an_answered_request_is_archived_once(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: 存档 is the last step, once."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        app.archive_request(request_id, office, date(2025, 3, 28), "2025-依申请-017")
        assert app.get_request(request_id).archived_on == date(2025, 3, 28)
        refused("archive_after_reply", app.archive_request, request_id, office, date(2025, 3, 29))

    def test_an_open_request_cannot_be_archived(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: archived after it is answered."""
        request_id = registered(app, office, applicant)
        refused("archive_after_reply", app.archive_request, request_id, office, date(2025, 3, 28))

    def test_an_archived_request_refuses_handling(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """002 Art 34: the archived request is closed."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        app.archive_request(request_id, office, date(2025, 3, 28))
        error = refused(
            "archived_request_is_closed",
            app.transfer_request,
            request_id,
            office,
            date(2025, 3, 29),
            "财务科",
            "交接",
        )
        assert "archived" in str(error)

    def test_an_archived_request_still_records_an_appeal(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 51; 004 att.9 Art 4(五): appeals are counted whenever they come."""
        request_id = registered(app, office, applicant)
        answer(app, request_id, office)
        app.archive_request(request_id, office, date(2025, 3, 28))
        app.file_reconsideration(request_id, office, date(2025, 4, 10), "阿尔山市人民政府")
        assert len(app.get_request(request_id).reconsiderations) == 1


# ---- objections (responsibility rules) ----


class TestObjections:
    def test_an_official_records_an_objection_to_a_recorded_step(
        self, app: GongkaiLedger, office: Actor, drafter: Actor, applicant: Applicant
    ) -> None:
        """002 Art 64(二); 004 att.3 Art 6: a handler who objected to the instruction bears
        less (002) or none (004)."""
        request_id = registered(app, office, applicant)
        app.transfer_request(request_id, office, date(2025, 3, 5), "财务科", "交接单")
        app.record_objection(request_id, drafter, date(2025, 3, 6), 3, "该信息不属于本科室职责")
        assert app.get_request(request_id).objections == [(3, "drafter", "该信息不属于本科室职责")]

    @pytest.mark.parametrize("version", [0, 3])
    def test_an_objection_must_name_a_recorded_event(
        self, app: GongkaiLedger, office: Actor, drafter: Actor, applicant: Applicant, version: int
    ) -> None:
        """002 Art 64(二): the objection is to an instruction on record (versions 1..2 here)."""
        request_id = registered(app, office, applicant)
        error = refused(
            "objection_names_recorded_event",
            app.record_objection,
            request_id,
            drafter,
            date(2025, 3, 6),
            version,
            "不同意",
        )
        assert error.field == "objected_version"

    def test_an_objection_states_what_is_objected(
        self, app: GongkaiLedger, office: Actor, drafter: Actor, applicant: Applicant
    ) -> None:
        """002 Art 64(二): 提出过反对意见 — the objection itself is recorded."""
        request_id = registered(app, office, applicant)
        with pytest.raises(ValidationError):
            app.record_objection(request_id, drafter, date(2025, 3, 6), 1, "")


# ---- personal data stays out of errors ----


def _refusals() -> list[tuple[str, Callable[[GongkaiLedger, UUID, Actor], Any]]]:
    d = date(2025, 3, 21)
    return [
        ("register_once", lambda app, rid, who: app.register_request(rid, who, d)),
        ("date_before_receipt", lambda app, rid, who: answer(app, rid, who, on=date(2025, 3, 1))),
        ("correction_needs_notice", lambda app, rid, who: app.record_correction(rid, who, d)),
        (
            "answer_open_consultation",
            lambda app, rid, who: app.record_third_party_answer(
                rid, who, d, "张某", ConsultationAnswer.AGREED
            ),
        ),
        (
            "extension_limit",
            lambda app, rid, who: app.extend_request(
                rid, who, d, 21, "检索", Approval(approver=who, approved_on=d)
            ),
        ),
        (
            "fee_above_standard",
            lambda app, rid, who: app.notice_fee(rid, who, d, FeeBasis.PER_PAGE, 31, Decimal(11)),
        ),
        (
            "partial_needs_withheld_reasons",
            lambda app, rid, who: answer(app, rid, who, Outcome.PARTLY_DISCLOSED),
        ),
        (
            "name_holding_agency",
            lambda app, rid, who: answer(app, rid, who, Outcome.CANNOT_PROVIDE_NOT_HELD),
        ),
        ("deliver_after_reply", lambda app, rid, who: app.deliver_reply(rid, who, d, "邮寄")),
        ("appeal_after_reply", lambda app, rid, who: app.file_reconsideration(rid, who, d, "政府")),
        (
            "withdrawal_outcome",
            lambda app, rid, who: app.deem_withdrawn(rid, who, d, Outcome.OTHER, "撤回"),
        ),
        (
            "objection_names_recorded_event",
            lambda app, rid, who: app.record_objection(rid, who, d, 9, "反对"),
        ),
    ]


class TestNoPersonalDataInRefusals:
    @pytest.mark.parametrize(("rule", "command"), _refusals(), ids=[r for r, _ in _refusals()])
    def test_a_refusal_never_repeats_the_applicants_details(
        self,
        app: GongkaiLedger,
        office: Actor,
        applicant: Applicant,
        rule: str,
        command: Callable[[GongkaiLedger, UUID, Actor], Any],
    ) -> None:
        """004 att.6 Art 2 (personal privacy); domain.md §6: applicant data never leaves the
        request — not even in an error message."""
        request_id = registered(app, office, applicant)
        error = refused(rule, command, app, request_id, office)
        text = f"{error} {error.detail} {error.citation} {error.field} {error!r}"
        for personal in (
            applicant.name,
            applicant.id_document,
            applicant.contact,
            applicant.address,
        ):
            assert personal not in text

    def test_the_receipt_date_refusal_never_repeats_the_applicants_details(
        self, app: GongkaiLedger, office: Actor, applicant: Applicant
    ) -> None:
        """the Regulation Art 31; domain.md §6: refused at receipt without echoing the form."""
        error = refused(
            "receipt_date_by_channel",
            app.receive_request,
            office,
            agency_code=ARXAN,
            channel=RequestChannel.POST,
            applicant=applicant,
            description="资金分配结果",
            department="规划处",
        )
        assert applicant.name not in str(error)
        assert applicant.contact not in str(error)


# ---- every refusal of the aggregate has a test ----


def test_every_request_rule_is_exercised_by_this_module() -> None:
    """domain.md §3: each refusal names its rule; each rule has a test here (a new rule without
    a test fails this check)."""
    sources = inspect.getsource(domain.disclosure_request) + inspect.getsource(
        domain.application.GongkaiLedger.receipt_date
    )
    rules = set(re.findall(r'RuleViolation\(\s*"([a-z_]+)"', sources))
    assert len(rules) >= 40
    tests = Path(__file__).read_text(encoding="utf-8")
    untested = sorted(
        rule for rule in rules if f'"{rule}"' not in tests.split("def test_every_request_rule")[0]
    )
    assert untested == []
