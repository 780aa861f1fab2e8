"""Group commit: saves that arrive while another save is being written share one transaction.

The application's saves are serialised anyway: SQLite has one writer (the library's connection
pool hands out one writer connection at a time) and every transaction ends with a sync of the
log to disk. Under concurrent commands the threads used to queue for that writer, each handing
it to the next. Here the first of them (the leader) writes the events of every save queued so
far in ONE transaction, then wakes the savers it wrote for and hands the lead to the next one
waiting. Fewer transactions, fewer syncs, far fewer thread switches (docs/architecture.md).

Each command stays atomic and keeps the outcome it would have had alone: the group's
transaction either stores everything or nothing. When it fails because of one save (say one
command's aggregate is stale, so its version is taken) the leader writes each save of the group
in its own transaction — the others are stored, the stale one gets its own conflict. When it
fails because the store itself failed (`shared_failure`: unreachable, timed out), every save
of the group gets that error at once, as each would alone: retrying them one by one would make
the last wait once per save before its 503.

Saves from commands running on an event loop (domain/on_loop.py) do not block a thread: they
queue for a writer thread of their own, which writes everything queued in one transaction, as
a leader does, and hands each command its outcome through the loop (one wake-up of the loop
per group). The command's greenlet is parked meanwhile and the loop serves other requests.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.on_loop import on_loop, wait_on_loop

logger = logging.getLogger(__name__)

Payload = TypeVar("Payload")
Result = TypeVar("Result")

MAX_GROUP = 64


@dataclass
class _Save(Generic[Payload, Result]):
    payload: Payload
    written: threading.Event | None = None  # only a save that waits needs one
    leads: bool = False
    result: Result | None = None
    error: BaseException | None = None

    def wake(self) -> None:
        if self.written is not None:
            self.written.set()

    def outcome(self) -> Result:
        if self.error is not None:
            raise self.error
        if self.result is None:
            raise RuntimeError("the save was not written")
        return self.result


@dataclass
class _LoopSave(Generic[Payload, Result]):
    """A save from a command on an event loop: its outcome goes to `future`, on `loop`."""

    save: _Save[Payload, Result]
    future: asyncio.Future[Result]
    loop: asyncio.AbstractEventLoop


def _settle(saves: list[_LoopSave[Payload, Result]]) -> None:
    """On the loop: each waiting command gets its save's outcome (unless it has gone)."""
    for waiting in saves:
        if waiting.future.cancelled():
            continue
        try:
            waiting.future.set_result(waiting.save.outcome())
        except BaseException as error:  # the save's own error, or "not written"
            waiting.future.set_exception(error)


class GroupCommit(Generic[Payload, Result]):
    """`submit(payload)` returns `write_group([...])`'s result for that payload, written together
    with the payloads submitted concurrently; `write_one(payload)` writes a payload alone (a
    group of one, or each payload of a group whose write failed because of one of them)."""

    def __init__(
        self,
        write_group: Callable[[list[Payload]], list[Result]],
        write_one: Callable[[Payload], Result],
        shared_failure: Callable[[Exception], bool],
        max_group: int = MAX_GROUP,
    ) -> None:
        self._write_group = write_group
        self._write_one = write_one
        self._shared_failure = shared_failure
        self._max_group = max_group
        self._lock = threading.Lock()
        self._queue: list[_Save[Payload, Result]] = []
        self._writing = False
        self._from_loops: list[_LoopSave[Payload, Result]] = []  # released to the writer
        self._held: dict[asyncio.AbstractEventLoop, list[_LoopSave[Payload, Result]]] = {}
        self._loop_writer: threading.Thread | None = None
        self._loop_saves_waiting = threading.Condition(threading.Lock())
        self._closed = False

    def submit(self, payload: Payload) -> Result:
        if on_loop():
            return wait_on_loop(asyncio.shield(self._submit_from_loop(payload)))
        save: _Save[Payload, Result] = _Save(payload)
        with self._lock:
            self._queue.append(save)
            save.leads = not self._writing
            if not save.leads:
                save.written = threading.Event()
            self._writing = True
        if save.written is not None:
            save.written.wait()  # written by a leader, or handed the lead
        if save.leads:
            self._lead()
        return save.outcome()

    def close(self) -> None:
        """Write what is queued from event loops (held ones too), then stop the writer."""
        with self._loop_saves_waiting:
            self._closed = True
            for held in self._held.values():
                self._from_loops.extend(held)
            self._held.clear()
            self._loop_saves_waiting.notify()
        if self._loop_writer is None and self._from_loops:
            self._write_from_loops()
        if self._loop_writer is not None:
            self._loop_writer.join(timeout=10)

    def _submit_from_loop(self, payload: Payload) -> asyncio.Future[Result]:
        """Queue a save from a command on this loop. It is held until the loop has run the
        callbacks that were ready when it came, so the commands those resume join its group
        (with the writer idle, the first save would otherwise go alone)."""
        loop = asyncio.get_running_loop()
        waiting = _LoopSave(_Save[Payload, Result](payload), loop.create_future(), loop)
        with self._loop_saves_waiting:
            if self._closed:
                raise RuntimeError("the group commit is closed")
            held = self._held.setdefault(loop, [])
            held.append(waiting)
            if len(held) == 1:
                loop.call_soon(self._release, loop)
        return waiting.future

    def _release(self, loop: asyncio.AbstractEventLoop) -> None:
        """On the loop: hand the saves it holds to the writer thread."""
        with self._loop_saves_waiting:
            self._from_loops.extend(self._held.pop(loop, ()))
            if self._loop_writer is None and not self._closed:
                self._loop_writer = threading.Thread(
                    target=self._write_from_loops, name="group-commit-writer", daemon=True
                )
                self._loop_writer.start()
            self._loop_saves_waiting.notify()

    def _write_from_loops(self) -> None:
        """The writer thread of saves from event loops: each turn, a group of what is queued."""
        while True:
            with self._loop_saves_waiting:
                while not self._from_loops and not self._closed:
                    self._loop_saves_waiting.wait()
                if not self._from_loops:
                    return
                group = self._from_loops[: self._max_group]
                del self._from_loops[: self._max_group]
            try:
                self._write([waiting.save for waiting in group])
            except BaseException:  # every save of the group has its error; keep writing
                logger.exception("a group of saves failed to be written")
            by_loop: dict[asyncio.AbstractEventLoop, list[_LoopSave[Payload, Result]]] = {}
            for waiting in group:
                by_loop.setdefault(waiting.loop, []).append(waiting)
            for loop, saves in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, saves)
                except RuntimeError:  # that loop is closed: nobody waits for these any more
                    logger.warning("%d saves written for a closed event loop", len(saves))

    def _lead(self) -> None:
        with self._lock:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
        try:
            self._write(group)
        finally:
            with self._lock:
                successor = self._queue[0] if self._queue else None
                self._writing = successor is not None
            for save in group:
                save.leads = False
                save.wake()
            if successor is not None:
                successor.leads = True
                successor.wake()

    def _write(self, group: list[_Save[Payload, Result]]) -> None:
        try:
            if len(group) > 1 and self._wrote_together(group):
                return
            for save in group:
                self._write_alone(save)
        except BaseException as error:  # interrupted: nobody may think they were written
            for save in group:
                if save.result is None and save.error is None:
                    save.error = error
            raise

    def _wrote_together(self, group: list[_Save[Payload, Result]]) -> bool:
        """True when every save of the group has its outcome; False: write each alone."""
        try:
            results = self._write_group([save.payload for save in group])
        except Exception as error:  # rolled back as a whole
            if not self._shared_failure(error):
                return False
            for save in group:
                save.error = error
            return True
        for save, result in zip(group, results, strict=True):
            save.result = result
        return True

    def _write_alone(self, save: _Save[Payload, Result]) -> None:
        try:
            save.result = self._write_one(save.payload)
        except Exception as error:
            save.error = error
