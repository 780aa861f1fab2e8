"""The token → official cache (api/auth.py): a revocation or a changed official applies at once
in the process that made it, and in every other process within `token_cache_seconds`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth import DEFAULT_TOKEN_CACHE_SECONDS, Official, OfficialRegistry
from api.main import create_app
from api.settings import Settings
from domain.codes import Role
from tests.api.conftest import AGENCY, DEPT
from tests.backends import Backend

TTL = 5.0
DRAFTER = Official(official_id="t-cache", role=Role.DRAFTER, department=DEPT, agency_code=AGENCY)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def registries(backend: Backend, clock: FakeClock) -> Iterator[list[OfficialRegistry]]:
    """Two registries over one store: this process and another one (another API process, or
    `gongkai token` beside a running server)."""
    stores = [backend.store(), backend.store()]
    here, elsewhere = (
        OfficialRegistry(store, token_cache_seconds=TTL, clock=clock) for store in stores
    )
    here.create_tables()
    yield [here, elsewhere]
    for store in stores:
        store.close()


def test_a_token_revoked_here_is_refused_at_once(registries: list[OfficialRegistry]) -> None:
    here, _ = registries
    token = here.issue_token(DRAFTER)
    assert here.authenticate(token) == DRAFTER  # now cached
    assert here.revoke(token)
    assert here.authenticate(token) is None


def test_a_token_revoked_elsewhere_is_refused_once_the_cache_expires(
    registries: list[OfficialRegistry], clock: FakeClock
) -> None:
    here, elsewhere = registries
    token = here.issue_token(DRAFTER)
    assert here.authenticate(token) == DRAFTER
    assert elsewhere.revoke(token)
    clock.now += TTL - 0.1
    assert here.authenticate(token) == DRAFTER  # within the documented bound
    clock.now += 0.2
    assert here.authenticate(token) is None


def test_a_changed_role_applies_at_once_here_and_within_the_bound_elsewhere(
    registries: list[OfficialRegistry], clock: FakeClock
) -> None:
    here, elsewhere = registries
    token = here.issue_token(DRAFTER)
    assert elsewhere.authenticate(token) == DRAFTER
    promoted = DRAFTER.model_copy(update={"role": Role.SECTION_HEAD})
    here.save(promoted)
    assert here.authenticate(token) == promoted
    assert elsewhere.authenticate(token) == DRAFTER
    clock.now += TTL
    assert elsewhere.authenticate(token) == promoted


def test_a_token_issued_elsewhere_works_at_once(registries: list[OfficialRegistry]) -> None:
    """Unknown tokens are not cached: a miss now does not hide a token issued a moment later."""
    here, elsewhere = registries
    assert here.authenticate("gk_not-yet-issued") is None
    token = elsewhere.issue_token(DRAFTER)
    assert here.authenticate(token) == DRAFTER


def test_a_lookup_racing_a_revocation_does_not_cache_the_old_answer(
    registries: list[OfficialRegistry], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup read the row before the revocation committed; its answer is served to that
    one request but not kept."""
    here, _ = registries
    token = here.issue_token(DRAFTER)
    lookup = here._lookup

    def lookup_then_revoke(key: str) -> Official | None:
        found = lookup(key)
        here.revoke(token)
        return found

    monkeypatch.setattr(here, "_lookup", lookup_then_revoke)
    assert here.authenticate(token) == DRAFTER
    monkeypatch.setattr(here, "_lookup", lookup)
    assert here.authenticate(token) is None


def test_no_cache_when_switched_off(backend: Backend) -> None:
    stores = [backend.store(), backend.store()]
    here, elsewhere = (OfficialRegistry(store, token_cache_seconds=0) for store in stores)
    here.create_tables()
    token = here.issue_token(DRAFTER)
    assert here.authenticate(token) == DRAFTER
    elsewhere.revoke(token)
    assert here.authenticate(token) is None
    for store in stores:
        store.close()


def test_the_api_refuses_a_token_revoked_in_its_process(backend: Backend) -> None:
    app = create_app(backend.settings(run_projections=False))
    services = app.state.services
    token = services.officials.issue_token(DRAFTER)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        assert client.get("/me", headers=headers).status_code == 200
        services.officials.revoke(token)
        refused = client.get("/me", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    services.close()


def test_the_bound_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert Settings.from_env(tmp_path).token_cache_seconds == DEFAULT_TOKEN_CACHE_SECONDS
    monkeypatch.setenv("GONGKAI_TOKEN_CACHE_SECONDS", "0.5")
    assert Settings.from_env(tmp_path).token_cache_seconds == 0.5
