"""The standalone bundle verifier: passing bundles, tampered bundles, and its copied helpers."""

from __future__ import annotations

import ast
import base64
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.ledger import verify_bundle as vb
from projections.ledger.bundle import LedgerEvent, inclusion_proof_json, write_bundle
from projections.ledger.merkle import (
    CompactRange,
    MemoryTree,
    leaf_bytes,
    verify_consistency,
    verify_inclusion,
)
from projections.ledger.note import Checkpoint, Signer, sign_checkpoint, sign_note
from tests.unit.ledger.bundle_factory import ORIGIN, build_bundle, originator, sample_events
from tests.unit.ledger.test_note import MALFORMED_CHECKPOINT_TEXTS

EVENT_COUNT = 40
CHECKPOINT_SIZES = (10, 25, 40)
PETER_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_NOTE = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n\n"
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.generate(ORIGIN)


@pytest.fixture
def events() -> list[LedgerEvent]:
    return list(sample_events(EVENT_COUNT))


@pytest.fixture
def bundle(tmp_path: Path, events: list[LedgerEvent], signer: Signer) -> Path:
    directory = tmp_path / "bundle"
    build_bundle(directory, events, signer, CHECKPOINT_SIZES)
    return directory


def read_lines(bundle: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (bundle / "events.jsonl").read_text().splitlines()]


def write_lines(bundle: Path, records: list[dict[str, Any]]) -> None:
    text = "".join(json.dumps(record, separators=(",", ":")) + "\n" for record in records)
    (bundle / "events.jsonl").write_text(text)


def edit_events(bundle: Path, edit: Callable[[list[dict[str, Any]]], object]) -> None:
    records = read_lines(bundle)
    edit(records)
    write_lines(bundle, records)


def failure_of(bundle: Path, **options: Any) -> vb.VerificationFailure:
    with pytest.raises(vb.VerificationFailure) as raised:
        vb.verify_bundle(bundle, **options)
    return raised.value


def assert_names_event(
    failure: vb.VerificationFailure, position: int, notification_id: int
) -> None:
    assert failure.position == position, failure.report()
    assert failure.record is not None, failure.report()
    assert failure.record["notification_id"] == notification_id, failure.report()
    report = failure.report()
    assert f"line {position + 1} of events.jsonl" in report
    assert f"notification_id={notification_id}" in report
    assert f"originator_id='{failure.record['originator_id']}'" in report
    assert f"originator_version={failure.record['originator_version']}" in report


class TestPassingBundle:
    def test_untouched_bundle_verifies(self, bundle: Path) -> None:
        summary = vb.verify_bundle(bundle)
        assert summary.events == EVENT_COUNT
        assert summary.originators == 5
        assert [cp.size for cp in summary.checkpoints] == list(CHECKPOINT_SIZES)
        assert summary.proofs_verified == 2
        assert summary.leaf_hashes_status == "matches every event"
        assert summary.report().startswith(f"OK: {EVENT_COUNT} events verified")
        assert "the trusted keys came from the bundle itself" in summary.report()

    def test_bundle_layout(self, bundle: Path) -> None:
        names = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
        assert names == [
            "checkpoints/checkpoint-10.note",
            "checkpoints/checkpoint-25.note",
            "checkpoints/checkpoint-40.note",
            "events.jsonl",
            "leaf_hashes.bin",
            "proofs/consistency-10-25.json",
            "proofs/consistency-25-40.json",
            "public_key.txt",
            "verify_bundle.py",
        ]
        assert (bundle / "leaf_hashes.bin").stat().st_size == 32 * EVENT_COUNT

    def test_state_is_exported_exactly(self, bundle: Path, events: list[LedgerEvent]) -> None:
        records = read_lines(bundle)
        assert [base64.b64decode(r["state_b64"]) for r in records] == [e.state for e in events]
        assert records[3]["originator_id"] == str(originator(3))

    def test_inclusion_proof_files_verify(self, bundle: Path, events: list[LedgerEvent]) -> None:
        tree = MemoryTree(event.leaf_hash() for event in events)
        (bundle / "proofs" / "inclusion-17-25.json").write_text(
            inclusion_proof_json(17, 25, tree.get_node)
        )
        assert vb.verify_bundle(bundle).proofs_verified == 3

    def test_bundle_without_leaf_hashes_still_verifies(self, bundle: Path) -> None:
        (bundle / "leaf_hashes.bin").unlink()
        assert vb.verify_bundle(bundle).leaf_hashes_status == "absent"

    def test_keys_from_a_separate_keyring(
        self, bundle: Path, signer: Signer, tmp_path: Path
    ) -> None:
        keyring = tmp_path / "published.txt"
        keyring.write_text(f"# portal\n{PETER_VERIFIER_KEY}\n{signer.verifier().encoded()}\n")
        summary = vb.verify_bundle(bundle, keyring=keyring)
        assert summary.events == EVENT_COUNT
        assert "warning" not in summary.report()


class TestTamperedEvents:
    def test_changed_byte_in_one_state(self, bundle: Path) -> None:
        def change_state(records: list[dict[str, Any]]) -> None:
            state = bytearray(base64.b64decode(records[17]["state_b64"]))
            state[5] ^= 0x01
            records[17]["state_b64"] = base64.b64encode(bytes(state)).decode()

        edit_events(bundle, change_state)
        failure = failure_of(bundle)
        assert_names_event(failure, 17, 180)
        assert "differs from the leaf hash the ledger recorded" in failure.reason

    def test_changed_state_without_leaf_hashes_names_the_checkpoint_range(
        self, bundle: Path
    ) -> None:
        def change_state(records: list[dict[str, Any]]) -> None:
            records[17]["state_b64"] = base64.b64encode(b"{}").decode()

        edit_events(bundle, change_state)
        (bundle / "leaf_hashes.bin").unlink()
        failure = failure_of(bundle)
        assert "among leaves 10..24" in failure.reason
        assert "checkpoint of size 25" in failure.reason

    def test_deleted_event(self, bundle: Path) -> None:
        edit_events(bundle, lambda records: records.pop(12))
        failure = failure_of(bundle)
        assert_names_event(failure, 12, 140)
        assert "leaf index 13 where 12 was expected" in failure.reason

    def test_deleted_event_with_renumbered_leaves(self, bundle: Path) -> None:
        def delete_and_renumber(records: list[dict[str, Any]]) -> None:
            records.pop(12)
            for position, record in enumerate(records):
                record["leaf_index"] = position

        edit_events(bundle, delete_and_renumber)
        assert_names_event(failure_of(bundle), 12, 140)

    def test_inserted_event(self, bundle: Path) -> None:
        forged = {
            "leaf_index": 20,
            "notification_id": 205,
            "originator_id": str(originator(99)),
            "originator_version": 1,
            "topic": "domain.request:Request.Noted",
            "state_b64": base64.b64encode(b'{"note": "forged"}').decode(),
        }
        edit_events(bundle, lambda records: records.insert(20, forged))
        failure = failure_of(bundle)
        assert_names_event(failure, 20, 205)

    def test_two_swapped_events(self, bundle: Path) -> None:
        def swap(records: list[dict[str, Any]]) -> None:
            records[30], records[31] = records[31], records[30]

        edit_events(bundle, swap)
        failure = failure_of(bundle)
        assert_names_event(failure, 30, 320)
        assert "leaf index 31 where 30 was expected" in failure.reason

    def test_two_swapped_events_with_swapped_leaf_indexes(self, bundle: Path) -> None:
        def swap_contents(records: list[dict[str, Any]]) -> None:
            records[30], records[31] = records[31], records[30]
            records[30]["leaf_index"], records[31]["leaf_index"] = 30, 31

        edit_events(bundle, swap_contents)
        failure = failure_of(bundle)
        assert_names_event(failure, 30, 320)
        assert "differs from the leaf hash" in failure.reason
        (bundle / "leaf_hashes.bin").unlink()
        failure = failure_of(bundle)
        assert_names_event(failure, 31, 310)
        assert "does not follow 320" in failure.reason

    def test_version_gap(self, bundle: Path) -> None:
        def skip_version(records: list[dict[str, Any]]) -> None:
            records[22]["originator_version"] += 1

        edit_events(bundle, skip_version)
        failure = failure_of(bundle)
        assert_names_event(failure, 22, 230)
        assert "originator version 6 where 5 was expected" in failure.reason

    def test_repeated_notification_id(self, bundle: Path) -> None:
        edit_events(bundle, lambda records: records[9].update({"notification_id": 90}))
        failure = failure_of(bundle)
        assert_names_event(failure, 9, 90)
        assert "notification id 90 does not follow 90" in failure.reason

    def test_first_version_must_be_one(self, bundle: Path) -> None:
        def start_at_two(records: list[dict[str, Any]]) -> None:
            records[3]["originator_version"] = 2

        edit_events(bundle, start_at_two)
        assert_names_event(failure_of(bundle), 3, 40)

    def test_only_the_first_of_several_bad_events_is_named(self, bundle: Path) -> None:
        def break_two(records: list[dict[str, Any]]) -> None:
            records[33]["topic"] = "forged"
            records[8]["topic"] = "forged"

        edit_events(bundle, break_two)
        assert_names_event(failure_of(bundle), 8, 90)

    def test_truncated_events(self, bundle: Path) -> None:
        edit_events(bundle, lambda records: records.pop())
        failure = failure_of(bundle)
        assert "covers 40 events but the bundle holds 39" in failure.reason

    def test_malformed_line(self, bundle: Path) -> None:
        lines = (bundle / "events.jsonl").read_text().splitlines(keepends=True)
        lines[4] = lines[4][:-10] + "\n"
        (bundle / "events.jsonl").write_text("".join(lines))
        failure = failure_of(bundle)
        assert failure.position == 4
        assert "not valid JSON" in failure.reason

    @pytest.mark.parametrize(
        ("name", "value"), [("leaf_index", "4"), ("originator_version", True), ("topic", None)]
    )
    def test_wrongly_typed_field(self, bundle: Path, name: str, value: object) -> None:
        edit_events(bundle, lambda records: records[4].update({name: value}))
        failure = failure_of(bundle)
        assert failure.position == 4
        assert f"field {name}" in failure.reason

    def test_state_that_is_not_base64(self, bundle: Path) -> None:
        edit_events(bundle, lambda records: records[6].update({"state_b64": "not base64!"}))
        assert "state_b64" in failure_of(bundle).reason

    def test_unsigned_tail_fails_unless_allowed(
        self, tmp_path: Path, events: list[LedgerEvent], signer: Signer
    ) -> None:
        directory = tmp_path / "tail"
        build_bundle(directory, events, signer, (10, 25))
        failure = failure_of(directory)
        assert_names_event(failure, 25, 260)
        assert "not covered by any signed checkpoint" in failure.reason
        summary = vb.verify_bundle(directory, allow_unsigned_tail=True)
        assert "not covered" in summary.report()


class TestTamperedCheckpointsAndFiles:
    def test_forged_checkpoint_signature(self, bundle: Path) -> None:
        path = bundle / "checkpoints" / "checkpoint-25.note"
        text = path.read_text()
        prefix, signature = text.rsplit(" ", 1)
        raw = bytearray(base64.b64decode(signature))
        raw[10] ^= 0x01
        path.write_text(prefix + " " + base64.b64encode(bytes(raw)).decode() + "\n")
        failure = failure_of(bundle)
        assert failure.reason.startswith("checkpoint checkpoint-25.note: invalid signature")
        assert failure.position is None

    def test_checkpoint_with_a_changed_root(self, bundle: Path) -> None:
        path = bundle / "checkpoints" / "checkpoint-40.note"
        lines = path.read_text().split("\n")
        lines[2] = base64.b64encode(bytes(32)).decode()
        path.write_text("\n".join(lines))
        assert "invalid signature" in failure_of(bundle).reason

    def test_checkpoint_signed_by_another_key(
        self, bundle: Path, events: list[LedgerEvent]
    ) -> None:
        tree = MemoryTree(event.leaf_hash() for event in events)
        impostor = Signer.generate(ORIGIN)
        note = sign_checkpoint(Checkpoint(ORIGIN, 30, tree.root(30)), impostor)
        (bundle / "checkpoints" / "checkpoint-30.note").write_text(note)
        assert "no signature by a trusted key" in failure_of(bundle).reason

    def test_replaced_key_is_caught_by_the_published_keyring(
        self, bundle: Path, events: list[LedgerEvent], tmp_path: Path, signer: Signer
    ) -> None:
        impostor = Signer.generate(ORIGIN)
        (bundle / "checkpoints" / "checkpoint-10.note").unlink()
        (bundle / "checkpoints" / "checkpoint-25.note").unlink()
        (bundle / "proofs" / "consistency-10-25.json").unlink()
        (bundle / "proofs" / "consistency-25-40.json").unlink()
        tree = MemoryTree(event.leaf_hash() for event in events)
        note = sign_checkpoint(Checkpoint(ORIGIN, 40, tree.root(40)), impostor)
        (bundle / "checkpoints" / "checkpoint-40.note").write_text(note)
        (bundle / "public_key.txt").write_text(impostor.verifier().encoded() + "\n")
        assert vb.verify_bundle(bundle).events == EVENT_COUNT
        published = tmp_path / "published.txt"
        published.write_text(signer.verifier().encoded() + "\n")
        assert "no signature by a trusted key" in failure_of(bundle, keyring=published).reason

    def test_fork_of_two_checkpoints_of_one_size(self, bundle: Path, signer: Signer) -> None:
        note = sign_checkpoint(Checkpoint(ORIGIN, 25, bytes(32)), signer)
        (bundle / "checkpoints" / "checkpoint-25-other.note").write_text(note)
        assert "two different trees of size 25" in failure_of(bundle).reason

    def test_checkpoint_of_another_log(self, bundle: Path, events: list[LedgerEvent]) -> None:
        other = Signer.generate("other")
        tree = MemoryTree(event.leaf_hash() for event in events)
        note = sign_checkpoint(Checkpoint("other.log", 30, tree.root(30)), other)
        (bundle / "checkpoints" / "checkpoint-30.note").write_text(note)
        with (bundle / "public_key.txt").open("a") as keys:
            keys.write(other.verifier().encoded() + "\n")
        assert "name different logs" in failure_of(bundle).reason

    def test_tampered_consistency_proof(self, bundle: Path) -> None:
        path = bundle / "proofs" / "consistency-10-25.json"
        proof = json.loads(path.read_text())
        proof["proof"][0] = base64.b64encode(bytes(32)).decode()
        path.write_text(json.dumps(proof))
        assert failure_of(bundle).reason == "proof file consistency-10-25.json does not verify"

    def test_proof_for_an_unsigned_size(self, bundle: Path) -> None:
        path = bundle / "proofs" / "consistency-10-25.json"
        proof = json.loads(path.read_text())
        proof["new_size"] = 26
        path.write_text(json.dumps(proof))
        assert "does not verify" in failure_of(bundle).reason

    def test_tampered_leaf_hashes_file(self, bundle: Path) -> None:
        path = bundle / "leaf_hashes.bin"
        recorded = bytearray(path.read_bytes())
        recorded[32 * 7] ^= 0x80
        path.write_bytes(bytes(recorded))
        failure = failure_of(bundle)
        assert "leaf_hashes.bin does not match the checkpoints" in failure.reason
        assert "size 10" in failure.reason

    def test_truncated_leaf_hashes_file(self, bundle: Path) -> None:
        path = bundle / "leaf_hashes.bin"
        path.write_bytes(path.read_bytes()[:-1])
        assert "not a whole number of 32-byte hashes" in failure_of(bundle).reason

    def test_tampered_leaf_hashes_do_not_hide_a_changed_event(self, bundle: Path) -> None:
        (bundle / "leaf_hashes.bin").write_bytes(bytes(32 * EVENT_COUNT))
        edit_events(bundle, lambda records: records[3].update({"topic": "forged"}))
        assert "among leaves 0..9" in failure_of(bundle).reason

    def test_missing_checkpoints(self, bundle: Path) -> None:
        for path in (bundle / "checkpoints").iterdir():
            path.unlink()
        assert "no checkpoint" in failure_of(bundle).reason

    def test_missing_public_key_is_unusable(self, bundle: Path) -> None:
        (bundle / "public_key.txt").unlink()
        with pytest.raises(vb.BundleUnusable):
            vb.verify_bundle(bundle)


class TestCommandLine:
    def run_copied_verifier(self, bundle: Path, *options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-I", str(bundle / "verify_bundle.py"), str(bundle), *options],
            capture_output=True,
            text=True,
            check=False,
            cwd=bundle.parent,
        )

    def test_verifier_copied_into_the_bundle_passes(self, bundle: Path) -> None:
        result = self.run_copied_verifier(bundle)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith(f"OK: {EVENT_COUNT} events verified")

    def test_verifier_fails_with_the_first_bad_event(self, bundle: Path) -> None:
        edit_events(bundle, lambda records: records[17].update({"topic": "forged"}))
        result = self.run_copied_verifier(bundle)
        assert result.returncode == 1
        assert result.stdout.startswith("FAIL: the event differs from the leaf hash")
        assert "first bad event: line 18 of events.jsonl, leaf_index=17, notification_id=180" in (
            result.stdout
        )

    def test_missing_events_file_is_exit_status_2(self, bundle: Path) -> None:
        (bundle / "events.jsonl").unlink()
        result = self.run_copied_verifier(bundle)
        assert result.returncode == 2
        assert "missing" in result.stderr

    def test_verifier_imports_only_the_standard_library_and_cryptography(self) -> None:
        imported: set[str] = set()
        for node in ast.walk(ast.parse(Path(vb.__file__).read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add("." if node.level else (node.module or "").split(".")[0])
        assert "json" in imported
        assert imported - sys.stdlib_module_names == {"cryptography"}


class TestCopiedHelpersAgree:
    """verify_bundle.py repeats helpers of merkle.py and note.py; they must stay identical."""

    @settings(max_examples=200, deadline=None)
    @given(
        notification_id=st.integers(0, 2**63),
        originator_id=st.text(min_size=1),
        version=st.integers(0, 2**40),
        topic=st.text(),
        state=st.binary(),
    )
    def test_leaf_bytes(
        self, notification_id: int, originator_id: str, version: int, topic: str, state: bytes
    ) -> None:
        try:
            expected = leaf_bytes(notification_id, originator_id, version, topic, state)
        except UnicodeEncodeError:
            return
        assert vb.leaf_bytes(notification_id, originator_id, version, topic, state) == expected

    @settings(max_examples=60, deadline=None)
    @given(
        hashes=st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70),
        data=st.data(),
    )
    def test_tree_and_proof_verification(self, hashes: list[bytes], data: st.DataObject) -> None:
        tree, builder, compact = MemoryTree(hashes), vb.TreeBuilder(), CompactRange()
        for digest in hashes:
            builder.append(digest)
            compact.append(digest)
        assert builder.root() == compact.root() == tree.root()
        size = data.draw(st.integers(1, len(hashes)))
        index = data.draw(st.integers(0, size - 1))
        old = data.draw(st.integers(0, size))
        proof = tree.inclusion_proof(index, size)
        bad_proof = data.draw(st.lists(st.sampled_from([*hashes, bytes(32)]), max_size=8))
        for candidate in (proof, bad_proof):
            expected = verify_inclusion(hashes[index], index, size, candidate, tree.root(size))
            assert vb.verify_inclusion(hashes[index], index, size, candidate, tree.root(size)) == (
                expected
            )
        consistency = tree.consistency_proof(old, size)
        for candidate in (consistency, bad_proof):
            arguments = (old, size, tree.root(old), tree.root(size), candidate)
            assert vb.verify_consistency(*arguments) == verify_consistency(*arguments)

    def test_go_note_vector_opens(self) -> None:
        key = vb.parse_verifier_key(PETER_VERIFIER_KEY)
        text, signers = vb.open_note(GO_NOTE.encode(), [key])
        assert text.startswith("If you think") and signers == [key]
        _, signers = vb.open_note((GO_NOTE + GO_NOTE.split("\n\n")[1]).encode(), [key])
        assert signers == [key]
        forged = GO_NOTE.replace("x08go/ZJ", "x08go/ZK").encode()
        with pytest.raises(ValueError, match="invalid signature"):
            vb.open_note(forged, [key])

    @pytest.mark.parametrize("text", MALFORMED_CHECKPOINT_TEXTS)
    def test_malformed_checkpoint_text_is_rejected(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"malformed|base64"):
            vb.parse_checkpoint_text(text)

    def test_go_verifier_key_checks_its_hash(self) -> None:
        with pytest.raises(ValueError, match="not a valid Ed25519 key"):
            vb.parse_verifier_key(PETER_VERIFIER_KEY.replace("c74f20a3", "c74f20a4"))

    def test_notes_signed_by_note_module_open(self, signer: Signer) -> None:
        checkpoint = Checkpoint(ORIGIN, 3, bytes(range(32)), ("extension",))
        note = sign_note(checkpoint.to_note_text(), signer)
        key = vb.parse_verifier_key(signer.verifier().encoded())
        text, _ = vb.open_note(note.encode(), [key])
        assert vb.parse_checkpoint_text(text) == (ORIGIN, 3, bytes(range(32)))


class TestWriter:
    def test_refuses_checkpoints_beyond_the_events(
        self, tmp_path: Path, events: list[LedgerEvent], signer: Signer
    ) -> None:
        tree = MemoryTree(event.leaf_hash() for event in events)
        note = sign_checkpoint(Checkpoint(ORIGIN, 40, tree.root(40)), signer)
        with pytest.raises(ValueError, match="covers 40 events, not 39"):
            write_bundle(
                tmp_path / "b", events[:39], tree.get_node, [note], [signer.verifier().encoded()]
            )

    def test_refuses_checkpoints_it_cannot_verify(
        self, tmp_path: Path, events: list[LedgerEvent], signer: Signer
    ) -> None:
        tree = MemoryTree(event.leaf_hash() for event in events)
        note = sign_checkpoint(Checkpoint(ORIGIN, 40, tree.root(40)), Signer.generate(ORIGIN))
        with pytest.raises(ValueError, match="known key"):
            write_bundle(
                tmp_path / "b", events, tree.get_node, [note], [signer.verifier().encoded()]
            )

    def test_exports_the_recorded_leaf_hashes_not_recomputed_ones(
        self, tmp_path: Path, events: list[LedgerEvent], signer: Signer
    ) -> None:
        tree = MemoryTree(event.leaf_hash() for event in events)
        note = sign_checkpoint(Checkpoint(ORIGIN, 40, tree.root(40)), signer)
        changed = [*events[:5], LedgerEvent(60, originator(0), 2, "forged", b""), *events[6:]]
        directory = tmp_path / "b"
        write_bundle(directory, changed, tree.get_node, [note], [signer.verifier().encoded()])
        assert_names_event(failure_of(directory), 5, 60)
