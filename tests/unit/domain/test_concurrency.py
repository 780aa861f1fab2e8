"""Optimistic concurrency on a real store (SQLite file and PostgreSQL): a conflicting write is
never lost: refused as ConcurrentWrite (HTTP 409) or re-run on the current state
(domain/concurrency.py)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from domain.application import GongkaiLedger
from domain.codes import Attribute
from domain.errors import ConcurrentWrite
from tests.backends import Backend
from tests.unit.domain.conftest import ZHENGZHOU


def register(app: GongkaiLedger, drafter) -> object:
    return app.register_item(
        drafter,
        agency_code=ZHENGZHOU,
        title="通知",
        department="规划处",
        formed_on=date(2025, 3, 3),
    ).id


def test_second_process_write_is_never_lost(backend: Backend, drafter, office):
    """Each process acts on its cached copy without asking the store first. The first one's copy
    misses the second's mark, made a moment ago — within CONCURRENT_WRITE_MARGIN of the audit,
    so possibly concurrent: the audit is refused as ConcurrentWrite and the copy evicted, and
    the retry acts on the current version. The other process's event is kept. (A write recorded
    earlier than the margin is built upon at once: tests/unit/domain/test_stale_copies.py.)"""
    first, second = backend.ledger(), backend.ledger()
    item_id = register(first, drafter)  # cached in the first process
    second.mark_attribute(item_id, drafter, date(2025, 3, 3), Attribute.PROACTIVE)
    with pytest.raises(ConcurrentWrite):
        first.audit_attribute(item_id, office, date(2025, 3, 4))
    assert first.audit_attribute(item_id, office, date(2025, 3, 4)).version == 3
    events = [type(e).__name__ for e in backend.ledger().history(item_id)]
    assert events == ["Registered", "AttributeMarked", "AttributeAudited"]


def test_racing_writers_in_two_processes_lose_nothing(backend: Backend, drafter):
    """Threads of two applications (two processes' worth of caches and pools) change one item
    at once: each attempt is stored or refused as ConcurrentWrite, and the stored history is
    exactly the successful attempts, versions 1..n without a gap."""
    apps = [backend.ledger(), backend.ledger()]
    item_id = register(apps[0], drafter)
    stored: list[int] = []
    refused: list[int] = []
    lock = threading.Lock()

    def writer(app: GongkaiLedger, n: int) -> None:
        for attempt in range(12):
            day = date(2025, 3, 3) + timedelta(days=attempt)
            try:
                result = app.change_item(item_id, drafter, day, f"第{n}-{attempt}次调整")
            except ConcurrentWrite:
                with lock:
                    refused.append(n)
                continue
            with lock:
                stored.append(result.version)

    threads = [threading.Thread(target=writer, args=(apps[n % 2], n)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(stored) + len(refused) == 4 * 12
    history = backend.ledger().history(item_id)
    assert [event.originator_version for event in history] == list(range(1, len(history) + 1))
    assert sorted(stored) == list(range(2, len(history) + 1))  # every success is in the log
