"""Commands on the yearly record aggregates (annual report, evaluation): one record per subject
and year, opened by its first command, guarded by the caller's expected version, run on cached
copies like every command (`GongkaiLedger._run_command`, domain/concurrency.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from uuid import UUID

from domain.base import LedgerAggregate
from domain.errors import NotFound, StaleVersion

if TYPE_CHECKING:
    from domain.application import CommandResult
    from domain.policy import PolicyBook

R = TypeVar("R", bound=LedgerAggregate)
T = TypeVar("T")


class Ledger(Protocol):
    policies: PolicyBook
    clock: Callable[[], datetime]

    def _load_current(self, cls: type[R], aggregate_id: UUID) -> R: ...

    def _load_expected(self, cls: type[R], aggregate_id: UUID, expected: int | None) -> R: ...

    def _save(self, *aggregates: LedgerAggregate) -> int | None: ...

    def _run_command(self, attempt: Callable[[], T]) -> T: ...


def act_on_record(
    ledger: Ledger,
    cls: type[R],
    record_id: UUID,
    expected_version: int | None,
    open_record: Callable[[], R],
    action: Callable[[R], Any],
) -> CommandResult:
    """Load the record (or open it), check the expected version (0: no record yet), act, save."""
    from domain.application import CommandResult  # the ledger module imports this one

    def attempt() -> CommandResult:
        try:
            record = ledger._load_expected(cls, record_id, expected_version)
        except NotFound:
            if expected_version not in (None, 0):
                raise StaleVersion(record_id, expected_version, 0) from None
            record = open_record()
        action(record)
        return CommandResult(record.id, record.version, ledger._save(record))

    return ledger._run_command(attempt)
