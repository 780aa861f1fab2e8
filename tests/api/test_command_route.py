"""Command routes (api/command_route.py): on a local store a sync command endpoint runs on the
event loop's thread, on PostgreSQL in the thread pool; either way FastAPI sees the endpoint's own
parameters, and a Request parameter of its own is still given to it."""

from __future__ import annotations

import asyncio
import threading
import warnings
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, Request

from api.command_route import CommandRoute

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # as in tests/api/conftest.py
    from fastapi.testclient import TestClient


def app_with(local_store: bool) -> tuple[FastAPI, dict[str, Any]]:
    seen: dict[str, Any] = {}
    router = APIRouter(route_class=CommandRoute)

    @router.post("/commands/{name}")
    def command(name: str, times: int = 1) -> dict[str, Any]:
        """Runs a command."""
        seen["thread"] = threading.current_thread()
        return {"name": name * times}

    @router.post("/with-request")
    def with_request(request: Request) -> dict[str, str]:
        return {"path": request.url.path}

    @router.get("/reading")
    def reading() -> dict[str, str]:
        seen["reader"] = threading.current_thread()
        return {}

    @router.get("/loop")
    async def loop_thread() -> dict[str, str]:
        seen["loop"] = threading.current_thread()
        asyncio.get_running_loop()
        return {}

    app = FastAPI()
    app.include_router(router)
    app.state.services = SimpleNamespace(ledger=SimpleNamespace(local_store=local_store))
    return app, seen


@pytest.mark.parametrize("local_store", [True, False])
def test_where_the_command_runs(local_store: bool) -> None:
    app, seen = app_with(local_store)
    with TestClient(app) as client:
        assert client.get("/loop").status_code == 200
        response = client.post("/commands/ab", params={"times": 2})
        assert client.get("/reading").status_code == 200
    assert response.json() == {"name": "abab"}
    assert (seen["thread"] is seen["loop"]) is local_store
    assert seen["reader"] is not seen["loop"]  # GET routes keep FastAPI's thread pool


def test_the_endpoint_keeps_its_request_and_its_documented_parameters() -> None:
    app, _ = app_with(local_store=True)
    with TestClient(app) as client:
        assert client.post("/with-request").json() == {"path": "/with-request"}
        assert client.post("/commands/x", params={"times": "many"}).status_code == 422
    operation = app.openapi()["paths"]["/commands/{name}"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["name", "times"]
    assert operation["description"] == "Runs a command."
    assert operation["operationId"].startswith("command_")
