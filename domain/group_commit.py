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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

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

    def submit(self, payload: Payload) -> Result:
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
