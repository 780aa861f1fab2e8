"""The working-day calendar (工作日): State Council holidays with make-up working days (调休),
counted from the day after the trigger, failing loudly for a year nobody has loaded.

domain.md §5; the Regulation Art 33 (自收到申请之日起 … 个工作日内).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.application import GongkaiLedger
from domain.base import Actor
from domain.calendar import DEFAULT_DATA_FILE, build_calendar, default_calendar
from domain.codes import RequestChannel
from domain.deadlines import ClockState
from domain.disclosure_request import Applicant
from domain.errors import CalendarYearUnknown
from tests.unit.domain.conftest import ARXAN

# An illustrative 2027 schedule for the tests only (NOT the State Council notice, which the
# operators add when it is published): New Year's Day Fri Jan 1 to Sun Jan 3 off, and Saturday
# Jan 9 made a working day.
ILLUSTRATIVE_2027: dict[str, Any] = {
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": ["2027-01-09"],
    "source": "test fixture, not a State Council notice",
}


def write_calendar(path: Path, years: dict[str, object]) -> Path:
    path.write_text(
        json.dumps({"about": "test data", "years": years}, ensure_ascii=False), encoding="utf-8"
    )
    return path


class TestCounting:
    @pytest.mark.parametrize(
        ("trigger", "first_working_day"),
        [
            (date(2025, 3, 3), date(2025, 3, 4)),  # Monday → Tuesday: the trigger never counts
            (date(2025, 3, 7), date(2025, 3, 10)),  # Friday → Monday
            (date(2025, 9, 26), date(2025, 9, 28)),  # Friday → the make-up Sunday
            (date(2025, 10, 1), date(2025, 10, 9)),  # a holiday trigger → after the holiday
            (date(2026, 2, 13), date(2026, 2, 14)),  # Friday → the make-up Saturday
            (date(2026, 2, 14), date(2026, 2, 24)),  # → across the nine festival days
        ],
    )
    def test_counting_starts_the_day_after_the_trigger(
        self, trigger: date, first_working_day: date
    ) -> None:
        """the Regulation Art 33: 自收到申请之日起 — whole working days after the trigger."""
        calendar = default_calendar()
        assert calendar.add_working_days(trigger, 1) == first_working_day
        assert calendar.add_working_days(trigger, 0) == trigger

    @pytest.mark.parametrize(
        "day",
        [date(2025, 9, 28), date(2025, 10, 11), date(2026, 2, 14), date(2026, 2, 28)],
    )
    def test_make_up_weekend_days_are_working_days(self, day: date) -> None:
        """domain.md §5: 调休 — Sun Sep 28 and Sat Oct 11 2025; Sat Feb 14 and Feb 28 2026."""
        assert day.weekday() >= 5
        assert default_calendar().is_working_day(day) is True

    @pytest.mark.parametrize(
        "day",
        [
            *(date(2025, 10, d) for d in range(1, 9)),
            *(date(2026, 2, d) for d in range(15, 24)),
            date(2025, 9, 27),  # an ordinary Saturday
            date(2026, 3, 1),  # an ordinary Sunday
        ],
    )
    def test_holidays_and_ordinary_weekends_are_not_working_days(self, day: date) -> None:
        """domain.md §5: National Day 2025 (Oct 1-8), Spring Festival 2026 (Feb 15-23)."""
        assert default_calendar().is_working_day(day) is False

    def test_working_days_between_excludes_the_start_and_includes_the_end(self) -> None:
        """the Regulation Art 33: the count of days elapsed uses the same rule as the deadline."""
        calendar = default_calendar()
        # after Tue Sep 30 up to Thu Oct 9: only Oct 9 (Oct 1-8 off)
        assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
        # after Fri Sep 26 up to Sat Oct 11: Sep 28, 29, 30, Oct 9, 10, 11
        assert calendar.working_days_between(date(2025, 9, 26), date(2025, 10, 11)) == 6
        assert calendar.working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0
        assert calendar.working_days_between(date(2025, 10, 10), date(2025, 10, 9)) == 0

    def test_a_negative_count_is_refused(self) -> None:
        """the Regulation Art 33: periods run forwards."""
        with pytest.raises(ValueError, match="negative"):
            default_calendar().add_working_days(date(2025, 3, 3), -1)


class TestUnknownYear:
    def test_2027_is_not_known_and_fails_with_a_clear_message(self) -> None:
        """domain.md §5: without the State Council notice for 2027 the calendar refuses to
        guess."""
        calendar = default_calendar()
        with pytest.raises(CalendarYearUnknown) as caught:
            calendar.is_working_day(date(2027, 1, 4))
        assert caught.value.year == 2027
        message = str(caught.value)
        assert "2027" in message
        assert "holiday schedule" in message
        assert "calendar data file" in message

    def test_a_count_running_into_2027_fails_rather_than_guesses(self) -> None:
        """domain.md §5: Thu Dec 31 2026 + 1 working day lands in 2027."""
        calendar = default_calendar()
        with pytest.raises(CalendarYearUnknown):
            calendar.add_working_days(date(2026, 12, 31), 1)
        with pytest.raises(CalendarYearUnknown):
            calendar.working_days_between(date(2026, 12, 30), date(2027, 1, 5))
        with pytest.raises(CalendarYearUnknown):
            calendar.schedule(2027)

    def test_the_shipped_data_file_adds_no_year(self) -> None:
        """domain.md §5: the package data covers 2025-2026; nothing more is shipped yet."""
        raw = json.loads(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
        assert raw["years"] == {}
        assert {2025, 2026} <= set(default_calendar().years)


class TestDataFile:
    def test_a_data_file_adds_2027(self, tmp_path: Path) -> None:
        """domain.md §5: operators add the new year from the State Council notice."""
        path = write_calendar(tmp_path / "calendar.json", {"2027": ILLUSTRATIVE_2027})
        calendar = build_calendar([path])
        assert calendar.is_working_day(date(2027, 1, 1)) is False  # holiday (Friday)
        assert calendar.is_working_day(date(2027, 1, 4)) is True  # ordinary Monday
        assert calendar.is_working_day(date(2027, 1, 9)) is True  # make-up Saturday
        assert calendar.is_working_day(date(2027, 1, 10)) is False  # ordinary Sunday
        # Thu Dec 31 2026 + 1: Jan 1-3 off → Mon Jan 4; + 5: Jan 4-8 → Fri Jan 8; + 6: Sat Jan 9
        assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
        assert calendar.add_working_days(date(2026, 12, 31), 6) == date(2027, 1, 9)
        assert calendar.schedule(2027).source == "test fixture, not a State Council notice"
        # 2025 and 2026 still come from the package
        assert calendar.is_working_day(date(2025, 10, 11)) is True

    def test_the_version_string_changes_with_the_data(self, tmp_path: Path) -> None:
        """domain.md §5: every figure names the calendar it used, so different data must give a
        different version."""
        base = build_calendar()
        with_2027 = build_calendar(
            [write_calendar(tmp_path / "a.json", {"2027": ILLUSTRATIVE_2027})]
        )
        other = dict(ILLUSTRATIVE_2027, workdays=[])
        with_other_2027 = build_calendar([write_calendar(tmp_path / "b.json", {"2027": other})])
        versions = {base.version, with_2027.version, with_other_2027.version}
        assert len(versions) == 3
        prefix = base.version.split("+data:")[0]
        assert all(v.startswith(prefix + "+data:") for v in versions)
        assert build_calendar().version == base.version  # same data, same version

    @pytest.mark.parametrize("variable", ["CALENDAR_FILE", "GONGKAI_CALENDAR_FILE"])
    def test_the_application_reads_the_calendar_file_and_reports_its_version(
        self, tmp_path: Path, office: Actor, applicant: Applicant, variable: str
    ) -> None:
        """domain.md §5: a deployment points GONGKAI_CALENDAR_FILE (docs/operations.md; the
        library-style CALENDAR_FILE works too) at the data; a request received Thu
        Dec 10 2026 then has a due date in 2027. 20 working days after Dec 10: Dec 11 (1),
        Dec 14-18 (2-6), Dec 21-25 (7-11), Dec 28-31 (12-15), [Jan 1-3 off], Jan 4-8 (16-20)
        → Fri Jan 8 2027."""
        path = write_calendar(tmp_path / "calendar.json", {"2027": ILLUSTRATIVE_2027})
        app = GongkaiLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo", variable: str(path)})
        request_id = app.receive_request(
            office,
            agency_code=ARXAN,
            channel=RequestChannel.IN_PERSON,
            applicant=applicant,
            description="2026年度项目清单",
            department="办公室",
            submitted_on=date(2026, 12, 10),
        ).id
        reading = app.request_clock(request_id, date(2026, 12, 10))
        assert (reading.state, reading.due_on) == (ClockState.RUNNING, date(2027, 1, 8))
        assert reading.calendar_version == default_calendar(str(path)).version
        assert reading.calendar_version != default_calendar().version

    def test_a_missing_data_file_fails_loudly(self, tmp_path: Path) -> None:
        """A mistyped path must not leave a corrected year silently uncorrected."""
        with pytest.raises(FileNotFoundError, match="calendar data file"):
            build_calendar([tmp_path / "calender-2027.json"])

    @pytest.mark.parametrize("stray", ["2026-12-31", "2028-01-01"])
    @pytest.mark.parametrize(
        ("kind", "label"), [("holidays", "holiday"), ("workdays", "make-up workday")]
    )
    def test_a_stray_date_in_the_wrong_year_is_rejected(
        self, tmp_path: Path, kind: str, label: str, stray: str
    ) -> None:
        """domain.md §5: a 2026 or 2028 date filed under 2027 is a typing error, not a
        schedule."""
        spec = dict(ILLUSTRATIVE_2027)
        spec[kind] = [*spec[kind], stray]
        path = write_calendar(tmp_path / "bad.json", {"2027": spec})
        with pytest.raises(ValueError, match=f"{label} {stray} is not in 2027"):
            build_calendar([path])

    def test_a_data_file_replaces_a_known_year_wholesale(self, tmp_path: Path) -> None:
        """domain.md §5: a correction file (later files win) gives the whole year, not a
        patch — here a 2026 file that lists only New Year's Day drops the festival."""
        path = write_calendar(
            tmp_path / "fix.json", {"2026": {"holidays": ["2026-01-01"], "workdays": []}}
        )
        calendar = build_calendar([path])
        assert calendar.is_working_day(date(2026, 1, 1)) is False
        assert calendar.is_working_day(date(2026, 2, 16)) is True  # Monday, no longer off
        assert calendar.is_working_day(date(2026, 2, 14)) is False  # Saturday, no longer 调休
        assert calendar.schedule(2026).source == "fix.json"  # the file name when no source
