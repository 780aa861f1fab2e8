"""Tampering with the real SQLite store after a checkpoint, then exporting and running the
standalone verifier: every change to a logged event is detected and the first bad event is
named by its notification id.

The tampering goes straight at `stored_events` with `sqlite3`, as someone holding the database
file would: the application, the follower and the exporter are not involved.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.ledger import merkle
from projections.ledger import verify_bundle as vb
from projections.ledger.note import Signer
from projections.ledger.store import KEYRING_ENV, LedgerIntegrityError, LedgerStore
from tests.integration.ledger.conftest import (
    World,
    copy_database,
    execute,
    open_world,
    run_commands,
    run_verifier,
    set_state,
    stored_rows,
)

FIRST_CHECKPOINT = 100


def delete(path: Path, notification_id: int) -> None:
    execute(path, "DELETE FROM stored_events WHERE rowid = ?", (notification_id,))


def log_and_sign(world: World, signer: Signer) -> None:
    """Two checkpoints: one part-way, one over every stored event."""
    world.follower.run_once(batch=FIRST_CHECKPOINT)
    world.ledger.checkpoint(signer)
    world.follower.catch_up()
    world.ledger.checkpoint(signer)


def export_and_verify(world: World, directory: Path, keyring: Path) -> tuple[int, str]:
    bundle = directory / "bundle"
    world.ledger.export(bundle)
    result = run_verifier(bundle, "--public-key", str(keyring))
    return result.returncode, result.stdout + result.stderr


def names_event(output: str, notification_id: int) -> bool:
    lines = [line for line in output.splitlines() if "first bad event" in line]
    return len(lines) == 1 and f"notification_id={notification_id}," in lines[0]


@pytest.fixture
def signed(world: World, signer: Signer) -> World:
    log_and_sign(world, signer)
    return world


class TestTamperingIsDetected:
    def test_an_untouched_store_verifies(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 0, output
        assert f"OK: {len(stored_rows(signed.path))} events verified" in output
        assert "checkpoints: 2 signed" in output

    def test_one_changed_byte_of_a_state(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        victim = stored_rows(signed.path)[57]
        state = bytearray(victim.state)
        state[len(state) // 2] ^= 0x01
        set_state(signed.path, victim.notification_id, bytes(state))

        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 1, output
        assert "differs from the leaf hash the ledger recorded" in output
        assert names_event(output, victim.notification_id), output

    def test_one_deleted_row(self, signed: World, tmp_path: Path, keyring: Path) -> None:
        rows = stored_rows(signed.path)
        deleted, successor = rows[120], rows[121]
        delete(signed.path, deleted.notification_id)

        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 1, output
        # The event after the hole now sits at the deleted event's leaf position.
        assert names_event(output, successor.notification_id), output
        assert "leaf_index=120," in output

    def test_one_forged_row_inserted_among_signed_events(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        # The burnt notification id is a hole inside the signed range: a forger can fill it
        # with a well-formed first event of a new item, and nothing else looks out of place.
        template = next(r for r in stored_rows(signed.path) if r.originator_version == 1)
        execute(
            signed.path,
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, 1, ?, ?)",
            (signed.burnt, "0" * 31 + "1", template.topic, template.state),
        )

        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 1, output
        assert names_event(output, signed.burnt), output

    def test_two_events_with_swapped_states(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        rows = stored_rows(signed.path)
        first, second = rows[30], rows[150]
        set_state(signed.path, first.notification_id, second.state)
        set_state(signed.path, second.notification_id, first.state)

        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 1, output
        assert names_event(output, first.notification_id), output

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("topic", "domain.disclosure_item:DisclosureItem.Archived"),
            ("originator_id", "0" * 31 + "2"),
            ("originator_version", 99),
        ],
    )
    def test_a_changed_column(
        self, signed: World, tmp_path: Path, keyring: Path, column: str, value: object
    ) -> None:
        victim = stored_rows(signed.path)[77]
        execute(
            signed.path,
            f"UPDATE stored_events SET {column} = ? WHERE rowid = ?",
            (value, victim.notification_id),
        )

        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 1, output
        assert names_event(output, victim.notification_id), output

    def test_a_change_covered_up_in_the_ledger_tables_still_fails(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        # The forger also rewrites the recorded leaf hash and every node, but cannot re-sign.
        rows = stored_rows(signed.path)
        victim = rows[42]
        assert b"2025" in victim.state
        set_state(signed.path, victim.notification_id, victim.state.replace(b"2025", b"2024"))
        hashes = [row.leaf_hash() for row in stored_rows(signed.path)]
        for node in merkle.MemoryTree(hashes).nodes():
            if node.level == 0:
                sql = "UPDATE ledger_leaf SET leaf_hash = ? WHERE leaf_index = ?"
                execute(signed.path, sql, (node.digest, node.index))
            else:
                sql = "UPDATE ledger_node SET hash = ? WHERE level = ? AND node_index = ?"
                execute(signed.path, sql, (node.digest, node.level, node.index))

        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 1, output
        assert f"differs from the signed checkpoint of size {FIRST_CHECKPOINT}" in output
        assert f"among leaves 0..{FIRST_CHECKPOINT - 1}" in output


class TestExportCoverage:
    def test_events_after_the_checkpoint_are_an_unsigned_tail(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        run_commands(signed.app, items=1, requests=0, tag="戊")
        signed.follower.catch_up()
        bundle = tmp_path / "bundle"

        summary = signed.ledger.export(bundle, include_unsigned_tail=True)

        assert summary.events == len(stored_rows(signed.path))
        refused = run_verifier(bundle, "--public-key", str(keyring))
        assert refused.returncode == 1
        assert "not covered by any signed checkpoint" in refused.stdout
        accepted = run_verifier(bundle, "--public-key", str(keyring), "--allow-unsigned-tail")
        assert accepted.returncode == 0, accepted.stdout

    def test_an_export_through_an_older_checkpoint(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        bundle = tmp_path / "bundle"

        summary = signed.ledger.export(bundle, tree_size=FIRST_CHECKPOINT)

        assert (summary.events, summary.checkpoints) == (FIRST_CHECKPOINT, [FIRST_CHECKPOINT])
        result = run_verifier(bundle, "--public-key", str(keyring))
        assert result.returncode == 0, result.stdout

    def test_the_last_logged_event_deleted(
        self, signed: World, tmp_path: Path, keyring: Path
    ) -> None:
        rows = stored_rows(signed.path)
        delete(signed.path, rows[-1].notification_id)

        status, output = export_and_verify(signed, tmp_path, keyring)

        assert status == 1, output
        assert f"the events from leaf {len(rows) - 1} on are missing" in output
        # The verifier cannot name an event that is not there; the exporter can.
        summary = signed.ledger.export(tmp_path / "again")
        assert f"notification ids {rows[-1].notification_id}" in "\n".join(summary.warnings)

    def test_the_exporter_reports_a_deleted_row(self, signed: World, tmp_path: Path) -> None:
        run_commands(signed.app, items=1, requests=0, tag="己")  # events after the checkpoint
        rows = stored_rows(signed.path)
        delete(signed.path, rows[5].notification_id)

        summary = signed.ledger.export(tmp_path / "bundle")

        assert "rows were deleted" in summary.warnings[0]
        assert f"notification ids {rows[5].notification_id}" in summary.warnings[1]

    def test_the_exporter_reports_an_inserted_row(self, signed: World, tmp_path: Path) -> None:
        row = stored_rows(signed.path)[0]
        execute(
            signed.path,
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, 1, ?, ?)",
            (signed.burnt, "0" * 31 + "3", row.topic, row.state),
        )

        summary = signed.ledger.export(tmp_path / "bundle")

        assert "rows were inserted" in summary.warnings[0]

    def test_an_untouched_export_has_no_discrepancy(self, signed: World, tmp_path: Path) -> None:
        summary = signed.ledger.export(tmp_path / "bundle")

        assert not any("rows were" in warning for warning in summary.warnings)

    def test_the_published_keyring_goes_into_the_bundle(
        self, signed: World, tmp_path: Path, keyring: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(KEYRING_ENV, str(keyring))
        ledger = LedgerStore.for_app(signed.app, signed.store)

        summary = ledger.export(tmp_path / "bundle")

        assert (tmp_path / "bundle" / "public_key.txt").read_text() == keyring.read_text()
        assert not any("published keyring" in warning for warning in summary.warnings)

    def test_checkpoints_the_published_keyring_does_not_verify_are_not_exported(
        self, signed: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        other = tmp_path / "keyring.txt"
        other.write_text(Signer.generate("someone/else").verifier().encoded() + "\n")
        monkeypatch.setenv(KEYRING_ENV, str(other))

        with pytest.raises(LedgerIntegrityError, match="checkpoint 100"):
            LedgerStore.for_app(signed.app, signed.store).export(tmp_path / "bundle")
        assert not (tmp_path / "bundle").exists()

    def test_a_bundle_that_verifies_against_another_key_is_refused(
        self, signed: World, tmp_path: Path
    ) -> None:
        other = tmp_path / "someone-elses-keyring.txt"
        other.write_text(Signer.generate("someone/else").verifier().encoded() + "\n")

        status, output = export_and_verify(signed, tmp_path, other)

        assert status == 1
        assert "FAIL" in output


# ---- every single-byte change is detected -------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(
    template: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory, signer: Signer
) -> Iterator[tuple[World, Path]]:
    source, burnt = template
    directory = tmp_path_factory.mktemp("property")
    path = directory / "gongkai.sqlite"
    copy_database(source, path)
    world = open_world(path, burnt)
    log_and_sign(world, signer)
    keyring = directory / "keyring.txt"
    keyring.write_text(signer.verifier().encoded() + "\n", encoding="utf-8")
    yield world, keyring
    world.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_single_byte_change_is_detected_and_located(
    pristine: tuple[World, Path], data: st.DataObject
) -> None:
    world, keyring = pristine
    rows = stored_rows(world.path)
    victim = data.draw(st.sampled_from(rows), label="event")
    offset = data.draw(st.integers(0, len(victim.state) - 1), label="offset")
    mask = data.draw(st.integers(1, 255), label="xor mask")
    changed = bytearray(victim.state)
    changed[offset] ^= mask
    set_state(world.path, victim.notification_id, bytes(changed))
    try:
        with tempfile.TemporaryDirectory() as directory:
            bundle = Path(directory) / "bundle"
            world.ledger.export(bundle)
            with pytest.raises(vb.VerificationFailure) as failure:
                vb.verify_bundle(bundle, keyring)
    finally:
        set_state(world.path, victim.notification_id, victim.state)
    assert failure.value.record is not None
    assert failure.value.record["notification_id"] == victim.notification_id
