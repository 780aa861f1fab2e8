"""History: every event of an item or request, and its state as of a moment (accountability:
who did what, when, on whose approval — 004 att.3; 002 Art 63-64)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import ConsistentRead, LedgerDep, ReaderDep, ServicesDep
from api.openapi import READ_STATUSES
from api.problems import problem_responses
from api.schemas import DayOrMoment, HistoryOut
from api.views import CHINA, aggregate_kind, event_out, state_out, timeline_entry
from projections import decision_history

router = APIRouter(prefix="/history", tags=["history 历史"])


def _moment(as_of: datetime | date | None) -> datetime | None:
    """A date means the end of that day in China; a naive datetime is China time."""
    if as_of is None:
        return None
    if not isinstance(as_of, datetime):
        return datetime.combine(as_of, time.max, tzinfo=CHINA)
    return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=CHINA)


@router.get(
    "/{aggregate_id}",
    summary="历史与时点状态 History and state as of a moment",
    description="某条信息或申请的全部事件（谁、何时、依据、经谁批准），以及截至 `as_of` 的状态。"
    "Every event of an item or request (who, when, basis, approval) up to `as_of`, and the state "
    "they produced — both read from the event store, so always current — plus the "
    "decision-history read model's bilingual timeline (`wait=true` for read-your-writes). "
    "`as_of`: an ISO datetime (naive = China time) or a date (= the end of that day in China). "
    "Applicant data is redacted unless the role is the disclosure office or an investigator.",
    responses=problem_responses(*READ_STATUSES, 503),
)
def get_history(
    aggregate_id: UUID,
    reader: ReaderDep,
    ledger: LedgerDep,
    services: ServicesDep,
    _: ConsistentRead,
    as_of: Annotated[
        DayOrMoment | None, Query(description="a moment (record time) to stop at")
    ] = None,
) -> HistoryOut:
    events = ledger.history(aggregate_id)
    created = events[0].mutate(None)
    reader.check_aggregate(created)
    moment = _moment(as_of)
    shown = [e for e in events if moment is None or e.timestamp <= moment]
    aggregate: Any = None
    for event in shown:
        aggregate = event.mutate(aggregate)
    with services.store.reading() as tx:
        steps = decision_history.timeline(tx, ledger, aggregate_id)
    sees = reader.sees_applicant
    return HistoryOut(
        id=aggregate_id,
        kind=aggregate_kind(created),
        as_of=moment,
        version=aggregate.version if aggregate is not None else 0,
        events=[event_out(e, sees_applicant=sees) for e in shown],
        timeline=[
            timeline_entry(step) for step in steps if moment is None or step.recorded_at <= moment
        ],
        state=state_out(aggregate, sees_applicant=sees) if aggregate is not None else None,
    )
