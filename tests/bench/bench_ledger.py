"""BENCH ledger-write-overhead and BENCH ledger-verify.

ledger-write-overhead
    The domain-core command path (the item lifecycle of `bench_command_path`, 3,600 events on a
    fresh SQLite file) timed with the ledger follower running in a background thread of the
    same process, polling as a server runs it, divided by the time without it: the median over
    pairs of runs (the order inside a pair alternates) of the pair's time ratio. Lower is
    better, 1.00 is no overhead. The CPU-time ratio is printed too: on a shared machine the
    runs wait on fsync and the wall times vary with other work. After each run with the
    follower, the tree is checked against the log.
ledger-verify
    A 1,000,000-event bundle written with `tests.unit.ledger.bundle_factory` (states of about
    280 bytes, the size of this service's real event states), then the bundle's own
    `verify_bundle.py` run as a subprocess, as an auditor runs it; events per second of wall
    time.

Run: `.venv/bin/python -m tests.bench.bench_ledger` (about 1.5 minutes on 2 cores).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from domain.application import GongkaiLedger
from projections.ledger import merkle
from projections.ledger.bundle import write_bundle
from projections.ledger.note import Signer
from projections.ledger.store import LedgerFollower, LedgerStore
from projections.store import SqliteStore
from tests.bench.bench_command_path import EVENTS_PER_LIFECYCLE, LIFECYCLES
from tests.bench.bench_command_path import lifecycle_events_per_second as run_lifecycles
from tests.unit.ledger.bundle_factory import ORIGIN, sample_events, signed_checkpoints

PAIRS = 6
VERIFY_EVENTS = 1_000_000
VERIFY_ORIGINATORS = 50_000
STATE_PADDING = 150  # characters: states of about 280 bytes


def lifecycle_run(path: Path, with_follower: bool) -> tuple[float, float]:
    """Wall and CPU seconds of the lifecycle commands, with or without the ledger following the
    log in a background thread (the CPU time counts every thread of the process)."""
    follower = None
    reader = store = None
    if with_follower:
        # The follower reads the log through its own application instance on the same file,
        # as the server's embedded thread does.
        reader = GongkaiLedger.embedded(str(path))
        store = SqliteStore(str(path))
        follower = LedgerFollower(reader, LedgerStore.for_app(reader, store))
        follower.start()  # the default poll interval, as in a server
    cpu = time.process_time()
    try:
        events_per_second = run_lifecycles(str(path))
    finally:
        cpu = time.process_time() - cpu
        if follower is not None:
            follower.stop()
    if follower is not None and reader is not None and store is not None:
        follower.catch_up()
        notifications = reader.recorder.select_notifications(0, 10**6, inclusive_of_start=False)
        expected = merkle.root_from_leaf_hashes(
            merkle.event_leaf_hash(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in notifications
        )
        if follower.ledger.root() != expected:
            raise AssertionError("the follower's tree differs from the log")
        store.close()
        reader.close()
    return LIFECYCLES * EVENTS_PER_LIFECYCLE / events_per_second, cpu


def write_overhead(folder: Path) -> float:
    """Median over pairs of (time with follower / time without); the order inside a pair
    alternates, so a drift in the machine's load favours neither."""
    ratios: list[float] = []
    walls: dict[bool, list[float]] = {False: [], True: []}
    cpus: dict[bool, list[float]] = {False: [], True: []}
    for pair in range(PAIRS):
        order = (False, True) if pair % 2 == 0 else (True, False)
        measured: dict[bool, float] = {}
        for with_follower in order:
            wall, cpu = lifecycle_run(folder / f"run-{pair}-{with_follower}.sqlite", with_follower)
            measured[with_follower] = wall
            walls[with_follower].append(wall)
            cpus[with_follower].append(cpu)
        ratios.append(measured[True] / measured[False])
    print(
        f"# ledger-write-overhead: {LIFECYCLES * EVENTS_PER_LIFECYCLE} events a run; wall s "
        f"without {', '.join(f'{t:.2f}' for t in walls[False])}; "
        f"with {', '.join(f'{t:.2f}' for t in walls[True])}; "
        f"pair ratios {', '.join(f'{r:.2f}' for r in ratios)}; "
        f"CPU-time ratio {statistics.median(cpus[True]) / statistics.median(cpus[False]):.2f}"
    )
    return statistics.median(ratios)


def follow_rate(folder: Path) -> float:
    """Catch-up speed of the follower over an existing log (events/s), for the docs."""
    path = folder / "run-0-False.sqlite"
    app = GongkaiLedger.embedded(str(path))
    store = SqliteStore(str(path))
    follower = LedgerFollower(app, LedgerStore.for_app(app, store), batch_size=5_000)
    started = time.perf_counter()
    appended = follower.catch_up()
    elapsed = time.perf_counter() - started
    store.close()
    app.close()
    return appended / elapsed


def build_bundle(directory: Path) -> Path:
    """1M made-up events logged in a MemoryTree, signed at 1/4, 1/2 and all, then exported."""
    signer = Signer.generate(ORIGIN)
    events = list(sample_events(VERIFY_EVENTS, VERIFY_ORIGINATORS, STATE_PADDING))
    tree = merkle.MemoryTree(event.leaf_hash() for event in events)
    sizes = [VERIFY_EVENTS // 4, VERIFY_EVENTS // 2, VERIFY_EVENTS]
    notes = signed_checkpoints(tree, sizes, signer)
    bundle = directory / "bundle-1m"
    write_bundle(bundle, events, tree.get_node, notes, [signer.verifier().encoded()])
    keyring = directory / "keyring.txt"
    keyring.write_text(signer.verifier().encoded() + "\n", encoding="utf-8")
    return bundle


def verify_rate(folder: Path) -> float:
    started = time.perf_counter()
    bundle = build_bundle(folder)
    built = time.perf_counter() - started
    size_mb = (bundle / "events.jsonl").stat().st_size / 1e6
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            str(bundle / "verify_bundle.py"),
            str(bundle),
            "--public-key",
            str(folder / "keyring.txt"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0 or f"OK: {VERIFY_EVENTS} events verified" not in result.stdout:
        raise AssertionError(f"the verifier did not pass the bundle:\n{result.stdout}")
    print(
        f"# ledger-verify: bundle of {VERIFY_EVENTS:,} events ({size_mb:,.0f} MB events.jsonl) "
        f"built in {built:.1f} s, verified in {elapsed:.1f} s"
    )
    return VERIFY_EVENTS / elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        ratio = write_overhead(Path(folder))
        print(f"# ledger-follow: catch-up {follow_rate(Path(folder)):,.0f} events/s")
    print(f"BENCH ledger-write-overhead ratio={ratio:.2f} target<=1.10")
    with tempfile.TemporaryDirectory() as folder:
        rate = verify_rate(Path(folder))
    print(f"BENCH ledger-verify value={rate:,.0f}")


if __name__ == "__main__":
    main()
