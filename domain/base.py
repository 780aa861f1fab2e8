"""Event and aggregate base classes shared by every aggregate.

Events are frozen pydantic models, so they round-trip through JSON exactly (dates, datetimes,
decimals, enums) with the mapper in `domain.persistence`. Aggregates are plain classes that fold
their events with `apply`; they satisfy the protocols `eventsourcing.application.Application`
needs (`id`, `version`, `collect_events`) without the library's metaclass machinery.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Self, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.codes import Role
from domain.errors import RuleViolation


class Actor(BaseModel):
    """Who did something: every decision event carries one (004 att.3 Art 6: responsibility
    depends on who decided)."""

    model_config = ConfigDict(frozen=True)

    official_id: str = Field(min_length=1, max_length=64)
    role: Role
    department: str = Field(min_length=1, max_length=128)
    name: str = Field(default="", max_length=64)


class Approval(BaseModel):
    """On whose approval a decision was taken.

    A collective decision (领导班子集体决定) names the meeting and its members; responsibility then
    falls mainly on the principal leader (002 Art 64; 004 att.3 Art 6).
    """

    model_config = ConfigDict(frozen=True)

    approver: Actor
    approved_on: date
    collective: bool = False
    meeting_ref: str = ""
    members: tuple[str, ...] = ()


class DomainEvent(BaseModel):
    """Base of every stored event: originator, version, record time and actor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    actor: Actor

    def mutate(self, aggregate: Any) -> Any:
        """Fold this event into `aggregate` (None for a creation event)."""
        if aggregate is None:
            raise TypeError(f"{type(self).__name__} cannot start an aggregate")
        if aggregate.version + 1 != self.originator_version:
            raise ValueError(
                f"event version {self.originator_version} does not follow {aggregate.version}"
            )
        self.apply(aggregate)
        aggregate.version = self.originator_version
        aggregate.modified_on = self.timestamp
        return aggregate

    def apply(self, aggregate: Any) -> None:  # pragma: no cover - overridden by every event
        raise NotImplementedError


class CreationEvent(DomainEvent):
    """The first event of an aggregate: `mutate(None)` builds the aggregate."""

    aggregate_class: ClassVar[type[LedgerAggregate]]

    def mutate(self, aggregate: Any) -> Any:
        if aggregate is not None:
            raise ValueError("a creation event must come first")
        created = self.aggregate_class.__new__(self.aggregate_class)
        created.init_base(self.originator_id, self.originator_version, self.timestamp)
        self.apply(created)
        return created


def utc_now() -> datetime:
    return datetime.now(UTC)


E = TypeVar("E", bound=DomainEvent)


class LedgerAggregate:
    """An aggregate folded from its events; new events are checked, applied, then kept pending.

    `clock` gives the record time of new events; the application sets it (the real clock in
    service, a simulated one when the demo replays a past year).
    """

    id: UUID
    version: int
    created_on: datetime
    modified_on: datetime

    def init_base(self, aggregate_id: UUID, version: int, timestamp: datetime) -> None:
        self.id = aggregate_id
        self.version = version
        self.created_on = timestamp
        self.modified_on = timestamp
        self._pending: list[DomainEvent] = []
        self.clock: Callable[[], datetime] = utc_now

    @classmethod
    def start(
        cls,
        event_class: type[CreationEvent],
        aggregate_id: UUID,
        clock: Callable[[], datetime] = utc_now,
        **fields: Any,
    ) -> Self:
        event = event_class(
            originator_id=aggregate_id, originator_version=1, timestamp=clock(), **fields
        )
        aggregate: Self = event.mutate(None)
        aggregate.clock = clock
        aggregate._pending.append(event)
        return aggregate

    def trigger(self, event_class: type[E], **fields: Any) -> E:
        event = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=self.clock(),
            **fields,
        )
        event.mutate(self)
        self._pending.append(event)
        return event

    def collect_events(self) -> list[DomainEvent]:
        collected, self._pending = self._pending, []
        return collected

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        # The repository copies cached aggregates for every command. State is immutable values,
        # containers of them, and small plain records, so a structural copy is enough — and
        # several times faster than copy.deepcopy.
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update({key: _copy_state(value) for key, value in self.__dict__.items()})
        return clone


def _copy_state(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy_state(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy_state(v) for k, v in value.items()}
    if isinstance(value, (BaseModel, tuple, str, int, date, datetime, UUID)) or value is None:
        return value
    if hasattr(value, "__dict__") and not callable(value):
        clone = value.__class__.__new__(value.__class__)
        clone.__dict__.update(value.__dict__)
        return clone
    return value


def fold(aggregate: Any, events: Any) -> Any:
    """Projector for the repository: apply events in order (no runtime protocol checks)."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class ObjectionEvent(DomainEvent):
    """An official's objection to an instruction, recorded for the responsibility rules
    (002 Art 64(二); 004 att.3 Art 6). Each aggregate nests its own `ObjectionRecorded`."""

    on: date
    objected_version: int = Field(ge=1)
    objection: str = Field(min_length=1, max_length=4000, pattern=r"\S")

    def apply(self, aggregate: Any) -> None:
        aggregate.objections.append((self.objected_version, self.actor.official_id, self.objection))


class RecordsObjections(LedgerAggregate):
    """Aggregates on which an official can object to a recorded instruction."""

    ObjectionRecorded: ClassVar[type[ObjectionEvent]]
    objections: list[tuple[int, str, str]]

    def record_objection(
        self, actor: Actor, on: date, objected_version: int, objection: str
    ) -> None:
        require(
            1 <= objected_version <= self.version,
            RuleViolation(
                "objection_names_recorded_event",
                "002 Art 64(二)",
                f"the objection must name a recorded event version (1..{self.version})",
                "objected_version",
            ),
        )
        self.trigger(
            self.ObjectionRecorded,
            actor=actor,
            on=on,
            objected_version=objected_version,
            objection=objection,
        )


def require(condition: bool, violation: RuleViolation) -> None:
    """Refuse a command unless `condition` holds."""
    if not condition:
        raise violation
