"""A rebuild spread over worker processes, each replaying the log for a group of read models.

One process decodes every event (~10 µs each) and then folds it into all six models; the models'
folding and writes cost about as much again, so on one core a rebuild runs at a third of the
speed of merely decoding (docs/projections.md, "Measured"). Two processes each decode the log
and fold half of the models: the decoding of one overlaps the folding of the other, and each
decodes only the classes its models want (`SelectiveReadModel`).

Nothing about exactly-once changes: the parent resets the models and records each in
`projection_rebuilds` (`ProjectionDriver.start_rebuild`); every worker is an ordinary driver
that resumes those rebuilds for its own models, committing each batch with its tracking rows.
Workers take turns at the store's write lock (SQLite allows one writer; on PostgreSQL their
tables differ). A killed worker, or a killed parent, leaves the rebuild resumable like a killed
single-process one.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.application import Application

from projections.driver import ProjectionDriver, RebuildProgress
from projections.store import ReadModel, SqlStore

# Opens, in a worker process, the application and read-model store the parent rebuilds, and
# fresh read models: a module-level function (or a functools.partial of one) so that it can be
# handed to a spawned process.
Opener = Callable[[], tuple[Application[Any], SqlStore, list[ReadModel]]]

# Relative rebuild cost of each model (CPU seconds per 300,000 generated events, measured on
# 21 November 2026, docs/projections.md); a model not listed counts as 1.
REBUILD_COST = {
    "catalogue": 1.6,
    "docket": 1.3,
    "decision_history": 1.0,
    "annual_review": 0.7,
    "statistics": 0.45,
    "annual_report": 0.4,
}
PROGRESS_POLL_S = 0.5


def rebuild_in_processes(
    driver: ProjectionDriver,
    opener: Opener,
    names: Sequence[str] | None = None,
    *,
    workers: int = 2,
    progress: bool = True,
) -> int:
    """Rebuild the models (all, or `names`) of `driver` in `workers` processes opened with
    `opener`; returns the number of events replayed. One worker, or one model: in-process."""
    selected = driver.start_rebuild(names)
    groups = partition(selected, workers)
    if len(groups) < 2:
        return driver.rebuild([model.name for model in selected], progress=progress)
    start = min(driver.positions()[model.name] for model in selected)
    stop = driver.head()
    label = " | ".join(", ".join(model.name for model in group) for group in groups)
    context = multiprocessing.get_context("spawn")  # no inherited connections or pool threads
    with (
        context.Pool(len(groups)) as pool,
        RebuildProgress(f"rebuilding {label}", start, stop, enabled=progress) as bar,
    ):
        results = [
            pool.apply_async(_rebuild_group, (opener, [model.name for model in group]))
            for group in groups
        ]
        while not all(result.ready() for result in results):
            time.sleep(PROGRESS_POLL_S)
            positions = driver.positions()
            reached = min(positions[model.name] for model in selected)
            bar.advance_to(reached, reached - start)
        counts = [result.get() for result in results]  # re-raises a worker's error
    return max(counts)


def partition(models: Sequence[ReadModel], workers: int) -> list[list[ReadModel]]:
    """At most `workers` non-empty groups of about equal cost (the costliest model first into
    the cheapest group)."""
    groups: list[list[ReadModel]] = [[] for _ in range(max(1, min(workers, len(models))))]
    costs = [0.0] * len(groups)
    for model in sorted(models, key=_cost, reverse=True):
        cheapest = costs.index(min(costs))
        groups[cheapest].append(model)
        costs[cheapest] += _cost(model)
    return [group for group in groups if group]


def _cost(model: ReadModel) -> float:
    return REBUILD_COST.get(model.name, 1.0)


def _rebuild_group(opener: Opener, names: list[str]) -> int:
    """In a worker: resume the rebuild of the models `names` (the parent has reset them)."""
    app, store, models = opener()
    try:
        chosen = [model for model in models if model.name in names]
        return ProjectionDriver(app, store, chosen).rebuild(names, progress=False)
    finally:
        store.close()
        app.close()
