"""Commands on the yearly record aggregates (annual report, evaluation): one record per subject
and year, opened by its first command, guarded by the caller's expected version."""

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


class Ledger(Protocol):
    policies: PolicyBook
    clock: Callable[[], datetime]

    def _load(self, cls: type[R], aggregate_id: UUID) -> R: ...

    def _save(self, *aggregates: LedgerAggregate) -> int | None: ...


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

    try:
        record = ledger._load(cls, record_id)
    except NotFound:
        if expected_version not in (None, 0):
            raise StaleVersion(record_id, expected_version, 0) from None
        record = open_record()
    else:
        if expected_version is not None and record.version != expected_version:
            raise StaleVersion(record_id, expected_version, record.version)
    action(record)
    position = ledger._save(record)
    return CommandResult(record.id, record.version, position)
