"""A rebuild in worker processes (`gongkai projections rebuild --workers 2`) gives exactly what a
rebuild in one process gives, and splits the models by cost."""

from __future__ import annotations

from functools import partial

import pytest

from api.services import open_for_rebuild
from projections.driver import ProjectionDriver
from projections.parallel import partition, rebuild_in_processes
from projections.registry import all_read_models
from tests.backends import Backend
from tests.bench.history import HistoryGenerator
from tests.unit.projections.ledger_story import dump


@pytest.mark.slow
def test_a_rebuild_in_two_processes_equals_one_in_this_process(backend: Backend) -> None:
    settings = backend.settings()
    app, store, models = open_for_rebuild(settings)
    try:
        HistoryGenerator(seed=11).write(app, 4_000)
        head = app.recorder.max_notification_id()
        driver = ProjectionDriver(app, store, models)
        driver.catch_up()  # a store in use: the rebuild must reset, not add to, what is there

        opener = partial(open_for_rebuild, settings)
        assert rebuild_in_processes(driver, opener, workers=2, progress=False) == head

        clean = backend.store("clean")
        ProjectionDriver(app, clean, all_read_models(app.policies)).rebuild(progress=False)
        assert driver.positions() == {model.name: head for model in models}
        assert dump(store) == dump(clean)
    finally:
        store.close()
        app.close()


def test_models_are_split_into_groups_of_about_equal_cost() -> None:
    groups = partition(all_read_models(), 2)
    names = [{model.name for model in group} for group in groups]
    assert names == [
        {"catalogue", "annual_review", "statistics"},
        {"docket", "decision_history", "annual_report"},
    ]
    assert [len(group) for group in partition(all_read_models()[:1], 2)] == [1]


def test_more_workers_than_models_leaves_no_empty_group() -> None:
    groups = partition(all_read_models(), 10)
    assert len(groups) == len(all_read_models())
    assert all(len(group) == 1 for group in groups)
