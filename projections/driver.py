"""The projection driver: follows the notification log and feeds the read models, exactly once.

Each batch of notifications is read and decoded, then every read model that is behind folds it
and its tracking position moves to the batch's last notification id — in ONE transaction of the
read-model store. A crash rolls the whole batch back, so nothing is applied twice and nothing is
lost. Positions are re-read inside that transaction, so two drivers on one store (the API's
embedded thread and `gongkai projections run`) only waste work, never double-apply.

The library's `ProjectionRunner` cannot follow SQLite and commits once per event; this driver
polls `select_notifications` and commits once per batch (docs/projections.md has the numbers).
Notification ids can have gaps, so positions mean "processed everything up to and including".
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from eventsourcing.application import Application
from eventsourcing.utils import resolve_topic
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from domain.base import DomainEvent
from projections.store import BufferedTx, ReadModel, SqlStore, Tx
from projections.stored_topics import stored_topics

logger = logging.getLogger(__name__)

TRACKING_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_tracking "
    "(name TEXT PRIMARY KEY, version INT, position BIGINT)"
)
# A row here means "this model was reset and has not yet caught up with `target`": running
# `rebuild` again resumes instead of starting over.
REBUILDS_DDL = (
    "CREATE TABLE IF NOT EXISTS projection_rebuilds (name TEXT PRIMARY KEY, target BIGINT)"
)

PREPARE_LOCK_KEY = 0x676F6E676B6169  # "gongkai": one advisory lock key for preparing the store
# Folds of one batch discarded because another driver committed meanwhile, before the driver
# folds it holding the write lock instead (`fold_outside_lock`).
FOLD_ATTEMPTS = 3

Positioned = tuple[DomainEvent, int]


@runtime_checkable
class BatchReadModel(Protocol):
    """Optional: a model that folds a whole batch at once (set-based reads, executemany)."""

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None: ...


@runtime_checkable
class DeferredIndexes(Protocol):
    """Optional: a model whose `create` makes only the tables its folding needs; the driver
    calls `create_indexes` once the model has caught up after a reset, in the transaction of
    that last batch. Sorting a million rows into an index once is several times cheaper than
    a million random inserts into it."""

    def create_indexes(self, tx: Tx) -> None: ...


@runtime_checkable
class SelectiveReadModel(Protocol):
    """Optional: a model that folds only some event classes. The driver decodes a notification
    only when a model it is feeding wants its class — the others (number sequences, say) are
    counted as processed without being decoded."""

    def wants(self, event_class: type) -> bool: ...


@dataclass(frozen=True)
class Batch:
    events: list[Positioned]  # the decoded ones, in notification order
    ids: list[int]  # their notification ids
    read: list[int]  # the id of every notification read, decoded or not
    last_id: int  # the batch stands for every notification up to and including this one

    def after(self, position: int) -> list[Positioned]:
        if not self.ids or position < self.ids[0]:
            return self.events
        return self.events[bisect_right(self.ids, position) :]

    def count_after(self, position: int) -> int:
        """Notifications read with an id above `position`."""
        return len(self.read) - bisect_right(self.read, position)


class ProjectionDriver:
    def __init__(
        self,
        app: Application[Any],
        store: SqlStore,
        models: Sequence[ReadModel],
        *,
        batch_size: int = 10_000,
        rebuild_batch_size: int | None = None,
        fold_outside_lock: bool = False,
    ) -> None:
        names = [model.name for model in models]
        if len(set(names)) != len(names):
            raise ValueError(f"read model names must be unique: {names}")
        self.app = app
        self.store = store
        self.models = list(models)
        self.batch_size = batch_size
        # A rebuild reads bigger batches: an aggregate whose life spans fewer batches is
        # written fewer times (docket rows per 300,000 events: 82,000 at 10,000 a batch,
        # 51,000 at 30,000), for more memory and a longer hold of SQLite's write lock per
        # batch — acceptable while rebuilding, not while following. 25,000: the two-process
        # rebuild of 1,000,000 events peaks at 271 MB summed (290 MB at 30,000, the same
        # speed within noise; docs/projections.md).
        self.rebuild_batch_size = rebuild_batch_size or batch_size * 5 // 2
        # With other drivers writing at the same time (a rebuild in several processes,
        # projections/parallel.py), folding inside SQLite's one write lock would take turns:
        # fold in a read snapshot instead and hold the lock only to write (`_apply_buffered`).
        self.fold_outside_lock = fold_outside_lock
        # Seconds in each model's fold, its writes included unless folded outside the lock.
        self.fold_seconds: dict[str, float] = {}
        self._ready = False
        self._wanted_by: dict[str, frozenset[str]] = {}  # topic → names of models that want it
        self._topics_wanted: dict[frozenset[str], dict[str, bool]] = {}  # by models fed
        self._batch_lock = threading.Lock()
        self._prepare_lock = threading.Lock()
        self._advanced = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- positions ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Create the tracking tables and every model; reset a model whose code version changed."""
        with self._prepare_lock:
            if not self._ready:
                self._prepare()

    def _prepare(self) -> None:
        head = self.head()
        with self.store.transaction() as tx:
            if tx.dialect == "postgres":
                # Concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's catalogue:
                # drivers starting together in several processes take turns.
                tx.execute("SELECT pg_advisory_xact_lock(?)", (PREPARE_LOCK_KEY,))
            tx.execute(TRACKING_DDL)
            tx.execute(REBUILDS_DDL)
            stored = {
                name: version
                for name, version in tx.fetchall("SELECT name, version FROM projection_tracking")
            }
            for model in self.models:
                if stored.get(model.name) != model.version:
                    # No row: tables of unknown provenance. Another version: another schema.
                    self._reset(tx, model, head)
        self._ready = True

    def head(self) -> int:
        """The newest notification id in the log (0 when it is empty)."""
        return self.app.recorder.max_notification_id() or 0

    def positions(self) -> dict[str, int]:
        self.prepare()
        with self.store.reading() as tx:
            rows = tx.fetchall("SELECT name, position FROM projection_tracking")
        return {str(name): int(position) for name, position in rows}

    def position(self, name: str) -> int:
        return self.positions()[self._model(name).name]

    def wait_until(
        self, notification_id: int | None, timeout: float = 5.0, names: Sequence[str] = ()
    ) -> bool:
        """Read-your-writes: wait until the models (all, or `names`) have processed
        `notification_id`; False on timeout. Works when the driver runs in another process."""
        if notification_id is None:
            return True
        wanted = [self._model(name).name for name in names] or [m.name for m in self.models]
        deadline = time.monotonic() + timeout
        while True:
            positions = self.positions()
            if all(positions.get(name, 0) >= notification_id for name in wanted):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advanced:
                self._advanced.wait(min(remaining, 0.05))

    # ---- processing --------------------------------------------------------------------------

    def run_once(self) -> int:
        """Process one batch; returns the number of events processed (0 when caught up)."""
        self.prepare()
        start = min(self.positions()[m.name] for m in self.models)
        processed, _ = self._process(start, None, self.models, self.batch_size, None)
        return processed

    def catch_up(self, progress: bool = False) -> int:
        """Process everything up to the current head."""
        self.prepare()
        return self._catch_up(self.models, progress, "catching up", self.batch_size)

    def rebuild(
        self, names: Sequence[str] | None = None, progress: bool = True, label: str = ""
    ) -> int:
        """Drop, create and replay the models (all, or `names`). Resumable: a rebuild that was
        interrupted continues from its last committed batch instead of starting over."""
        selected = self.start_rebuild(names)
        label = label or "rebuilding " + ", ".join(model.name for model in selected)
        return self._catch_up(selected, progress, label, self.rebuild_batch_size)

    def start_rebuild(self, names: Sequence[str] | None = None) -> list[ReadModel]:
        """Reset the models (all, or `names`) that are not already being rebuilt, to be
        replayed up to the current head; returns them. `rebuild` then replays them — here, or
        in several processes (projections/parallel.py)."""
        self.prepare()
        selected = [self._model(name) for name in names] if names else self.models
        head = self.head()
        with self.store.transaction() as tx:
            resuming = {str(row[0]) for row in tx.fetchall("SELECT name FROM projection_rebuilds")}
            for model in selected:
                if model.name not in resuming:
                    self._reset(tx, model, head)
        return selected

    def start(self, poll_interval: float = 0.05) -> None:
        """Follow the log in a daemon thread (the embedded mode)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._follow, args=(poll_interval,), name="projection-driver", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run_forever(self, poll_interval: float = 0.5) -> None:
        """Follow the log in this thread until `stop()` (for `gongkai projections run`)."""
        self._stopping.clear()
        self._follow(poll_interval)

    # ---- internals ---------------------------------------------------------------------------

    def _model(self, name: str) -> ReadModel:
        for model in self.models:
            if model.name == name:
                return model
        raise KeyError(f"no read model named {name!r}; known: {[m.name for m in self.models]}")

    def _reset(self, tx: Tx, model: ReadModel, target: int) -> None:
        model.drop(tx)
        model.create(tx)
        for table in ("projection_tracking", "projection_rebuilds"):
            tx.execute(f"DELETE FROM {table} WHERE name = ?", (model.name,))
        tx.execute(
            "INSERT INTO projection_tracking (name, version, position) VALUES (?, ?, 0)",
            (model.name, model.version),
        )
        tx.execute(
            "INSERT INTO projection_rebuilds (name, target) VALUES (?, ?)", (model.name, target)
        )

    def _follow(self, poll_interval: float) -> None:
        failures = 0
        caught_up = False
        while not self._stopping.is_set():
            try:
                processed = self.run_once() if caught_up else self.catch_up()
                caught_up = True
                failures = 0
            except Exception:
                # A failing batch rolled back; retry later rather than skip an event.
                failures += 1
                logger.exception("projection batch failed (attempt %d); will retry", failures)
                self._stopping.wait(min(poll_interval * 2**failures, 30.0))
                continue
            if processed < self.batch_size:
                # Caught up: wait a poll interval even when the batch was not empty. Under a
                # steady stream of commands the models then fold one batch per interval (one
                # transaction, one write lock) instead of a few events at a time; the lag of
                # the read models stays within the poll interval it was when idle.
                self._stopping.wait(poll_interval)

    def _read(
        self,
        after: int,
        stop: int | None,
        size: int,
        models: Sequence[ReadModel],
        topics: list[str] | None,
    ) -> Batch | None:
        """The next batch after `after`: `size` notifications, or with `topics` those of them
        among the next `size` ids (up to `stop`) — the same span, so a batch holds no more
        than an unfiltered one (on SQLite, `size` wanted events a batch took the two-process
        rebuild of 300,000 events from 259 to 310 MB summed)."""
        if topics is None:
            notifications = self.app.recorder.select_notifications(
                after, size, stop, inclusive_of_start=False
            )
            if not notifications:
                return None
            last_id = notifications[-1].id
        else:
            assert stop is not None, "a read by topic needs the id to stop at"
            if topics:
                last_id = min(stop, after + size)
                notifications = self.app.recorder.select_notifications(
                    after, size, last_id, topics, inclusive_of_start=False
                )
            else:  # no topic wanted (the library would read every one): straight to `stop`
                last_id, notifications = stop, []
        names = frozenset(model.name for model in models)
        wanted = self._topics_wanted.setdefault(names, {})
        to_domain_event = self.app.mapper.to_domain_event
        events: list[Positioned] = []
        ids: list[int] = []
        for notification in notifications:
            topic = notification.topic
            wants = wanted.get(topic)
            if wants is None:
                wants = wanted[topic] = not names.isdisjoint(self._models_wanting(topic))
            if wants:
                event: DomainEvent = to_domain_event(notification)  # type: ignore[assignment]
                events.append((event, notification.id))
                ids.append(notification.id)
        return Batch(events, ids, [notification.id for notification in notifications], last_id)

    def _models_wanting(self, topic: str) -> frozenset[str]:
        """The names of the models that fold events of `topic` (a model that does not say:
        every topic), worked out once per topic."""
        names = self._wanted_by.get(topic)
        if names is None:
            event_class = resolve_topic(topic)
            names = self._wanted_by[topic] = frozenset(
                model.name
                for model in self.models
                if not isinstance(model, SelectiveReadModel) or model.wants(event_class)
            )
        return names

    def _topics_to_read(
        self, models: Sequence[ReadModel], counts: dict[str, int] | None
    ) -> list[str] | None:
        """The stored topics that `models` want, or None when they want every one (or the
        store cannot list them): then reading by topic would only add a filter."""
        if counts is None:
            return None
        names = frozenset(model.name for model in models)
        wanted = [topic for topic in counts if not names.isdisjoint(self._models_wanting(topic))]
        return None if len(wanted) == len(counts) else wanted

    def _process(
        self,
        after: int,
        stop: int | None,
        models: Sequence[ReadModel],
        size: int,
        topics: list[str] | None,
    ) -> tuple[int, int | None]:
        """Read, decode and apply one batch: (notifications read, last notification id)."""
        with _collector_paused():
            batch = self._read(after, stop, size, models, topics)
            if batch is None:
                return 0, None
            processed = self._apply(batch, models)
            last_id = batch.last_id
            del batch  # freed before the collector resumes, so it never traverses the batch
        return processed, last_id

    def _apply(self, batch: Batch, models: Sequence[ReadModel]) -> int:
        with self._batch_lock:
            if self.fold_outside_lock:
                processed = self._apply_buffered(batch, models)
            else:
                with self.store.transaction() as tx:
                    processed = self._apply_in(tx, batch, models, _tracking(tx, models, True))
        with self._advanced:
            self._advanced.notify_all()
        return processed

    def _apply_buffered(self, batch: Batch, models: Sequence[ReadModel]) -> int:
        """Fold in a read snapshot, keeping the writes; then take the write transaction and
        replay them — only if no model's tracking row changed in between. Rows change only
        with their model's tracking row, so equal rows mean the fold read what is committed;
        otherwise another driver committed meanwhile, and the batch is folded again."""
        for _ in range(FOLD_ATTEMPTS):
            with self.store.snapshot() as reader:
                seen = _tracking(reader, models, False)
                buffered = BufferedTx(reader)
                processed = self._apply_in(buffered, batch, models, seen)
            with self.store.transaction() as tx:
                if _tracking(tx, models, True) == seen:
                    buffered.replay(tx)
                    return processed
        with self.store.transaction() as tx:  # still contended: fold holding the lock
            return self._apply_in(tx, batch, models, _tracking(tx, models, True))

    def _apply_in(
        self, tx: Tx, batch: Batch, models: Sequence[ReadModel], tracking: _Tracking
    ) -> int:
        positions, targets = tracking
        oldest = batch.last_id
        for model in models:
            position = positions.get(model.name)
            if position is None:
                raise RuntimeError(f"read model {model.name!r} has no tracking row")
            oldest = min(oldest, position)
            if position >= batch.last_id:
                continue
            if isinstance(tx, BufferedTx):
                tx.next_model()
            events = batch.after(position)
            started = time.perf_counter()
            if isinstance(model, BatchReadModel):
                model.handle_batch(tx, events)
            else:
                for event, notification_id in events:
                    model.handle(tx, event, notification_id)
            tx.execute(
                "UPDATE projection_tracking SET position = ? WHERE name = ?",
                (batch.last_id, model.name),
            )
            target = targets.get(model.name)
            if target is not None and target <= batch.last_id:
                tx.execute("DELETE FROM projection_rebuilds WHERE name = ?", (model.name,))
                if isinstance(model, DeferredIndexes):
                    model.create_indexes(tx)
            seconds = time.perf_counter() - started
            self.fold_seconds[model.name] = self.fold_seconds.get(model.name, 0.0) + seconds
        return batch.count_after(oldest)

    def _catch_up(self, models: Sequence[ReadModel], progress: bool, label: str, size: int) -> int:
        """Every notification up to the head into `models`: the number of notifications
        processed, those no model wanted included."""
        positions = self.positions()
        position = min(positions[model.name] for model in models)
        stop = self.head()
        if position >= stop:
            return 0
        counts = stored_topics(self.app.recorder, position, stop)
        topics = self._topics_to_read(models, counts)
        processed = 0
        with _RebuildProgress(label, position, stop, enabled=progress) as bar:
            while position < stop:
                count, reached = self._process(position, stop, models, size, topics)
                if reached is None:
                    break
                processed += count
                position = reached
                bar.advance_to(position, processed)
        if topics is not None and counts is not None and position >= stop:
            return sum(counts.values())  # read by topic: the others were passed over unread
        return processed


_Tracking = tuple[dict[str, int], dict[str, int]]


def _tracking(tx: Tx, models: Sequence[ReadModel], lock: bool) -> _Tracking:
    """The positions and rebuild targets of `models`. Locked: on PostgreSQL their rows (only
    theirs — drivers of other models, a parallel rebuild's other processes, go on); SQLite's
    `BEGIN IMMEDIATE` already serialises writers."""
    names = sorted(model.name for model in models)
    marks = ", ".join("?" * len(names))
    suffix = " FOR UPDATE" if lock and tx.dialect == "postgres" else ""
    positions = tx.fetchall(
        f"SELECT name, position FROM projection_tracking WHERE name IN ({marks}) "
        f"ORDER BY name{suffix}",
        names,
    )
    targets = tx.fetchall(
        f"SELECT name, target FROM projection_rebuilds WHERE name IN ({marks})", names
    )
    return dict(positions), dict(targets)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is in memory: a batch is ten thousand live
    objects without cycles, and the collector traversing them again and again more than
    doubled the cost of decoding. Reference counting still frees them afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _EventRateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} events/s", style="progress.data.speed")


class _RebuildProgress:
    """A rich progress bar over notification ids: events/s and ETA."""

    def __init__(self, label: str, start: int, stop: int, *, enabled: bool) -> None:
        self._start = start
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[events]:,} events"),
            _EventRateColumn(),
            TimeRemainingColumn(),
            disable=not enabled,
        )
        self._task = self._progress.add_task(label, total=max(stop - start, 0), events=0)

    def __enter__(self) -> _RebuildProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def advance_to(self, position: int, events: int) -> None:
        self._progress.update(self._task, completed=position - self._start, events=events)
