"""A rebuild slowed down enough to be killed mid-way by the crash test.

python -m tests.integration.rebuild_until_killed EVENTS_DB STORE_DB
python -m tests.integration.rebuild_until_killed postgres     # the store from PERSISTENCE_MODULE,
                                                              # POSTGRES_* (docs/operations.md)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import Any

from api.settings import Settings
from api.stores import open_ledger, open_store
from domain.application import GongkaiLedger
from projections.driver import Positioned, ProjectionDriver
from projections.registry import all_read_models
from projections.store import SqliteStore, SqlStore, Tx

BATCH_SIZE = 50
PAUSE_PER_BATCH = 0.02


class Slowed:
    """A read model that takes a little longer per batch, nothing else changed."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.name = model.name
        self.version = model.version
        if hasattr(model, "create_indexes"):
            self.create_indexes = model.create_indexes

    def create(self, tx: Tx) -> None:
        self._model.create(tx)

    def drop(self, tx: Tx) -> None:
        self._model.drop(tx)

    def handle(self, tx: Tx, event: Any, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        time.sleep(PAUSE_PER_BATCH / 5)
        if hasattr(self._model, "handle_batch"):
            self._model.handle_batch(tx, events)
            return
        for event, notification_id in events:
            self._model.handle(tx, event, notification_id)


def main(events_path: str, store_path: str = "") -> None:
    store: SqlStore
    if events_path == "postgres":
        settings = Settings.from_env()
        app, store = open_ledger(settings), open_store(settings)
    else:
        app, store = GongkaiLedger.embedded(events_path), SqliteStore(store_path)
    models = [Slowed(model) for model in all_read_models()]
    driver = ProjectionDriver(app, store, models, batch_size=BATCH_SIZE)  # type: ignore[arg-type]
    driver.rebuild(progress=False)


if __name__ == "__main__":
    main(*sys.argv[1:3])
