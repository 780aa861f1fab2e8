"""The annual March review worklist (002 Art 55-56): items marked 依申请公开 / 不予公开 during
the previous year, each with its decision (recorded by
`POST /items/{id}/annual-review-decisions`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import ConsistentRead, ReaderDep, ServicesDep
from api.openapi import READ_STATUSES
from api.problems import problem_responses
from api.schemas import AnnualReviewOut
from api.views import review_entry
from projections import annual_review

router = APIRouter(prefix="/annual-review", tags=["annual review 年度审查"])


@router.get(
    "/{year}",
    summary="年度审查清单 Annual-review worklist",
    description="`year` 年 3 月底前须审查的清单：上年度标注为依申请公开或不予公开的信息及其决定。"
    "The worklist of the review due by 31 March of `year`: items marked non-public during "
    "`year - 1`, with their decisions and whether they were late.",
    responses=problem_responses(*READ_STATUSES, 503),
)
def worklist(
    year: Annotated[int, Path(ge=2000, le=2200)],
    services: ServicesDep,
    reader: ReaderDep,
    _: ConsistentRead,
    agency: Annotated[
        str | None,
        Query(min_length=1, max_length=64, description="default: the official's agency"),
    ] = None,
) -> AnnualReviewOut:
    code = reader.agency_filter(agency) or reader.official.agency_code
    with services.store.reading() as tx:
        entries = annual_review.worklist(tx, code, year)
    return AnnualReviewOut(
        agency_code=code,
        year=year,
        deadline=annual_review.review_deadline(year),
        entries=[review_entry(e) for e in entries],
    )
