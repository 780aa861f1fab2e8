"""Sync code run on the event loop (domain/on_loop.py): it parks where it waits, the loop runs
other work meanwhile, and results, errors and context variables go where they belong."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from domain.on_loop import on_loop, run_on_loop, wait_on_loop

seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="nobody")


def test_a_sync_function_returns_through_the_loop() -> None:
    def add(a: int, b: int) -> int:
        assert on_loop()
        return a + b

    assert asyncio.run(run_on_loop(add, 2, b=3)) == 5
    assert not on_loop()


def test_its_error_reaches_the_awaiting_caller() -> None:
    def refuse() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        asyncio.run(run_on_loop(refuse))


def test_waiting_parks_the_function_while_the_loop_runs_others() -> None:
    order: list[str] = []

    def slow(name: str, delay: float) -> str:
        order.append(f"{name} starts")
        wait_on_loop(asyncio.sleep(delay))
        order.append(f"{name} ends")
        return name

    async def both() -> list[str]:
        return await asyncio.gather(run_on_loop(slow, "a", 0.05), run_on_loop(slow, "b", 0.0))

    assert asyncio.run(both()) == ["a", "b"]
    assert order == ["a starts", "b starts", "b ends", "a ends"]


def test_an_awaited_error_is_raised_where_the_function_waited() -> None:
    async def fails() -> None:
        raise LookupError("gone")

    def waits() -> str:
        try:
            wait_on_loop(fails())
        except LookupError as error:
            return f"caught {error}"
        return "not raised"

    assert asyncio.run(run_on_loop(waits)) == "caught gone"


def test_each_run_has_its_own_context() -> None:
    def claim(name: str) -> str:
        seen.set(name)
        wait_on_loop(asyncio.sleep(0.01))
        return seen.get()

    async def both() -> list[str]:
        return await asyncio.gather(run_on_loop(claim, "a"), run_on_loop(claim, "b"))

    assert asyncio.run(both()) == ["a", "b"]
    assert seen.get() == "nobody"


def test_waiting_outside_a_run_is_refused() -> None:
    async def pause() -> None:
        return None

    awaitable = pause()
    with pytest.raises(RuntimeError, match="only for code run by run_on_loop"):
        wait_on_loop(awaitable)
    awaitable.close()
