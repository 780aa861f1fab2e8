"""The projection driver: batches, positions, gaps, failures, versions, rebuilds, threads."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import resolve_topic

from domain.application import GongkaiLedger
from domain.base import DomainEvent
from projections.catalogue import Catalogue
from projections.decision_history import DecisionHistory
from projections.driver import Positioned, ProjectionDriver
from projections.registry import all_read_models
from projections.statistics import Statistics
from projections.store import SqliteStore, SqlStore, Tx
from projections.stored_topics import stored_topics
from tests.backends import Backend
from tests.unit.projections.ledger_story import dump, publish, receive, register, withhold


class SeenLog:
    """A per-event read model (no `handle_batch`): records every notification id it sees."""

    name = "seen_log"
    version = 1

    def __init__(self, fail_at: int | None = None) -> None:
        self.fail_at = fail_at

    def create(self, tx: Tx) -> None:
        tx.execute(f"CREATE TABLE IF NOT EXISTS {self.name} (notification_id BIGINT PRIMARY KEY)")

    def drop(self, tx: Tx) -> None:
        tx.execute(f"DROP TABLE IF EXISTS {self.name}")

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        if notification_id == self.fail_at:
            raise RuntimeError(f"cannot fold {notification_id}")
        tx.execute(f"INSERT INTO {self.name} (notification_id) VALUES (?)", (notification_id,))


class Interrupting:
    """Wraps a batch model and fails on its `fail_on`-th batch, like a crash mid-rebuild."""

    def __init__(self, model: Any, fail_on: int) -> None:
        self._model = model
        self.name = model.name
        self.version = model.version
        self.fail_on = fail_on
        self.batches = 0

    def create(self, tx: Tx) -> None:
        self._model.create(tx)

    def drop(self, tx: Tx) -> None:
        self._model.drop(tx)

    def create_indexes(self, tx: Tx) -> None:
        if hasattr(self._model, "create_indexes"):
            self._model.create_indexes(tx)

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        self.handle_batch(tx, [(event, notification_id)])

    def handle_batch(self, tx: Tx, events: Sequence[Positioned]) -> None:
        self.batches += 1
        if self.batches == self.fail_on:
            raise KeyboardInterrupt("stopped mid-rebuild")
        self._model.handle_batch(tx, events)


@pytest.fixture
def app(backend: Backend) -> GongkaiLedger:
    return backend.ledger()


@pytest.fixture
def store(backend: Backend) -> SqlStore:
    return backend.store("read_models")


@pytest.fixture
def history(app: GongkaiLedger) -> int:
    """Items published and withheld and a request: returns the number of events."""
    publish(app)
    withhold(app)
    receive(app)
    publish(app, "关于做好安全生产专项检查的通知")
    return app.recorder.max_notification_id()


def clean_rebuild(
    app: GongkaiLedger, backend: Backend, models: Sequence[Any] | None = None
) -> SqlStore:
    store = backend.store("clean")
    ProjectionDriver(app, store, models or all_read_models()).rebuild(progress=False)
    return store


def seen(store: SqlStore) -> list[int]:
    with store.reading() as tx:
        return [int(row[0]) for row in tx.fetchall("SELECT * FROM seen_log ORDER BY 1")]


def indexes(store: SqlStore, table: str) -> set[str]:
    with store.reading() as tx:
        if tx.dialect == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        else:
            sql = (
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = ? AND indexname NOT LIKE '%_pkey'"
            )
        return {str(row[0]) for row in tx.fetchall(sql, (table,))}


class TestBatches:
    def test_run_once_processes_one_batch_and_moves_every_position(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        driver = ProjectionDriver(app, store, [SeenLog(), Statistics()], batch_size=4)
        assert driver.run_once() == 4
        assert driver.positions() == {"seen_log": 4, "statistics": 4}
        while driver.run_once():
            pass
        assert driver.positions() == {"seen_log": history, "statistics": history}
        ids = [n.id for n in app.recorder.select_notifications(0, 1000)]
        assert seen(store) == ids and ids[-1] == history
        assert driver.run_once() == 0

    def test_gaps_in_notification_ids_are_crossed(self, tmp_path: Path) -> None:
        """A rejected concurrent save burns an id: positions mean "everything up to"."""
        events_path = str(tmp_path / "ledger.sqlite")
        app = GongkaiLedger.embedded(events_path)
        publish(app)
        receive(app)
        with sqlite3.connect(events_path) as connection:
            connection.execute("UPDATE stored_events SET rowid = rowid + 100 WHERE rowid > 5")
            connection.execute("UPDATE stored_events SET rowid = rowid + 50 WHERE rowid > 110")
        publish(app, "关于第二批试点名单的公示")
        ids = [n.id for n in app.recorder.select_notifications(0, 1000)]
        store = SqliteStore(str(tmp_path / "read_models.sqlite"))
        driver = ProjectionDriver(app, store, [SeenLog()], batch_size=3)
        driver.catch_up()
        assert seen(store) == ids
        assert driver.position("seen_log") == ids[-1] >= len(ids) + 150
        app.close()

    def test_a_failing_batch_leaves_no_trace_in_any_model(
        self, app: GongkaiLedger, store: SqlStore, history: int, backend: Backend
    ) -> None:
        """One transaction per batch: the models' rows and positions commit together or not."""
        failing = SeenLog(fail_at=7)
        driver = ProjectionDriver(app, store, [DecisionHistory(), failing], batch_size=5)
        assert driver.run_once() == 5
        before = dump(store)
        with pytest.raises(RuntimeError, match="cannot fold 7"):
            driver.run_once()
        assert dump(store) == before
        assert driver.positions() == {"decision_history": 5, "seen_log": 5}
        failing.fail_at = None
        driver.catch_up()
        assert dump(store) == dump(clean_rebuild(app, backend, [DecisionHistory(), SeenLog()]))

    def test_a_model_keeping_states_between_batches_forgets_a_rolled_back_batch(
        self, app: GongkaiLedger, store: SqlStore, history: int, backend: Backend
    ) -> None:
        """The catalogue keeps item states in memory from one batch to the next: a batch that
        another model's failure rolled back must not leave its folds behind."""
        failing = SeenLog(fail_at=9)
        driver = ProjectionDriver(app, store, [Catalogue(), failing], batch_size=5)
        assert driver.run_once() == 5
        with pytest.raises(RuntimeError, match="cannot fold 9"):
            driver.run_once()
        failing.fail_at = None
        driver.catch_up()
        assert dump(store) == dump(clean_rebuild(app, backend, [Catalogue(), SeenLog()]))

    def test_two_drivers_on_one_store_never_apply_an_event_twice(
        self, app: GongkaiLedger, store: SqlStore, history: int, backend: Backend
    ) -> None:
        """The API's embedded thread and `gongkai projections run` may overlap: positions are
        read again inside each batch's transaction."""
        first = ProjectionDriver(app, store, all_read_models(), batch_size=3)
        second = ProjectionDriver(app, store, all_read_models(), batch_size=5)
        while first.run_once() + second.run_once():
            pass
        assert dump(store) == dump(clean_rebuild(app, backend))


class TestVersionsAndRebuilds:
    def test_a_new_model_version_rebuilds_that_model_only(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        ProjectionDriver(app, store, [Catalogue(), Statistics()]).catch_up()
        with store.transaction() as tx:
            tx.execute("DELETE FROM statistics_counts")  # would survive if not rebuilt
            tx.execute("UPDATE catalogue_items SET title = 'stale'")

        class CatalogueNext(Catalogue):
            version = Catalogue.version + 1

        driver = ProjectionDriver(app, store, [CatalogueNext(), Statistics()])
        assert driver.positions() == {"catalogue": 0, "statistics": history}
        driver.catch_up()
        with store.reading() as tx:
            assert tx.fetchall("SELECT title FROM catalogue_entries WHERE title = 'stale'") == []
            assert tx.fetchall("SELECT * FROM statistics_counts") == []
            assert tx.fetchone(
                "SELECT version FROM projection_tracking WHERE name = 'catalogue'"
            ) == (Catalogue.version + 1,)

    def test_rebuilding_one_model_leaves_the_others_untouched(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        driver = ProjectionDriver(app, store, [Catalogue(), DecisionHistory()])
        driver.catch_up()
        before = dump(store)
        with store.transaction() as tx:
            tx.execute("UPDATE decision_history SET notification_ids = 'untouched'")
        assert driver.rebuild(["catalogue"], progress=False) == history
        after = dump(store)
        assert {row[1] for row in after["decision_history"]} == {"untouched"}
        assert {t: rows for t, rows in after.items() if t.startswith("catalogue")} == {
            t: rows for t, rows in before.items() if t.startswith("catalogue")
        }

    def test_indexes_are_built_once_a_reset_model_has_caught_up(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        driver = ProjectionDriver(app, store, [Catalogue()], batch_size=5)
        built = {"catalogue_items_listed", "catalogue_items_feed"}
        driver.run_once()
        assert not built & indexes(store, "catalogue_items")
        driver.catch_up()
        assert built <= indexes(store, "catalogue_items")

    @pytest.mark.parametrize("outside", [False, True], ids=["in_lock", "outside_lock"])
    def test_an_interrupted_rebuild_resumes_from_its_last_committed_batch(
        self, app: GongkaiLedger, store: SqlStore, history: int, backend: Backend, outside: bool
    ) -> None:
        ProjectionDriver(app, store, [Catalogue(), DecisionHistory()]).catch_up()
        interrupted = Interrupting(DecisionHistory(), fail_on=3)
        driver = ProjectionDriver(
            app,
            store,
            [Catalogue(), interrupted],
            batch_size=4,
            rebuild_batch_size=4,
            fold_outside_lock=outside,
        )
        with pytest.raises(KeyboardInterrupt):
            driver.rebuild(progress=False)
        assert driver.positions() == {"catalogue": 8, "decision_history": 8}

        resumed = Interrupting(DecisionHistory(), fail_on=0)
        driver = ProjectionDriver(
            app,
            store,
            [Catalogue(), resumed],
            batch_size=4,
            rebuild_batch_size=4,
            fold_outside_lock=outside,
        )
        assert driver.rebuild(progress=False) == history - 8
        clean = clean_rebuild(app, backend, [Catalogue(), DecisionHistory()])
        assert dump(store) == dump(clean)
        with store.reading() as tx:
            assert tx.fetchall("SELECT * FROM projection_rebuilds") == []

        assert driver.rebuild(progress=False) == history  # finished: the next one starts over

    def test_a_rebuild_shows_progress(
        self,
        app: GongkaiLedger,
        store: SqlStore,
        history: int,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        ProjectionDriver(app, store, [Statistics()], batch_size=3).rebuild()
        assert "rebuilding statistics" in capsys.readouterr().out


class WantsNothing(SeenLog):
    """A selective model that folds no class stored (its table stays empty)."""

    name = "wants_nothing"

    def wants(self, event_class: type) -> bool:
        return False


@dataclass(frozen=True)
class Read:
    """One `select_notifications` call of the driver: its id range, the topics asked for
    (() for all) and the topics of what came back."""

    start: int
    stop: int | None
    asked: Any
    returned: list[str]


def spy_reads(monkeypatch: pytest.MonkeyPatch, app: GongkaiLedger) -> list[Read]:
    reads: list[Read] = []
    select = app.recorder.select_notifications

    def spy(start: int, limit: int, stop: int | None = None, *args: Any, **kw: Any) -> Any:
        notifications = select(start, limit, stop, *args, **kw)
        asked = args[0] if args else kw.get("topics", ())
        reads.append(Read(start, stop, asked, [n.topic for n in notifications]))
        return notifications

    monkeypatch.setattr(app.recorder, "select_notifications", spy)
    return reads


class TestReadingByTopic:
    def test_the_store_counts_the_topics_in_a_range(self, app: GongkaiLedger, history: int) -> None:
        topics = [n.topic for n in app.recorder.select_notifications(0, 1000)]
        counts = stored_topics(app.recorder, 0, history)
        assert counts == {topic: topics.count(topic) for topic in set(topics)}
        later = stored_topics(app.recorder, 3, history - 1)
        assert later is not None and sum(later.values()) == history - 4
        assert stored_topics(GongkaiLedger.in_memory().recorder, 0, 10) is None

    def test_a_rebuild_reads_only_the_topics_its_models_want_and_counts_every_notification(
        self,
        app: GongkaiLedger,
        store: SqlStore,
        history: int,
        backend: Backend,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        catalogue = Catalogue()
        reads = spy_reads(monkeypatch, app)
        driver = ProjectionDriver(app, store, [catalogue], batch_size=3, rebuild_batch_size=3)
        assert driver.rebuild(progress=False) == history
        assert driver.positions() == {"catalogue": history}
        read = [topic for r in reads for topic in r.returned]
        stored = [n.topic for n in app.recorder.select_notifications(0, 1000)]
        wanted = [topic for topic in stored if catalogue.wants(resolve_topic(topic))]
        assert read == wanted and len(wanted) < len(stored)

        monkeypatch.setattr("projections.driver.stored_topics", lambda *args: None)
        every = clean_rebuild(app, backend, [Catalogue()])  # reading every notification
        assert dump(store) == dump(every)

    def test_a_batch_read_by_topic_spans_no_more_ids_than_an_unfiltered_one(
        self, app: GongkaiLedger, store: SqlStore, history: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Its memory stays that of `size` notifications, whatever share of them is wanted."""
        reads = spy_reads(monkeypatch, app)
        driver = ProjectionDriver(app, store, [Catalogue()], batch_size=3, rebuild_batch_size=3)
        assert driver.rebuild(progress=False) == history
        spans = [(r.start, r.stop) for r in reads]
        assert spans[0][0] == 0 and spans[-1][1] == history
        assert all(stop is not None and stop - start <= 3 for start, stop in spans)
        assert all(after == stop for (_, stop), (after, _) in pairwise(spans))

    def test_models_that_want_no_stored_topic_reach_the_head_without_reading(
        self,
        app: GongkaiLedger,
        store: SqlStore,
        history: int,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        reads = spy_reads(monkeypatch, app)
        driver = ProjectionDriver(app, store, [WantsNothing()])
        assert driver.catch_up() == history
        assert driver.positions() == {"wants_nothing": history}
        assert reads == []

    def test_models_that_want_every_topic_read_without_a_filter(
        self,
        app: GongkaiLedger,
        store: SqlStore,
        history: int,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        reads = spy_reads(monkeypatch, app)
        driver = ProjectionDriver(app, store, [SeenLog(), WantsNothing()], batch_size=4)
        assert driver.catch_up() == history
        assert all(r.asked == () for r in reads)
        assert len(seen(store)) == history


class TestFollowing:
    def test_wait_until_sees_a_commands_notification_processed_by_the_thread(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        driver = ProjectionDriver(app, store, [Catalogue(), Statistics()])
        driver.start(poll_interval=0.01)
        try:
            item = publish(app, "关于第三批专项资金的公示")
            last = app.recorder.max_notification_id()
            assert driver.wait_until(last, timeout=10)
            assert min(driver.positions().values()) >= last
            assert app.get_item(item).is_published
        finally:
            driver.stop()

    def test_a_stream_of_commands_is_folded_once_per_poll_interval(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        """Commands arriving all the time (a loaded server) are folded once per poll interval,
        not a few at a time as they come: one transaction (and one write lock) per interval."""
        history_model = Interrupting(DecisionHistory(), fail_on=0)  # counts its batches
        driver = ProjectionDriver(app, store, [history_model])
        driver.start(poll_interval=0.2)
        try:
            assert driver.wait_until(history, timeout=10)
            caught_up = history_model.batches
            streaming_until = time.monotonic() + 0.6
            while time.monotonic() < streaming_until:
                register(app, "关于专项资金的公示")
            assert driver.wait_until(app.recorder.max_notification_id(), timeout=10)
        finally:
            driver.stop()
        assert history_model.batches - caught_up <= 0.6 / 0.2 + 2

    def test_wait_until_times_out_when_nothing_processes(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        driver = ProjectionDriver(app, store, [Statistics()])
        assert not driver.wait_until(history, timeout=0.1)
        assert driver.wait_until(None)
        driver.catch_up()
        assert driver.wait_until(history, timeout=0.1, names=["statistics"])

    def test_run_forever_follows_until_stopped(
        self, app: GongkaiLedger, store: SqlStore, history: int
    ) -> None:
        driver = ProjectionDriver(app, store, [SeenLog()], batch_size=2)
        follower = threading.Thread(target=driver.run_forever, args=(0.01,))
        follower.start()
        try:
            assert driver.wait_until(history, timeout=10)
            publish(app, "关于第四批专项资金的公示", formed_on=date(2025, 4, 1))
            assert driver.wait_until(app.recorder.max_notification_id(), timeout=10)
        finally:
            driver.stop()
            follower.join(timeout=10)
        assert not follower.is_alive()

    def test_model_names_must_be_unique(self, app: GongkaiLedger, store: SqlStore) -> None:
        with pytest.raises(ValueError, match="unique"):
            ProjectionDriver(app, store, [Statistics(), Statistics()])
        with pytest.raises(KeyError, match="no read model named 'docket'"):
            ProjectionDriver(app, store, [Statistics()]).rebuild(["docket"])
