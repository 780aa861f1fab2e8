"""Agencies and their policies (domain.md §5): public, no token needed."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep
from api.openapi import PUBLIC_STATUSES
from api.problems import problem_responses
from api.schemas import AgencyPublic
from api.views import agency_public
from domain.errors import NotFound, UnknownAgency

router = APIRouter(prefix="/agencies", tags=["agencies 机关"])


@router.get(
    "",
    summary="机关及其政策 Agencies and their policies",
    description="每个机关的时限、窗口、索引号格式和发布渠道（各地不同，依据种子文件）。Each "
    "agency's clocks, windows, index-number pattern and channels, with the seed they come from.",
)
def list_agencies(ledger: LedgerDep) -> list[AgencyPublic]:
    return [agency_public(policy) for policy in ledger.policies.all()]


@router.get(
    "/{code}",
    summary="机关政策 One agency's policy",
    description="按组织机构代码查询。One agency's policy by organisation code.",
    responses=problem_responses(*PUBLIC_STATUSES),
)
def get_agency(code: str, ledger: LedgerDep) -> AgencyPublic:
    try:
        return agency_public(ledger.policy(code))
    except UnknownAgency:
        raise NotFound("agency", code) from None
