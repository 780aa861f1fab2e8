"""Production shape on PostgreSQL: two API processes, one projection worker, concurrent writers.

The API processes run `gongkai serve --no-projections` (uvicorn) on free loopback ports; the
worker runs `gongkai projections run`; everything shares one PostgreSQL schema. Writers in
threads change the same few items through both processes at once. The log must hold exactly
the acknowledged writes (nothing lost, nothing twice), every refused write must be a 409
`concurrent-write`, a read on one process must see a write made through the other
(`X-Min-Position`, read from the shared tracking table), and the read models the worker kept
must equal a clean rebuild.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from domain.application import GongkaiLedger
from domain.base import Actor
from domain.codes import Role
from projections.driver import ProjectionDriver
from projections.registry import all_read_models
from tests.backends import Backend, open_backend
from tests.deployment import AGENCY, DEPT, Deployment
from tests.unit.projections.ledger_story import dump, read_model_tables

pytestmark = pytest.mark.postgres

ITEMS = 3
WRITERS = 6
WRITES_EACH = 20


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Backend]:
    """PostgreSQL only: the production shape needs a store several processes share."""
    yield from open_backend("postgres", tmp_path)


def register_items(app: GongkaiLedger, count: int) -> list[UUID]:
    drafter = Actor(official_id="mp-drafter", role=Role.DRAFTER, department=DEPT)
    return [
        app.register_item(
            drafter,
            agency_code=AGENCY,
            title=f"关于印发第{n}批数字经济试点方案的通知",
            department=DEPT,
            formed_on=date(2025, 3, 3),
        ).id
        for n in range(count)
    ]


def test_two_api_processes_and_a_worker_lose_and_duplicate_nothing(pg: Backend) -> None:
    app = pg.ledger()
    items = register_items(app, ITEMS)
    deployment = Deployment(pg.config, pg.directory / "deployment")
    headers = deployment.issue_tokens({"drafter": Role.DRAFTER})["drafter"]
    try:
        apis = [deployment.start_api("api-1"), deployment.start_api("api-2")]
        worker = deployment.start_worker()
        acknowledged: dict[UUID, list[tuple[int, str]]] = defaultdict(list)
        statuses: list[int] = []
        problems: list[str] = []
        unseen: list[str] = []
        lock = threading.Lock()

        def writer(n: int) -> None:
            with httpx.Client(timeout=30) as client:
                for attempt in range(WRITES_EACH):
                    item = items[(n + attempt) % ITEMS]
                    here, there = apis[attempt % 2], apis[(attempt + 1) % 2]
                    description = f"writer {n} attempt {attempt}"
                    response = client.post(
                        f"{here.url}/items/{item}/changes",
                        json={"description": description, "on": "2025-03-04"},
                        headers=headers,
                    )
                    with lock:
                        statuses.append(response.status_code)
                    if response.status_code == 409:
                        body = response.json()
                        if body["type"] != "/problems/concurrent-write":
                            problems.append(f"409 {body['type']}")
                        continue
                    if response.status_code != 200:
                        problems.append(f"{response.status_code} {response.text[:200]}")
                        continue
                    out = response.json()
                    with lock:
                        acknowledged[item].append((out["version"], description))
                    if attempt % 4 == 0:
                        # Read-your-writes through the other process, via the shared tracking.
                        seen = client.get(
                            f"{there.url}/history/{item}",
                            headers={**headers, "X-Min-Position": str(out["position"])},
                        )
                        versions = {step["version"] for step in seen.json().get("timeline", [])}
                        if seen.status_code != 200 or out["version"] not in versions:
                            unseen.append(f"{seen.status_code} v{out['version']}")

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

        assert problems == []
        assert unseen == []
        assert len(statuses) == WRITERS * WRITES_EACH
        assert set(statuses) <= {200, 409}
        assert 409 in statuses  # the race was real (about one write in five collides here)
        for item in items:
            history = app.history(item)
            # Versions 1..n without a gap or a repeat, and exactly the acknowledged changes.
            assert [e.originator_version for e in history] == list(range(1, len(history) + 1))
            stored = {
                (e.originator_version, e.description)  # type: ignore[attr-defined]
                for e in history[1:]
            }
            assert stored == set(acknowledged[item])
            assert len(acknowledged[item]) == len(history) - 1

        # The worker's read models equal a clean rebuild of the same log.
        head = app.recorder.max_notification_id() or 0
        with httpx.Client(timeout=30) as client:
            caught_up = client.get(
                f"{apis[0].url}/history/{items[0]}",
                headers={**headers, "X-Min-Position": str(head)},
            )
        assert caught_up.status_code == 200, worker.output()
        live = pg.store()
        clean = pg.store("clean")
        ProjectionDriver(app, clean, all_read_models()).rebuild(progress=False)
        tables = read_model_tables(clean)
        assert "decision_history" in tables and "catalogue_entries" in tables
        assert dump(live, tables) == dump(clean, tables)
    finally:
        deployment.stop()
