"""PostgreSQL stopped under load and started again, with an API process running throughout.

While the server is down every request is answered quickly (within the pool's connect timeout,
1 s, plus the request's own work) with 503 `store-unavailable` problem+json — no hang, no 500.
When the server is back, the same process serves writes again (its pools replace the broken
connections: `POSTGRES_PRE_PING`, psycopg_pool's `check`), and every write that was acknowledged
with a 2xx is in the log. The server is started again in `finally`, whatever happens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from domain.base import Actor
from domain.codes import Role
from tests.backends import Backend, open_backend
from tests.deployment import (
    AGENCY,
    DEPT,
    Deployment,
    ensure_postgres_running,
    local_cluster,
    pg_ctlcluster,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DOWN_FOR = 4.0  # seconds the server stays stopped
QUICK = 2.5  # an answer while the server is down: connect timeout (1 s) plus margin


@dataclass(frozen=True)
class Attempt:
    started: float
    elapsed: float
    status: int
    problem_type: str
    item: UUID
    version: int
    description: str


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Backend]:
    yield from open_backend("postgres", tmp_path)


def test_a_postgres_restart_under_load_answers_503_quickly_and_loses_no_acknowledged_write(
    pg: Backend,
) -> None:
    if local_cluster() is None or pg.config.host not in ("127.0.0.1", "localhost"):
        pytest.skip("needs the local Debian PostgreSQL cluster (pg_ctlcluster) to stop it")
    drafter = Actor(official_id="rs-drafter", role=Role.DRAFTER, department=DEPT)
    app = pg.ledger()
    items = [
        app.register_item(
            drafter,
            agency_code=AGENCY,
            title=f"关于第{n}批重启演练的通知",
            department=DEPT,
            formed_on=date(2025, 3, 3),
        ).id
        for n in range(2)
    ]
    app.close()
    deployment = Deployment(pg.config, pg.directory / "deployment")
    headers = deployment.issue_tokens({"drafter": Role.DRAFTER})["drafter"]
    attempts: list[Attempt] = []
    failures: list[str] = []
    stop = threading.Event()
    try:
        api = deployment.start_api()

        def load() -> None:
            n = 0
            with httpx.Client(timeout=15) as client:
                while not stop.is_set():
                    n += 1
                    item = items[n % len(items)]
                    description = f"重启演练第{n}次调整"
                    started = time.monotonic()
                    try:
                        response = client.post(
                            f"{api.url}/items/{item}/changes",
                            json={"description": description, "on": "2025-03-04"},
                            headers=headers,
                        )
                    except httpx.HTTPError as error:  # a hang or a dropped connection
                        failures.append(f"{type(error).__name__}: {error}")
                        continue
                    elapsed = time.monotonic() - started
                    body = response.json()
                    ok = response.status_code == 200
                    attempts.append(
                        Attempt(
                            started,
                            elapsed,
                            response.status_code,
                            "" if ok else str(body.get("type")),
                            item,
                            int(body["version"]) if ok else 0,
                            description,
                        )
                    )
                    time.sleep(0.02)

        loader = threading.Thread(target=load)
        loader.start()
        try:
            time.sleep(1.0)
            stopped_at = time.monotonic()
            pg_ctlcluster("stop", "-m", "fast")
            time.sleep(DOWN_FOR)
        finally:
            ensure_postgres_running(pg.config)
        restarted_at = time.monotonic()
        deadline = restarted_at + 30
        while time.monotonic() < deadline:
            recent = [a for a in attempts if a.started > restarted_at and a.status == 200]
            if len(recent) >= 3:
                break
            time.sleep(0.2)
        stop.set()
        loader.join(30)
        assert api.popen.poll() is None, "the API process must survive the outage"
    finally:
        stop.set()
        deployment.stop()
        ensure_postgres_running(pg.config)  # harmless when it runs; vital after a failure

    assert failures == []
    refused = [a for a in attempts if a.status != 200]
    assert refused, "the outage was not seen by any request"
    assert {(a.status, a.problem_type) for a in refused} == {(503, "/problems/store-unavailable")}
    assert max(a.elapsed for a in refused) < QUICK
    assert all(a.started >= stopped_at - 1 for a in refused)
    assert any(a.status == 200 and a.started > restarted_at for a in attempts), "no recovery"
    assert any(a.status == 200 and a.started < stopped_at for a in attempts)

    # Every acknowledged write is in the log, at the version it was acknowledged with.
    reopened = pg.ledger()
    for item in items:
        stored = {
            (e.originator_version, e.description)  # type: ignore[attr-defined]
            for e in reopened.history(item)[1:]
        }
        acknowledged = {(a.version, a.description) for a in attempts if a.item == item}
        acknowledged -= {(0, a.description) for a in refused}
        assert acknowledged <= stored
