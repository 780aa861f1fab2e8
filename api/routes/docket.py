"""The docket (时限台账): open requests and unpublished proactive items with their statutory due
dates (domain.md §2-3), read at a date. Officials only; no applicant data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ConsistentRead, Reader, ReaderDep, ServicesDep
from api.openapi import READ_STATUSES
from api.problems import problem_responses
from api.schemas import Day, DocketOut
from api.services import Services
from api.views import docket_entry, today_in_china
from projections import docket

router = APIRouter(prefix="/docket", tags=["docket 时限台账"])

AsOf = Annotated[Day | None, Query(description="read the clocks at this date; default today")]
Agency = Annotated[
    str | None, Query(min_length=1, max_length=64, description="investigators: any agency")
]
Department = Annotated[str | None, Query(min_length=1, max_length=128)]
OfficialFilter = Annotated[
    str | None, Query(min_length=1, max_length=64, description="responsible official")
]
RESPONSES = problem_responses(*READ_STATUSES, 503)


def _answer(
    services: Services,
    reader: Reader,
    as_of: date | None,
    query: Callable[..., list[docket.DocketEntry]],
    agency: str | None,
    department: str | None,
    official: str | None,
) -> DocketOut:
    """Run a docket query at `as_of` (default: today in China) within the reader's scope."""
    day = as_of or today_in_china(services.ledger.clock)
    with services.store.reading() as tx:
        entries = query(
            tx,
            day,
            calendar=services.ledger.calendar,
            policies=services.ledger.policies,
            agency=reader.agency_filter(agency),
            department=department,
            official=official,
        )
    return DocketOut(as_of=day, entries=[docket_entry(e) for e in entries])


@router.get(
    "",
    summary="待办台账 Open docket",
    description="所有未办结申请和未发布的主动公开信息，按到期日排序。Every open request and "
    "unpublished proactive item, soonest due first.",
    responses=RESPONSES,
)
def open_docket(
    services: ServicesDep,
    reader: ReaderDep,
    _: ConsistentRead,
    as_of: AsOf = None,
    agency: Agency = None,
    department: Department = None,
    official: OfficialFilter = None,
) -> DocketOut:
    return _answer(services, reader, as_of, docket.open_entries, agency, department, official)


@router.get(
    "/due",
    summary="即将到期 Due soon",
    description="在 `within` 个工作日内到期、尚未逾期的事项。Open entries due within `within` "
    "working days and not yet overdue.",
    responses=RESPONSES,
)
def due_soon(
    services: ServicesDep,
    reader: ReaderDep,
    _: ConsistentRead,
    within: Annotated[int, Query(ge=0, le=60, description="working days")] = 5,
    as_of: AsOf = None,
    agency: Agency = None,
    department: Department = None,
    official: OfficialFilter = None,
) -> DocketOut:
    return _answer(
        services,
        reader,
        as_of,
        lambda tx, day, **kw: docket.due_within(tx, within, day, **kw),
        agency,
        department,
        official,
    )


@router.get(
    "/overdue",
    summary="已逾期 Overdue",
    description="已超过法定期限的事项（考评每件扣分，004 att.11）。Open entries past their due "
    "date (each costs a point in the evaluation, 004 att.11).",
    responses=RESPONSES,
)
def overdue(
    services: ServicesDep,
    reader: ReaderDep,
    _: ConsistentRead,
    as_of: AsOf = None,
    agency: Agency = None,
    department: Department = None,
    official: OfficialFilter = None,
) -> DocketOut:
    return _answer(services, reader, as_of, docket.overdue, agency, department, official)
