"""Verbs of the evaluation record (考评记录), as a mixin for `GongkaiLedger`.

Wire it with `class GongkaiLedger(EvaluationCommands, AnnualReportCommands, Application[UUID])`.
The mixin uses only the ledger's plumbing (`policies`, `clock`, `domain.records.Ledger`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.base import Actor
from domain.evaluation_record import EvaluationRecord, evaluation_record_id
from domain.records import Ledger as _Ledger
from domain.records import act_on_record

if TYPE_CHECKING:
    from domain.application import CommandResult


class EvaluationCommands:
    """Record the judged criteria of the 004 att.11 evaluation for an agency and year."""

    def get_evaluation_record(self: _Ledger, agency_code: str, year: int) -> EvaluationRecord:
        return self._load_current(EvaluationRecord, evaluation_record_id(agency_code, year))

    def record_evaluation_finding(
        self: _Ledger,
        actor: Actor,
        *,
        agency_code: str,
        year: int,
        on: date,
        criterion: str,
        description: str,
        points: int | None = None,
        evidence_ref: str = "",
        subject_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> CommandResult:
        """One deduction under a judged criterion (points: only for Art 12, 2 to 5)."""
        return _act(
            self,
            expected_version,
            agency_code,
            year,
            actor,
            on,
            lambda record: record.record_finding(
                actor, on, criterion, description, points, evidence_ref, subject_id
            ),
        )

    def withdraw_evaluation_finding(
        self: _Ledger,
        actor: Actor,
        *,
        agency_code: str,
        year: int,
        on: date,
        finding_version: int,
        reason: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        return _act(
            self,
            expected_version,
            agency_code,
            year,
            actor,
            on,
            lambda record: record.withdraw_finding(actor, on, finding_version, reason),
        )

    def clear_evaluation_criterion(
        self: _Ledger,
        actor: Actor,
        *,
        agency_code: str,
        year: int,
        on: date,
        criterion: str,
        note: str,
        expected_version: int | None = None,
    ) -> CommandResult:
        """The criterion was checked and nothing was found."""
        return _act(
            self,
            expected_version,
            agency_code,
            year,
            actor,
            on,
            lambda record: record.clear_criterion(actor, on, criterion, note),
        )


def _act(
    ledger: _Ledger,
    expected_version: int | None,
    agency_code: str,
    year: int,
    actor: Actor,
    on: date,
    action: Callable[[EvaluationRecord], Any],
) -> CommandResult:
    ledger.policies.get(agency_code)  # UnknownAgency before anything is stored
    EvaluationRecord.check_evaluator(actor)  # refuse before opening a record
    record_id = evaluation_record_id(agency_code, year)
    return act_on_record(
        ledger,
        EvaluationRecord,
        record_id,
        expected_version,
        lambda: EvaluationRecord.start(
            EvaluationRecord.Opened,
            record_id,
            clock=ledger.clock,
            actor=actor,
            on=on,
            agency_code=agency_code,
            year=year,
        ),
        action,
    )
