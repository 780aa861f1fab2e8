"""What the HTTP layer and the CLI share: the ledger, the SQL store, officials, idempotency keys
and (in a serving process) the projection driver. Built per app by `build_services(settings)`.

Embedded: one SQLite file in `settings.data_dir`. Production (`settings.postgres`): one shared
PostgreSQL database, the schema created on first start (docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from api.auth import OfficialRegistry
from api.idempotency import IdempotencyStore
from api.settings import Settings
from api.stores import open_ledger, open_store
from domain.application import GongkaiLedger
from projections.store import SqlStore


class Projector(Protocol):
    """The part of `projections.driver.ProjectionDriver` the API uses."""

    def prepare(self) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wait_until(self, notification_id: int, timeout: float) -> bool: ...


@dataclass
class Services:
    settings: Settings
    ledger: GongkaiLedger
    store: SqlStore
    officials: OfficialRegistry
    idempotency: IdempotencyStore
    projector: Projector | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def position(self) -> int:
        """The newest notification id in the event log (0 when empty)."""
        return int(self.ledger.recorder.max_notification_id() or 0)

    def close(self) -> None:
        if self.projector is not None:
            self.projector.stop()
        self.store.close()
        self.ledger.close()


def build_services(
    settings: Settings,
    *,
    ledger: GongkaiLedger | None = None,
    projector_factory: Callable[[GongkaiLedger, SqlStore], Projector | None] | None = None,
) -> Services:
    """Open (and create if needed) the store and the API's own tables."""
    ledger = ledger or open_ledger(settings)
    store = open_store(settings)
    officials = OfficialRegistry(store, token_cache_seconds=settings.token_cache_seconds)
    officials.create_tables()
    idempotency = IdempotencyStore(store)
    idempotency.create_tables()
    projector = projector_factory(ledger, store) if projector_factory else None
    return Services(settings, ledger, store, officials, idempotency, projector)
