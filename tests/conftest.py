"""The store fixtures shared by every test package: `backend` (one per test) and
`module_backend` (one per module, for the API apps), each parametrised `sqlite` / `postgres`.

Tests marked `postgres` skip with the reason when the server does not answer (or fail when
GONGKAI_REQUIRE_POSTGRES=1); tests/backends.py has the details."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import BACKENDS, Backend, open_backend, postgres_problem, require_postgres


def pytest_report_header() -> str:
    problem = postgres_problem()
    return "postgres: " + ("reachable, its tests run" if problem is None else problem)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before any fixture is built, so a module's app is not opened against a dead server.
    if item.get_closest_marker("postgres") is not None:
        require_postgres()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from open_backend(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    """Only the name, for tests that open a backend per Hypothesis example (`backend_for`)."""
    return str(request.param)


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    yield from open_backend(request.param, tmp_path_factory.mktemp(request.param))


@pytest.fixture(scope="session", params=BACKENDS)
def session_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """One per test session and store, for expensive shared scenarios (the golden report)."""
    yield from open_backend(request.param, tmp_path_factory.mktemp(f"session-{request.param}"))
