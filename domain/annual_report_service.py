"""Verbs of the annual-report record, as a mixin for `GongkaiLedger`.

Wire it with `class GongkaiLedger(AnnualReportCommands, Application[UUID])`. The mixin uses only
the ledger's plumbing (`policies`, `clock`, `_load`, `_save`), described by `_Ledger` below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from uuid import UUID

from domain.annual_report_record import (
    AnnualReportRecord,
    ReportLevel,
    ReportSection,
    YearlyFigures,
    annual_report_id,
)
from domain.base import Actor, LedgerAggregate
from domain.errors import NotFound, RuleViolation, StaleVersion
from domain.policy import PolicyBook

if TYPE_CHECKING:
    from domain.application import CommandResult

A = TypeVar("A", bound=LedgerAggregate)


class _Ledger(Protocol):
    policies: PolicyBook
    clock: Callable[[], datetime]

    def _load(self, cls: type[A], aggregate_id: UUID) -> A: ...

    def _save(self, *aggregates: LedgerAggregate) -> int | None: ...


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
        return self._load(AnnualReportRecord, annual_report_id(level, subject, year))

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
    from domain.application import CommandResult  # the ledger module imports this one

    _check_subject(ledger.policies, level, subject)
    AnnualReportRecord.check_actor(actor)  # refuse before opening a record
    record_id = annual_report_id(level, subject, year)
    try:
        record = ledger._load(AnnualReportRecord, record_id)
    except NotFound:
        if expected_version not in (None, 0):  # 0: the caller expects no record yet
            raise StaleVersion(record_id, expected_version, 0) from None
        record = AnnualReportRecord.start(
            AnnualReportRecord.Opened,
            record_id,
            clock=ledger.clock,
            actor=actor,
            on=on,
            level=level,
            subject=subject,
            year=year,
        )
    else:
        if expected_version is not None and record.version != expected_version:
            raise StaleVersion(record_id, expected_version, record.version)
    action(record)
    position = ledger._save(record)
    return CommandResult(record.id, record.version, position)
