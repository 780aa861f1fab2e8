#!/usr/bin/env python3
"""Standalone verifier for Gongkai Ledger export bundles.

Usage::

    python verify_bundle.py BUNDLE_DIR [--public-key KEYRING_FILE] [--allow-unsigned-tail]

It needs Python 3.10+ and the ``cryptography`` package, nothing else: it is copied into every
export bundle and runs on machines without the service.

Bundle layout
    ``events.jsonl``
        One JSON object per line, in leaf order: ``leaf_index`` (0, 1, 2, ...),
        ``notification_id`` (the store's notification id), ``originator_id`` (canonical string,
        e.g. ``str(UUID)``), ``originator_version``, ``topic`` and ``state_b64`` (the stored
        state bytes exactly as stored, standard base64).
    ``checkpoints/*.note``
        Signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note, Ed25519): origin line,
        tree size, base64 root hash, blank line, ``— <key name> <base64 signature>`` lines.
    ``public_key.txt``
        The log's verifier key(s), ``<name>+<key hash hex>+<base64(0x01 || public key)>``, one
        a line (several after a key rotation); ``#`` starts a comment line.
    ``leaf_hashes.bin`` (optional)
        The leaf hashes the ledger recorded when each event was appended: 32 bytes per leaf,
        in leaf order. Once they reproduce the signed roots they are authentic, and each event
        is compared with its own recorded hash, so a changed event is named exactly.
    ``proofs/*.json`` (optional)
        ``{"type": "consistency", "old_size": m, "new_size": n, "proof": [base64, ...]}`` or
        ``{"type": "inclusion", "leaf_index": i, "tree_size": n, "proof": [base64, ...]}``
        (RFC 9162 proofs); both sizes must be checkpoint sizes of the bundle.

Leaf bytes (same definition as ``projections/ledger/merkle.py``)
    Six fields, each as an 8-byte big-endian length followed by the bytes: the tag
    ``gongkai-ledger/leaf/v1``, notification id (ASCII decimal), originator id (UTF-8),
    originator version (ASCII decimal), topic (UTF-8), state. Leaf hash = SHA-256(0x00 || leaf
    bytes); node hash = SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).

Checks
    Every checkpoint is signed by a trusted key and all share one origin; checkpoints of equal
    size agree. Events: leaf indexes are 0..n-1 in order, notification ids strictly increase,
    each originator's versions run 1, 2, 3, ... without gaps, each event matches its recorded leaf
    hash (when ``leaf_hashes.bin`` is authentic), and the root recomputed from the events equals
    the signed root at every checkpoint size (which also proves consecutive checkpoints
    consistent). Proof files verify against the signed roots. Events after the last checkpoint
    are not covered by any signature and fail the check unless ``--allow-unsigned-tail``.

Exit status: 0 verified; 1 verification failed (the first bad event is named); 2 usage error
or a required file is missing.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import itertools
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# This file is copied into export bundles and must run where the service is not installed, so
# it repeats the few hashing and signed-note helpers it needs from projections.ledger.merkle and
# projections.ledger.note instead of importing them. tests/unit/ledger checks that both agree.

HASH_SIZE = 32
LEAF_ENCODING_TAG = b"gongkai-ledger/leaf/v1"
SIGNATURE_PREFIX = "\u2014 "
MAX_SIGNATURES = 100
_FRAMED_TAG = len(LEAF_ENCODING_TAG).to_bytes(8, "big") + LEAF_ENCODING_TAG
_CONTROL_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f]")
_DECIMAL = re.compile("0|[1-9][0-9]*")
_HEX_KEY_HASH = re.compile("[0-9a-f]{8}")
_EVENT_FIELDS = {
    "leaf_index": int,
    "notification_id": int,
    "originator_id": str,
    "originator_version": int,
    "topic": str,
    "state_b64": str,
}

EXIT_VERIFIED = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2


class VerificationFailure(Exception):
    """The bundle does not verify; ``record`` is the first bad event when there is one."""

    def __init__(
        self, reason: str, position: int | None = None, record: dict[str, Any] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
        self.record = record

    def report(self) -> str:
        lines = [f"FAIL: {self.reason}"]
        if self.position is not None:
            lines.append(f"  first bad event: {describe_event(self.position, self.record)}")
        return "\n".join(lines)


class BundleUnusable(Exception):
    """The bundle cannot be checked at all (a required file is missing)."""


def describe_event(position: int, record: dict[str, Any] | None) -> str:
    """The leaf index, notification id and originator of an event, as far as they are known."""
    parts = [f"line {position + 1} of events.jsonl"]
    for name in ("leaf_index", "notification_id", "originator_id", "originator_version"):
        if record is not None and name in record:
            parts.append(f"{name}={record[name]!r}")
    return ", ".join(parts)


# --- Merkle tree (RFC 9162 §2.1), copied from projections.ledger.merkle -----------------------


def leaf_bytes(
    notification_id: int, originator_id: str, originator_version: int, topic: str, state: bytes
) -> bytes:
    """Canonical leaf bytes of one event (see the module docstring)."""
    notification = str(notification_id).encode("ascii")
    originator = originator_id.encode("utf-8")
    version = str(originator_version).encode("ascii")
    topic_bytes = topic.encode("utf-8")
    return b"".join(
        (
            _FRAMED_TAG,
            len(notification).to_bytes(8, "big"),
            notification,
            len(originator).to_bytes(8, "big"),
            originator,
            len(version).to_bytes(8, "big"),
            version,
            len(topic_bytes).to_bytes(8, "big"),
            topic_bytes,
            len(state).to_bytes(8, "big"),
            state,
        )
    )


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class TreeBuilder:
    """Streaming RFC 9162 tree: the roots of its perfect subtrees, largest first."""

    __slots__ = ("_peaks", "size")

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        peaks = self._peaks
        digest = leaf
        position = self.size
        while position & 1:
            digest = hashlib.sha256(b"\x01" + peaks.pop() + digest).digest()
            position >>= 1
        peaks.append(digest)
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return hashlib.sha256(b"").digest()
        digest = self._peaks[-1]
        for left in reversed(self._peaks[:-1]):
            digest = node_hash(left, digest)
        return digest


def _is_hash(value: bytes) -> bool:
    return len(value) == HASH_SIZE


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size or not all(map(_is_hash, [leaf, root, *proof])):
        return False
    fn, sn, digest = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            digest = node_hash(sibling, digest)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            digest = node_hash(digest, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and digest == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2, plus the trivial cases of equal sizes and of the empty old tree."""
    if not 0 <= old_size <= new_size or not all(map(_is_hash, [old_root, new_root, *proof])):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == hashlib.sha256(b"").digest()
    if not proof:
        return False
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


# --- Signed notes and checkpoints, copied from projections.ledger.note ------------------------


def decode_base64(text: str) -> bytes:
    """Strict, padded standard base64; ``ValueError`` otherwise."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError(f"not standard base64: {text[:40]!r}") from error


def is_valid_key_name(name: str) -> bool:
    return bool(name) and "+" not in name and not any(c.isspace() or c < " " for c in name)


def key_hash(name: str, public_key: bytes) -> int:
    digest = hashlib.sha256(name.encode("utf-8") + b"\n\x01" + public_key).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass(frozen=True)
class TrustedKey:
    name: str
    key_hash: int
    public_key: Ed25519PublicKey = field(compare=False)

    def label(self) -> str:
        return f"{self.name}+{self.key_hash:08x}"


def parse_verifier_key(line: str) -> TrustedKey:
    """``<name>+<hash hex>+<base64(0x01 || 32-byte public key)>``, hash checked."""
    parts = line.split("+", 2)
    if len(parts) != 3 or not is_valid_key_name(parts[0]) or not _HEX_KEY_HASH.fullmatch(parts[1]):
        raise ValueError(f"malformed verifier key {line!r}")
    name, hash_hex, key_base64 = parts
    key = decode_base64(key_base64)
    if len(key) != 33 or key[0] != 1 or key_hash(name, key[1:]) != int(hash_hex, 16):
        raise ValueError(f"verifier key {name}+{hash_hex} is not a valid Ed25519 key")
    return TrustedKey(name, int(hash_hex, 16), Ed25519PublicKey.from_public_bytes(key[1:]))


def read_keyring(text: str) -> list[TrustedKey]:
    lines = (line.strip() for line in text.splitlines())
    return [parse_verifier_key(line) for line in lines if line and not line.startswith("#")]


def open_note(message: bytes, trusted: Sequence[TrustedKey]) -> tuple[str, list[TrustedKey]]:
    """Verify a signed note; return its text and the trusted keys that signed it.

    Signatures by unknown keys are ignored; a trusted key's bad signature fails the note, and so
    does a note no trusted key signed.
    """
    text, block = split_note(message)
    keys = {(key.name, key.key_hash): key for key in trusted}
    signers: list[TrustedKey] = []
    for name, signature in parse_signature_lines(block):
        key = keys.get((name, int.from_bytes(signature[:4], "big")))
        if key is None or key in signers:
            continue
        try:
            key.public_key.verify(signature[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise ValueError(f"invalid signature by key {key.label()}") from None
        signers.append(key)
    if not signers:
        raise ValueError("no signature by a trusted key")
    return text, signers


def split_note(message: bytes) -> tuple[str, str]:
    try:
        decoded = message.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not valid UTF-8") from None
    if _CONTROL_CHARACTER.search(decoded):
        raise ValueError("contains a control character")
    split = decoded.rfind("\n\n")
    if split < 0 or not decoded.endswith("\n") or split + 2 == len(decoded):
        raise ValueError("malformed note: no signature block")
    return decoded[: split + 1], decoded[split + 2 :]


def parse_signature_lines(block: str) -> list[tuple[str, bytes]]:
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise ValueError("too many signatures")
    signatures = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise ValueError("malformed signature line")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        signature = decode_base64(encoded)
        if not is_valid_key_name(name) or len(signature) < 5:
            raise ValueError("malformed signature line")
        signatures.append((name, signature))
    return signatures


@dataclass(frozen=True)
class SignedCheckpoint:
    path: Path
    origin: str
    size: int
    root_hash: bytes
    signers: tuple[TrustedKey, ...]


def parse_checkpoint_text(text: str) -> tuple[str, int, bytes]:
    """Origin, tree size and root hash of checkpoint note text."""
    lines = text[:-1].split("\n")
    well_formed = text.endswith("\n") and len(lines) >= 3 and all(lines)
    if not well_formed or not _DECIMAL.fullmatch(lines[1]):
        raise ValueError("malformed checkpoint text")
    root_hash = decode_base64(lines[2])
    if len(root_hash) != HASH_SIZE or base64.b64encode(root_hash).decode() != lines[2]:
        raise ValueError("malformed checkpoint root hash")
    return lines[0], int(lines[1]), root_hash


def open_checkpoint(path: Path, trusted: Sequence[TrustedKey]) -> SignedCheckpoint:
    try:
        text, signers = open_note(path.read_bytes(), trusted)
        origin, size, root_hash = parse_checkpoint_text(text)
    except ValueError as error:
        raise VerificationFailure(f"checkpoint {path.name}: {error}") from None
    return SignedCheckpoint(path, origin, size, root_hash, tuple(signers))


# --- Reading the bundle ----------------------------------------------------------------------


def required_file(path: Path) -> Path:
    if not path.is_file():
        raise BundleUnusable(f"missing {path}")
    return path


def load_trusted_keys(path: Path) -> list[TrustedKey]:
    try:
        keys = read_keyring(required_file(path).read_text(encoding="utf-8"))
    except ValueError as error:
        raise VerificationFailure(f"{path.name}: {error}") from None
    if not keys:
        raise VerificationFailure(f"{path.name} holds no verifier key")
    return keys


def load_checkpoints(directory: Path, trusted: Sequence[TrustedKey]) -> list[SignedCheckpoint]:
    """Every signed checkpoint, by size; one origin, and equal sizes with equal roots."""
    checkpoints = sorted(
        (open_checkpoint(path, trusted) for path in sorted(directory.glob("*.note"))),
        key=lambda checkpoint: checkpoint.size,
    )
    if not checkpoints:
        raise VerificationFailure("the bundle has no checkpoint (checkpoints/*.note)")
    for earlier, later in itertools.pairwise(checkpoints):
        check_checkpoint_pair(earlier, later)
    return checkpoints


def check_checkpoint_pair(earlier: SignedCheckpoint, later: SignedCheckpoint) -> None:
    if earlier.origin != later.origin:
        raise VerificationFailure(
            f"checkpoints {earlier.path.name} and {later.path.name} name different logs "
            f"({earlier.origin!r}, {later.origin!r})"
        )
    if earlier.size == later.size and earlier.root_hash != later.root_hash:
        raise VerificationFailure(
            f"checkpoints {earlier.path.name} and {later.path.name} sign two different trees "
            f"of size {later.size} (a fork)"
        )


def load_recorded_leaf_hashes(path: Path) -> bytes | None:
    if not path.is_file():
        return None
    recorded = path.read_bytes()
    if len(recorded) % HASH_SIZE:
        raise VerificationFailure(f"{path.name} is not a whole number of 32-byte hashes")
    return recorded


def recorded_hashes_mismatch(recorded: bytes, roots: dict[int, bytes]) -> str | None:
    """Why the recorded leaf hashes do not reproduce the signed roots, or None if they do."""
    tree = TreeBuilder()
    for size in sorted(roots):
        if size * HASH_SIZE > len(recorded):
            return f"it holds fewer than the {size} leaves of a checkpoint"
        while tree.size < size:
            offset = tree.size * HASH_SIZE
            tree.append(recorded[offset : offset + HASH_SIZE])
        if tree.root() != roots[size]:
            return f"its root at size {size} differs from the signed checkpoint"
    return None


@dataclass(frozen=True)
class ProofFile:
    path: Path
    kind: str
    first: int
    second: int
    proof: tuple[bytes, ...]


def load_proof_files(directory: Path) -> list[ProofFile]:
    return [parse_proof_file(path) for path in sorted(directory.glob("*.json"))]


def parse_proof_file(path: Path) -> ProofFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kind = data["type"]
        names = {"consistency": ("old_size", "new_size"), "inclusion": ("leaf_index", "tree_size")}
        first, second = (data[name] for name in names[kind])
        proof = tuple(decode_base64(node) for node in data["proof"])
    except (ValueError, KeyError, TypeError) as error:
        raise VerificationFailure(f"proof file {path.name} is malformed: {error}") from None
    if not isinstance(first, int) or not isinstance(second, int):
        raise VerificationFailure(f"proof file {path.name} is malformed: sizes are not integers")
    return ProofFile(path, kind, first, second, proof)


# --- Checking the events ---------------------------------------------------------------------


def parse_event(line: str, position: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except ValueError:
        raise VerificationFailure("the line is not valid JSON", position) from None
    if not isinstance(record, dict):
        raise VerificationFailure("the line is not a JSON object", position)
    for name, kind in _EVENT_FIELDS.items():
        value = record.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise VerificationFailure(
                f"field {name} is missing or not {kind.__name__}", position, record
            )
    return record


def event_leaf_hash(record: dict[str, Any], position: int) -> bytes:
    try:
        state = base64.b64decode(record["state_b64"], validate=True)
    except binascii.Error:
        raise VerificationFailure("state_b64 is not standard base64", position, record) from None
    if record["notification_id"] < 0 or record["originator_version"] < 0:
        raise VerificationFailure("negative notification id or version", position, record)
    return leaf_hash(
        leaf_bytes(
            record["notification_id"],
            record["originator_id"],
            record["originator_version"],
            record["topic"],
            state,
        )
    )


class EventChecker:
    """Checks events one by one, in leaf order, and the signed roots as their sizes are reached."""

    def __init__(
        self, roots: dict[int, bytes], recorded: bytes | None, keep_leaves: Iterable[int] = ()
    ) -> None:
        self.roots = roots
        self.recorded = recorded
        self.tree = TreeBuilder()
        self.last_notification_id: int | None = None
        self.versions: dict[str, int] = {}
        self.last_checked_size = 0
        self.keep_leaves = set(keep_leaves)
        self.kept_leaf_hashes: dict[int, bytes] = {}
        self.signed_size = max(roots, default=0)
        self.first_unsigned_record: dict[str, Any] | None = None

    @property
    def count(self) -> int:
        return self.tree.size

    def check(self, line: str) -> None:
        position = self.tree.size
        record = parse_event(line, position)
        self.check_position(record, position)
        self.check_notification_order(record, position)
        self.check_version(record, position)
        digest = event_leaf_hash(record, position)
        self.check_recorded_hash(digest, record, position)
        self.tree.append(digest)
        if position == self.signed_size:
            self.first_unsigned_record = record
        if position in self.keep_leaves:
            self.kept_leaf_hashes[position] = digest
        if self.tree.size in self.roots:
            self.check_root()

    def check_position(self, record: dict[str, Any], position: int) -> None:
        if record["leaf_index"] != position:
            raise VerificationFailure(
                f"leaf index {record['leaf_index']} where {position} was expected "
                "(an event is missing, inserted or out of order)",
                position,
                record,
            )

    def check_notification_order(self, record: dict[str, Any], position: int) -> None:
        notification_id = record["notification_id"]
        last = self.last_notification_id
        if last is not None and notification_id <= last:
            raise VerificationFailure(
                f"notification id {notification_id} does not follow {last} "
                "(ids must strictly increase)",
                position,
                record,
            )
        self.last_notification_id = notification_id

    def check_version(self, record: dict[str, Any], position: int) -> None:
        originator_id = record["originator_id"]
        expected = self.versions.get(originator_id, 0) + 1
        if record["originator_version"] != expected:
            raise VerificationFailure(
                f"originator version {record['originator_version']} where {expected} was "
                "expected (versions must run 1, 2, 3, ... without gaps)",
                position,
                record,
            )
        self.versions[originator_id] = expected

    def check_recorded_hash(self, digest: bytes, record: dict[str, Any], position: int) -> None:
        recorded = self.recorded
        offset = position * HASH_SIZE
        if recorded is None or offset >= len(recorded):
            return
        if recorded[offset : offset + HASH_SIZE] != digest:
            raise VerificationFailure(
                "the event differs from the leaf hash the ledger recorded for it "
                "(changed after it was logged, or events before it were removed or added)",
                position,
                record,
            )

    def check_root(self) -> None:
        size = self.tree.size
        if self.tree.root() != self.roots[size]:
            raise VerificationFailure(
                f"the root of leaves 0..{size - 1} differs from the signed checkpoint of size "
                f"{size}: the first bad event is among leaves {self.last_checked_size}.."
                f"{size - 1} (without an authentic leaf_hashes.bin it cannot be narrowed down)"
            )
        self.last_checked_size = size


def read_event_lines(path: Path) -> Iterator[str]:
    with required_file(path).open("r", encoding="utf-8", newline="\n") as events:
        yield from events


# --- The whole verification ------------------------------------------------------------------


@dataclass
class Summary:
    events: int = 0
    originators: int = 0
    checkpoints: list[SignedCheckpoint] = field(default_factory=list)
    proofs_verified: int = 0
    leaf_hashes_status: str = "absent"
    trusted_key_source: str = ""
    warnings: list[str] = field(default_factory=list)

    def report(self) -> str:
        latest = self.checkpoints[-1]
        keys = sorted({key.label() for cp in self.checkpoints for key in cp.signers})
        lines = [
            f"OK: {self.events} events verified (leaves 0..{self.events - 1}), "
            f"{self.originators} originators",
            f"  origin: {latest.origin}",
            f"  checkpoints: {len(self.checkpoints)} signed, sizes "
            + ", ".join(str(cp.size) for cp in self.checkpoints),
            f"  latest root (size {latest.size}): {base64.b64encode(latest.root_hash).decode()}",
            f"  signed by: {', '.join(keys)} (trusted keys from {self.trusted_key_source})",
            f"  proof files verified: {self.proofs_verified}",
            f"  leaf_hashes.bin: {self.leaf_hashes_status}",
        ]
        return "\n".join(lines + [f"  warning: {warning}" for warning in self.warnings])


def verify_bundle(
    bundle: Path, keyring: Path | None = None, allow_unsigned_tail: bool = False
) -> Summary:
    """Run every check on the bundle; raise ``VerificationFailure`` at the first failure."""
    summary = Summary(trusted_key_source=str(keyring) if keyring else "the bundle's public_key.txt")
    trusted = load_trusted_keys(keyring or bundle / "public_key.txt")
    if keyring is None:
        summary.warnings.append(
            "the trusted keys came from the bundle itself: compare "
            + ", ".join(key.label() for key in trusted)
            + " with the published key, or pass --public-key"
        )
    summary.checkpoints = load_checkpoints(bundle / "checkpoints", trusted)
    roots = {checkpoint.size: checkpoint.root_hash for checkpoint in summary.checkpoints}
    proofs = load_proof_files(bundle / "proofs")
    recorded = load_recorded_leaf_hashes(bundle / "leaf_hashes.bin")
    recorded_problem = recorded_hashes_mismatch(recorded, roots) if recorded is not None else None
    checker = EventChecker(roots, None if recorded_problem else recorded, inclusion_leaves(proofs))
    for line in read_event_lines(bundle / "events.jsonl"):
        checker.check(line)
    check_coverage(checker, allow_unsigned_tail, summary)
    if recorded_problem:
        raise VerificationFailure(
            f"leaf_hashes.bin does not match the checkpoints: {recorded_problem}"
        )
    summary.proofs_verified = check_proof_files(proofs, roots, checker.kept_leaf_hashes)
    summary.events, summary.originators = checker.count, len(checker.versions)
    summary.leaf_hashes_status = "absent" if recorded is None else "matches every event"
    return summary


def inclusion_leaves(proofs: Iterable[ProofFile]) -> set[int]:
    return {proof.first for proof in proofs if proof.kind == "inclusion"}


def check_coverage(checker: EventChecker, allow_unsigned_tail: bool, summary: Summary) -> None:
    """Every signed leaf is present, and every present leaf is signed (unless allowed)."""
    signed_size = checker.signed_size
    if checker.count < signed_size:
        raise VerificationFailure(
            f"a checkpoint covers {signed_size} events but the bundle holds {checker.count}: "
            f"the events from leaf {checker.count} on are missing"
        )
    if checker.count > signed_size:
        message = (
            f"the events from leaf {signed_size} on ({checker.count - signed_size} events) are "
            "not covered by any signed checkpoint"
        )
        if not allow_unsigned_tail:
            raise VerificationFailure(message, signed_size, checker.first_unsigned_record)
        summary.warnings.append(message)


def check_proof_files(
    proofs: Iterable[ProofFile], roots: dict[int, bytes], leaf_hashes: dict[int, bytes]
) -> int:
    count = 0
    for proof in proofs:
        if not proof_file_holds(proof, roots, leaf_hashes):
            raise VerificationFailure(f"proof file {proof.path.name} does not verify")
        count += 1
    return count


def proof_file_holds(
    proof: ProofFile, roots: dict[int, bytes], leaf_hashes: dict[int, bytes]
) -> bool:
    if proof.second not in roots:
        return False
    if proof.kind == "inclusion":
        leaf = leaf_hashes.get(proof.first)
        return leaf is not None and verify_inclusion(
            leaf, proof.first, proof.second, proof.proof, roots[proof.second]
        )
    if proof.first not in roots:
        return False
    return verify_consistency(
        proof.first, proof.second, roots[proof.first], roots[proof.second], proof.proof
    )


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Verify a Gongkai Ledger export bundle.")
    parser.add_argument("bundle", type=Path, help="the bundle directory")
    parser.add_argument(
        "--public-key",
        type=Path,
        help="trust the verifier keys in this file (e.g. as published on the portal) "
        "instead of the bundle's public_key.txt",
    )
    parser.add_argument(
        "--allow-unsigned-tail",
        action="store_true",
        help="accept events after the last checkpoint (they are reported, not verified)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    try:
        summary = verify_bundle(
            arguments.bundle, arguments.public_key, arguments.allow_unsigned_tail
        )
    except BundleUnusable as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except VerificationFailure as failure:
        print(failure.report())
        return EXIT_FAILED
    print(summary.report())
    print(f"  time: {time.perf_counter() - started:.1f} s")
    return EXIT_VERIFIED


if __name__ == "__main__":
    sys.exit(main())
