"""Group commit (domain/group_commit.py): concurrent saves share one write, and each keeps the
outcome it would have had alone — stored, its own conflict, or the store's failure."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import pytest

from domain.base import Actor
from domain.errors import ConcurrentWrite
from domain.group_commit import GroupCommit
from domain.on_loop import run_on_loop
from tests.backends import Backend
from tests.unit.domain.conftest import ZHENGZHOU

WAIT = 10.0


class Conflict(Exception):
    """Stands for a stale aggregate: the fault of one save."""


class StoreDown(Exception):
    """Stands for an unreachable store: every save of a group would meet it."""


@dataclass
class FakeStore:
    """Writes payloads (strings); "stale…" conflicts, and the store can be switched off. With
    `hold_first_write` the first write waits for `release_first_write`, so others queue."""

    hold_first_write: bool = False
    groups: list[list[str]] = field(default_factory=list)
    alone: list[str] = field(default_factory=list)
    down: bool = False
    first_write_started: threading.Event = field(default_factory=threading.Event)
    release_first_write: threading.Event = field(default_factory=threading.Event)

    def write_group(self, payloads: list[str]) -> list[str]:
        self._check(payloads)
        self.groups.append(payloads)
        return [f"stored {p}" for p in payloads]

    def write_one(self, payload: str) -> str:
        if self.hold_first_write and not self.first_write_started.is_set():
            self.first_write_started.set()
            assert self.release_first_write.wait(WAIT)
        self._check([payload])
        self.alone.append(payload)
        return f"stored {payload}"

    def _check(self, payloads: list[str]) -> None:
        if self.down:
            raise StoreDown("the store is unreachable")
        if any(p.startswith("stale") for p in payloads):
            raise Conflict("a version is taken")


def group_commit(store: FakeStore) -> GroupCommit[str, str]:
    return GroupCommit(
        store.write_group, store.write_one, shared_failure=lambda e: isinstance(e, StoreDown)
    )


@contextmanager
def queued_behind_a_first_save(
    store: FakeStore, payloads: list[str]
) -> Iterator[tuple[Future[str], list[Future[str]]]]:
    """A first save is being written while `payloads` are submitted: they queue for the next
    write. Yields the futures of the first save and of the queued ones; the first write ends
    when the test sets `store.release_first_write`."""
    commits = group_commit(store)
    with ThreadPoolExecutor(max_workers=len(payloads) + 1) as pool:
        first = pool.submit(commits.submit, "first")
        assert store.first_write_started.wait(WAIT)
        queued = [pool.submit(commits.submit, payload) for payload in payloads]
        while len(commits._queue) < len(payloads):  # every one has joined the queue
            threading.Event().wait(0.001)
        try:
            yield first, queued
        finally:
            store.release_first_write.set()


class TestOneSaveAtATime:
    def test_a_lone_save_is_written_alone(self) -> None:
        store = FakeStore()
        assert group_commit(store).submit("a") == "stored a"
        assert store.alone == ["a"]
        assert store.groups == []

    def test_its_own_failure_is_raised_to_it(self) -> None:
        store = FakeStore()
        with pytest.raises(Conflict):
            group_commit(store).submit("stale a")


class TestConcurrentSaves:
    def test_saves_queued_during_a_write_share_the_next_one(self) -> None:
        store = FakeStore(hold_first_write=True)
        with queued_behind_a_first_save(store, ["b", "c", "d"]) as (first, queued):
            store.release_first_write.set()
            assert first.result(WAIT) == "stored first"
            assert [f.result(WAIT) for f in queued] == ["stored b", "stored c", "stored d"]
        assert store.alone == ["first"]
        assert [sorted(group) for group in store.groups] == [["b", "c", "d"]]

    def test_a_stale_save_fails_alone_and_the_others_are_stored(self) -> None:
        store = FakeStore(hold_first_write=True)
        with queued_behind_a_first_save(store, ["b", "stale c", "d"]) as (_, queued):
            store.release_first_write.set()
            b, stale, d = queued
            assert b.result(WAIT) == "stored b"
            assert d.result(WAIT) == "stored d"
            with pytest.raises(Conflict):
                stale.result(WAIT)
        assert store.groups == []  # the group's write was refused as a whole …
        assert sorted(store.alone) == ["b", "d", "first"]  # … then each was written alone

    def test_an_unreachable_store_fails_the_whole_group_at_once(self) -> None:
        store = FakeStore(hold_first_write=True)
        with queued_behind_a_first_save(store, ["b", "c"]) as (first, queued):
            store.down = True  # after the first write had begun
            store.release_first_write.set()
            with pytest.raises(StoreDown):
                first.result(WAIT)
            for future in queued:
                with pytest.raises(StoreDown):
                    future.result(WAIT)
        assert store.alone == []  # not retried one by one: each 503 comes at once


class TestLedgerSaves:
    """Through `GongkaiLedger` on a real store (SQLite file, PostgreSQL)."""

    def test_concurrent_commands_are_all_stored_with_their_own_positions(
        self, backend: Backend, drafter: Actor
    ) -> None:
        ledger = backend.ledger()

        def register(n: int) -> tuple[object, int, int | None]:
            result = ledger.register_item(
                drafter,
                agency_code=ZHENGZHOU,
                title=f"第{n}号通知",
                department="规划处",
                formed_on=date(2025, 3, 3),
            )
            return result.id, result.version, result.notification_id

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(register, range(40)))
        positions = [position for _, _, position in results]
        assert all(version == 1 for _, version, _ in results)
        assert len(set(positions)) == 40
        for item_id, _, position in results:  # each answer names its own event
            (event,) = backend.ledger().history(item_id)
            assert event.originator_id == item_id
            assert position is not None
        assert max(p for p in positions if p is not None) == ledger.recorder.max_notification_id()

    def test_concurrent_changes_of_one_item_lose_nothing(
        self, backend: Backend, drafter: Actor
    ) -> None:
        """Saves of one item land in one group: the group is refused as a whole, then each is
        written alone — every attempt is stored or refused, and the log has no gap."""
        ledger = backend.ledger()
        item_id = ledger.register_item(
            drafter,
            agency_code=ZHENGZHOU,
            title="通知",
            department="规划处",
            formed_on=date(2025, 3, 3),
        ).id
        barrier = threading.Barrier(6, timeout=WAIT)

        def change(n: int) -> int | None:
            barrier.wait()  # all six at once
            try:
                return ledger.change_item(item_id, drafter, date(2025, 3, 4), f"第{n}次").version
            except ConcurrentWrite:
                return None

        with ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = list(pool.map(change, range(6)))
        stored = sorted(v for v in outcomes if v is not None)
        history = backend.ledger().history(item_id)
        assert [e.originator_version for e in history] == list(range(1, len(history) + 1))
        assert stored == list(range(2, len(history) + 1))  # every success is in the log
        assert ledger.get_item(item_id).version == len(history)  # no stale copy kept


# ---- saves from commands on an event loop (domain/on_loop.py) --------------------------------


def submit_on_loop(commits: GroupCommit[str, str], payloads: list[str]) -> list[str | Exception]:
    """Every payload submitted by its own command on one event loop, all at once; each
    command's outcome (its result or its error)."""

    def command(payload: str) -> str:
        return commits.submit(payload)

    async def all_at_once() -> list[str | Exception]:
        runs = [run_on_loop(command, payload) for payload in payloads]
        return await asyncio.gather(*runs, return_exceptions=True)  # type: ignore[arg-type]

    return asyncio.run(all_at_once())


def test_saves_from_the_loop_are_each_written_once() -> None:
    store = FakeStore()
    commits = group_commit(store)
    outcomes = submit_on_loop(commits, ["a", "b", "c"])
    commits.close()
    assert outcomes == ["stored a", "stored b", "stored c"]
    written = [p for group in store.groups for p in group] + store.alone
    assert sorted(written) == ["a", "b", "c"]


def test_saves_queued_on_the_loop_while_a_write_runs_share_the_next_one() -> None:
    store = FakeStore(hold_first_write=True)
    commits = group_commit(store)

    async def queue_behind_the_first() -> list[str]:
        first = asyncio.ensure_future(run_on_loop(commits.submit, "first"))
        assert await asyncio.to_thread(store.first_write_started.wait, WAIT)
        queued = [asyncio.ensure_future(run_on_loop(commits.submit, p)) for p in ("b", "c")]
        await asyncio.sleep(0.01)  # both commands have parked on their saves
        store.release_first_write.set()
        return await asyncio.gather(first, *queued)

    outcomes = asyncio.run(queue_behind_the_first())
    commits.close()
    assert outcomes == ["stored first", "stored b", "stored c"]
    assert store.alone == ["first"]
    assert store.groups == [["b", "c"]]


def test_a_stale_save_from_the_loop_fails_alone() -> None:
    store = FakeStore()
    commits = group_commit(store)
    outcomes = submit_on_loop(commits, ["a", "stale b", "c"])
    commits.close()
    assert outcomes[0] == "stored a" and outcomes[2] == "stored c"
    assert isinstance(outcomes[1], Conflict)
    assert store.alone == ["a", "c"]


def test_an_unreachable_store_fails_every_save_from_the_loop_at_once() -> None:
    store = FakeStore(down=True)
    commits = group_commit(store)
    outcomes = submit_on_loop(commits, ["a", "b"])
    commits.close()
    assert all(isinstance(outcome, StoreDown) for outcome in outcomes)
    assert store.alone == []  # not retried one by one


def test_a_closed_group_commit_refuses_saves_from_the_loop() -> None:
    commits = group_commit(FakeStore())
    commits.close()
    [outcome] = submit_on_loop(commits, ["late"])
    assert isinstance(outcome, RuntimeError)


def test_a_save_whose_caller_went_away_is_still_written() -> None:
    store = FakeStore()
    commits = group_commit(store)

    async def leave_early() -> None:
        task = asyncio.ensure_future(run_on_loop(commits.submit, "abandoned"))
        await asyncio.sleep(0)  # the command has queued its save
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(leave_early())
    commits.close()  # waits for the writer
    assert store.groups + [[p] for p in store.alone] == [["abandoned"]]
