"""A real event store for the ledger: a SQLite file written through `GongkaiLedger.embedded` by
real commands (item lifecycles, requests received and registered), with one notification id
burnt the way PostgreSQL burns one on a rejected save. Each test works on its own copy.

The helpers here read and tamper with `stored_events` directly through `sqlite3`, the way someone
with access to the database file would, bypassing the application.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import Attribute, Channel, RequestChannel, ReviewConclusion, Role
from domain.disclosure_request import Applicant
from projections.ledger import merkle
from projections.ledger.note import Signer
from projections.ledger.store import LedgerFollower, LedgerStore
from projections.store import SqliteStore

AGENCY = "005253103"
DEPT = "规划处"
FORMED = date(2025, 3, 3)
ORIGIN = "gongkai-ledger.example/test"
KEY_NAME = "gongkai-ledger.example/test/2025"
APPLICANT = {
    "applicant_type": "natural_person",
    "name": "欧阳秀珍",
    "id_document": "410105198807071234",
    "address": "郑州市金水区文化路88号",
    "contact": "13912345678",
}


def actor(role: Role) -> Actor:
    return Actor(official_id=f"t-{role.value}", role=role, department=DEPT)


def run_commands(app: GongkaiLedger, items: int, requests: int, tag: str = "") -> None:
    """Item lifecycles (6 events each) and requests received then registered (the register
    command saves the request and the agency's number sequence together)."""
    drafter, office = actor(Role.DRAFTER), actor(Role.DISCLOSURE_OFFICE)
    reviewer, leader = actor(Role.CONFIDENTIALITY_REVIEWER), actor(Role.LEADER_IN_CHARGE)
    for n in range(items):
        item = app.register_item(
            drafter,
            agency_code=AGENCY,
            title=f"关于印发{tag}第{n}号数字经济发展实施方案的通知",
            department=DEPT,
            formed_on=FORMED,
        ).id
        app.mark_attribute(item, drafter, FORMED, Attribute.PROACTIVE)
        app.audit_attribute(item, office, FORMED)
        app.review_confidentiality(item, reviewer, date(2025, 3, 4), ReviewConclusion.PROACTIVE)
        app.approve_item(
            item, leader, date(2025, 3, 5), Approval(approver=leader, approved_on=FORMED)
        )
        app.publish_item(item, office, date(2025, 3, 6), (Channel.PORTAL,))
    for n in range(requests):
        request = app.receive_request(
            office,
            agency_code=AGENCY,
            channel=RequestChannel.ONLINE,
            applicant=Applicant.model_validate(APPLICANT),
            description=f"申请公开{tag}第{n}批中小企业扶持资金分配结果",
            department=DEPT,
            confirmed_on=FORMED,
        ).id
        app.register_request(request, office, FORMED)


# ---- direct access to the SQLite file ----------------------------------------------------------


@dataclass(frozen=True)
class Row:
    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes

    def leaf_hash(self) -> bytes:
        """Computed from the raw row, independently of the recorder and the follower."""
        return merkle.event_leaf_hash(
            self.notification_id,
            str(UUID(self.originator_id)),
            self.originator_version,
            self.topic,
            self.state,
        )


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=30)


def stored_rows(path: Path) -> list[Row]:
    with closing(connect(path)) as connection:
        rows = connection.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()
    return [Row(int(r[0]), str(r[1]), int(r[2]), str(r[3]), bytes(r[4])) for r in rows]


def reference_root(path: Path, size: int | None = None) -> bytes:
    rows = stored_rows(path)
    return merkle.root_from_leaf_hashes(row.leaf_hash() for row in rows[:size])


def execute(path: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    with closing(connect(path)) as connection:
        connection.execute(sql, params)


def set_state(path: Path, notification_id: int, state: bytes) -> None:
    execute(path, "UPDATE stored_events SET state = ? WHERE rowid = ?", (state, notification_id))


def burn_notification_id(path: Path) -> int:
    """Take a notification id and leave a hole, as PostgreSQL does when a save is rejected."""
    with closing(connect(path)) as connection:
        cursor = connection.execute(
            "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
            "VALUES (?, 1, 'burnt', x'')",
            (uuid4().hex,),
        )
        return int(cursor.lastrowid or 0)


# ---- the store under test ---------------------------------------------------------------------


@dataclass
class World:
    """The application, the read-model store and the ledger over one SQLite file."""

    path: Path
    app: GongkaiLedger
    store: SqliteStore
    ledger: LedgerStore
    follower: LedgerFollower
    burnt: int  # the notification id left as a hole

    def close(self) -> None:
        self.follower.stop()
        self.store.close()
        self.app.close()


def open_world(path: Path, burnt: int = 0, origin: str | None = ORIGIN) -> World:
    app = GongkaiLedger.embedded(str(path))
    store = SqliteStore(str(path))
    ledger = LedgerStore(store, app.recorder, origin=origin)
    ledger.create_tables()
    return World(path, app, store, ledger, LedgerFollower(app, ledger, batch_size=64), burnt)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The SQLite file every test copies: 30 item lifecycles, 12 registered requests (about
    220 events) and one burnt notification id among them."""
    path = tmp_path_factory.mktemp("ledger-template") / "gongkai.sqlite"
    app = GongkaiLedger.embedded(str(path))
    run_commands(app, items=15, requests=6, tag="甲")
    burnt = burn_notification_id(path)
    run_commands(app, items=15, requests=6, tag="乙")
    execute(path, "DELETE FROM stored_events WHERE rowid = ?", (burnt,))
    app.close()
    execute(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    return path, burnt


def copy_database(source: Path, target: Path) -> None:
    with closing(connect(source)) as origin, closing(connect(target)) as copy:
        origin.backup(copy)


@pytest.fixture
def world(template: tuple[Path, int], tmp_path: Path) -> Iterator[World]:
    source, burnt = template
    path = tmp_path / "gongkai.sqlite"
    copy_database(source, path)
    opened = open_world(path, burnt)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer.generate(KEY_NAME)


@pytest.fixture
def keyring(signer: Signer, tmp_path: Path) -> Path:
    """The published keyring an auditor trusts (not the bundle's own copy)."""
    path = tmp_path / "published-keyring.txt"
    path.write_text(signer.verifier().encoded() + "\n", encoding="utf-8")
    return path


def run_verifier(bundle: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The bundle's own copy of verify_bundle.py, in a fresh interpreter, as an auditor runs it."""
    return subprocess.run(
        [sys.executable, str(bundle / "verify_bundle.py"), str(bundle), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
