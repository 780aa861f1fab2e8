"""`gongkai ledger …` on a real data directory: keygen, checkpoint, prove, export, verify."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from api.cli_ledger import ledger_app
from projections.ledger import merkle
from projections.ledger.note import Verifier, open_checkpoint, read_signer_key_file
from tests.integration.ledger.conftest import (
    ORIGIN,
    copy_database,
    reference_root,
    set_state,
    stored_rows,
)

runner = CliRunner()
KEY_NAME = "example.gov.cn/test/2025"


def gongkai() -> typer.Typer:
    """The `gongkai` command with the ledger sub-app, as api/cli.py mounts it."""
    app = typer.Typer()
    app.add_typer(ledger_app, name="ledger")

    @app.command()
    def version() -> None:  # a second command keeps `ledger` a sub-command
        typer.echo("test")

    return app


def invoke(*arguments: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(gongkai(), ["ledger", *map(str, arguments)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def data_dir(template: tuple[Path, int], tmp_path: Path) -> Path:
    directory = tmp_path / "var"
    directory.mkdir()
    copy_database(template[0], directory / "gongkai.sqlite")
    return directory


@pytest.fixture
def key_file(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "keys" / "ledger.key"
    path.parent.mkdir()
    status, verifier_key, _ = invoke(
        "keygen", "--name", "example.gov.cn/test/2025", "--out", str(path)
    )
    assert status == 0
    return path, verifier_key.strip()


def test_keygen_writes_a_private_key_file_and_prints_the_public_key(
    key_file: tuple[Path, str],
) -> None:
    path, verifier_key = key_file

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_signer_key_file(path).verifier().encoded() == verifier_key
    # Never overwritten; invalid names refused.
    assert invoke("keygen", "--name", "other", "--out", str(path))[0] == 1
    assert invoke("keygen", "--name", "has space", "--out", str(path) + "2")[0] == 2


def test_checkpoint_signs_the_whole_log(data_dir: Path, key_file: tuple[Path, str]) -> None:
    path, verifier_key = key_file
    arguments = ("--data-dir", str(data_dir), "--key-file", str(path), "--origin", ORIGIN)

    status, note, _ = invoke("checkpoint", *arguments)

    assert status == 0
    checkpoint = open_checkpoint(note, [Verifier.from_encoded(verifier_key)])
    database = data_dir / "gongkai.sqlite"
    assert checkpoint.size == len(stored_rows(database))
    assert checkpoint.root_hash == reference_root(database)
    assert checkpoint.origin == ORIGIN


def test_checkpoint_without_a_key_or_store_fails_cleanly(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GONGKAI_LEDGER_KEY_FILE", raising=False)
    assert invoke("checkpoint", "--data-dir", str(data_dir))[0] == 2
    loose = tmp_path / "loose.key"
    loose.write_text("PRIVATE+KEY+x+00000000+AAAA\n")
    loose.chmod(0o644)
    assert invoke("checkpoint", "--data-dir", str(data_dir), "--key-file", str(loose))[0] == 2
    assert invoke("status", "--data-dir", str(tmp_path / "nowhere"))[0] == 1


def test_prove_prints_a_proof_that_verifies(data_dir: Path, key_file: tuple[Path, str]) -> None:
    path, _ = key_file
    invoke("checkpoint", "--data-dir", str(data_dir), "--key-file", str(path))
    row = stored_rows(data_dir / "gongkai.sqlite")[33]

    status, output, _ = invoke(
        "prove", "--id", str(row.notification_id), "--data-dir", str(data_dir)
    )

    assert status == 0
    proof = json.loads(output)
    assert proof["leaf_index"] == 33
    assert merkle.verify_inclusion(
        row.leaf_hash(),
        33,
        proof["tree_size"],
        [_decode(node) for node in proof["proof"]],
        _decode(proof["root_hash"]),
    )
    assert invoke("prove", "--id", "999999", "--data-dir", str(data_dir))[0] == 1


def test_export_then_verify_then_tamper(
    data_dir: Path, key_file: tuple[Path, str], tmp_path: Path
) -> None:
    path, verifier_key = key_file
    keyring = tmp_path / "published.txt"
    keyring.write_text(verifier_key + "\n")
    bundle = tmp_path / "bundle"

    status, _, errors = invoke(
        "export", str(bundle), "--data-dir", str(data_dir), "--key-file", str(path)
    )

    assert status == 0, errors
    assert (bundle / "verify_bundle.py").is_file()
    assert sorted(p.name for p in (bundle / "checkpoints").iterdir()) == [
        f"checkpoint-{len(stored_rows(data_dir / 'gongkai.sqlite'))}.note"
    ]
    status, output, _ = invoke("verify", str(bundle), "--public-key", str(keyring))
    assert status == 0, output
    assert "OK:" in output

    database = data_dir / "gongkai.sqlite"
    victim = stored_rows(database)[12]
    set_state(database, victim.notification_id, victim.state + b" ")
    tampered = tmp_path / "tampered"
    assert invoke("export", str(tampered), "--data-dir", str(data_dir), "--no-sign")[0] == 0

    status, output, _ = invoke("verify", str(tampered), "--public-key", str(keyring))
    assert status == 1
    assert f"notification_id={victim.notification_id}," in output


def test_verify_runs_the_installed_verifier_not_the_bundles_copy(
    data_dir: Path, key_file: tuple[Path, str], tmp_path: Path
) -> None:
    path, _ = key_file
    bundle = tmp_path / "bundle"
    invoke("export", str(bundle), "--data-dir", str(data_dir), "--key-file", str(path))
    set_state(data_dir / "gongkai.sqlite", 3, b"{}")
    tampered = tmp_path / "tampered"
    invoke("export", str(tampered), "--data-dir", str(data_dir), "--no-sign")
    # A forger also replaces the bundle's verifier with one that always says OK.
    (tampered / "verify_bundle.py").write_text("print('OK: all good')\n")

    status, output, _ = invoke("verify", str(tampered))

    assert status == 1
    assert "FAIL" in output


def test_status_shows_the_tree_and_the_checkpoint(
    data_dir: Path, key_file: tuple[Path, str]
) -> None:
    path, verifier_key = key_file
    invoke("checkpoint", "--data-dir", str(data_dir), "--key-file", str(path), "--origin", ORIGIN)

    status, output, _ = invoke("status", "--data-dir", str(data_dir))

    assert status == 0
    assert str(len(stored_rows(data_dir / "gongkai.sqlite"))) in output
    assert ORIGIN in output
    assert verifier_key.split("+")[0] in output


def _decode(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
