"""Verbs of the annual-report record, as a mixin for `GongkaiLedger`.

Wire it with `class GongkaiLedger(AnnualReportCommands, Application[UUID])`. The mixin uses only
the ledger's plumbing (`policies`, `clock`, `domain.records.Ledger`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from domain.annual_report_record import (
    AnnualReportRecord,
    ReportLevel,
    ReportSection,
    YearlyFigures,
    annual_report_id,
)
from domain.base import Actor
from domain.errors import RuleViolation
from domain.policy import PolicyBook
from domain.records import Ledger as _Ledger
from domain.records import act_on_record

if TYPE_CHECKING:
    from domain.application import CommandResult


def _check_subject(policies: PolicyBook, level: ReportLevel, subject: str) -> None:
    if level is ReportLevel.AGENCY:
        policies.get(subject)  # UnknownAgency for an agency without a policy
        return
    cities = {policy.city for policy in policies.all() if policy.city}
    if subject not in cities:
        # 004 att.9 Art 3: the city report aggregates the city's own agencies.
        raise RuleViolation(
            "report_subject_known",
            "004 att.9 Art 3",
            f"no configured agency belongs to the city {subject!r}",
            "subject",
        )


class AnnualReportCommands:
    """Record yearly figures, section text and publication of an annual report."""

    def get_annual_report_record(
        self: _Ledger, level: ReportLevel, subject: str, year: int
    ) -> AnnualReportRecord:
        return self._load_current(AnnualReportRecord, annual_report_id(level, subject, year))

    def record_yearly_figures(
        self: _Ledger,
        actor: Actor,
        *,
        agency_code: str,
        year: int,
        on: date,
        figures: YearlyFigures,
        note: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        """Licensing / penalty / enforcement decisions and fees of `year` (section 二)."""
        return _act(
            self,
            expected_version,
            ReportLevel.AGENCY,
            agency_code,
            year,
            actor,
            on,
            lambda record: record.record_figures(actor, on, figures, note),
        )

    def record_report_section(
        self: _Ledger,
        actor: Actor,
        *,
        level: ReportLevel,
        subject: str,
        year: int,
        on: date,
        section: ReportSection,
        text: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        """The text of section 一, 五 or 六 (004 att.9 Art 4)."""
        return _act(
            self,
            expected_version,
            level,
            subject,
            year,
            actor,
            on,
            lambda record: record.record_section(actor, on, section, text),
        )

    def publish_annual_report(
        self: _Ledger,
        actor: Actor,
        *,
        level: ReportLevel,
        subject: str,
        year: int,
        on: date,
        url: str = "",
        expected_version: int | None = None,
    ) -> CommandResult:
        """The report went public on `on` (deadline: 004 att.9 Art 3)."""
        return _act(
            self,
            expected_version,
            level,
            subject,
            year,
            actor,
            on,
            lambda record: record.publish(actor, on, url),
        )


def _act(
    ledger: _Ledger,
    expected_version: int | None,
    level: ReportLevel,
    subject: str,
    year: int,
    actor: Actor,
    on: date,
    action: Callable[[AnnualReportRecord], Any],
) -> CommandResult:
    _check_subject(ledger.policies, level, subject)
    AnnualReportRecord.check_actor(actor)  # refuse before opening a record
    record_id = annual_report_id(level, subject, year)
    return act_on_record(
        ledger,
        AnnualReportRecord,
        record_id,
        expected_version,
        lambda: AnnualReportRecord.start(
            AnnualReportRecord.Opened,
            record_id,
            clock=ledger.clock,
            actor=actor,
            on=on,
            level=level,
            subject=subject,
            year=year,
        ),
        action,
    )
