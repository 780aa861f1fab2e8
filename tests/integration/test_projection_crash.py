"""A rebuild killed with SIGKILL mid-way resumes to exactly what a clean rebuild gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from projections.driver import ProjectionDriver
from projections.registry import all_read_models
from projections.store import SqlStore
from tests.backends import Backend
from tests.bench.history import HistoryGenerator
from tests.deployment import Deployment
from tests.unit.projections.ledger_story import dump

REPOSITORY = Path(__file__).resolve().parents[2]
EVENTS = 6_000


def positions(store: SqlStore) -> dict[str, int]:
    try:
        with store.reading() as tx:
            return {
                str(name): int(position)
                for name, position in tx.fetchall("SELECT name, position FROM projection_tracking")
            }
    except Exception:  # the tables may not exist yet
        return {}


@pytest.mark.slow
@pytest.mark.parametrize("resume", ["rebuild", "run_once"])
def test_a_rebuild_killed_mid_way_resumes_to_a_clean_rebuild(backend: Backend, resume: str) -> None:
    """Exactly once across a crash: each batch's rows and tracking positions commit together,
    so what a SIGKILL interrupts is rolled back and redone, and what committed is kept (on
    PostgreSQL the server rolls back the killed process's open transaction)."""
    app = backend.ledger()
    HistoryGenerator(seed=3).write(app, EVENTS)
    head = app.recorder.max_notification_id()
    store = backend.store()  # beside the events, where the killed rebuild writes
    if backend.is_postgres:
        arguments, env = ["postgres"], Deployment(backend.config, backend.directory).env()
    else:
        ledger = str(backend.directory / "ledger.sqlite")
        arguments, env = [ledger, ledger], {**os.environ, "PYTHONPATH": str(REPOSITORY)}

    rebuilding = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.rebuild_until_killed", *arguments],
        cwd=REPOSITORY,
        env=env,
    )
    deadline = time.monotonic() + 120
    while min(positions(store).values(), default=0) < head // 4:
        assert rebuilding.poll() is None, "the rebuild ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    rebuilding.send_signal(signal.SIGKILL)
    assert rebuilding.wait(timeout=30) == -signal.SIGKILL
    killed_at = positions(store)
    assert 0 < min(killed_at.values()) <= max(killed_at.values()) < head

    driver = ProjectionDriver(app, store, all_read_models(), batch_size=700)
    if resume == "rebuild":
        assert driver.rebuild(progress=False) == head - min(killed_at.values())
    else:
        while driver.run_once():
            pass

    clean = backend.store("clean")
    ProjectionDriver(app, clean, all_read_models()).rebuild(progress=False)
    assert driver.positions() == {name: head for name in killed_at}
    assert dump(store) == dump(clean)
