from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from projections.store import SqliteStore
from tests.unit.reports.scenario import build, make_app, project


@dataclass
class World:
    """The golden scenario, recorded in a SQLite file and projected into the read model."""

    app: Any
    store: SqliteStore
    ids: dict[str, UUID]
    path: str


@pytest.fixture(scope="session")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = str(tmp_path_factory.mktemp("golden") / "ledger.db")
    app, clock = make_app(path)
    ids = build(app, clock)
    store = SqliteStore(path)
    project(app, store)
    yield World(app, store, ids, path)
    store.close()
