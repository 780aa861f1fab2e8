"""The `gongkai` command configured for production by environment variables alone
(`PERSISTENCE_MODULE=eventsourcing.postgres`, `POSTGRES_*`, docs/operations.md): tokens, a
projection rebuild and the history, against a PostgreSQL schema created on first use."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.auth import OfficialRegistry
from api.cli import app
from domain.base import Actor, Approval
from domain.codes import Attribute, Channel, ReviewConclusion, Role
from projections.catalogue import search
from projections.postgres_store import PostgresStore
from tests.backends import Backend, open_backend
from tests.deployment import Deployment

pytestmark = pytest.mark.postgres

AGENCY = "005253103"
DEPT = "规划科"
ON = date(2025, 3, 3)


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Backend]:
    yield from open_backend("postgres", tmp_path)


def test_the_cli_runs_on_postgresql_from_the_environment(pg: Backend) -> None:
    # A schema nobody created yet: the first command creates it (and drops it at the end).
    config = pg.uncreated("cli")
    env = Deployment(config, pg.directory / "cli").env()
    runner = CliRunner(env=env)

    token_args = ["--official", "zhang-wei", "--role", "drafter", "--department", DEPT]
    issued = runner.invoke(app, ["token", *token_args, "--agency", AGENCY])
    assert issued.exit_code == 0, issued.output
    store = PostgresStore(config, min_size=0)
    try:
        official = OfficialRegistry(store).authenticate(issued.output.strip())
        assert official is not None and official.role is Role.DRAFTER

        ledger = Backend("postgres", pg.directory, config.schema).ledger()
        drafter = Actor(official_id="zhang-wei", role=Role.DRAFTER, department=DEPT)
        leader = Actor(official_id="li-lei", role=Role.LEADER_IN_CHARGE, department="局领导")
        item = ledger.register_item(
            drafter, agency_code=AGENCY, title="关于印发数字经济规划的通知", department=DEPT,
            formed_on=ON,
        ).id  # fmt: skip
        ledger.mark_attribute(item, drafter, ON, Attribute.PROACTIVE)
        ledger.review_confidentiality(item, drafter, ON, ReviewConclusion.PROACTIVE)
        ledger.approve_item(item, leader, ON, Approval(approver=leader, approved_on=ON))
        ledger.publish_item(item, drafter, ON, [Channel.PORTAL])
        ledger.close()

        rebuilt = runner.invoke(app, ["projections", "rebuild"])
        assert rebuilt.exit_code == 0, rebuilt.output
        assert "rebuilt from 5 events" in rebuilt.output
        with store.reading() as tx:
            assert [e.title for e in search(tx, "规划").entries] == ["关于印发数字经济规划的通知"]

        shown = runner.invoke(app, ["history", str(item)])
        assert shown.exit_code == 0, shown.output
        assert "Published" in shown.output
    finally:
        store.close()
