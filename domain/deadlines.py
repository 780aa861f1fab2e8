"""Statutory clocks computed from an aggregate's state at any date.

Every figure names the calendar version used, so a reader can reproduce it.

Requests: the reply is due `reply_days` (+ one extension) working days after receipt — or after
the corrected application arrives (the Regulation Art 30) — not counting working days spent
waiting for a third party or another agency (002 Art 35(二); the Regulation Art 33) or for a fee
to be paid (国办函〔2020〕109号). A pause covers the working days after it starts up to and
including the day it ends. An agreed later date under the Regulation Art 35 replaces the due date.

Items: published within `publication_days` working days of forming or changing (000 §二(三)2;
003 Art 11; 004 att.1 Art 10), or of passing the confidentiality review (002 Art 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.calendar import WorkingDayCalendar
from domain.codes import Attribute, Validity
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest
from domain.policy import AgencyPolicy, PublicationClockStart


class ClockState(StrEnum):
    AWAITING_CORRECTION = "awaiting_correction"  # 待补正: the clock has not started
    RUNNING = "running"  # 计时中
    PAUSED = "paused"  # 暂停 (consultation or fee)
    ANSWERED = "answered"  # 已答复
    AWAITING_REVIEW = "awaiting_review"  # items on a review-based clock
    PUBLISHED = "published"  # 已公开
    NOT_DUE = "not_due"  # nothing to publish (not proactive)


@dataclass(frozen=True)
class ClockReading:
    state: ClockState
    started_on: date | None
    due_on: date | None
    paused_working_days: int
    remaining_working_days: int | None
    overdue: bool
    late_by_working_days: int
    calendar_version: str


def _paused_days(
    request: DisclosureRequest, calendar: WorkingDayCalendar, start: date, as_of: date
) -> set[date]:
    days: set[date] = set()
    for pause in request.pauses:
        end = min(pause.ended_on or as_of, as_of)
        day = max(pause.started_on, start) + timedelta(days=1)
        while day <= end:
            if calendar.is_working_day(day):
                days.add(day)
            day += timedelta(days=1)
    return days


def _due_after(
    calendar: WorkingDayCalendar, start: date, working_days: int, skipped: set[date]
) -> date:
    day = start
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if calendar.is_working_day(day) and day not in skipped:
            counted += 1
    return day


def _remaining(calendar: WorkingDayCalendar, as_of: date, due: date) -> int:
    if as_of <= due:
        return calendar.working_days_between(as_of, due)
    return -calendar.working_days_between(due, as_of)


def request_clock(
    request: DisclosureRequest, policy: AgencyPolicy, calendar: WorkingDayCalendar, as_of: date
) -> ClockReading:
    if request.clock_start is None:
        # abandoned before any correction (the Regulation Art 30): closed, not still waiting
        closed = request.closed_on is not None and request.closed_on <= as_of
        state = ClockState.ANSWERED if closed else ClockState.AWAITING_CORRECTION
        return ClockReading(state, None, None, 0, None, False, 0, calendar.version)
    start = request.clock_start
    end = min(request.closed_on, as_of) if request.closed_on else as_of
    paused = _paused_days(request, calendar, start, end)
    if request.agreed_due_on is not None:
        due = request.agreed_due_on  # the Regulation Art 35: a reasonable later date
    else:
        due = _due_after(calendar, start, policy.reply_days + request.extension_days, paused)
    if request.closed_on is not None and request.closed_on <= as_of:
        late = (
            calendar.working_days_between(due, request.closed_on) if request.closed_on > due else 0
        )
        return ClockReading(
            ClockState.ANSWERED, start, due, len(paused), None, late > 0, late, calendar.version
        )
    state = (
        ClockState.PAUSED
        if any(
            p.started_on <= as_of and (p.ended_on is None or p.ended_on > as_of)
            for p in request.pauses
        )
        else ClockState.RUNNING
    )
    remaining = _remaining(calendar, as_of, due)
    return ClockReading(
        state,
        start,
        due,
        len(paused),
        remaining,
        remaining < 0,
        max(0, -remaining),
        calendar.version,
    )


def publication_clock(
    item: DisclosureItem, policy: AgencyPolicy, calendar: WorkingDayCalendar, as_of: date
) -> ClockReading:
    not_proactive = item.attribute is not Attribute.PROACTIVE and not item.awaiting_publication
    # 003 Art 14: a revoked or abolished item is not published; an archived item only when it
    # was reopened for publication (002 Art 56).
    withdrawn = item.validity is not Validity.IN_FORCE
    closed = item.is_archived and not item.opened_after_archiving
    if not_proactive or withdrawn or closed:
        return ClockReading(ClockState.NOT_DUE, None, None, 0, None, False, 0, calendar.version)
    waits_for_review = (
        policy.publication_clock_start is PublicationClockStart.REVIEW_PASSED
        and item.review is None
        and not item.is_current_version_published
    )
    if waits_for_review:
        return ClockReading(
            ClockState.AWAITING_REVIEW, None, None, 0, None, False, 0, calendar.version
        )
    start = item.publication_due_from or item.formed_on
    due = calendar.add_working_days(start, policy.publication_days)
    if item.is_current_version_published and item.published_on is not None:
        late = (
            calendar.working_days_between(due, item.published_on) if item.published_on > due else 0
        )
        return ClockReading(
            ClockState.PUBLISHED, start, due, 0, None, late > 0, late, calendar.version
        )
    remaining = _remaining(calendar, as_of, due)
    return ClockReading(
        ClockState.RUNNING,
        start,
        due,
        0,
        remaining,
        remaining < 0,
        max(0, -remaining),
        calendar.version,
    )
