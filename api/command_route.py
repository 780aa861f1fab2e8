"""Command routes: on the embedded store a command runs on the event loop, not in a thread pool.

FastAPI runs a sync endpoint in anyio's thread pool. For a command on the embedded SQLite store
that costs more than the command: a hop to a pool thread and back, and under concurrent writes
the pool's threads, the group commit's followers and the event loop hand the GIL to each other
dozens of times per write (docs/architecture.md has the measurements). The command's own reads
are local and take microseconds, and its one long wait — the sync of the log — is on the group
commit's writer thread.

`CommandRoute` therefore wraps each sync POST endpoint of its router: on a local store it runs
the endpoint on the event loop (`domain.on_loop.run_on_loop`), parked while its save is written;
on PostgreSQL, whose reads are network round trips that must not stall the loop, it runs it in
the thread pool as FastAPI would. The wrapper keeps the endpoint's name, docstring and signature
(plus the `Request`, to find the ledger), so the OpenAPI document does not change.

`run_command_step` does the same for a command dependency's sync work (loading the aggregate
whose agency and department the caller must match).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from domain.on_loop import run_on_loop

T = TypeVar("T")

_REQUEST = "command_route_request"


def _local(request: Request) -> bool:
    return bool(request.app.state.services.ledger.local_store)


async def run_command_step(request: Request, fn: Callable[..., T], /, *args: Any) -> T:
    """`fn(*args)`, which must not wait for a save: on the loop when the store is local, else
    in the thread pool."""
    if _local(request):
        return fn(*args)
    return await run_in_threadpool(fn, *args)


def _on_loop_when_local(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(endpoint, eval_str=True)
    own_request = next(
        (p.name for p in signature.parameters.values() if p.annotation is Request), None
    )

    @functools.wraps(endpoint)
    async def command(**arguments: Any) -> Any:
        request = arguments[own_request] if own_request else arguments.pop(_REQUEST)
        if _local(request):
            return await run_on_loop(endpoint, **arguments)
        return await run_in_threadpool(endpoint, **arguments)

    if own_request is None:
        extra = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        parameters = [*signature.parameters.values(), extra]
        signature = signature.replace(parameters=parameters)
    command.__signature__ = signature  # type: ignore[attr-defined]
    return command


class CommandRoute(APIRoute):
    """An APIRoute whose sync POST endpoint runs on the event loop on a local store."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "POST" in (kwargs.get("methods") or ()) and not inspect.iscoroutinefunction(endpoint):
            endpoint = _on_loop_when_local(endpoint)
        super().__init__(path, endpoint, **kwargs)
