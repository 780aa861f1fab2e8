"""Folding outside the write lock (`ProjectionDriver(fold_outside_lock=True)`, used by the
rebuild in several processes): the same tables, and still exactly once when another driver
commits between the fold and the write."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from domain.application import GongkaiLedger
from domain.base import DomainEvent
from projections.driver import FOLD_ATTEMPTS, ProjectionDriver
from projections.registry import all_read_models
from projections.statistics import Statistics
from projections.store import SqlStore, Tx
from tests.backends import Backend
from tests.unit.projections.ledger_story import dump, publish, receive, register, withhold
from tests.unit.projections.test_driver import SeenLog, clean_rebuild, seen


class Meddled:
    """A store whose write transactions after a fold are preceded by `meddle()`, `times` times:
    another driver committing between a fold and its write."""

    def __init__(self, store: SqlStore, meddle: Callable[[], None], times: int = 1) -> None:
        self._store = store
        self.dialect = store.dialect
        self.meddle = meddle
        self.times = times
        self.meddled = 0
        self._folded = False

    def transaction(self) -> Iterator[Tx]:
        if self._folded and self.meddled < self.times:
            self.meddled += 1
            self.meddle()
        self._folded = False
        return self._store.transaction()  # type: ignore[return-value]

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        with self._store.snapshot() as tx:
            yield tx
        self._folded = True

    def reading(self) -> Iterator[Tx]:
        return self._store.reading()  # type: ignore[return-value]

    def close(self) -> None:
        self._store.close()


class ReadsBack:
    """A model that reads its own table after writing to it in the same batch."""

    name = "reads_back"
    version = 1

    def create(self, tx: Tx) -> None:
        tx.execute("CREATE TABLE IF NOT EXISTS reads_back (n BIGINT PRIMARY KEY)")

    def drop(self, tx: Tx) -> None:
        tx.execute("DROP TABLE IF EXISTS reads_back")

    def handle(self, tx: Tx, event: DomainEvent, notification_id: int) -> None:
        tx.execute("INSERT INTO reads_back (n) VALUES (?)", (notification_id,))
        tx.fetchone("SELECT count(*) FROM reads_back")


@pytest.fixture
def app(backend: Backend) -> GongkaiLedger:
    app = backend.ledger()
    publish(app)
    withhold(app)
    receive(app)
    publish(app, "关于做好安全生产专项检查的通知")
    register(app, "二〇二五年度部门预算")
    return app


def test_folding_outside_the_lock_gives_the_tables_of_folding_inside(
    app: GongkaiLedger, backend: Backend
) -> None:
    store = backend.store()
    driver = ProjectionDriver(app, store, all_read_models(), batch_size=4, fold_outside_lock=True)
    driver.rebuild(progress=False)
    head = app.recorder.max_notification_id()
    assert set(driver.positions().values()) == {head}
    assert dump(store) == dump(clean_rebuild(app, backend))


@pytest.mark.parametrize("times", [1, FOLD_ATTEMPTS])
def test_a_batch_another_driver_committed_meanwhile_is_not_applied_twice(
    app: GongkaiLedger, backend: Backend, times: int
) -> None:
    other = ProjectionDriver(app, backend.store(), [SeenLog(), Statistics()], batch_size=3)
    other.prepare()
    store = Meddled(backend.store(), other.run_once, times)
    driver = ProjectionDriver(
        app,
        store,  # type: ignore[arg-type]
        [SeenLog(), Statistics()],
        batch_size=3,
        fold_outside_lock=True,
    )
    driver.catch_up()
    assert store.meddled == times
    head = app.recorder.max_notification_id()
    clean = clean_rebuild(app, backend, [SeenLog(), Statistics()])
    assert seen(store._store) == seen(clean)
    assert dump(store._store) == dump(clean)
    assert driver.positions() == {"seen_log": head, "statistics": head}


def test_a_model_that_reads_back_its_own_writes_is_refused(
    app: GongkaiLedger, backend: Backend
) -> None:
    store = backend.store()
    driver = ProjectionDriver(app, store, [ReadsBack()], fold_outside_lock=True)
    with pytest.raises(RuntimeError, match="a read after a write"):
        driver.catch_up()
    assert driver.positions() == {"reads_back": 0}
    folded_inside = ProjectionDriver(app, store, [ReadsBack()])
    assert folded_inside.catch_up() == app.recorder.max_notification_id()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # SQLite: one lock per file
def test_on_postgres_a_driver_locks_only_its_own_models_tracking_rows(
    backend: Backend,
) -> None:
    app = backend.ledger()
    publish(app)
    store = backend.store()
    ProjectionDriver(app, store, [SeenLog(), Statistics()]).prepare()
    finished = threading.Event()

    def follow_statistics() -> None:
        ProjectionDriver(app, backend.store(), [Statistics()]).catch_up()
        finished.set()

    with store.transaction() as tx:
        tx.fetchall("SELECT position FROM projection_tracking WHERE name = 'seen_log' FOR UPDATE")
        thread = threading.Thread(target=follow_statistics)
        thread.start()
        assert finished.wait(10), "waited for another model's tracking row"
    thread.join()
