"""Commands on cached copies with a second process writing (domain/concurrency.py), on the
SQLite file and PostgreSQL, two ledgers over one store standing for two processes: a command
whose copy missed the other's earlier write is re-run on the current state, expected version
and rules checked again; a write concurrent with the command is ConcurrentWrite (HTTP 409); the
log holds every acknowledged write exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from domain.application import GongkaiLedger
from domain.base import DomainEvent, utc_now
from domain.codes import Attribute, RequestChannel
from domain.concurrency import CONCURRENT_WRITE_MARGIN
from domain.errors import ConcurrentWrite, StaleVersion
from tests.backends import Backend
from tests.unit.domain.conftest import ZHENGZHOU

Processes = tuple[GongkaiLedger, GongkaiLedger]


def register(app: GongkaiLedger, drafter) -> UUID:
    return app.register_item(
        drafter,
        agency_code=ZHENGZHOU,
        title="关于印发数字经济试点方案的通知",
        department="规划处",
        formed_on=date(2025, 3, 3),
    ).id


class SharedClock:
    """The record time of several ledgers ("processes" on one machine), moved by the test."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


PAST_THE_MARGIN = CONCURRENT_WRITE_MARGIN + timedelta(milliseconds=1)


def two_processes(backend: Backend, clock: Callable[[], datetime] = utc_now) -> Processes:
    return backend.ledger(clock=clock), backend.ledger(clock=clock)


def names(events: list[DomainEvent]) -> list[str]:
    return [type(event).__name__ for event in events]


def test_a_write_recorded_before_the_command_is_built_upon(backend: Backend, drafter, office):
    """The first process's cached copy misses the second's mark; its audit, refused on the old
    copy (nothing marked yet), is re-run on the current state and succeeds."""
    clock = SharedClock()
    first, second = two_processes(backend, clock)
    item_id = register(first, drafter)  # cached in the first process at version 1
    second.mark_attribute(item_id, drafter, date(2025, 3, 3), Attribute.PROACTIVE)
    clock.advance(PAST_THE_MARGIN)
    result = first.audit_attribute(item_id, office, date(2025, 3, 4))
    assert result.version == 3
    history = backend.ledger().history(item_id)
    assert names(history) == ["Registered", "AttributeMarked", "AttributeAudited"]


def test_a_save_on_a_stale_copy_is_rerun_on_the_current_state(backend: Backend, drafter):
    """A command no rule refuses conflicts on save instead; re-run, nothing is lost."""
    clock = SharedClock()
    first, second = two_processes(backend, clock)
    item_id = register(first, drafter)
    second.change_item(item_id, drafter, date(2025, 3, 3), "第二个进程的调整")
    clock.advance(PAST_THE_MARGIN)
    assert first.change_item(item_id, drafter, date(2025, 3, 4), "第一个进程的调整").version == 3
    changes = [e.description for e in backend.ledger().history(item_id)[1:]]  # type: ignore[attr-defined]
    assert changes == ["第二个进程的调整", "第一个进程的调整"]


def test_a_write_within_the_margin_is_a_concurrent_write(backend: Backend, drafter):
    """Recorded less than the margin before the command started, the other write may still
    have been in flight: 409. The stale copy is evicted, so the client's retry succeeds."""
    clock = SharedClock()
    first, second = two_processes(backend, clock)
    item_id = register(first, drafter)
    second.change_item(item_id, drafter, date(2025, 3, 3), "第二个进程的调整")
    clock.advance(CONCURRENT_WRITE_MARGIN / 2)
    with pytest.raises(ConcurrentWrite):
        first.change_item(item_id, drafter, date(2025, 3, 4), "第一个进程的调整")
    assert len(backend.ledger().history(item_id)) == 2  # the refused change left no trace
    assert first.change_item(item_id, drafter, date(2025, 3, 4), "重试").version == 3


def test_a_write_made_while_the_command_runs_is_a_409(
    backend: Backend, drafter, monkeypatch: pytest.MonkeyPatch
):
    """Real clocks: the second process saves between the first's load and save."""
    first, second = two_processes(backend)
    item_id = register(first, drafter)
    save = first._save

    def save_after_the_other_process(*aggregates: Any) -> int | None:
        second.change_item(item_id, drafter, date(2025, 3, 3), "并发的调整")
        return save(*aggregates)

    monkeypatch.setattr(first, "_save", save_after_the_other_process)
    with pytest.raises(ConcurrentWrite):
        first.change_item(item_id, drafter, date(2025, 3, 4), "落败的调整")
    changes = [e.description for e in backend.ledger().history(item_id)[1:]]  # type: ignore[attr-defined]
    assert changes == ["并发的调整"]  # exactly once: the command was not re-run


def test_if_match_with_a_version_another_process_wrote_is_accepted(
    backend: Backend, drafter, office
):
    """The caller saw version 2 (answered by the other process): the copy at 1 is reloaded
    rather than the caller refused. No clock involved."""
    first, second = two_processes(backend)
    item_id = register(first, drafter)
    second.mark_attribute(item_id, drafter, date(2025, 3, 3), Attribute.PROACTIVE)
    result = first.audit_attribute(item_id, office, date(2025, 3, 4), expected_version=2)
    assert result.version == 3


def test_a_stale_if_match_is_412_after_another_process_wrote(backend: Backend, drafter):
    """The caller's version 1 equals the stale copy's; the conflict re-runs the command, whose
    expected-version check on the current state (2) refuses it."""
    clock = SharedClock()
    first, second = two_processes(backend, clock)
    item_id = register(first, drafter)
    second.change_item(item_id, drafter, date(2025, 3, 3), "第二个进程的调整")
    clock.advance(PAST_THE_MARGIN)
    with pytest.raises(StaleVersion) as refused:
        first.change_item(item_id, drafter, date(2025, 3, 4), "基于旧版本", expected_version=1)
    assert (refused.value.expected, refused.value.actual) == (1, 2)
    assert len(backend.ledger().history(item_id)) == 2


def test_queries_read_the_other_process_write_at_once(backend: Backend, drafter, office):
    """Reads (and the API's permission checks) bring the copy up to date, and the cache with
    it: the next command does not conflict, even right after the other write."""
    first, second = two_processes(backend)
    item_id = register(first, drafter)
    second.mark_attribute(item_id, drafter, date(2025, 3, 3), Attribute.PROACTIVE)
    assert first.get_item(item_id).attribute is Attribute.PROACTIVE
    assert first.audit_attribute(item_id, office, date(2025, 3, 4)).version == 3


def test_numbers_taken_in_another_process_are_never_reused(backend: Backend, office, applicant):
    """Registration takes a number from a sequence both processes use; it is read current (not
    from the cache), so alternating processes neither conflict nor reuse a number."""
    first, second = two_processes(backend)

    def registered(app: GongkaiLedger) -> str:
        request_id = app.receive_request(
            office,
            agency_code=ZHENGZHOU,
            channel=RequestChannel.ONLINE,
            applicant=applicant,
            description="申请公开扶持资金分配结果",
            department="办公室",
            confirmed_on=date(2025, 3, 3),
        ).id
        app.register_request(request_id, office, date(2025, 3, 3))
        return str(app.get_request(request_id).registration_number)

    numbers = [registered(app) for app in (first, second, first, second)]
    assert [number[-5:] for number in numbers] == ["00001", "00002", "00003", "00004"]


def test_a_yearly_record_another_process_wrote_to_is_built_upon(backend: Backend, office):
    """Yearly records (evaluation, annual report) are opened by their first command, possibly in
    another process, and run on cached copies like every command."""
    clock = SharedClock()
    first, second = two_processes(backend, clock)
    common: dict[str, Any] = {"agency_code": ZHENGZHOU, "year": 2025, "on": date(2025, 12, 20)}
    first.clear_evaluation_criterion(office, criterion="1.3", note="已核查", **common)  # 1, 2
    second.clear_evaluation_criterion(office, criterion="1.4", note="已核查", **common)
    clock.advance(PAST_THE_MARGIN)
    result = first.clear_evaluation_criterion(office, criterion="4.3", note="已核查", **common)
    assert result.version == 4
    cleared = [e.criterion for e in backend.ledger().history(result.id)[1:]]  # type: ignore[attr-defined]
    assert cleared == ["1.3", "1.4", "4.3"]
    with pytest.raises(StaleVersion):  # "not opened yet" (If-Match 0): the record exists
        second.clear_evaluation_criterion(
            office, criterion="4.3", note="重复", expected_version=0, **common
        )


def test_a_save_whose_commit_answer_was_lost_is_not_a_conflict(
    backend: Backend, drafter, monkeypatch: pytest.MonkeyPatch
):
    """The store committed the events, then the connection broke before its answer (the
    server stopping); the library retries the insert, which meets those very events. That is
    the save succeeding, not another writer: no 409, and the events are stored once."""
    app = backend.ledger()
    item_id = register(app, drafter)
    insert = app.recorder.insert_events
    calls: list[int] = []

    def commits_then_loses_the_answer(stored_events: Any, **kwargs: Any) -> Any:
        calls.append(len(stored_events))
        insert(stored_events, **kwargs)  # committed …
        raise IntegrityError("duplicate key value (the library's retry of the insert)")

    monkeypatch.setattr(app.recorder, "insert_events", commits_then_loses_the_answer)
    result = app.change_item(item_id, drafter, date(2025, 3, 4), "提交应答丢失")
    monkeypatch.undo()
    assert calls == [1]
    assert result.version == 2
    changes = [e.description for e in backend.ledger().history(item_id)[1:]]  # type: ignore[attr-defined]
    assert changes == ["提交应答丢失"]
    assert app.change_item(item_id, drafter, date(2025, 3, 5), "之后照常").version == 3
