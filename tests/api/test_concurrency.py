"""Two writers on one aggregate: one wins, the other is told (409, or 412 with If-Match), and
the event history holds exactly the winner's event — nothing lost, nothing doubled. A second API
app over the same store stands for another process: its writes are read and built upon here."""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # as in tests/api/conftest.py
    from fastapi.testclient import TestClient

from api.main import create_app
from api.services import Services
from domain.application import GongkaiLedger
from domain.on_loop import on_loop, wait_on_loop
from tests.api.conftest import Api, Given

PUBLISH = {"on": "2025-03-06", "channels": ["portal"]}


def race(
    given: Given, monkeypatch: pytest.MonkeyPatch, item_id: UUID, headers: list[dict[str, str]]
) -> list[Any]:
    """Both requests load the item, then both try to save it at the same moment. Commands run
    on the event loop on the embedded store (api/command_route.py) and in threads on
    PostgreSQL: the barrier is the loop's or the threads' accordingly."""
    ledger: GongkaiLedger = given.ledger
    barrier = threading.Barrier(len(headers), timeout=10)
    on_the_loop = asyncio.Barrier(len(headers))
    original: Callable[..., Any] = ledger._save

    def save_together(*aggregates: Any) -> Any:
        if on_loop():
            wait_on_loop(asyncio.wait_for(on_the_loop.wait(), timeout=10))
        else:
            barrier.wait()
        return original(*aggregates)

    monkeypatch.setattr(ledger, "_save", save_together)
    api = given.api

    def publish(extra: dict[str, str]) -> Any:
        return api.post(f"/items/{item_id}/publication", "disclosure_office", PUBLISH, **extra)

    with ThreadPoolExecutor(max_workers=len(headers)) as pool:
        return list(pool.map(publish, headers))


def published_events(given: Given, item_id: UUID) -> list[Any]:
    return [e for e in given.ledger.history(item_id) if type(e).__name__ == "Published"]


def test_concurrent_writers_one_wins_the_other_gets_409(
    given_commands: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = given_commands.approved()
    responses = race(given_commands, monkeypatch, item_id, [{}, {}])
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.headers["content-type"] == "application/problem+json"
    assert loser.json()["type"] == "/problems/concurrent-write"
    assert len(published_events(given_commands, item_id)) == 1
    assert len(given_commands.ledger.history(item_id)) == 5
    # The loser reloads and sees the winner's publication (nothing half-saved in the cache).
    assert given_commands.ledger.get_item(item_id).version == 5


def test_concurrent_writers_with_if_match(
    given_commands: Given, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = given_commands.approved()
    both = [{"If-Match": '"4"'}, {"If-Match": '"4"'}]
    responses = race(given_commands, monkeypatch, item_id, both)
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert len(published_events(given_commands, item_id)) == 1


def test_a_stale_if_match_after_the_winner_is_412(given_commands: Given) -> None:
    item_id = given_commands.approved()
    api = given_commands.api
    first = api.post(
        f"/items/{item_id}/publication", "disclosure_office", PUBLISH, **{"If-Match": '"4"'}
    )
    second = api.post(
        f"/items/{item_id}/publication", "disclosure_office", PUBLISH, **{"If-Match": '"4"'}
    )
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json()["current_version"] == 5
    assert len(published_events(given_commands, item_id)) == 1


def test_two_new_numbers_never_collide(given_commands: Given) -> None:
    """Catalogue registration takes an index number from a shared sequence: writers on two
    different items conflict on the sequence, never hand out one number twice."""
    items = [given_commands.published() for _ in range(6)]
    api = given_commands.api

    def register(item_id: UUID) -> Any:
        for _ in range(20):
            response = api.post(
                f"/items/{item_id}/catalogue-registration",
                "disclosure_office",
                {"on": "2025-03-06"},
            )
            if response.status_code != 409:
                return response
        return response

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(register, items))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    numbers = [given_commands.ledger.get_item(i).index_number for i in items]
    assert len(set(numbers)) == len(numbers)


@pytest.fixture
def other_process(commands_api: Api) -> Iterator[Api]:
    """A second API app over the same store, with its own ledger and cache: another process."""
    app = create_app(commands_api.services.settings)
    services: Services = app.state.services
    try:
        with TestClient(app) as client:
            yield Api(client, services, commands_api.headers, commands_api.officials)
    finally:
        services.close()


def test_a_write_through_another_process_is_read_and_built_upon_here(
    given_commands: Given, other_process: Api
) -> None:
    """This process cached the item at version 4; the other publishes it (5). Here a read shows
    5 at once, a command with If-Match "5" is accepted, and If-Match "4" is 412 against the
    current version — never against the stale cached copy."""
    item_id = given_commands.approved()
    here = given_commands.api
    published = other_process.post(f"/items/{item_id}/publication", "disclosure_office", PUBLISH)
    assert published.json()["version"] == 5
    read = here.get(f"/items/{item_id}", "disclosure_office")
    assert (read.headers["ETag"], read.json()["published_on"]) == ('"5"', "2025-03-06")
    registration = here.post(
        f"/items/{item_id}/catalogue-registration",
        "disclosure_office",
        {"on": "2025-03-06"},
        **{"If-Match": '"5"'},
    )
    assert (registration.status_code, registration.json()["version"]) == (200, 6)
    stale = here.post(
        f"/items/{item_id}/changes",
        "disclosure_office",
        {"on": "2025-03-07", "description": "基于旧版本的变更"},
        **{"If-Match": '"4"'},
    )
    assert (stale.status_code, stale.json()["current_version"]) == (412, 6)
    assert len(published_events(given_commands, item_id)) == 1
