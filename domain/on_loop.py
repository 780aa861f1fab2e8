"""Sync command code run on an asyncio event loop, parked in a greenlet while its save is written.

The API's command routes are sync code (load → decide → save), and a save blocks until the
group commit has written it (domain/group_commit.py). Run in a thread pool, every command costs
two thread hand-offs and, under load, a storm of GIL hand-overs between the pool's threads (37
futex calls per write, measured with strace): a third of a write's CPU on the embedded store.

`run_on_loop(fn, …)` instead runs `fn` in a greenlet on the event loop's own thread. When `fn`
reaches a point where it must wait — `wait_on_loop(awaitable)`, which the group commit calls
instead of blocking — the greenlet switches back to the loop, which awaits the awaitable while
serving other requests, then switches into the greenlet again with the result (or raises the
error in it). This is the bridge SQLAlchemy's asyncio extension uses (`greenlet_spawn` /
`await_only`). Nothing else in `fn` may block for long: only commands whose reads are local
(the embedded SQLite file) are run this way (api/command_route.py).

Each greenlet runs in a copy of the caller's context, so context variables set by one command
(domain/concurrency.py tracks the copies a command acted on) are not seen by another.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import greenlet

T = TypeVar("T")


class _CommandGreenlet(greenlet.greenlet):
    """A greenlet running sync command code for `run_on_loop`."""


def on_loop() -> bool:
    """True inside `run_on_loop`: waiting must go through `wait_on_loop`, not block the loop."""
    return isinstance(greenlet.getcurrent(), _CommandGreenlet)


def wait_on_loop(awaitable: Awaitable[T]) -> T:
    """From code run by `run_on_loop`: let the loop await `awaitable`; its result, or its error
    raised here."""
    current = greenlet.getcurrent()
    if not isinstance(current, _CommandGreenlet):
        raise RuntimeError("wait_on_loop() is only for code run by run_on_loop()")
    return cast(T, current.parent.switch(awaitable))


async def run_on_loop(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run `fn(*args, **kwargs)` on this event loop's thread; the loop is free while it waits."""
    command = _CommandGreenlet(fn)
    command.gr_context = contextvars.copy_context()
    request = command.switch(*args, **kwargs)
    while not command.dead:
        try:
            outcome = await request
        except BaseException as error:  # handed to the command: it decides what to do
            request = command.throw(error)
        else:
            request = command.switch(outcome)
    return cast(T, request)
