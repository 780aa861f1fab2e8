"""The `/ledger` routes over a real SQLite store: checkpoints (signing limited to the disclosure
office and investigators), inclusion and consistency proofs, the public key, problem+json."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api.auth import Official
from api.main import create_app
from api.routes import ledger as ledger_routes
from api.services import Services
from api.settings import Settings
from domain.codes import Role
from projections.ledger import merkle
from projections.ledger.note import (
    KEY_FILE_ENV,
    Signer,
    Verifier,
    open_checkpoint,
    write_signer_key_file,
)
from projections.ledger.store import ORIGIN_ENV
from tests.integration.ledger.conftest import (
    AGENCY,
    DEPT,
    ORIGIN,
    copy_database,
    reference_root,
    run_commands,
    stored_rows,
)


@dataclass
class Http:
    client: TestClient
    services: Services
    tokens: dict[Role, dict[str, str]]
    database: Path

    def post(self, path: str, role: Role | None = None) -> Any:
        return self.client.post(path, headers=self.tokens[role] if role else {})

    def get(self, path: str) -> Any:
        return self.client.get(path)


@pytest.fixture
def http(
    template: tuple[Path, int],
    tmp_path: Path,
    signer: Signer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Http]:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    copy_database(template[0], data_dir / "gongkai.sqlite")
    key_file = tmp_path / "ledger.key"
    write_signer_key_file(key_file, signer.encoded())
    monkeypatch.setenv(KEY_FILE_ENV, str(key_file))
    monkeypatch.setenv(ORIGIN_ENV, ORIGIN)
    app = create_app(Settings(data_dir=data_dir, run_projections=False, read_wait_timeout=5))
    if not any(getattr(route, "path", "").startswith("/ledger/") for route in app.routes):
        app.include_router(ledger_routes.router)  # until api/main.py mounts it
    services: Services = app.state.services
    tokens = {
        role: {
            "Authorization": "Bearer "
            + services.officials.issue_token(
                Official(
                    official_id=f"t-{role.value}", role=role, department=DEPT, agency_code=AGENCY
                )
            )
        }
        for role in (Role.DRAFTER, Role.DISCLOSURE_OFFICE, Role.INVESTIGATOR, Role.SIGNER)
    }
    with TestClient(app) as client:
        yield Http(client, services, tokens, data_dir / "gongkai.sqlite")
    ledger_routes.stop_follower(services)
    services.close()


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def is_problem(response: Any, status: int, kind: str) -> bool:
    body = response.json()
    return (
        response.status_code == status
        and response.headers["content-type"].startswith("application/problem+json")
        and body["type"] == f"/problems/{kind}"
        and body["status"] == status
    )


class TestCheckpoints:
    def test_before_any_checkpoint_there_is_none(self, http: Http) -> None:
        assert is_problem(http.get("/ledger/checkpoint"), 404, "not-found")

    @pytest.mark.parametrize("role", [Role.DISCLOSURE_OFFICE, Role.INVESTIGATOR])
    def test_the_office_and_investigators_sign_the_whole_log(
        self, http: Http, signer: Signer, role: Role
    ) -> None:
        response = http.post("/ledger/checkpoints", role)

        assert response.status_code == 201
        assert response.headers["content-type"].startswith("text/plain")
        checkpoint = open_checkpoint(response.text, [signer.verifier()])
        assert checkpoint.origin == ORIGIN
        assert checkpoint.size == len(stored_rows(http.database))
        assert checkpoint.root_hash == reference_root(http.database)
        assert response.headers["location"] == f"/ledger/checkpoint?tree_size={checkpoint.size}"
        latest = http.get("/ledger/checkpoint")
        assert latest.status_code == 200 and latest.text == response.text

    def test_an_unchanged_tree_is_not_signed_again(self, http: Http) -> None:
        first = http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)

        again = http.post("/ledger/checkpoints", Role.INVESTIGATOR)

        assert again.status_code == 200
        assert again.text == first.text

    def test_other_roles_and_the_public_may_not_sign(self, http: Http) -> None:
        refused = http.post("/ledger/checkpoints", Role.DRAFTER)
        assert is_problem(refused, 403, "forbidden")
        assert refused.json()["rule"] == "role_not_allowed"
        assert is_problem(http.post("/ledger/checkpoints", Role.SIGNER), 403, "forbidden")
        assert is_problem(http.post("/ledger/checkpoints"), 401, "unauthorized")
        assert is_problem(http.get("/ledger/checkpoint"), 404, "not-found")

    def test_without_a_usable_key_nothing_is_signed(
        self, http: Http, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv(KEY_FILE_ENV, str(tmp_path / "missing.key"))

        response = http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)

        assert is_problem(response, 503, "ledger-not-configured")
        assert "missing.key" not in response.text
        assert is_problem(http.get("/ledger/checkpoint"), 404, "not-found")

    def test_another_origin_is_refused(self, http: Http, monkeypatch: pytest.MonkeyPatch) -> None:
        http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)
        run_commands(http.services.ledger, items=1, requests=0, tag="庚")
        ledger_routes.ledger_runtime(http.services).store.configured_origin = "other.example/x"

        response = http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)

        assert is_problem(response, 503, "ledger-not-configured")

    def test_an_older_checkpoint_by_size(self, http: Http) -> None:
        first = http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE).text
        run_commands(http.services.ledger, items=1, requests=0, tag="辛")
        http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)
        size = first.split("\n")[1]

        assert http.get(f"/ledger/checkpoint?tree_size={size}").text == first
        assert is_problem(http.get("/ledger/checkpoint?tree_size=3"), 404, "not-found")


class TestProofs:
    def test_an_inclusion_proof_verifies_under_the_signed_root(
        self, http: Http, signer: Signer
    ) -> None:
        note = http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE).text
        checkpoint = open_checkpoint(note, [signer.verifier()])
        row = stored_rows(http.database)[101]

        response = http.get(f"/ledger/proofs/inclusion?notification_id={row.notification_id}")

        assert response.status_code == 200
        body = response.json()
        assert body["leaf_index"] == 101
        assert body["checkpoint"] == note
        assert b64(body["leaf_hash"]) == row.leaf_hash()
        assert merkle.verify_inclusion(
            row.leaf_hash(),
            101,
            checkpoint.size,
            [b64(node) for node in body["proof"]],
            checkpoint.root_hash,
        )

    def test_a_consistency_proof_between_two_checkpoints(self, http: Http, signer: Signer) -> None:
        old = open_checkpoint(
            http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE).text, [signer.verifier()]
        )
        run_commands(http.services.ledger, items=2, requests=1, tag="壬")
        new = open_checkpoint(
            http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE).text, [signer.verifier()]
        )

        response = http.get(f"/ledger/proofs/consistency?old={old.size}&new={new.size}")

        assert response.status_code == 200
        body = response.json()
        assert merkle.verify_consistency(
            old.size,
            new.size,
            old.root_hash,
            new.root_hash,
            [b64(node) for node in body["proof"]],
        )
        assert http.get(f"/ledger/proofs/consistency?old={old.size}").json() == body

    def test_an_event_newer_than_the_checkpoint_is_not_covered(self, http: Http) -> None:
        http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)
        run_commands(http.services.ledger, items=1, requests=0, tag="癸")
        newest = http.services.position()

        response = http.get(f"/ledger/proofs/inclusion?notification_id={newest}")

        assert is_problem(response, 409, "ledger-not-covered")
        # Against the unsigned current tree it can be proven, without a checkpoint.
        size = len(stored_rows(http.database))
        proved = http.get(f"/ledger/proofs/inclusion?notification_id={newest}&tree_size={size}")
        assert proved.status_code == 200 and proved.json()["checkpoint"] is None

    def test_refusals(self, http: Http, template: tuple[Path, int]) -> None:
        assert is_problem(
            http.get("/ledger/proofs/inclusion?notification_id=5"), 404, "not-found"
        )  # no checkpoint yet
        http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)
        burnt = template[1]

        missing = http.get(f"/ledger/proofs/inclusion?notification_id={burnt}")
        beyond = http.get("/ledger/proofs/inclusion?notification_id=99999")
        too_big = http.get("/ledger/proofs/inclusion?notification_id=5&tree_size=99999")
        backwards = http.get("/ledger/proofs/consistency?old=50&new=40")
        malformed = http.get("/ledger/proofs/inclusion?notification_id=abc")

        assert is_problem(missing, 404, "not-found")
        assert is_problem(beyond, 404, "not-found")
        assert is_problem(too_big, 422, "validation-error")
        assert too_big.json()["field"] == "tree_size"
        assert is_problem(backwards, 422, "validation-error")
        assert is_problem(malformed, 422, "validation-error")

    def test_the_background_follower_serves_new_events(self, http: Http) -> None:
        ledger_routes.start_follower(http.services)
        run_commands(http.services.ledger, items=1, requests=0, tag="子")
        newest = http.services.position()
        size = len(stored_rows(http.database))

        response = http.get(f"/ledger/proofs/inclusion?notification_id={newest}&tree_size={size}")

        assert response.status_code == 200
        assert response.json()["leaf_index"] == size - 1


class TestPublicKey:
    def test_the_signer_key_is_published(self, http: Http, signer: Signer) -> None:
        response = http.get("/ledger/public-key")

        assert response.status_code == 200
        assert response.text == signer.verifier().encoded() + "\n"
        assert Verifier.from_encoded(response.text.strip()) == signer.verifier()

    def test_after_a_rotation_both_keys_are_published(
        self, http: Http, signer: Signer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        http.post("/ledger/checkpoints", Role.DISCLOSURE_OFFICE)
        rotated = Signer.generate("gongkai-ledger.example/test/2026")
        key_file = tmp_path / "rotated.key"
        write_signer_key_file(key_file, rotated.encoded())
        monkeypatch.setenv(KEY_FILE_ENV, str(key_file))

        response = http.get("/ledger/public-key")

        assert response.text.splitlines() == [
            signer.verifier().encoded(),
            rotated.verifier().encoded(),
        ]

    def test_no_key_at_all(
        self, http: Http, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delenv(KEY_FILE_ENV)

        assert is_problem(http.get("/ledger/public-key"), 404, "not-found")


def test_the_problem_kinds_are_documented(http: Http) -> None:
    for kind in ("ledger-not-covered", "ledger-not-configured", "ledger-integrity"):
        response = http.get(f"/problems/{kind}")
        assert response.status_code == 200, kind
