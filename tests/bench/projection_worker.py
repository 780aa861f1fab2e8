"""One measured pass over an event store, in its own process so its peak RSS is its own.

    python -m tests.bench.projection_worker baseline EVENTS_DB
    python -m tests.bench.projection_worker rebuild EVENTS_DB STORE_DB [MODEL ...]
    python -m tests.bench.projection_worker rebuild-1 EVENTS_DB STORE_DB [MODEL ...]

Prints one JSON object: events, seconds, events_per_s, peak_rss_mb (and per-model seconds
for a rebuild). `rebuild` is what `gongkai projections rebuild` does, two processes
(projections/parallel.py): peak_rss_mb is the sum of their peaks. `rebuild-1`: one process.
"""

from __future__ import annotations

import json
import sys
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from domain.application import GongkaiLedger
from projections.driver import ProjectionDriver
from projections.parallel import peak_rss_kb, rebuild_in_processes
from projections.registry import all_read_models
from projections.store import ReadModel, SqliteStore

if TYPE_CHECKING:
    from projections.postgres_store import PostgresConfig, PostgresStore

BATCH_SIZE = 10_000


def read_and_decode(app: GongkaiLedger) -> int:
    """The baseline: read every notification and decode it, nothing else."""
    decode = app.mapper.to_domain_event
    position = 0
    count = 0
    while True:
        notifications = app.recorder.select_notifications(
            position, BATCH_SIZE, inclusive_of_start=False
        )
        if not notifications:
            return count
        for notification in notifications:
            decode(notification)
        count += len(notifications)
        position = notifications[-1].id


def rebuild(
    app: GongkaiLedger, events_path: str, store_path: str, names: list[str]
) -> dict[str, Any]:
    """What `gongkai projections rebuild` does: two processes, their peaks summed."""
    driver = ProjectionDriver(
        app, SqliteStore(store_path), all_read_models(), batch_size=BATCH_SIZE
    )
    opener = partial(open_embedded, events_path, store_path)
    reports = rebuild_in_processes(driver, opener, names or None, progress=False)
    peaks = [round(report.peak_rss_kb / 1024) for report in reports]
    return {
        "events": max(report.events for report in reports),
        "model_seconds": {
            name: round(seconds, 2)
            for report in reports
            for name, seconds in report.fold_seconds.items()
        },
        "groups": [report.models for report in reports],
        "group_seconds": [round(report.seconds, 2) for report in reports],
        "process_peak_rss_mb": peaks,
        "peak_rss_mb": sum(peaks),
    }


def open_postgres(config: PostgresConfig) -> tuple[GongkaiLedger, PostgresStore, list[ReadModel]]:
    """What each rebuild process opens (`rebuild_in_processes`), from this module: the worker
    imports it, and it imports no more than the stores need."""
    from projections.postgres_store import PostgresStore  # not in embedded runs: ~5 MB

    return GongkaiLedger(env=config.ledger_env()), PostgresStore(config), all_read_models()


def open_embedded(
    events_path: str, store_path: str
) -> tuple[GongkaiLedger, SqliteStore, list[ReadModel]]:
    return GongkaiLedger.embedded(events_path), SqliteStore(store_path), all_read_models()


def rebuild_one(
    app: GongkaiLedger, store_path: str, names: list[str]
) -> tuple[int, dict[str, float]]:
    """The rebuild in this one process; the seconds in each model's fold, as the driver
    adds them up."""
    models = [m for m in all_read_models() if not names or m.name in names]
    driver = ProjectionDriver(app, SqliteStore(store_path), models, batch_size=BATCH_SIZE)
    processed = driver.rebuild(progress=False)
    return processed, {name: round(s, 2) for name, s in driver.fold_seconds.items()}


def main(argv: list[str]) -> None:
    mode, events_path, *rest = argv
    app = GongkaiLedger.embedded(events_path)
    started = time.perf_counter()
    result: dict[str, Any] = {}
    if mode == "baseline":
        result["events"] = read_and_decode(app)
    elif mode == "rebuild-1":
        result["events"], result["model_seconds"] = rebuild_one(app, rest[0], rest[1:])
    else:
        result = rebuild(app, events_path, rest[0], rest[1:])
    seconds = time.perf_counter() - started
    result.setdefault("peak_rss_mb", round(peak_rss_kb() / 1024))
    result.update(seconds=round(seconds, 2), events_per_s=round(result["events"] / seconds))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
