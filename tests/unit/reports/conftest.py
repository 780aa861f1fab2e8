from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from projections.store import SqlStore
from tests.backends import Backend
from tests.unit.reports.scenario import Clock, ReportLedger, build, project


@dataclass
class World:
    """The golden scenario, recorded in a real store (SQLite file or PostgreSQL schema) and
    projected into the read model beside the events."""

    app: Any
    store: SqlStore
    ids: dict[str, UUID]
    backend: Backend


@pytest.fixture(scope="session")
def golden(session_backend: Backend) -> World:
    clock = Clock()
    app = session_backend.ledger(ReportLedger, clock=clock)
    ids = build(app, clock)
    store = session_backend.store()
    project(app, store)
    return World(app, store, ids, session_backend)
