"""What a violation is: the record the accountability rules read (`projections.accountability`).

Each violation names the events that prove it (aggregate id + version), its seed citation, the
date it occurred, a `problem` key (one problem is deducted once by the evaluation, 004 att.11
备注 2), and the `Conduct` the responsibility rules read: who acted, on whose approval.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from domain.base import Actor, Approval, DomainEvent
from domain.codes import LEADERS, Role
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest

Item = DisclosureItem
Request = DisclosureRequest
CHINA = ZoneInfo("Asia/Shanghai")  # record times are UTC; business dates are Beijing dates
ONE_DAY = timedelta(days=1)
# The Regulation Art 33; the domain's `extension_needs_office_head`.
EXTENSION_APPROVERS = frozenset(
    {Role.DISCLOSURE_OFFICE, Role.LEADER_IN_CHARGE, Role.PRINCIPAL_LEADER}
)


class Kind(StrEnum):
    LATE_PUBLICATION = "late_publication"
    UNPUBLISHED_PAST_DUE = "unpublished_past_due"
    PUBLISHED_WITHOUT_REVIEW = "published_without_review"
    PUBLISHED_WITHOUT_APPROVAL = "published_without_approval"
    PUBLISHED_NOT_DISCLOSABLE = "published_not_disclosable"
    REPLY_LATE = "reply_late"
    REQUEST_OVERDUE = "request_overdue"
    REPLY_INCOMPLETE = "reply_incomplete"
    EXTENSION_IRREGULAR = "extension_irregular"
    FEE_ABOVE_STANDARD = "fee_above_standard"
    CATALOGUE_NOT_UPDATED = "catalogue_not_updated"
    READING_ROOM_LATE = "reading_room_late"
    ANNUAL_REVIEW_UNDECIDED = "annual_review_undecided"
    ANNUAL_REPORT_LATE = "annual_report_late"


KIND_LABELS: dict[Kind, str] = {
    Kind.LATE_PUBLICATION: "未按时公开",
    Kind.UNPUBLISHED_PAST_DUE: "逾期未公开",
    Kind.PUBLISHED_WITHOUT_REVIEW: "未经保密审查公开",
    Kind.PUBLISHED_WITHOUT_APPROVAL: "未经领导审批公开",
    Kind.PUBLISHED_NOT_DISCLOSABLE: "公开不应当公开的政府信息",
    Kind.REPLY_LATE: "逾期答复",
    Kind.REQUEST_OVERDUE: "逾期未答复",
    Kind.REPLY_INCOMPLETE: "答复缺少依据、理由或救济告知",
    Kind.EXTENSION_IRREGULAR: "违规延期",
    Kind.FEE_ABOVE_STANDARD: "违规收费",
    Kind.CATALOGUE_NOT_UPDATED: "目录未及时更新",
    Kind.READING_ROOM_LATE: "未及时移送查阅场所",
    Kind.ANNUAL_REVIEW_UNDECIDED: "年度审查逾期未决定",
    Kind.ANNUAL_REPORT_LATE: "年度报告未按时公布",
}


class Share(StrEnum):
    MAIN = "main"  # 主要责任
    SECONDARY = "secondary"  # 次要责任
    REDUCED = "reduced"  # 可减轻或免除 (002 Art 64(二)(三))
    NONE = "none"  # 不承担责任 (004 att.3 Art 6(二))
    FULL = "full"  # 全部责任 (004 att.3 Art 6(一))


SHARE_LABELS = {
    Share.MAIN: "主要责任",
    Share.SECONDARY: "次要责任",
    Share.REDUCED: "减轻或免除责任",
    Share.NONE: "不承担责任",
    Share.FULL: "全部责任",
}


@dataclass(frozen=True, slots=True)
class EventRef:
    """One stored event: aggregate id + version prove it; the rest helps a reader."""

    aggregate_id: UUID
    version: int
    event_type: str
    on: date | None
    recorded_at: datetime

    @classmethod
    def of(cls, event: DomainEvent) -> EventRef:
        return cls(
            event.originator_id,
            event.originator_version,
            type(event).__name__,
            getattr(event, "on", None),
            event.timestamp,
        )


@dataclass(frozen=True, slots=True)
class Objection:
    official_id: str
    objected_version: int
    text: str
    ref: EventRef


@dataclass(frozen=True, slots=True)
class Conduct:
    """What the responsibility rules read: who acted (or held the duty) and on whose approval.

    `handler_ref` is the act itself, or for an omission the event that made the handler the
    holder of the duty. An approval counts only if its approver has one of `approver_roles`.
    """

    handler: Actor
    handler_ref: EventRef
    approval: Approval | None = None
    approval_ref: EventRef | None = None
    review_skipped: bool = False
    approver_roles: frozenset[Role] = LEADERS


@dataclass(frozen=True, slots=True)
class Violation:
    kind: Kind
    citation: str
    aggregate_id: UUID
    aggregate_type: str  # "item" | "request" | "annual_report"
    agency_code: str
    occurred_on: date  # the act's date, or the first day past the deadline
    detail: str
    evidence: tuple[EventRef, ...]
    problem: tuple[str, ...]
    conduct: Conduct
    objections: tuple[Objection, ...] = ()

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class Responsibility:
    official_id: str
    role: str
    department: str
    share: Share
    reason: str
    evidence: tuple[EventRef, ...]


@dataclass(frozen=True, slots=True)
class Attribution:
    violation: Violation
    rule: str
    citation: str
    shares: tuple[Responsibility, ...] = field(default_factory=tuple)


# ---- replay helpers -----------------------------------------------------------------------


def business_date(event: DomainEvent) -> date:
    day: date = getattr(event, "on", None) or event.timestamp.astimezone(CHINA).date()
    return day


def prefix(events: Sequence[DomainEvent], as_of: date) -> list[DomainEvent]:
    """The events up to the first one dated after `as_of` (the history as it stood then)."""
    kept: list[DomainEvent] = []
    for event in events:
        if business_date(event) > as_of:
            break
        kept.append(event)
    return kept


def replay(events: Sequence[DomainEvent]) -> list[Any]:
    """The aggregate's state after each event."""
    states: list[Any] = []
    aggregate: Any = None
    for event in events:
        aggregate = event.mutate(aggregate)
        states.append(_snapshot(aggregate))
    return states


def _snapshot(aggregate: Any) -> Any:
    """A copy that later events cannot change: aggregate state is immutable values plus lists
    and dicts of them or of small plain records (a request's pauses), which are copied."""
    state = dict(aggregate.__dict__)
    for key, value in state.items():
        if type(value) is list:
            state[key] = [_plain(v) for v in value]
        elif type(value) is dict:
            state[key] = {k: _plain(v) for k, v in value.items()}
    clone = object.__new__(type(aggregate))
    clone.__dict__.update(state)
    return clone


def _plain(value: Any) -> Any:
    if isinstance(value, (BaseModel, tuple, str, int, date)) or not hasattr(value, "__dict__"):
        return value
    return copy.copy(value)


def objections_in(events: Sequence[DomainEvent]) -> tuple[Objection, ...]:
    return tuple(
        Objection(e.actor.official_id, e.objected_version, e.objection, EventRef.of(e))
        for e in events
        if isinstance(e, (Item.ObjectionRecorded, Request.ObjectionRecorded))
    )


def first_late_day(due: date) -> date:
    return due + ONE_DAY


def days_text(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"
