"""The follower builds the tree from the real notification log, exactly once, and survives
crashes; checkpoints are signed once per size over a tree that extends the last one; proofs
from the stored nodes verify."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from projections.ledger import merkle
from projections.ledger.note import Checkpoint, Signer, open_checkpoint, sign_checkpoint
from projections.ledger.store import (
    DEFAULT_ORIGIN,
    ORIGIN_ENV,
    LedgerIntegrityError,
    LedgerStore,
    NoCheckpoint,
    NotInLedger,
    OriginMismatch,
)
from tests.integration.ledger.conftest import (
    ORIGIN,
    World,
    connect,
    execute,
    open_world,
    reference_root,
    run_commands,
    stored_rows,
)

REPOSITORY = Path(__file__).resolve().parents[3]


def count(path: Path, table: str) -> int:
    connection = connect(path)
    try:
        return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    finally:
        connection.close()


def leaf_rows(path: Path) -> list[tuple[int, int, bytes]]:
    connection = connect(path)
    try:
        rows = connection.execute(
            "SELECT leaf_index, notification_id, leaf_hash FROM ledger_leaf ORDER BY leaf_index"
        ).fetchall()
    finally:
        connection.close()
    return [(int(a), int(b), bytes(c)) for a, b, c in rows]


class TestFollowingTheLog:
    def test_the_tree_root_equals_the_root_of_every_stored_event(self, world: World) -> None:
        appended = world.follower.catch_up()

        rows = stored_rows(world.path)
        assert appended == len(rows) > 200
        assert world.ledger.head().size == len(rows)
        assert world.ledger.root() == merkle.root_from_leaf_hashes(r.leaf_hash() for r in rows)

    def test_leaf_indexes_are_dense_across_a_burnt_notification_id(self, world: World) -> None:
        world.follower.catch_up()

        leaves = leaf_rows(world.path)
        assert [index for index, _, _ in leaves] == list(range(len(leaves)))
        ids = [notification_id for _, notification_id, _ in leaves]
        assert world.burnt not in ids
        assert world.burnt - 1 in ids and world.burnt + 1 in ids
        assert ids == [row.notification_id for row in stored_rows(world.path)]

    def test_every_perfect_subtree_is_stored_once(self, world: World) -> None:
        world.follower.catch_up()

        size = world.ledger.head().size
        # A tree of n leaves has n - popcount(n) perfect subtrees above the leaves.
        assert count(world.path, "ledger_node") == size - bin(size).count("1")
        memory = merkle.MemoryTree(r.leaf_hash() for r in stored_rows(world.path))
        for node in memory.nodes():
            assert world.ledger.get_node(node.level, node.index) == node.digest

    def test_batches_continue_where_the_last_one_stopped(self, world: World) -> None:
        assert world.follower.run_once(batch=50) == 50
        assert world.follower.run_once(batch=7) == 7
        # A new follower (a restart) resumes from the stored rows, not from memory.
        fresh = open_world(world.path)
        try:
            fresh.follower.catch_up()
        finally:
            fresh.close()

        assert world.ledger.root() == reference_root(world.path)
        assert world.follower.run_once() == 0

    def test_new_events_are_appended_by_the_next_run(self, world: World) -> None:
        world.follower.catch_up()
        before = world.ledger.head().size

        run_commands(world.app, items=2, requests=1, tag="丙")

        assert world.follower.run_once() > 0
        assert world.ledger.head().size > before
        assert world.ledger.root() == reference_root(world.path)

    def test_the_background_thread_keeps_up_with_commands(self, world: World) -> None:
        world.follower.start(poll_interval=0.01)
        run_commands(world.app, items=3, requests=2, tag="丁")
        newest = world.app.recorder.max_notification_id()

        assert world.follower.wait_until(newest, timeout=10)
        world.follower.stop()
        assert world.ledger.root() == reference_root(world.path)
        assert world.follower.lag() == 0

    def test_wait_until_times_out_for_an_id_the_log_does_not_have(self, world: World) -> None:
        world.follower.catch_up()

        assert not world.follower.wait_until(10**9, timeout=0.1)

    def test_two_followers_on_one_store_append_each_event_once(self, world: World) -> None:
        other = open_world(world.path)
        try:
            threads = [
                threading.Thread(target=follower.catch_up)
                for follower in (world.follower, other.follower)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        finally:
            other.close()

        rows = stored_rows(world.path)
        assert count(world.path, "ledger_leaf") == len(rows)
        assert world.ledger.root() == reference_root(world.path)


class TestCrashes:
    def test_an_exception_mid_batch_leaves_nothing_of_that_batch(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert world.follower.run_once(batch=40) == 40
        nodes_before = count(world.path, "ledger_node")

        def crash(*_: object) -> None:
            raise RuntimeError("disk on fire")

        # The batch's leaf rows are inserted first; the crash comes before its node rows.
        monkeypatch.setattr(LedgerStore, "_insert_nodes", staticmethod(crash))
        with pytest.raises(RuntimeError, match="disk on fire"):
            world.follower.run_once(batch=40)

        assert count(world.path, "ledger_leaf") == 40
        assert count(world.path, "ledger_node") == nodes_before
        monkeypatch.undo()
        world.follower.catch_up()
        assert world.ledger.root() == reference_root(world.path)

    def test_a_killed_process_leaves_nothing_of_its_batch(self, world: World) -> None:
        # A separate process appends one batch of 30, then dies (os._exit, no cleanup, no
        # rollback) in the middle of the second batch, after its leaf rows were written.
        script = textwrap.dedent(
            f"""
            import os
            from projections.ledger.store import LedgerStore
            from tests.integration.ledger.conftest import open_world
            world = open_world(__import__("pathlib").Path({str(world.path)!r}))
            assert world.follower.run_once(batch=30) == 30
            LedgerStore._insert_nodes = staticmethod(lambda tx, nodes: os._exit(3))
            world.follower.run_once(batch=30)
            """
        )
        died = subprocess.run(
            [sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, timeout=60
        )

        assert died.returncode == 3, died.stderr
        assert count(world.path, "ledger_leaf") == 30
        world.follower.catch_up()
        assert world.ledger.root() == reference_root(world.path)
        assert [i for i, _, _ in leaf_rows(world.path)] == list(range(len(stored_rows(world.path))))


class TestCheckpoints:
    def test_a_checkpoint_signs_the_current_root_under_the_origin(
        self, world: World, signer: Signer
    ) -> None:
        world.follower.catch_up()

        note = world.ledger.checkpoint(signer)

        checkpoint = open_checkpoint(note, [signer.verifier()])
        assert checkpoint.origin == ORIGIN
        assert checkpoint.size == len(stored_rows(world.path))
        assert checkpoint.root_hash == reference_root(world.path)
        stored = world.ledger.latest_checkpoint()
        assert stored is not None and stored.note == note and stored.tree_size == checkpoint.size

    def test_a_size_is_never_signed_twice(self, world: World, signer: Signer) -> None:
        world.follower.catch_up()
        first = world.ledger.checkpoint(signer)

        again = world.ledger.checkpoint(Signer.generate("another/key"))

        assert again == first
        assert count(world.path, "ledger_checkpoint") == 1

    def test_the_origin_comes_from_the_environment(
        self, world: World, signer: Signer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(ORIGIN_ENV, "gongkai-ledger.example/zhengzhou")
        ledger = LedgerStore.for_app(world.app, world.store)
        world.follower.catch_up()

        note = ledger.checkpoint(signer)

        assert note.startswith("gongkai-ledger.example/zhengzhou\n")

    def test_without_configuration_the_established_origin_is_kept(
        self, world: World, signer: Signer
    ) -> None:
        world.follower.run_once(batch=10)
        world.ledger.checkpoint(signer)
        unconfigured = LedgerStore(world.store, world.app.recorder)
        assert unconfigured.configured_origin is None
        world.follower.catch_up()

        assert unconfigured.checkpoint(signer).startswith(ORIGIN + "\n")

    def test_the_default_origin_of_a_new_log(self, world: World, signer: Signer) -> None:
        world.follower.catch_up()

        note = LedgerStore(world.store, world.app.recorder).checkpoint(signer)

        assert note.startswith(DEFAULT_ORIGIN + "\n")

    def test_another_origin_is_refused(self, world: World, signer: Signer) -> None:
        world.follower.run_once(batch=10)
        world.ledger.checkpoint(signer)
        world.follower.catch_up()

        with pytest.raises(OriginMismatch):
            world.ledger.checkpoint(signer, origin="gongkai-ledger.example/elsewhere")

    def test_a_rewritten_history_is_not_signed(self, world: World, signer: Signer) -> None:
        world.follower.run_once(batch=64)
        world.ledger.checkpoint(signer)
        # Someone changes event 5 and rewrites its leaf hash and every node above it
        # consistently, then the service restarts and the tree grows on the rewritten nodes.
        leaves = [leaf_hash for _, _, leaf_hash in leaf_rows(world.path)]
        leaves[5] = merkle.leaf_hash(b"forged")
        for node in merkle.MemoryTree(leaves).nodes():
            table, column, key = (
                ("ledger_leaf", "leaf_hash", "leaf_index")
                if node.level == 0
                else ("ledger_node", "hash", f"level = {node.level} AND node_index")
            )
            execute(
                world.path,
                f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
                (node.digest, node.index),
            )
        restarted = open_world(world.path)
        try:
            restarted.follower.catch_up()
            with pytest.raises(LedgerIntegrityError, match="refusing to sign"):
                restarted.ledger.checkpoint(signer)
        finally:
            restarted.close()
        assert count(world.path, "ledger_checkpoint") == 1

    def test_a_forged_checkpoint_row_is_not_built_upon(self, world: World, signer: Signer) -> None:
        world.follower.run_once(batch=20)
        world.ledger.checkpoint(signer)
        # A forger replaces the row with a checkpoint of another tree, signed by a key that
        # carries the log's key name but is not the log's key.
        forger = Signer.generate(signer.name)
        fake_root = bytes(range(32))
        note = sign_checkpoint(Checkpoint(ORIGIN, 20, fake_root), forger)
        execute(
            world.path,
            "UPDATE ledger_checkpoint SET note = ?, root_hash = ? WHERE tree_size = 20",
            (note, fake_root),
        )
        world.follower.catch_up()

        with pytest.raises(LedgerIntegrityError):
            world.ledger.checkpoint(signer)

    def test_keys_that_signed_are_recorded_for_rotation(self, world: World, signer: Signer) -> None:
        rotated = Signer.generate("gongkai-ledger.example/test/2026")
        world.follower.run_once(batch=30)
        world.ledger.checkpoint(signer)
        world.follower.catch_up()

        world.ledger.checkpoint(rotated)

        assert world.ledger.stored_verifier_keys() == [
            signer.verifier().encoded(),
            rotated.verifier().encoded(),
        ]


class TestProofs:
    def test_every_event_has_an_inclusion_proof_under_the_signed_root(
        self, world: World, signer: Signer
    ) -> None:
        world.follower.catch_up()
        checkpoint = open_checkpoint(world.ledger.checkpoint(signer), [signer.verifier()])
        rows = stored_rows(world.path)

        for index, row in enumerate(rows):
            proof = world.ledger.inclusion_proof(row.notification_id)
            assert proof.leaf_index == index
            assert proof.tree_size == checkpoint.size
            assert merkle.verify_inclusion(
                row.leaf_hash(), index, checkpoint.size, proof.proof, checkpoint.root_hash
            )
        # The same proof does not hold for a neighbour's leaf.
        proof = world.ledger.inclusion_proof(rows[3].notification_id)
        assert not merkle.verify_inclusion(
            rows[4].leaf_hash(), 3, checkpoint.size, proof.proof, checkpoint.root_hash
        )

    def test_inclusion_in_an_older_tree_and_by_leaf_index(self, world: World) -> None:
        world.follower.catch_up()
        rows = stored_rows(world.path)

        proof = world.ledger.inclusion_proof(leaf_index=17, tree_size=40)

        assert proof.notification_id == rows[17].notification_id
        assert proof.checkpoint is None
        assert merkle.verify_inclusion(
            rows[17].leaf_hash(), 17, 40, proof.proof, reference_root(world.path, 40)
        )
        assert proof.verify()

    def test_consistency_between_two_checkpoints(self, world: World, signer: Signer) -> None:
        world.follower.run_once(batch=45)
        old = open_checkpoint(world.ledger.checkpoint(signer), [signer.verifier()])
        world.follower.catch_up()
        new = open_checkpoint(world.ledger.checkpoint(signer), [signer.verifier()])

        proof = world.ledger.consistency_proof(old.size, new.size)

        assert (proof.old_size, proof.new_size) == (45, new.size)
        assert merkle.verify_consistency(
            old.size, new.size, old.root_hash, new.root_hash, proof.proof
        )
        assert proof.old_checkpoint is not None and proof.new_checkpoint is not None
        # Against another old root it fails.
        assert not merkle.verify_consistency(
            old.size, new.size, reference_root(world.path, 44), new.root_hash, proof.proof
        )

    def test_the_default_tree_is_the_latest_checkpoint(self, world: World, signer: Signer) -> None:
        world.follower.catch_up()
        with pytest.raises(NoCheckpoint):
            world.ledger.inclusion_proof(1)
        world.ledger.checkpoint(signer)

        assert world.ledger.consistency_proof(10).new_size == world.ledger.head().size

    def test_refusals(self, world: World, signer: Signer) -> None:
        world.follower.run_once(batch=30)
        world.ledger.checkpoint(signer)
        world.follower.catch_up()
        last = stored_rows(world.path)[-1].notification_id

        with pytest.raises(NotInLedger, match="after the tree"):
            world.ledger.inclusion_proof(last)  # newer than the checkpoint
        with pytest.raises(NotInLedger):
            world.ledger.inclusion_proof(world.burnt, tree_size=100)
        with pytest.raises(NotInLedger):
            world.ledger.inclusion_proof(1, tree_size=10**6)
        with pytest.raises(NotInLedger):
            world.ledger.consistency_proof(31, 30)
