"""The tamper-evident ledger on PostgreSQL: the tree over the real `gongkailedger_events` rows
(a burnt notification id included, as a rejected concurrent save leaves one), two followers in
one schema, a signed checkpoint with proofs, and a tampered row exposed by the exported bundle's
standalone verifier. The SQLite file variants are in the other tests of this package."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from projections.ledger import merkle
from projections.ledger.note import Signer, open_checkpoint
from projections.ledger.store import LedgerFollower, LedgerStore
from tests.backends import Backend, open_backend
from tests.integration.ledger.conftest import ORIGIN, Row, run_commands, run_verifier

pytestmark = pytest.mark.postgres

TABLE = "gongkailedger_events"


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Backend]:
    yield from open_backend("postgres", tmp_path)


def sql(pg: Backend, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Straight at the database, as someone holding its credentials would."""
    with psycopg.connect(**pg.config.connect_kwargs(), autocommit=True) as connection:
        connection.execute(f"SET search_path = {pg.schema}")
        cursor = connection.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def stored_rows(pg: Backend) -> list[Row]:
    rows = sql(
        pg,
        f"SELECT notification_id, originator_id, originator_version, topic, state FROM {TABLE} "
        "ORDER BY notification_id",
    )
    return [Row(int(a), str(b), int(c), str(d), bytes(e)) for a, b, c, d, e in rows]  # type: ignore[arg-type, call-overload]


def reference_root(pg: Backend) -> bytes:
    return merkle.root_from_leaf_hashes(row.leaf_hash() for row in stored_rows(pg))


def burn_notification_id(pg: Backend) -> int:
    """What a rejected save does on PostgreSQL: the sequence moved, no row was kept."""
    row = sql(pg, f"SELECT nextval(pg_get_serial_sequence('{TABLE}', 'notification_id'))")
    return int(row[0][0])  # type: ignore[call-overload]


def open_ledger(pg: Backend) -> tuple[LedgerStore, LedgerFollower]:
    app = pg.ledger()
    ledger = LedgerStore(pg.store(), app.recorder, origin=ORIGIN)
    ledger.create_tables()
    return ledger, LedgerFollower(app, ledger, batch_size=64)


@pytest.fixture
def world(pg: Backend) -> tuple[Backend, LedgerStore, LedgerFollower, int]:
    app = pg.ledger()
    run_commands(app, items=8, requests=3, tag="甲")
    burnt = burn_notification_id(pg)
    run_commands(app, items=8, requests=3, tag="乙")
    ledger, follower = open_ledger(pg)
    return pg, ledger, follower, burnt


def test_the_tree_covers_every_stored_event_across_a_burnt_id(world) -> None:  # type: ignore[no-untyped-def]
    pg, ledger, follower, burnt = world
    rows = stored_rows(pg)
    assert burnt not in [row.notification_id for row in rows]
    assert burnt - 1 in [row.notification_id for row in rows]

    assert follower.catch_up() == len(rows)
    assert ledger.head().size == len(rows)
    assert ledger.root() == reference_root(pg)


def test_two_followers_in_one_schema_append_each_event_once(world) -> None:  # type: ignore[no-untyped-def]
    pg, ledger, follower, _ = world
    _, other = open_ledger(pg)
    errors: list[BaseException] = []

    def follow(each: LedgerFollower) -> None:
        try:
            each.catch_up()
        except BaseException as error:  # e.g. both appending leaf 0 under READ COMMITTED
            errors.append(error)

    threads = [threading.Thread(target=follow, args=(f,)) for f in (follower, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    rows = stored_rows(pg)
    assert sql(pg, "SELECT COUNT(*) FROM ledger_leaf") == [(len(rows),)]
    assert ledger.root() == reference_root(pg)


def test_a_checkpoint_and_its_proofs_verify(world, signer: Signer) -> None:  # type: ignore[no-untyped-def]
    pg, ledger, follower, _ = world
    follower.run_once(batch=40)
    first = open_checkpoint(ledger.checkpoint(signer), [signer.verifier()])
    follower.catch_up()
    latest = open_checkpoint(ledger.checkpoint(signer), [signer.verifier()])

    assert latest.size == len(stored_rows(pg)) and latest.root_hash == reference_root(pg)
    assert ledger.consistency_proof(first.size, latest.size).verify()
    assert ledger.inclusion_proof(stored_rows(pg)[5].notification_id).verify()


def test_a_tampered_row_is_named_by_the_exported_bundle(  # type: ignore[no-untyped-def]
    world, signer: Signer, keyring: Path
) -> None:
    pg, ledger, follower, _ = world
    follower.catch_up()
    ledger.checkpoint(signer)
    victim = stored_rows(pg)[20]
    sql(
        pg,
        f"UPDATE {TABLE} SET state = %s WHERE notification_id = %s",
        (victim.state.replace(b"2025", b"2024", 1), victim.notification_id),
    )
    bundle = pg.directory / "bundle"
    ledger.export(bundle)
    result = run_verifier(bundle, "--public-key", str(keyring))
    output = result.stdout + result.stderr
    assert result.returncode != 0
    bad = [line for line in output.splitlines() if "first bad event" in line]
    assert len(bad) == 1 and f"notification_id={victim.notification_id}," in bad[0]
