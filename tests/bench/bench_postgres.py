"""BENCH pg-command-path, pg-projection-rebuild and pg-http-write-2proc: the production store.

Each figure is a ratio of two rates measured in the same run against the PostgreSQL test server
(127.0.0.1:5432, database `test`; GONGKAI_TEST_POSTGRES_* override), each in a fresh schema
dropped afterwards. When the server does not answer, a `# skipped: …` line is printed instead.

pg-command-path
    The item lifecycle of `bench_command_path` (register, mark, audit, review, approve,
    publish) through `GongkaiLedger` on PostgreSQL (as in production: commands on cached
    copies, domain/concurrency.py), saved events/s ÷ a bare `eventsourcing` save of a trivial
    aggregate on PostgreSQL.
pg-projection-rebuild
    `tests.bench.history` generates PG_EVENTS (200,000: a million takes several minutes to
    insert and replay on 2 cores; the rate, not the size, is the figure) into the event table;
    rebuild of every read model into the same schema as `gongkai projections rebuild` does it,
    in two processes (projections/parallel.py), events/s ÷ reading and decoding the same
    notifications (the mean of one pass before and one after).
pg-http-write-2proc
    `POST /items` commands/s with two API processes (`gongkai serve --no-projections`, a
    projection worker running) ÷ the same with one process, CLIENTS keep-alive clients spread
    over the processes. On 2 cores the load generator, the API processes and PostgreSQL share
    the CPUs, so this measures what a second process adds on the same machine.

Run: `.venv/bin/python -m tests.bench.bench_postgres` (about 2 minutes).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

import orjson
from eventsourcing.application import Application

from domain.application import GongkaiLedger
from domain.codes import Role
from projections.driver import ProjectionDriver
from projections.parallel import rebuild_in_processes
from projections.postgres_store import PostgresConfig, PostgresStore, create_schema, drop_schema
from projections.registry import all_read_models
from tests.backends import postgres_problem, server_config, unique_schema
from tests.bench.bench_command_path import (
    EVENTS_PER_LIFECYCLE,
    LIFECYCLES,
    Bare,
    bare_save_rate,
    lifecycle_rate,
)
from tests.bench.history import HistoryGenerator
from tests.bench.load import request_bytes, run_phase
from tests.bench.projection_worker import open_postgres, read_and_decode
from tests.deployment import Deployment

PG_EVENTS = 200_000
# Events per generated insert: one 20,000-event statement (about 14 MB of parameters) stalled
# psycopg 3.3 / libpq here (both ends waiting on the socket); 5,000 is as fast and does not.
INSERT_CHUNK = 5_000
REBUILD_BATCH = 10_000
CLIENTS = 8
WRITES = 1500
PHASE_LIMIT_S = 40.0


@contextmanager
def fresh_schema(label: str) -> Iterator[PostgresConfig]:
    base = server_config(unique_schema(label))
    config = PostgresConfig(**{**base.__dict__, "pool_size": 2, "max_overflow": 8})
    create_schema(config)
    try:
        yield config
    finally:
        drop_schema(config)


def command_path() -> None:
    with fresh_schema("bench_cmd") as config:
        bare_app: Application[UUID] = Bare(env=config.ledger_env())
        bare = bare_save_rate(bare_app, LIFECYCLES * EVENTS_PER_LIFECYCLE)
        bare_app.close()
        ledger = GongkaiLedger(env=config.ledger_env())
        ours = lifecycle_rate(ledger)
        ledger.close()
    print(f"# pg-command-path: lifecycle {ours:,.0f} events/s, bare save {bare:,.0f} events/s")
    print(f"BENCH pg-command-path ratio={ours / bare:.2f} target>=0.8", flush=True)


def projection_rebuild() -> None:
    with fresh_schema("bench_rebuild") as config:
        app = GongkaiLedger(env=config.ledger_env())
        started = time.perf_counter()
        written = HistoryGenerator(seed=7).write(app, PG_EVENTS, chunk=INSERT_CHUNK)
        print(f"# generated {written:,} events in {time.perf_counter() - started:.0f} s")

        def baseline() -> float:
            started = time.perf_counter()
            count = read_and_decode(app)
            return count / (time.perf_counter() - started)

        before = baseline()
        store = PostgresStore(config)
        driver = ProjectionDriver(app, store, all_read_models(), batch_size=REBUILD_BATCH)
        started = time.perf_counter()
        reports = rebuild_in_processes(driver, partial(open_postgres, config), progress=False)
        processed = max(report.events for report in reports)
        rebuild = processed / (time.perf_counter() - started)
        after = baseline()
        store.close()
        app.close()
    reference = (before + after) / 2
    print(
        f"# pg-projection-rebuild: {processed:,} events; read+decode {before:,.0f} and "
        f"{after:,.0f} events/s; rebuild {rebuild:,.0f} events/s in "
        f"{len(reports)} processes ({', '.join(f'{r.seconds:.2f}' for r in reports)} s)"
    )
    inside = ", ".join(
        f"{name} {seconds:.2f}" for r in reports for name, seconds in r.fold_seconds.items()
    )
    print(f"# pg-projection-rebuild: seconds inside each model: {inside}")
    print(f"BENCH pg-projection-rebuild ratio={rebuild / reference:.2f} target>=0.5", flush=True)


def write_rate(bases: list[str], headers: dict[str, str], total: int, tag: str) -> float:
    """`total` POST /items over CLIENTS keep-alive connections spread over `bases`
    (`tests.bench.load`); commands/s."""
    ports = [int(urlsplit(base).port or 80) for base in bases]
    headers = {**headers, "Content-Type": "application/json"}

    def write(n: int) -> bytes:
        body = {"title": f"关于第{tag}-{n}号事项的通知", "formed_on": "2025-03-03"}
        return request_bytes("POST", "/items", headers, orjson.dumps(body))

    return run_phase(ports, total, write, connections=CLIENTS, limit_s=PHASE_LIMIT_S).rate


def http_two_processes() -> None:
    with fresh_schema("bench_http") as config, tempfile.TemporaryDirectory() as folder:
        deployment = Deployment(config, Path(folder))
        headers = deployment.issue_tokens({"drafter": Role.DRAFTER})["drafter"]
        try:
            first = deployment.start_api("api-1")
            deployment.start_worker()
            write_rate([first.url], headers, 200, "warm-1")
            one = write_rate([first.url], headers, WRITES, "one")
            second = deployment.start_api("api-2")
            write_rate([second.url], headers, 200, "warm-2")
            two = write_rate([first.url, second.url], headers, WRITES, "two")
        finally:
            deployment.stop()
    print(
        f"# pg-http-write-2proc: POST /items {one:,.0f}/s with one API process, "
        f"{two:,.0f}/s with two ({CLIENTS} connections, {WRITES} writes each)"
    )
    print(f"BENCH pg-http-write-2proc ratio={two / one:.2f}", flush=True)


def main() -> None:
    problem = postgres_problem()
    if problem is not None:
        print(f"# skipped: {problem}")
        return
    command_path()
    projection_rebuild()
    http_two_processes()


if __name__ == "__main__":
    main()
