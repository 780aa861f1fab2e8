"""Signed notes, keys and checkpoints.

The PeterNeumann and EnochRoot keys, texts and signatures are the test vectors of Go's
golang.org/x/mod/sumdb/note package, file ``sumdb/note/note_test.go`` (TestNewVerifier,
TestNewSigner, TestSign, TestOpen); Ed25519 is deterministic, so signing must match byte for byte.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from pathlib import Path

import pytest

from projections.ledger.note import (
    KEY_FILE_ENV,
    AmbiguousKeyError,
    Checkpoint,
    InvalidSignatureError,
    KeyFileError,
    MalformedKeyError,
    MalformedNoteError,
    Signature,
    Signer,
    UnverifiedNoteError,
    Verifier,
    generate_key,
    is_valid_key_name,
    key_hash,
    open_checkpoint,
    open_note,
    read_keyring,
    read_signer_key_file,
    sign_checkpoint,
    sign_note,
    signer_from_environment,
    write_signer_key_file,
)

PETER_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VERIFIER_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIGNATURE_BASE64 = (
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
)
ENOCH_SIGNATURE_BASE64 = (
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="
)
PETER_LINE = f"— PeterNeumann {PETER_SIGNATURE_BASE64}\n"
ENOCH_LINE = f"— EnochRoot {ENOCH_SIGNATURE_BASE64}\n"
PETER = Signature("PeterNeumann", 0xC74F20A3, PETER_SIGNATURE_BASE64)
ENOCH = Signature("EnochRoot", 0xAF0CFE78, ENOCH_SIGNATURE_BASE64)
ROOT = bytes(range(32))
# The same 32 bytes with the two unused low bits of the last base64 digit set ("8" -> "9"):
# lenient decoders accept it, a checkpoint must not.
NON_CANONICAL_ROOT_BASE64 = base64.b64encode(ROOT).decode().replace("8=", "9=")

MALFORMED_CHECKPOINT_TEXTS = [
    "origin\n5\n",
    "origin\n05\n" + base64.b64encode(ROOT).decode() + "\n",
    "origin\n-5\n" + base64.b64encode(ROOT).decode() + "\n",
    "origin\n5\n" + base64.b64encode(ROOT[:31]).decode() + "\n",
    "origin\n5\n" + base64.b64encode(ROOT).decode().rstrip("=") + "\n",
    "origin\n5\n" + NON_CANONICAL_ROOT_BASE64 + "\n",
    "origin\n5\n" + base64.b64encode(ROOT).decode() + "\n\n",
    "origin\n5\n" + base64.b64encode(ROOT).decode(),
    "\n5\n" + base64.b64encode(ROOT).decode() + "\n",
]


@pytest.fixture
def peter() -> Verifier:
    return Verifier.from_encoded(PETER_VERIFIER_KEY)


@pytest.fixture
def enoch() -> Verifier:
    return Verifier.from_encoded(ENOCH_VERIFIER_KEY)


def insert_abcd_at_byte_60(line: str) -> str:
    """Go's ``sig[:60] + "ABCD" + sig[60:]``, which slices bytes (the em dash is 3 bytes)."""
    raw = line.encode("utf-8")
    return (raw[:60] + b"ABCD" + raw[60:]).decode("utf-8")


def manglings(key: str) -> list[str]:
    """Every proper substring of ``key`` and every one-character increment of it."""
    substrings = [
        key[i:j]
        for i in range(len(key) + 1)
        for j in range(i + 1, len(key) + 1)
        if (i, j) != (0, len(key))
    ]
    increments = [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return substrings + increments


class TestGoVectors:
    def test_signing_matches_go_byte_for_byte(self) -> None:
        signed = sign_note(TEXT, Signer.from_encoded(PETER_SIGNER_KEY))
        assert signed == TEXT + "\n" + PETER_LINE
        assert signed.encode("utf-8") == TEXT.encode() + b"\n\xe2\x80\x94 PeterNeumann " + (
            PETER_SIGNATURE_BASE64.encode() + b"\n"
        )

    def test_signer_and_verifier_keys_agree(self, peter: Verifier) -> None:
        signer = Signer.from_encoded(PETER_SIGNER_KEY)
        assert (signer.name, signer.key_hash) == ("PeterNeumann", 0xC74F20A3)
        assert signer.verifier() == peter
        assert signer.verifier().encoded() == PETER_VERIFIER_KEY
        assert signer.encoded() == PETER_SIGNER_KEY

    def test_key_hash_is_sha256_of_name_newline_algorithm_key(self, peter: Verifier) -> None:
        raw = base64.b64decode(PETER_VERIFIER_KEY.split("+")[2])[1:]
        assert key_hash("PeterNeumann", raw) == 0xC74F20A3 == peter.key_hash

    def test_mangled_verifier_keys_are_rejected(self) -> None:
        for mangled in manglings(PETER_VERIFIER_KEY):
            with pytest.raises((MalformedKeyError, ValueError)):
                Verifier.from_encoded(mangled)

    def test_mangled_signer_keys_are_rejected(self) -> None:
        for mangled in manglings(PETER_SIGNER_KEY):
            with pytest.raises((MalformedKeyError, ValueError)):
                Signer.from_encoded(mangled)

    @pytest.mark.parametrize(
        "key",
        [
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        ],
    )
    def test_wrong_length_or_algorithm_is_rejected(self, key: str) -> None:
        with pytest.raises(MalformedKeyError):
            Verifier.from_encoded(key)

    def test_open_verifies_known_and_keeps_unknown(self, peter: Verifier) -> None:
        note = open_note(TEXT + "\n" + PETER_LINE + ENOCH_LINE, [peter])
        assert note.text == TEXT
        assert note.signatures == (PETER,)
        assert note.unverified_signatures == (ENOCH,)

    def test_open_verifies_both(self, peter: Verifier, enoch: Verifier) -> None:
        note = open_note((TEXT + "\n" + PETER_LINE + ENOCH_LINE).encode(), [peter, enoch])
        assert note.signatures == (PETER, ENOCH)
        assert note.unverified_signatures == ()

    def test_open_without_known_key_fails_but_keeps_the_note(self) -> None:
        with pytest.raises(UnverifiedNoteError) as raised:
            open_note(TEXT + "\n" + PETER_LINE + ENOCH_LINE, [])
        assert raised.value.note.unverified_signatures == (PETER, ENOCH)
        assert raised.value.note.signatures == ()

    def test_duplicated_verifier_is_ambiguous_when_used(
        self, peter: Verifier, enoch: Verifier
    ) -> None:
        with pytest.raises(AmbiguousKeyError, match="EnochRoot\\+af0cfe78"):
            open_note(TEXT + "\n" + ENOCH_LINE, [enoch, peter, enoch])
        assert open_note(TEXT + "\n" + PETER_LINE, [enoch, peter, enoch]).signatures == (PETER,)

    def test_more_than_100_signatures_is_malformed(self, peter: Verifier) -> None:
        with pytest.raises(MalformedNoteError):
            open_note(TEXT + "\n" + PETER_LINE * 101, [peter])
        assert open_note(TEXT + "\n" + PETER_LINE * 100, [peter]).signatures == (PETER,)

    def test_invalid_signature_by_known_key_fails(self, peter: Verifier) -> None:
        forged = insert_abcd_at_byte_60(PETER_LINE)
        with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
            open_note(TEXT + "\n" + forged, [peter])

    def test_repeated_signatures_count_once(self, peter: Verifier) -> None:
        enoch_forged = insert_abcd_at_byte_60(ENOCH_LINE)
        message = TEXT + "\n" + PETER_LINE * 2 + ENOCH_LINE * 2 + enoch_forged
        note = open_note(message, [peter])
        assert note.signatures == (PETER,)
        forged_base64 = ENOCH_SIGNATURE_BASE64[:46] + "ABCD" + ENOCH_SIGNATURE_BASE64[46:]
        assert note.unverified_signatures == (
            ENOCH,
            Signature("EnochRoot", 0xAF0CFE78, forged_base64),
        )

    @pytest.mark.parametrize(
        "message",
        [
            TEXT,
            TEXT + "\n",
            TEXT + "\n" + PETER_LINE[:-1],
            "\x01" + TEXT + "\n" + PETER_LINE,
            TEXT + "\n" + "— Bad Name " + PETER_SIGNATURE_BASE64,
            TEXT + "\n" + PETER_LINE + "Unexpected line.\n",
            TEXT + "\n" + "— PeterNeumann\n",
            TEXT + "\n" + "— PeterNeumann AAAA\n",
            TEXT + "\n" + "- PeterNeumann " + PETER_SIGNATURE_BASE64 + "\n",
        ],
    )
    def test_malformed_messages_are_rejected(self, message: str, peter: Verifier) -> None:
        with pytest.raises(MalformedNoteError):
            open_note(message, [peter])

    def test_invalid_utf8_is_malformed(self, peter: Verifier) -> None:
        with pytest.raises(MalformedNoteError):
            open_note(b"\xff" + (TEXT + "\n" + PETER_LINE).encode(), [peter])

    def test_signature_over_other_text_fails(self, peter: Verifier) -> None:
        with pytest.raises(InvalidSignatureError):
            open_note(TEXT.replace("answer", "Answer") + "\n" + PETER_LINE, [peter])


class TestKeys:
    def test_generated_keys_have_go_format_and_work(self) -> None:
        signer_key, verifier_key = generate_key("gongkai.example/ledger")
        assert re.fullmatch(
            r"PRIVATE\+KEY\+gongkai\.example/ledger\+[0-9a-f]{8}\+\S{44}", signer_key
        )
        assert re.fullmatch(r"gongkai\.example/ledger\+[0-9a-f]{8}\+\S{44}", verifier_key)
        assert signer_key.split("+")[3] == verifier_key.split("+")[1]
        signed = sign_note("hello\n", Signer.from_encoded(signer_key))
        assert open_note(signed, [Verifier.from_encoded(verifier_key)]).text == "hello\n"

    def test_a_different_key_with_the_same_name_is_unknown(self) -> None:
        signer = Signer.generate("same-name")
        other = Signer.generate("same-name").verifier()
        with pytest.raises(UnverifiedNoteError):
            open_note(sign_note("hello\n", signer), [other])

    @pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "nbsp\u00a0", "x\x01"])
    def test_invalid_key_names(self, name: str) -> None:
        assert not is_valid_key_name(name)
        with pytest.raises(MalformedKeyError):
            Signer.generate(name)

    def test_signer_repr_hides_the_private_key(self) -> None:
        signer = Signer.from_encoded(PETER_SIGNER_KEY)
        assert "AYEKFALV" not in repr(signer)
        assert "private_key" not in repr(signer)

    def test_keyring_skips_comments_and_blank_lines(self, peter: Verifier, enoch: Verifier) -> None:
        text = f"# ledger keys\n{PETER_VERIFIER_KEY}\n\n  {ENOCH_VERIFIER_KEY}  \n"
        assert read_keyring(text) == [peter, enoch]

    def test_keyring_rejects_a_bad_line(self) -> None:
        with pytest.raises(MalformedKeyError):
            read_keyring(PETER_VERIFIER_KEY + "\nnot-a-key\n")


class TestSignNote:
    def test_text_must_end_with_newline(self) -> None:
        with pytest.raises(MalformedNoteError):
            sign_note("abc", Signer.from_encoded(PETER_SIGNER_KEY))

    def test_control_characters_are_refused(self) -> None:
        with pytest.raises(MalformedNoteError):
            sign_note("a\tb\n", Signer.from_encoded(PETER_SIGNER_KEY))

    def test_at_least_one_signer(self) -> None:
        with pytest.raises(ValueError, match="signer"):
            sign_note("abc\n")

    def test_several_signers_sign_in_order(self, peter: Verifier) -> None:
        other = Signer.generate("Other")
        signed = sign_note(TEXT, Signer.from_encoded(PETER_SIGNER_KEY), other)
        assert signed.startswith(TEXT + "\n" + PETER_LINE + "— Other ")
        note = open_note(signed, [peter, other.verifier()])
        assert [s.name for s in note.signatures] == ["PeterNeumann", "Other"]

    def test_text_with_blank_lines_round_trips(self, peter: Verifier) -> None:
        text = "first\n\nsecond\n\n"
        signed = sign_note(text, Signer.from_encoded(PETER_SIGNER_KEY))
        assert open_note(signed, [peter]).text == text


class TestCheckpoint:
    def test_note_text_layout(self) -> None:
        checkpoint = Checkpoint("gongkai.example/ledger", 20852163, ROOT, ("ext one",))
        root_line = base64.b64encode(ROOT).decode()
        assert (
            checkpoint.to_note_text() == f"gongkai.example/ledger\n20852163\n{root_line}\next one\n"
        )

    def test_non_canonical_root_is_a_real_alias(self) -> None:
        assert base64.b64encode(ROOT).decode() != NON_CANONICAL_ROOT_BASE64
        assert base64.b64decode(NON_CANONICAL_ROOT_BASE64) == ROOT

    def test_parse_round_trips(self) -> None:
        checkpoint = Checkpoint("origin", 0, ROOT, ("a", "b"))
        assert Checkpoint.parse(checkpoint.to_note_text()) == checkpoint

    @pytest.mark.parametrize("text", MALFORMED_CHECKPOINT_TEXTS)
    def test_malformed_text_is_rejected(self, text: str) -> None:
        with pytest.raises(MalformedNoteError):
            Checkpoint.parse(text)

    @pytest.mark.parametrize(
        ("origin", "size", "root", "extensions"),
        [("", 1, ROOT, ()), ("o", -1, ROOT, ()), ("o", 1, ROOT[:5], ()), ("o", 1, ROOT, ("",))],
    )
    def test_invalid_checkpoints_cannot_be_built(
        self, origin: str, size: int, root: bytes, extensions: tuple[str, ...]
    ) -> None:
        with pytest.raises(ValueError, match=r"checkpoint|root hash|extension"):
            Checkpoint(origin, size, root, extensions)

    def test_signed_checkpoint_opens(self) -> None:
        signer = Signer.generate("gongkai.example/ledger")
        checkpoint = Checkpoint("gongkai.example/ledger", 12, ROOT)
        signed = sign_checkpoint(checkpoint, signer)
        assert open_checkpoint(signed, [signer.verifier()]) == checkpoint

    def test_changed_size_breaks_the_signature(self) -> None:
        signer = Signer.generate("log")
        signed = sign_checkpoint(Checkpoint("log", 12, ROOT), signer)
        with pytest.raises(InvalidSignatureError):
            open_checkpoint(signed.replace("\n12\n", "\n13\n", 1), [signer.verifier()])


class TestKeyFile:
    def test_written_key_file_is_private_and_loads(self, tmp_path: Path) -> None:
        path = tmp_path / "ledger.key"
        write_signer_key_file(path, PETER_SIGNER_KEY)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert read_signer_key_file(path) == Signer.from_encoded(PETER_SIGNER_KEY)

    def test_existing_key_file_is_never_overwritten(self, tmp_path: Path) -> None:
        path = tmp_path / "ledger.key"
        path.write_text("keep me")
        with pytest.raises(FileExistsError):
            write_signer_key_file(path, PETER_SIGNER_KEY)
        assert path.read_text() == "keep me"

    def test_readable_key_file_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "ledger.key"
        write_signer_key_file(path, PETER_SIGNER_KEY)
        os.chmod(path, 0o640)
        with pytest.raises(KeyFileError, match="0600"):
            read_signer_key_file(path)

    def test_key_file_from_environment(self, tmp_path: Path) -> None:
        path = tmp_path / "ledger.key"
        write_signer_key_file(path, PETER_SIGNER_KEY)
        signer = signer_from_environment({KEY_FILE_ENV: str(path)})
        assert signer.encoded() == PETER_SIGNER_KEY

    def test_unset_or_missing_key_file(self, tmp_path: Path) -> None:
        with pytest.raises(KeyFileError, match=KEY_FILE_ENV):
            signer_from_environment({})
        with pytest.raises(KeyFileError, match="does not exist"):
            signer_from_environment({KEY_FILE_ENV: str(tmp_path / "absent.key")})
