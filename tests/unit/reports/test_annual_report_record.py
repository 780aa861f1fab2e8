"""The annual-report record: what the office records for a report, and the rules it keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.annual_report_record import (
    AnnualReportRecord,
    ReportLevel,
    ReportSection,
    YearlyFigures,
    annual_report_id,
    report_deadline,
)
from domain.base import Actor
from domain.codes import Role
from domain.errors import NotFound, RuleViolation, StaleVersion, UnknownAgency
from tests.unit.reports.scenario import CITY, OFFICE, A, ReportLedger

FIGURES = YearlyFigures(
    licensing_decisions=3,
    penalty_decisions=2,
    enforcement_decisions=1,
    fee_amount_10k_yuan=Decimal("0.5"),
)
DRAFTER = Actor(official_id="drafter", role=Role.DRAFTER, department="法规科")


@pytest.fixture
def app() -> Any:
    return ReportLedger.in_memory()


def sections(app: Any, level: ReportLevel, subject: str, *which: ReportSection) -> None:
    for section in which:
        app.record_report_section(
            OFFICE, level=level, subject=subject, year=2024, on=date(2025, 1, 10),
            section=section, text="正文",
        )  # fmt: skip


def test_one_record_per_subject_and_year() -> None:
    assert annual_report_id(ReportLevel.AGENCY, A, 2024) == annual_report_id(
        ReportLevel.AGENCY, A, 2024
    )
    ids = {
        annual_report_id(ReportLevel.AGENCY, A, 2024),
        annual_report_id(ReportLevel.AGENCY, A, 2025),
        annual_report_id(ReportLevel.CITY, A, 2024),
    }
    assert len(ids) == 3


def test_deadlines() -> None:
    # 004 att.9 Art 3: agencies by 31 January, the city aggregate by 20 February.
    assert report_deadline(ReportLevel.AGENCY, 2024) == date(2025, 1, 31)
    assert report_deadline(ReportLevel.CITY, 2024) == date(2025, 2, 20)


def test_figures_are_corrected_by_recording_them_again(app: Any) -> None:
    first = app.record_yearly_figures(
        OFFICE, agency_code=A, year=2024, on=date(2025, 1, 5), figures=FIGURES
    )
    corrected = FIGURES.model_copy(update={"penalty_decisions": 4})
    app.record_yearly_figures(
        OFFICE, agency_code=A, year=2024, on=date(2025, 2, 1), figures=corrected, note="复核"
    )
    record = app.get_annual_report_record(ReportLevel.AGENCY, A, 2024)
    assert record.id == first.id
    assert record.figures == corrected
    history = app.history(record.id)
    assert [type(e).__name__ for e in history] == [
        "Opened",
        "YearlyFiguresRecorded",
        "YearlyFiguresRecorded",
    ]
    assert history[1].figures.penalty_decisions == 2  # the first count stays on record
    assert all(e.actor == OFFICE for e in history)


def test_publication_editions_and_deadline(app: Any) -> None:
    app.record_yearly_figures(
        OFFICE, agency_code=A, year=2024, on=date(2025, 1, 5), figures=FIGURES
    )
    sections(app, ReportLevel.AGENCY, A, ReportSection.OVERVIEW, ReportSection.PROBLEMS)
    for day in (date(2025, 2, 3), date(2025, 3, 1)):
        app.publish_annual_report(OFFICE, level=ReportLevel.AGENCY, subject=A, year=2024, on=day)
    record = app.get_annual_report_record(ReportLevel.AGENCY, A, 2024)
    assert record.editions == [date(2025, 2, 3), date(2025, 3, 1)]
    assert record.first_published_on == date(2025, 2, 3) > record.deadline
    assert app.history(record.id)[-1].edition == 2


def test_only_the_disclosure_office_records(app: Any) -> None:
    with pytest.raises(RuleViolation) as refused:
        app.record_yearly_figures(
            DRAFTER, agency_code=A, year=2024, on=date(2025, 1, 5), figures=FIGURES
        )
    assert refused.value.rule == "annual_report_by_disclosure_office"
    with pytest.raises(NotFound):  # nothing was stored, not even the record
        app.get_annual_report_record(ReportLevel.AGENCY, A, 2024)


def test_city_figures_are_the_sum_of_its_agencies() -> None:
    record = AnnualReportRecord.start(
        AnnualReportRecord.Opened,
        annual_report_id(ReportLevel.CITY, CITY, 2024),
        clock=lambda: datetime(2025, 1, 1, tzinfo=UTC),
        actor=OFFICE,
        on=date(2025, 1, 1),
        level=ReportLevel.CITY,
        subject=CITY,
        year=2024,
    )
    with pytest.raises(RuleViolation) as refused:
        record.record_figures(OFFICE, date(2025, 1, 2), FIGURES, "")
    assert refused.value.rule == "figures_for_agency_reports"


def test_publication_after_the_year_ends(app: Any) -> None:
    sections(app, ReportLevel.CITY, CITY, ReportSection.OVERVIEW, ReportSection.PROBLEMS)
    with pytest.raises(RuleViolation) as refused:
        app.publish_annual_report(
            OFFICE, level=ReportLevel.CITY, subject=CITY, year=2024, on=date(2024, 12, 31)
        )
    assert refused.value.rule == "publish_after_year_end"


def test_publication_needs_the_required_content(app: Any) -> None:
    sections(app, ReportLevel.AGENCY, A, ReportSection.OVERVIEW, ReportSection.OTHER)
    with pytest.raises(RuleViolation) as refused:
        app.publish_annual_report(
            OFFICE, level=ReportLevel.AGENCY, subject=A, year=2024, on=date(2025, 1, 20)
        )
    assert refused.value.rule == "report_needs_required_content"
    assert "problems, figures" in refused.value.detail
    # The city needs its text but records no figures of its own.
    sections(app, ReportLevel.CITY, CITY, ReportSection.OVERVIEW, ReportSection.PROBLEMS)
    app.publish_annual_report(
        OFFICE, level=ReportLevel.CITY, subject=CITY, year=2024, on=date(2025, 2, 1)
    )


def test_unknown_subjects_are_refused(app: Any) -> None:
    with pytest.raises(UnknownAgency):
        app.record_yearly_figures(
            OFFICE, agency_code="nope", year=2024, on=date(2025, 1, 5), figures=FIGURES
        )
    with pytest.raises(RuleViolation) as refused:
        sections(app, ReportLevel.CITY, "火星市", ReportSection.OVERVIEW)
    assert refused.value.rule == "report_subject_known"


def test_figures_are_validated() -> None:
    with pytest.raises(ValidationError):
        FIGURES.model_validate({**FIGURES.model_dump(), "penalty_decisions": -1})
    with pytest.raises(ValidationError):
        FIGURES.model_validate({**FIGURES.model_dump(), "fee_amount_10k_yuan": "0.00001"})


def test_expected_version_guards_concurrent_recording(app: Any) -> None:
    """API If-Match: a stale expected version is refused before anything is stored; 0 means
    "no record yet"."""
    first = app.record_yearly_figures(
        OFFICE, agency_code=A, year=2024, on=date(2025, 1, 5), figures=FIGURES, expected_version=0
    )
    with pytest.raises(StaleVersion):
        app.record_yearly_figures(
            OFFICE, agency_code=A, year=2024, on=date(2025, 1, 6), figures=FIGURES,
            expected_version=first.version - 1,
        )  # fmt: skip
    with pytest.raises(StaleVersion):
        app.record_yearly_figures(
            OFFICE, agency_code=A, year=2023, on=date(2025, 1, 6), figures=FIGURES,
            expected_version=3,
        )  # fmt: skip
    app.record_yearly_figures(
        OFFICE, agency_code=A, year=2024, on=date(2025, 1, 6), figures=FIGURES,
        expected_version=first.version,
    )  # fmt: skip
    assert app.get_annual_report_record(ReportLevel.AGENCY, A, 2024).version == first.version + 1
