"""Writing export bundles that ``verify_bundle.py`` checks (the layout is in its docstring).

The writer copies what the ledger already holds: the events, the leaf hashes the ledger recorded
when each event was appended (``get_node(0, i)``), and the checkpoints it signed at the time. It
never re-signs or re-hashes events, so an export cannot launder a change made in the store
after the event was logged: the verifier would name that event.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from projections.ledger.merkle import (
    GetNode,
    canonical_originator_id,
    consistency_proof,
    inclusion_proof,
    leaf_bytes,
    leaf_hash,
)
from projections.ledger.note import Checkpoint, Verifier, open_checkpoint

VERIFIER_SCRIPT = Path(__file__).with_name("verify_bundle.py")


@dataclass(frozen=True)
class LedgerEvent:
    """One stored event, as the ledger hashes it."""

    notification_id: int
    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes

    def leaf_bytes(self) -> bytes:
        return leaf_bytes(
            self.notification_id,
            self.originator_id,
            self.originator_version,
            self.topic,
            self.state,
        )

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.leaf_bytes())


def event_json_line(leaf_index: int, event: LedgerEvent) -> str:
    """One line of ``events.jsonl``, newline included."""
    record = {
        "leaf_index": leaf_index,
        "notification_id": event.notification_id,
        "originator_id": canonical_originator_id(event.originator_id),
        "originator_version": event.originator_version,
        "topic": event.topic,
        "state_b64": base64.b64encode(event.state).decode("ascii"),
    }
    return json.dumps(record, separators=(",", ":")) + "\n"


def consistency_proof_json(old_size: int, new_size: int, get_node: GetNode) -> str:
    proof = consistency_proof(old_size, new_size, get_node)
    return _proof_json("consistency", "old_size", old_size, "new_size", new_size, proof)


def inclusion_proof_json(leaf_index: int, tree_size: int, get_node: GetNode) -> str:
    proof = inclusion_proof(leaf_index, tree_size, get_node)
    return _proof_json("inclusion", "leaf_index", leaf_index, "tree_size", tree_size, proof)


def _proof_json(
    kind: str, first_name: str, first: int, second_name: str, second: int, proof: list[bytes]
) -> str:
    nodes = [base64.b64encode(node).decode("ascii") for node in proof]
    record = {"type": kind, first_name: first, second_name: second, "proof": nodes}
    return json.dumps(record, indent=1) + "\n"


def write_bundle(
    directory: Path,
    events: Iterable[LedgerEvent],
    get_node: GetNode,
    signed_checkpoints: Sequence[str],
    verifier_keys: Sequence[str],
) -> int:
    """Write a new bundle directory; return the number of events written.

    ``signed_checkpoints`` are signed notes as the ledger stored them; each must verify with one
    of ``verifier_keys`` and lie within the exported events. Consistency proofs between
    consecutive checkpoints are added under ``proofs/``.
    """
    directory.mkdir(parents=True)
    checkpoints = _checked_checkpoints(signed_checkpoints, verifier_keys)
    count = _write_events(directory, events, get_node)
    if checkpoints and checkpoints[-1][0].size > count:
        raise ValueError(f"a checkpoint covers {checkpoints[-1][0].size} events, not {count}")
    _write_checkpoints(directory / "checkpoints", checkpoints)
    _write_consistency_proofs(directory / "proofs", [cp.size for cp, _ in checkpoints], get_node)
    (directory / "public_key.txt").write_text("".join(k + "\n" for k in verifier_keys), "utf-8")
    shutil.copyfile(VERIFIER_SCRIPT, directory / VERIFIER_SCRIPT.name)
    return count


def _checked_checkpoints(
    signed_checkpoints: Sequence[str], verifier_keys: Sequence[str]
) -> list[tuple[Checkpoint, str]]:
    verifiers = [Verifier.from_encoded(key) for key in verifier_keys]
    opened = [(open_checkpoint(note, verifiers), note) for note in signed_checkpoints]
    return sorted(opened, key=lambda pair: pair[0].size)


def _write_events(directory: Path, events: Iterable[LedgerEvent], get_node: GetNode) -> int:
    count = 0
    with (
        (directory / "events.jsonl").open("w", encoding="utf-8", newline="\n") as lines,
        (directory / "leaf_hashes.bin").open("wb") as hashes,
    ):
        for count, event in enumerate(events, start=1):
            lines.write(event_json_line(count - 1, event))
            hashes.write(get_node(0, count - 1))
    return count


def _write_checkpoints(directory: Path, checkpoints: Sequence[tuple[Checkpoint, str]]) -> None:
    directory.mkdir()
    for checkpoint, note in checkpoints:
        path = directory / f"checkpoint-{checkpoint.size}.note"
        path.write_text(note, encoding="utf-8", newline="\n")


def _write_consistency_proofs(directory: Path, sizes: Sequence[int], get_node: GetNode) -> None:
    directory.mkdir()
    for old_size, new_size in itertools.pairwise(sorted(set(sizes))):
        path = directory / f"consistency-{old_size}-{new_size}.json"
        path.write_text(consistency_proof_json(old_size, new_size, get_node), encoding="utf-8")
