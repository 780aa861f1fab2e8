"""A rebuild in two processes (`gongkai projections rebuild`, projections/parallel.py) gives
exactly what a rebuild in one process gives, and splits the models by cost."""

from __future__ import annotations

from functools import partial

import pytest

from api.stores import open_for_rebuild
from projections.driver import ProjectionDriver
from projections.parallel import group_cost, partition, rebuild_in_processes
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
        driver = ProjectionDriver(app, store, models, batch_size=500)
        driver.catch_up()  # a store in use: the rebuild must reset, not add to, what is there

        opener = partial(open_for_rebuild, settings)
        reports = rebuild_in_processes(driver, opener, workers=2, progress=False)
        assert [report.events for report in reports] == [head, head]
        assert sorted(name for report in reports for name in report.models) == sorted(
            model.name for model in models
        )
        assert all(report.peak_rss_kb > 0 for report in reports)

        clean = backend.store("clean")
        ProjectionDriver(app, clean, all_read_models(app.policies)).rebuild(progress=False)
        assert driver.positions() == {model.name: head for model in models}
        assert dump(store) == dump(clean)
    finally:
        store.close()
        app.close()


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_the_models_wanting_every_event_go_together_and_the_costliest_group_first(
    dialect: str,
) -> None:
    groups = partition(all_read_models(), 2, dialect)
    assert [{model.name for model in group} for group in groups] == [
        {"docket", "decision_history"},
        {"catalogue", "statistics", "annual_review", "annual_report"},
    ]
    assert group_cost(groups[0], dialect) >= group_cost(groups[1], dialect)


def test_one_model_or_one_worker_is_one_group() -> None:
    assert [len(group) for group in partition(all_read_models()[:1], 2)] == [1]
    assert [len(group) for group in partition(all_read_models(), 1)] == [6]


def test_more_workers_than_models_leaves_no_empty_group() -> None:
    groups = partition(all_read_models()[:3], 10)
    assert all(groups)
    assert sum(len(group) for group in groups) == 3
