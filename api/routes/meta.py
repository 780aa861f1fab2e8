"""Service endpoints: health (the benchmark's no-op), the calling official, problem types."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import OfficialDep
from api.openapi import PUBLIC_STATUSES
from api.permissions import COMMANDS, READS
from api.problems import PROBLEM_KINDS, problem_responses
from api.schemas import Health, OfficialOut, ProblemKindOut
from domain.codes import label
from domain.errors import NotFound

router = APIRouter(tags=["service 服务"])


@router.get(
    "/health",
    summary="健康检查 Health",
    description="不做任何工作的探针。A no-op probe (the HTTP benchmark's baseline).",
)
async def health() -> Health:
    return Health()


@router.get(
    "/me",
    summary="当前官员 The calling official",
    description="令牌对应的官员及其可执行的命令。The official behind the token, the commands "
    "the role may issue and the restricted reads it may make.",
    responses=problem_responses(401),
)
def me(official: OfficialDep) -> OfficialOut:
    return OfficialOut(
        official_id=official.official_id,
        name=official.name,
        role=official.role,
        role_label=label(official.role),
        department=official.department,
        agency_code=official.agency_code,
        commands=[name for name, p in COMMANDS.items() if p.allows(official.role)],
        reads=[name for name, p in READS.items() if p.allows(official.role)],
    )


@router.get(
    "/problems/{kind}",
    summary="问题类型 A problem type",
    description="RFC 9457 `type` 的说明。What a problem `type` means.",
    responses=problem_responses(*PUBLIC_STATUSES),
)
def problem_kind(kind: str) -> ProblemKindOut:
    spec = PROBLEM_KINDS.get(kind)
    if spec is None:
        raise NotFound("problem type", kind)
    return ProblemKindOut(
        type=f"/problems/{kind}", status=spec.status, title=spec.title, description=spec.description
    )
