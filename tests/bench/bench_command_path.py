"""BENCH command-path: a realistic item lifecycle through the application service on SQLite,
as saved events/s divided by the saved events/s of a bare `eventsourcing` save of a trivial
aggregate, both measured in this run on this machine."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.application import GongkaiLedger
from domain.base import Actor
from domain.codes import Attribute, Channel, ReviewConclusion, Role

LIFECYCLES = 600
EVENTS_PER_LIFECYCLE = 6
FORMED = date(2025, 3, 3)


class Counter(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.count = 0

    @event("Incremented")
    def increment(self) -> None:
        self.count += 1


class Bare(Application[UUID]):
    pass


def bare_events_per_second(path: str, events: int) -> float:
    app = Bare(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
    return bare_save_rate(app, events)


def bare_save_rate(app: Application[UUID], events: int) -> float:
    """Saved events/s of a trivial aggregate through `app` (any store): the baseline."""
    started = time.perf_counter()
    for _ in range(events // EVENTS_PER_LIFECYCLE):
        counter = Counter()
        app.save(counter)
        for _ in range(EVENTS_PER_LIFECYCLE - 1):
            counter.increment()
            app.save(counter)
    return events / (time.perf_counter() - started)


def official(role: Role) -> Actor:
    return Actor(official_id=f"{role.value}-1", role=role, department="规划处")


def lifecycle_events_per_second(path: str) -> float:
    return lifecycle_rate(GongkaiLedger.embedded(path))


def lifecycle_rate(app: GongkaiLedger) -> float:
    """Saved events/s of LIFECYCLES item life cycles through `app` (any store)."""
    drafter, office = official(Role.DRAFTER), official(Role.DISCLOSURE_OFFICE)
    reviewer, leader = official(Role.CONFIDENTIALITY_REVIEWER), official(Role.LEADER_IN_CHARGE)
    started = time.perf_counter()
    for n in range(LIFECYCLES):
        item = app.register_item(
            drafter,
            agency_code="005253103",
            title=f"关于印发第{n}号工业发展规划的通知",
            department="规划处",
            formed_on=FORMED,
        ).id
        app.mark_attribute(item, drafter, FORMED, Attribute.PROACTIVE)
        app.audit_attribute(item, office, FORMED)
        app.review_confidentiality(item, reviewer, FORMED, ReviewConclusion.PROACTIVE)
        app.approve_item(item, leader, FORMED)
        app.publish_item(item, office, date(2025, 3, 5), [Channel.PORTAL])
    return LIFECYCLES * EVENTS_PER_LIFECYCLE / (time.perf_counter() - started)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bare = bare_events_per_second(str(Path(folder) / "bare.sqlite"), LIFECYCLES * 6)
        ours = lifecycle_events_per_second(str(Path(folder) / "ledger.sqlite"))
    print(f"# command-path: lifecycle {ours:,.0f} events/s, bare save {bare:,.0f} events/s")
    print(f"BENCH command-path ratio={ours / bare:.2f} target>=0.8")


if __name__ == "__main__":
    main()
