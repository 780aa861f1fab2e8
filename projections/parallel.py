"""A rebuild in several processes, each replaying the log for a group of read models.

In one process a rebuild reads and decodes the log and folds every model, one after the other.
Here each process reads the log, decodes only the classes its models want and folds them, so the
decoding and folding of one group overlap those of the other. On SQLite the processes would take
the one write lock in turns for whole folds, so each folds outside it (`fold_outside_lock`) and
holds it only to write its batch; on PostgreSQL their tables and tracking rows differ.

Exactly-once does not change: this process resets the models and records each in
`projection_rebuilds` (`ProjectionDriver.start_rebuild`); each process then runs an ordinary
driver that resumes those rebuilds for its own models, committing every batch with their tracking
rows. A killed process leaves the rebuild resumable like a killed single-process one.
"""

from __future__ import annotations

import itertools
import multiprocessing
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventsourcing.application import Application

from projections.driver import ProjectionDriver
from projections.store import ReadModel, SqlStore

# Opens, in a worker process, the application and read-model store being rebuilt, and fresh
# read models: a module-level function (or a functools.partial of one), so that it can be
# handed to a spawned process.
Opener = Callable[[], tuple[Application[Any], SqlStore, list[ReadModel]]]

# What a group costs, in seconds per 300,000 events of the bench history (tests/bench/history.py):
# each model's fold, by store, plus reading and decoding the share of the log it wants
# (`DECODE_COST` for the whole log). A group decodes an event once for all its models; the
# largest share stands for the group's (the wanted classes nest: the decision history and the
# docket want every class the others want). A model not listed counts as a fold of 1.0 wanting
# everything. SQLite: each model's fold alone, 21 November 2026. PostgreSQL, where a fold
# includes the server taking its rows (measured later on 21 November 2026, 200,000 events
# scaled to 300,000): each group rebuilt alone in one process, less reading and decoding its
# share, split between its models by the driver's fold seconds; the catalogue alone, since its
# search terms became one `tsvector` per title. It used to go alone, for its ~20 term rows per
# title; the same split as on SQLite beat that by 5.9–6.1 s against 6.8–7.7 s per 200,000
# events (interleaved), and the decision history and the docket replay in this process, as
# their group is the costlier: the spawned process starts 0.5–0.8 s later (importing the code).
FOLD_COST = {
    "sqlite": {
        "catalogue": 1.1,
        "docket": 0.8,
        "decision_history": 0.6,
        "annual_review": 0.4,
        "statistics": 0.25,
        "annual_report": 0.2,
    },
    "postgres": {
        "catalogue": 2.25,
        "docket": 2.55,
        "decision_history": 2.3,
        "annual_review": 1.25,
        "statistics": 0.75,
        "annual_report": 0.75,
    },
}
WANTED_SHARE = {
    "catalogue": 0.51,
    "docket": 0.9,
    "decision_history": 0.9,
    "annual_review": 0.33,
    "statistics": 0.32,
    "annual_report": 0.23,
}
# Reading and decoding the whole log: SQLite reads a local file; PostgreSQL's rows cross a socket
# from a server that shares the cores (the bench's baseline: 2.6–3.3 s per 200,000 events).
DECODE_COST = {"sqlite": 2.3, "postgres": 4.35}


@dataclass(frozen=True)
class GroupReport:
    """What one process replayed: its models, the events and seconds, its own peak memory,
    the seconds in each model's fold."""

    models: list[str]
    events: int
    seconds: float
    peak_rss_kb: int
    fold_seconds: dict[str, float]


def rebuild_in_processes(
    driver: ProjectionDriver,
    opener: Opener,
    names: Sequence[str] | None = None,
    *,
    workers: int = 2,
    progress: bool = True,
) -> list[GroupReport]:
    """Rebuild the models (all, or `names`) of `driver` in `workers` processes: the costliest
    group here, each other group in a process spawned with `opener`."""
    if workers < 2:
        return [_replay(driver, driver.start_rebuild(names), progress, alone=True)]
    context = multiprocessing.get_context("spawn")  # no inherited connections or pool threads
    # Started first: the workers import the code while this process resets the models.
    with context.Pool(workers - 1) as pool:
        groups = partition(driver.start_rebuild(names), workers, driver.store.dialect)
        sizes = (driver.batch_size, driver.rebuild_batch_size)
        others = [
            pool.apply_async(_rebuild_group, (opener, [m.name for m in group], sizes))
            for group in groups[1:]
        ]
        elsewhere = ", ".join(model.name for group in groups[1:] for model in group)
        own = _replay(driver, groups[0], progress, alone=not elsewhere, elsewhere=elsewhere)
        return [own, *(result.get() for result in others)]  # re-raises a worker's error


def partition(
    models: Sequence[ReadModel], workers: int, dialect: str = "sqlite"
) -> list[list[ReadModel]]:
    """At most `workers` non-empty groups whose costliest is as cheap as can be, costliest
    first (tried exhaustively: a handful of models)."""
    count = max(1, min(workers, len(models)))
    best: list[list[ReadModel]] = [list(models)]
    best_cost = group_cost(models, dialect)
    for assignment in itertools.product(range(count), repeat=len(models)):
        groups: list[list[ReadModel]] = [[] for _ in range(count)]
        for model, group in zip(models, assignment, strict=True):
            groups[group].append(model)
        cost = max(group_cost(group, dialect) for group in groups)
        if cost < best_cost:
            best, best_cost = [group for group in groups if group], cost
    return sorted(best, key=lambda group: group_cost(group, dialect), reverse=True)


def group_cost(models: Sequence[ReadModel], dialect: str = "sqlite") -> float:
    if not models:
        return 0.0
    known = dialect if dialect in FOLD_COST else "sqlite"
    costs = FOLD_COST[known]
    folds = sum(costs.get(model.name, 1.0) for model in models)
    reading = DECODE_COST[known] * max(WANTED_SHARE.get(model.name, 1.0) for model in models)
    return folds + reading


def peak_rss_kb() -> int:
    """This process's own peak RSS since exec. Linux carries `ru_maxrss` over from the forking
    parent, so read VmHWM when we can."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _replay(
    driver: ProjectionDriver,
    models: list[ReadModel],
    progress: bool,
    *,
    alone: bool = False,
    elsewhere: str = "",
) -> GroupReport:
    """Resume the rebuild of `models` (reset by `start_rebuild`) with a driver of their own;
    on SQLite folding outside the write lock unless no other process writes."""
    group = ProjectionDriver(
        driver.app,
        driver.store,
        models,
        batch_size=driver.batch_size,
        rebuild_batch_size=driver.rebuild_batch_size,
        fold_outside_lock=driver.store.dialect == "sqlite" and not alone,
    )
    names = [model.name for model in models]
    started = time.perf_counter()
    label = (
        "rebuilding " + ", ".join(names) + (f" (+ {elsewhere} in parallel)" if elsewhere else "")
    )
    events = group.rebuild(names, progress=progress, label=label)
    seconds = time.perf_counter() - started
    return GroupReport(names, events, seconds, peak_rss_kb(), dict(group.fold_seconds))


def _rebuild_group(opener: Opener, names: list[str], sizes: tuple[int, int]) -> GroupReport:
    """In a spawned process: resume the rebuild of the models `names`."""
    app, store, models = opener()
    try:
        driver = ProjectionDriver(
            app, store, models, batch_size=sizes[0], rebuild_batch_size=sizes[1]
        )
        return _replay(driver, [model for model in models if model.name in names], False)
    finally:
        store.close()
        app.close()
