"""What the read models may hold: the catalogue only published, in-force, public items as
they were published; no read model any applicant's personal data."""

from __future__ import annotations

import tempfile
from pathlib import Path
from uuid import UUID

from hypothesis import HealthCheck, given, settings

from domain.application import GongkaiLedger
from domain.codes import Attribute, Validity
from domain.disclosure_item import DisclosureItem
from projections.driver import ProjectionDriver
from projections.registry import all_read_models
from projections.store import SqlStore
from tests.backends import Backend, backend_for
from tests.bench.history import APPLICANT_NAMES, HistoryGenerator
from tests.integration.random_history import Step, World, steps
from tests.unit.projections.ledger_story import PERSONAL_DATA, cells, dump


def published_title(app: GongkaiLedger, item_id: UUID) -> str | None:
    """The title the item had when it was last published, from its events."""
    title, published = None, None
    for event in app.history(item_id):
        if isinstance(event, DisclosureItem.Registered | DisclosureItem.Changed) and event.title:
            title = event.title
        if isinstance(event, DisclosureItem.Published):
            published = title
    return published


def assert_catalogue_shows_exactly_the_public_items(app: GongkaiLedger, store: SqlStore) -> None:
    tables = dump(store)
    listed = {row[0]: row for row in tables["catalogue_entries"]}
    log = app.recorder.select_notifications(0, 10**6)
    items = {str(n.originator_id) for n in log if n.topic.endswith("DisclosureItem.Registered")}
    requests = {str(n.originator_id) for n in log if n.topic.endswith("Request.Received")}
    for item_id in items:
        item = app.get_item(UUID(item_id))
        public = (
            item.is_published
            and item.validity is Validity.IN_FORCE
            and item.attribute is Attribute.PROACTIVE
        )
        # 001 Art 8: nothing unpublished online; 003 Art 14: revoked items leave the catalogue.
        assert (item_id in listed) == public, item_id
        if public:
            assert listed[item_id][5] == published_title(app, UUID(item_id))
    assert not requests & {str(value) for row in tables["catalogue_entries"] for value in row}
    assert not requests & {row[1] for row in tables["catalogue_feed"]}


@settings(
    max_examples=25,
    deadline=None,
    # `backend_name` is a plain string: sharing it between examples is safe.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(history=steps())
def test_after_any_history_the_catalogue_lists_exactly_the_public_items(
    backend_name: str, history: list[Step]
) -> None:
    """001 Art 8 (no unreviewed information online), 003 Art 12(四) and Art 14 (published, then
    listed; changes and revocations followed), 004 att.3 Art 5 (nothing that must not be
    published); and the Regulation Art 29 data of applicants reaches no read model."""
    with tempfile.TemporaryDirectory() as folder, backend_for(backend_name, Path(folder)) as b:
        app = GongkaiLedger.in_memory()
        world = World(app)
        store = b.store("read")
        driver = ProjectionDriver(app, store, all_read_models(), batch_size=9)
        for step in history:
            world.run(step)
            if step[0] == "project":
                driver.run_once()
        driver.catch_up()
        assert_catalogue_shows_exactly_the_public_items(app, store)
        text = "\n".join(cells(store))
        assert not [value for value in PERSONAL_DATA if value in text]


def test_no_read_model_holds_applicant_data_after_a_large_mixed_history(backend: Backend) -> None:
    """The Regulation Art 29; 004 att.2 Art 3-4: name, identity document, address and contact
    stay in the event store."""
    app = backend.ledger()
    HistoryGenerator(seed=11).write(app, 4_000)
    store = backend.store("read")
    ProjectionDriver(app, store, all_read_models()).rebuild(progress=False)
    text = "\n".join(cells(store))
    assert "申请公开某项目的审批文件" not in text
    for secret in (*APPLICANT_NAMES, "110101199001011234", "某市某区某街1号", "13800000000"):
        assert secret not in text, secret
    tables = dump(store)
    assert tables["decision_history"] and tables["catalogue_entries"]
