"""The backup and restore procedure of docs/operations.md, run for real: `pg_dump -Fc -n SCHEMA`,
the schema dropped, `pg_restore`, and the service carries on where it stopped — the same events,
new notification ids after the old ones, read models and tokens back."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.auth import Official, OfficialRegistry
from domain.base import Actor
from domain.codes import Attribute, Role
from projections.driver import ProjectionDriver
from projections.postgres_store import drop_schema
from projections.registry import all_read_models
from tests.backends import Backend, open_backend
from tests.unit.projections.ledger_story import dump

pytestmark = pytest.mark.postgres

DRAFTER = Actor(official_id="bk-drafter", role=Role.DRAFTER, department="规划科")
ON = date(2025, 3, 3)


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Backend]:
    yield from open_backend("postgres", tmp_path)


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def test_pg_dump_and_pg_restore_of_the_schema_bring_everything_back(pg: Backend) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump / pg_restore are not installed")
    config = pg.config
    app = pg.ledger()
    items = [
        app.register_item(
            DRAFTER, agency_code="005253103", title=f"关于第{n}批备份演练的通知",
            department="规划科", formed_on=ON,
        ).id
        for n in range(3)
    ]  # fmt: skip
    app.mark_attribute(items[0], DRAFTER, ON, Attribute.PROACTIVE)
    store = pg.store()
    ProjectionDriver(app, store, all_read_models()).catch_up()
    registry = OfficialRegistry(store)
    registry.create_tables()
    token = registry.issue_token(
        Official(official_id="bk-drafter", role=Role.DRAFTER, department="规划科",
                 agency_code="005253103")
    )  # fmt: skip
    before = dump(store)
    head = app.recorder.max_notification_id()
    app.close()
    store.close()

    archive = pg.directory / "gongkai.dump"
    where = ["-h", config.host, "-p", str(config.port), "-U", config.user, "-d", config.dbname]
    run("pg_dump", *where, "-Fc", "-n", config.schema, "-f", str(archive))
    drop_schema(config)
    run("pg_restore", *where, str(archive))

    restored = pg.ledger()
    restored_store = pg.store()
    assert [type(e).__name__ for e in restored.history(items[0])] == [
        "Registered",
        "AttributeMarked",
    ]
    assert dump(restored_store) == before
    assert OfficialRegistry(restored_store).authenticate(token) is not None
    # The notification sequence was restored too: new events follow the old ones.
    position = restored.mark_attribute(items[1], DRAFTER, ON, Attribute.PROACTIVE).notification_id
    assert position is not None and position > (head or 0)
