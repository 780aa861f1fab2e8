"""Signed notes and checkpoints (C2SP signed-note and tlog-checkpoint), Ed25519 only.

Signed note (https://github.com/C2SP/C2SP/blob/main/signed-note.md)
    The text, ending in a newline; a blank line; then one or more signature lines
    ``"— <key name> <base64(4-byte key hash || signature)>\\n"`` (U+2014 EM DASH, a space, the key
    name, a space, the signature). The note is valid UTF-8 with no control character other than
    newline. Ed25519 signs the note text, final newline included.

Keys (compatible with Go's ``golang.org/x/mod/sumdb/note``)
    key hash = first 4 bytes, big-endian, of SHA-256(name || "\\n" || 0x01 || 32-byte public key).
    Verifier key: ``<name>+<hash as 8 hex digits>+<base64(0x01 || public key)>``.
    Signer key: ``PRIVATE+KEY+<name>+<hash as 8 hex digits>+<base64(0x01 || 32-byte seed)>``.
    Key names are non-empty and contain neither Unicode spaces nor ``+``.

Checkpoint (https://github.com/C2SP/C2SP/blob/main/tlog-checkpoint.md)
    The note text is the origin line, the tree size in decimal (no leading zeros), the base64 root
    hash, then optional non-empty extension lines, each line ending in a newline.

Key files
    The signer key lives in a file outside the event store, readable by its owner only (0600),
    named by the environment variable ``GONGKAI_LEDGER_KEY_FILE``. A keyring file holds verifier
    keys, one a line; ``#`` starts a comment line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM_ED25519 = 0x01
ED25519_KEY_SIZE = 32
SIGNATURE_PREFIX = "\u2014 "
MAX_SIGNATURES = 100
KEY_FILE_ENV = "GONGKAI_LEDGER_KEY_FILE"
ROOT_HASH_SIZE = 32

_CONTROL_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f]")
_DECIMAL = re.compile("0|[1-9][0-9]*")
_HEX_KEY_HASH = re.compile("[0-9a-f]{8}")
_SIGNER_KEY_PREFIX = "PRIVATE+KEY+"


class NoteError(ValueError):
    """A note, key or checkpoint was rejected."""


class MalformedNoteError(NoteError):
    """The message is not a well-formed signed note (or checkpoint)."""


class MalformedKeyError(NoteError):
    """An encoded signer or verifier key is not well-formed, or its key hash is wrong."""


class InvalidSignatureError(NoteError):
    """A signature by a known key does not verify."""


class AmbiguousKeyError(NoteError):
    """Two known verifiers share a key name and key hash."""


class UnverifiedNoteError(NoteError):
    """The note is well-formed but carries no signature by a known key."""

    def __init__(self, note: Note) -> None:
        super().__init__("note has no signature by a known key")
        self.note = note


class KeyFileError(NoteError):
    """The signer key file is missing, unset, or readable by others than its owner."""


def is_valid_key_name(name: str) -> bool:
    """Non-empty, with no Unicode space, no ``+`` and no control character."""
    return bool(name) and "+" not in name and not any(c.isspace() or c < " " for c in name)


def key_hash(name: str, public_key: bytes) -> int:
    """Key hash of an Ed25519 public key (32 raw bytes) under ``name``."""
    encoded = bytes([ALGORITHM_ED25519]) + public_key
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + encoded).digest()
    return int.from_bytes(digest[:4], "big")


def _raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_seed(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _decode_base64(text: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4, padded); ``ValueError`` otherwise."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError(f"not standard base64: {text!r}") from error


def _encode_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _split_encoded_key(encoded: str, parts: int) -> list[str]:
    fields = encoded.split("+", parts - 1)
    if len(fields) != parts:
        raise MalformedKeyError("an encoded key has the form name+hash+key")
    return fields


def _decode_key_body(name: str, hash_hex: str, key_base64: str) -> tuple[int, bytes]:
    """Check name, hash digits and algorithm; return the key hash and the 32 key bytes."""
    if not is_valid_key_name(name) or not _HEX_KEY_HASH.fullmatch(hash_hex):
        raise MalformedKeyError("malformed key name or key hash")
    try:
        key = _decode_base64(key_base64)
    except ValueError as error:
        raise MalformedKeyError("malformed key") from error
    if len(key) != 1 + ED25519_KEY_SIZE or key[0] != ALGORITHM_ED25519:
        raise MalformedKeyError("not an Ed25519 key")
    return int(hash_hex, 16), key[1:]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key that checks note signatures."""

    name: str
    key_hash: int
    public_key: Ed25519PublicKey = field(compare=False)

    @classmethod
    def from_public_key(cls, name: str, public_key: Ed25519PublicKey) -> Verifier:
        if not is_valid_key_name(name):
            raise MalformedKeyError(f"invalid key name {name!r}")
        return cls(name, key_hash(name, _raw_public_key(public_key)), public_key)

    @classmethod
    def from_encoded(cls, encoded: str) -> Verifier:
        """Parse ``<name>+<hash hex>+<base64(0x01 || public key)>``."""
        name, hash_hex, key_base64 = _split_encoded_key(encoded, 3)
        claimed_hash, raw = _decode_key_body(name, hash_hex, key_base64)
        if claimed_hash != key_hash(name, raw):
            raise MalformedKeyError(f"key hash {hash_hex} does not match key {name}")
        return cls(name, claimed_hash, Ed25519PublicKey.from_public_bytes(raw))

    def encoded(self) -> str:
        key = bytes([ALGORITHM_ED25519]) + _raw_public_key(self.public_key)
        return f"{self.name}+{self.key_hash:08x}+{_encode_base64(key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key that signs notes."""

    name: str
    key_hash: int
    private_key: Ed25519PrivateKey = field(compare=False, repr=False)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls.from_private_key(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_private_key(cls, name: str, private_key: Ed25519PrivateKey) -> Signer:
        if not is_valid_key_name(name):
            raise MalformedKeyError(f"invalid key name {name!r}")
        return cls(name, key_hash(name, _raw_public_key(private_key.public_key())), private_key)

    @classmethod
    def from_encoded(cls, encoded: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hash hex>+<base64(0x01 || seed)>``."""
        if not encoded.startswith(_SIGNER_KEY_PREFIX):
            raise MalformedKeyError("a signer key starts with PRIVATE+KEY+")
        name, hash_hex, key_base64 = _split_encoded_key(encoded[len(_SIGNER_KEY_PREFIX) :], 3)
        claimed_hash, seed = _decode_key_body(name, hash_hex, key_base64)
        private_key = Ed25519PrivateKey.from_private_bytes(seed)
        if claimed_hash != key_hash(name, _raw_public_key(private_key.public_key())):
            raise MalformedKeyError(f"key hash {hash_hex} does not match key {name}")
        return cls(name, claimed_hash, private_key)

    def encoded(self) -> str:
        """The secret encoded signer key."""
        key = bytes([ALGORITHM_ED25519]) + _raw_seed(self.private_key)
        return f"{_SIGNER_KEY_PREFIX}{self.name}+{self.key_hash:08x}+{_encode_base64(key)}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_hash, self.private_key.public_key())

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def generate_key(name: str) -> tuple[str, str]:
    """A new key pair for ``name``: (encoded signer key, encoded verifier key)."""
    signer = Signer.generate(name)
    return signer.encoded(), signer.verifier().encoded()


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    key_hash: int
    encoded: str

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {self.encoded}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the signatures verified, and those by unknown keys."""

    text: str
    signatures: tuple[Signature, ...]
    unverified_signatures: tuple[Signature, ...] = ()


def _check_note_characters(message: str) -> None:
    try:
        message.encode("utf-8")
    except UnicodeEncodeError as error:
        raise MalformedNoteError("a note must be valid UTF-8") from error
    if _CONTROL_CHARACTER.search(message):
        raise MalformedNoteError("a note must not contain control characters but newline")


def sign_note(text: str, *signers: Signer) -> str:
    """The signed note: ``text``, a blank line, one signature line per signer."""
    if not signers:
        raise ValueError("sign_note needs at least one signer")
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_note_characters(text)
    message = text.encode("utf-8")
    lines = [_signature_for(signer, message).line() for signer in signers]
    return text + "\n" + "".join(lines)


def _signature_for(signer: Signer, message: bytes) -> Signature:
    if not is_valid_key_name(signer.name):
        raise MalformedKeyError(f"invalid key name {signer.name!r}")
    raw = signer.key_hash.to_bytes(4, "big") + signer.sign(message)
    return Signature(signer.name, signer.key_hash, _encode_base64(raw))


def open_note(message: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse a signed note and check every signature by a known key.

    Raises ``MalformedNoteError`` for a malformed note, ``InvalidSignatureError`` when a known
    key's signature fails, ``AmbiguousKeyError`` for duplicate known keys, and
    ``UnverifiedNoteError`` when no known key signed the note. Signatures by unknown keys are
    kept in ``unverified_signatures``; repeated signatures are counted once.
    """
    text, signature_block = _split_note(_note_text(message))
    known = _index_verifiers(verifiers)
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for signature in _parse_signature_lines(signature_block):
        candidates = known.get((signature.name, signature.key_hash), [])
        if not candidates:
            _append_once(unverified, signature)
            continue
        if len(candidates) > 1:
            raise AmbiguousKeyError(f"ambiguous key {signature.name}+{signature.key_hash:08x}")
        if any(s.name == signature.name and s.key_hash == signature.key_hash for s in verified):
            continue
        _check_signature(candidates[0], signature, text)
        verified.append(signature)
    note = Note(text, tuple(verified), tuple(unverified))
    if not verified:
        raise UnverifiedNoteError(note)
    return note


def _note_text(message: str | bytes) -> str:
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedNoteError("a note must be valid UTF-8") from error
    _check_note_characters(message)
    return message


def _split_note(message: str) -> tuple[str, str]:
    """Split at the last blank line into (text with its final newline, signature lines)."""
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("a note needs a blank line before its signatures")
    text, signature_block = message[: split + 1], message[split + 2 :]
    if not signature_block.endswith("\n"):
        raise MalformedNoteError("a note must end with a newline-terminated signature line")
    return text, signature_block


def _parse_signature_lines(block: str) -> list[Signature]:
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"a note may carry at most {MAX_SIGNATURES} signatures")
    return [_parse_signature_line(line) for line in lines]


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNoteError("a signature line starts with an em dash and a space")
    name, _, signature_base64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    try:
        raw = _decode_base64(signature_base64)
    except ValueError as error:
        raise MalformedNoteError("a signature is not standard base64") from error
    if not is_valid_key_name(name) or not signature_base64 or len(raw) < 5:
        raise MalformedNoteError("malformed signature line")
    return Signature(name, int.from_bytes(raw[:4], "big"), signature_base64)


def _index_verifiers(verifiers: Iterable[Verifier]) -> dict[tuple[str, int], list[Verifier]]:
    index: dict[tuple[str, int], list[Verifier]] = {}
    for verifier in verifiers:
        index.setdefault((verifier.name, verifier.key_hash), []).append(verifier)
    return index


def _append_once(signatures: list[Signature], signature: Signature) -> None:
    if signature not in signatures:
        signatures.append(signature)


def _check_signature(verifier: Verifier, signature: Signature, text: str) -> None:
    raw = _decode_base64(signature.encoded)[4:]
    if not verifier.verify(text.encode("utf-8"), raw):
        raise InvalidSignatureError(
            f"invalid signature for key {signature.name}+{signature.key_hash:08x}"
        )


@dataclass(frozen=True)
class Checkpoint:
    """A transparency-log checkpoint: origin, tree size, root hash, extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise ValueError("a checkpoint origin is one non-empty line")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise ValueError(f"a checkpoint size is a non-negative integer, not {self.size!r}")
        if len(self.root_hash) != ROOT_HASH_SIZE:
            raise ValueError(f"a root hash has {ROOT_HASH_SIZE} bytes")
        if any(not line or "\n" in line for line in self.extensions):
            raise ValueError("extension lines are non-empty single lines")

    def to_note_text(self) -> str:
        lines = [self.origin, str(self.size), _encode_base64(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text (the text of an opened note, not the signed message)."""
        if not text.endswith("\n"):
            raise MalformedNoteError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise MalformedNoteError("a checkpoint has at least three non-empty lines")
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text):
            raise MalformedNoteError(f"malformed checkpoint tree size {size_text!r}")
        root_hash = _parse_root_hash(root_text)
        return cls(origin, int(size_text), root_hash, tuple(extensions))


def _parse_root_hash(text: str) -> bytes:
    try:
        root_hash = _decode_base64(text)
    except ValueError as error:
        raise MalformedNoteError("checkpoint root hash is not base64") from error
    if len(root_hash) != ROOT_HASH_SIZE or _encode_base64(root_hash) != text:
        raise MalformedNoteError("checkpoint root hash is not a canonical 32-byte hash")
    return root_hash


def sign_checkpoint(checkpoint: Checkpoint, *signers: Signer) -> str:
    """The signed note of a checkpoint."""
    return sign_note(checkpoint.to_note_text(), *signers)


def open_checkpoint(message: str | bytes, verifiers: Iterable[Verifier]) -> Checkpoint:
    """Verify a signed checkpoint (see ``open_note``) and parse its text."""
    return Checkpoint.parse(open_note(message, verifiers).text)


def read_keyring(text: str) -> list[Verifier]:
    """Verifier keys, one a line; blank lines and lines starting with ``#`` are skipped."""
    lines = (line.strip() for line in text.splitlines())
    return [Verifier.from_encoded(line) for line in lines if line and not line.startswith("#")]


def write_signer_key_file(path: Path, encoded_signer_key: str) -> None:
    """Create ``path`` with mode 0600 holding the signer key; never overwrite an existing file."""
    Signer.from_encoded(encoded_signer_key)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as key_file:
        key_file.write(encoded_signer_key + "\n")


def read_signer_key_file(path: Path) -> Signer:
    """Load the signer key, refusing a file that group or others may read or write."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as error:
        raise KeyFileError(f"signer key file {path} does not exist") from error
    if stat.S_IMODE(mode) & 0o077:
        raise KeyFileError(f"signer key file {path} must have mode 0600, has {mode & 0o777:o}")
    return Signer.from_encoded(path.read_text(encoding="utf-8").strip())


def signer_from_environment(environ: Mapping[str, str] | None = None) -> Signer:
    """Load the signer key from the file named by ``GONGKAI_LEDGER_KEY_FILE``."""
    environ = os.environ if environ is None else environ
    location = environ.get(KEY_FILE_ENV, "")
    if not location:
        raise KeyFileError(f"{KEY_FILE_ENV} is not set")
    return read_signer_key_file(Path(location))
