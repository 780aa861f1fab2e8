"""BENCH projection-rebuild, projection-rebuild-rss-mb and catalogue-search-p95-ms.

projection-rebuild
    A generated history of 1,000,000 events (`tests.bench.history`: interleaved item and
    request life cycles and number sequences, built from the domain event classes and inserted
    through the mapper) in a SQLite file. `ratio` = events/s of the rebuild of every read model
    in `projections.registry` as `gongkai projections rebuild` does it — two processes, each
    replaying the log for a group of models (projections/parallel.py) —, writing into the same
    file (the embedded default), divided by the events/s of merely reading and decoding the
    same notifications (the mean of one pass before and one after the rebuild). Each pass runs
    in its own process.
projection-rebuild-rss-mb
    The rebuild's peak resident memory: the sum of its two processes' peaks.
catalogue-search-p95-ms
    1,000,000 catalogue entries written through the catalogue's own write path (the fold is
    skipped: it is measured above), then 400 searches for the two- to four-character words
    portal visitors type, alone and with agency, year, department and theme filters; the 95th
    percentile of `catalogue.search` wall time, first page of 20.

Run: `.venv/bin/python -m tests.bench.bench_projections` (about 4 minutes on 2 cores).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from domain.application import GongkaiLedger
from projections.catalogue import Catalogue, _ItemState, search
from projections.store import SqliteStore
from tests.bench.history import AGENCIES, HistoryGenerator
from tests.bench.titles import DEPARTMENTS, QUERIES, THEMES, title

EVENTS = 1_000_000
CATALOGUE_ITEMS = 1_000_000
LOAD_BATCH = 50_000
SEARCH_ROUNDS = 5
REPOSITORY = Path(__file__).resolve().parents[2]


def worker(*args: str) -> dict[str, Any]:
    """Run `tests.bench.projection_worker` in a fresh process and return its JSON line."""
    finished = subprocess.run(
        [sys.executable, "-m", "tests.bench.projection_worker", *args],
        cwd=REPOSITORY,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def rebuild_bench(folder: Path) -> None:
    ledger = str(folder / "ledger.sqlite")
    app = GongkaiLedger.embedded(ledger)
    started = time.perf_counter()
    written = HistoryGenerator(seed=7).write(app, EVENTS)
    app.close()
    print(f"# generated {written:,} events in {time.perf_counter() - started:.0f} s", flush=True)

    before = worker("baseline", ledger)
    rebuilt = worker("rebuild", ledger, ledger)
    after = worker("baseline", ledger)
    baseline = (before["events_per_s"] + after["events_per_s"]) / 2
    ratio = rebuilt["events_per_s"] / baseline
    print(
        f"# read+decode {before['events_per_s']:,} and {after['events_per_s']:,} events/s; "
        f"rebuild {rebuilt['events_per_s']:,} events/s ({rebuilt['seconds']} s); "
        f"seconds inside each model's fold: {rebuilt['model_seconds']}",
        flush=True,
    )
    print(
        f"# processes {rebuilt['groups']}: {rebuilt['group_seconds']} s, "
        f"peak {rebuilt['process_peak_rss_mb']} MB",
        flush=True,
    )
    print(f"BENCH projection-rebuild ratio={ratio:.2f} target>=0.5", flush=True)
    print(f"BENCH projection-rebuild-rss-mb value={rebuilt['peak_rss_mb']} target<=300", flush=True)


def load_catalogue(store: SqliteStore, count: int) -> None:
    """`count` published entries, written as publication writes them."""
    rng = random.Random(5)
    catalogue = Catalogue()
    with store.transaction() as tx:
        catalogue.drop(tx)
        catalogue.create(tx)
    for start in range(1, count + 1, LOAD_BATCH):
        states: dict[int, _ItemState] = {}
        for doc_id in range(start, min(start + LOAD_BATCH, count + 1)):
            year = rng.randint(2015, 2025)
            agency = rng.choice(AGENCIES)
            text = title(rng, year)
            key = f"00000000-0000-4000-8000-{doc_id:012d}"
            states[doc_id] = _ItemState.from_row(
                (
                    key,
                    doc_id,
                    agency,
                    catalogue._issuer(agency),
                    f"{agency}/{year}-{doc_id:05d}",
                    text,
                    "",
                    rng.choice(DEPARTMENTS),
                    f"发〔{year}〕{doc_id % 400}号",
                    f"{year}-06-01",
                    f"{year}-06-20",
                    year,
                    rng.choice(THEMES),
                    "ordinary",
                    "portal",
                    "in_force",
                    None,
                    "",
                    None,
                    "proactive",
                    1,
                    doc_id,
                    "published",
                )
            )
        with store.transaction() as tx:
            catalogue._write(tx, states, {})
    with store.transaction() as tx:
        catalogue.create_indexes(tx)


def search_bench(folder: Path) -> None:
    store = SqliteStore(str(folder / "catalogue.sqlite"))
    started = time.perf_counter()
    load_catalogue(store, CATALOGUE_ITEMS)
    print(
        f"# loaded {CATALOGUE_ITEMS:,} catalogue entries in {time.perf_counter() - started:.0f} s"
    )
    rng = random.Random(9)
    filters: list[dict[str, Any]] = [
        {},
        {"agency": rng.choice(AGENCIES)},
        {"agency": rng.choice(AGENCIES), "year": rng.randint(2015, 2025)},
        {"department": rng.choice(DEPARTMENTS), "theme": rng.choice(THEMES)},
    ]
    timings: list[float] = []
    single: list[float] = []
    with store.reading() as tx:
        for word in QUERIES:  # warm the page cache once, as a running service has it
            search(tx, word)
        for _ in range(SEARCH_ROUNDS):
            for word in QUERIES:
                for chosen in filters:
                    began = time.perf_counter()
                    search(tx, word, **chosen)
                    timings.append((time.perf_counter() - began) * 1000)
            for char in "规安科局":
                began = time.perf_counter()
                search(tx, char)
                single.append((time.perf_counter() - began) * 1000)
    print(f"# one-character queries: p95 {percentile(single, 95):.2f} ms (prefix scan)")
    print(f"BENCH catalogue-search-p95-ms value={percentile(timings, 95):.2f} target<=10")
    store.close()


def percentile(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        rebuild_bench(Path(folder))
    with tempfile.TemporaryDirectory() as folder:
        search_bench(Path(folder))


if __name__ == "__main__":
    main()
