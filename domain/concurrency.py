"""Commands on cached copies, and what a copy that missed another process's write turns into.

Each process caches aggregates, and a command acts on a copy of the cached one without first
asking the store whether another process saved newer events (`AGGREGATE_CACHE_FASTFORWARD=n`:
that read cut the command path's rate on PostgreSQL by about 30 %, docs/architecture.md). A stale
copy can never lose a write — its save collides with the store's unique (aggregate, version) —
but it must not become a refusal the same command would not get on current state. So when a
command on cached copies is refused (its save conflicted, or a rule refused it), the ledger asks
the store which events those copies had missed (`GongkaiLedger._run_command`):

- none: the refusal stands;
- only events recorded more than `CONCURRENT_WRITE_MARGIN` before the command started: the copy
  was merely old. The command runs once more on fresh copies, its expected version (If-Match)
  and its rules checked again on the current state — what it would have done had the cache
  been brought up to date before it;
- an event recorded later: another writer acted while this command ran, `ConcurrentWrite` (409).

The commands record which copies they used here (`note_copy`, `note_created`); outside a
command nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from uuid import UUID

from domain.base import DomainEvent

# How long before a command started another writer's event must have been stamped for the
# command to be re-run on top of it instead of refused as ConcurrentWrite. An event is stamped
# (`timestamp`, the writer's clock) before it commits, so the margin covers
# - clock skew between the writing hosts: none on one machine; NTP keeps hosts within a few
#   milliseconds (chrony on a LAN: well under 1 ms), an assumption of the deployment
#   (docs/operations.md);
# - the time from stamping to commit: median 1-5 ms measured here, at most 432 ms with four
#   writer threads on a loaded machine; bounded by the pool wait for a connection
#   (`POSTGRES_CONNECT_TIMEOUT`, 1 s; after it the save fails with 503 and nothing is written)
#   plus the wait for the event table's write lock (a few ms per queued save).
# Either side of the line loses nothing (docs/architecture.md, "Cached copies"): a write
# misjudged as earlier has the command re-run on top of it with every rule checked again, one
# misjudged as concurrent is answered 409 and the client retries on the evicted, fresh copy.
CONCURRENT_WRITE_MARGIN = timedelta(seconds=1)

_copies_in_use: ContextVar[dict[UUID, int] | None] = ContextVar("copies_in_use", default=None)


@contextmanager
def tracking_copies() -> Iterator[dict[UUID, int]]:
    """Collect, for one command attempt, the version of every aggregate copy it acts on."""
    copies: dict[UUID, int] = {}
    token = _copies_in_use.set(copies)
    try:
        yield copies
    finally:
        _copies_in_use.reset(token)


def note_copy(aggregate_id: UUID, version: int) -> None:
    """The running command acts on a copy of `aggregate_id` at `version`."""
    copies = _copies_in_use.get()
    if copies is not None:
        copies[aggregate_id] = version


def note_created(aggregate_id: UUID) -> None:
    """The running command saves `aggregate_id` without having loaded it: it starts it."""
    copies = _copies_in_use.get()
    if copies is not None:
        copies.setdefault(aggregate_id, 0)


def written_concurrently(missed: Iterable[DomainEvent], started: datetime) -> bool:
    """Whether any missed event may have been committed after the command started."""
    cutoff = started - CONCURRENT_WRITE_MARGIN
    return any(event.timestamp >= cutoff for event in missed)
