"""`Annotated` dependencies: the services, the official behind the token, role checks, If-Match,
Idempotency-Key and consistent reads.

A command route has one dependency (`Authorised`, `OnItem`, `OnRequest`, `OnAgency`, `OnCity`)
that does token lookup, the role × command matrix, the agency/department scope and reads
If-Match / Idempotency-Key from its own signature. FastAPI solves every level of nested
`Depends` separately on every request; a chain of ten (auth → token → official → acting →
scope → version → key …) was the largest single cost of a write (docs/architecture.md).

Dependencies that never block are `async` (FastAPI runs sync ones in its thread pool, a hop per
dependency); the token lookup is an in-memory hit (api/auth.py) or one indexed read. A command
dependency loads its aggregate through `run_command_step` (api/command_route.py): on the loop
on the embedded store, in the pool on PostgreSQL. Waiting for the read models stays sync, in
the pool."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from api.auth import Official
from api.command_route import run_command_step
from api.idempotency import MAX_KEY_LENGTH, derived_id
from api.permissions import (
    COMMANDS,
    DEPARTMENT_ROLES,
    READS,
    READS_ALL_AGENCIES,
    SEES_APPLICANT,
    Permission,
)
from api.problems import ApiProblem
from api.schemas import ApprovalIn
from api.services import Services
from api.views import today_in_china
from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import Role, label
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import DisclosureRequest
from domain.errors import StaleVersion
from domain.policy import PolicyBook


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_ledger(request: Request) -> GongkaiLedger:
    return services_of(request).ledger


LedgerDep = Annotated[GongkaiLedger, Depends(get_ledger)]

# ---- the official behind the bearer token ------------------------------------------------------


def bearer_official(request: Request) -> Official:
    """The official behind `Authorization: Bearer <token>`; 401 without a valid token."""
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    official = None
    if token and scheme.lower() == "bearer":
        official = services_of(request).officials.authenticate(token)
    if official is None:
        raise ApiProblem(
            "unauthorized",
            "a valid bearer token is required",
            headers={"WWW-Authenticate": 'Bearer realm="gongkai"'},
        )
    return official


class BearerDependency(HTTPBearer):
    """Base of the one-level dependencies that need the calling official; as an `HTTPBearer`
    it documents the `bearer` security scheme on every route that uses it."""

    def __init__(self) -> None:
        super().__init__(
            auto_error=False,
            scheme_name="bearer",
            description="Token issued by `gongkai token` (持证官员令牌).",
        )


class Authenticated(BearerDependency):
    async def __call__(self, request: Request) -> Official:  # type: ignore[override]
        return bearer_official(request)


OfficialDep = Annotated[Official, Depends(Authenticated())]

# ---- If-Match and Idempotency-Key ------------------------------------------------------------

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=100,
        description='乐观并发 the version the change is based on, as an ETag ("3"); '
        "a stale one gets 412",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=MAX_KEY_LENGTH,
        description="幂等键 makes a retried POST safe: the first response is replayed",
    ),
]


def expected_version(if_match: str | None) -> int | None:
    """The version an `If-Match` names (None: absent or `*`); 422 unless it is one ETag."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match)
    if match is None:
        raise ApiProblem(
            "validation-error",
            'If-Match must be one version ETag such as "3"',
            field="header.If-Match",
        )
    return int(match.group(1))


# ---- acting officials ------------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """The official issuing a command, with the registry to resolve named approvers, the
    version the command is based on (If-Match) and, for creating commands, the
    Idempotency-Key."""

    official: Official
    services: Services
    expected_version: int | None = None
    idempotency_key: str | None = None

    @property
    def ledger(self) -> GongkaiLedger:
        return self.services.ledger

    @property
    def actor(self) -> Actor:
        return self.official.actor()

    def on(self, day: date | None) -> date:
        return day or today_in_china(self.services.ledger.clock)

    def new_id(self) -> UUID | None:
        """A creating command's id, derived from the Idempotency-Key when there is one."""
        if not self.idempotency_key:
            return None
        return derived_id(self.official.official_id, self.idempotency_key)

    def department(self, requested: str | None) -> str:
        department = requested or self.official.department
        if self.official.role in DEPARTMENT_ROLES and department != self.official.department:
            raise _forbidden_department(self.official)
        return department

    def approval(self, given: ApprovalIn | None, on: date) -> Approval:
        """On whose approval: a configured official of the same agency, or the actor."""
        approver = self.actor
        if given is not None and given.approved_by is not None:
            named = self.services.officials.get(given.approved_by)
            if named is None or named.agency_code != self.official.agency_code:
                raise ApiProblem(
                    "validation-error",
                    "approval.approved_by must name a configured official of this agency",
                    field="approval.approved_by",
                )
            approver = named.actor()
        return Approval(
            approver=approver,
            approved_on=(given.approved_on if given and given.approved_on else on),
            collective=given.collective if given else False,
            meeting_ref=given.meeting_ref if given else "",
            members=tuple(given.members) if given else (),
        )


def _forbidden_role(official: Official, permission: Permission) -> ApiProblem:
    return ApiProblem(
        "forbidden",
        f"the role {official.role.value} ({label(official.role)}) may not: {permission.label}",
        rule="role_not_allowed",
        citation=permission.citation,
    )


def _forbidden_department(official: Official) -> ApiProblem:
    return ApiProblem(
        "forbidden",
        f"a {official.role.value} acts only on matters of their own department",
        rule="own_department_only",
        citation="000 §二(二); 003 Art 8; 002 Art 4",
        field="department",
    )


def _forbidden_agency() -> ApiProblem:
    return ApiProblem(
        "forbidden",
        "officials act on the records of their own agency only",
        rule="own_agency_only",
        citation="domain.md §1 (policy and records are per agency)",
    )


def check_role(official: Official, permission: Permission) -> None:
    """403 unless the role × command matrix (api/permissions.py) allows the role."""
    if not permission.allows(official.role):
        raise _forbidden_role(official, permission)


def check_scope(
    official: Official, agency_code: str, department: str, permission: Permission
) -> None:
    if agency_code != official.agency_code:
        raise _forbidden_agency()
    if official.role in permission.own_department and department != official.department:
        raise _forbidden_department(official)


class CommandDependency(BearerDependency):
    """Base of a command route's one dependency: the command's row of the matrix."""

    def __init__(self, command: str) -> None:
        super().__init__()
        self.permission = COMMANDS[command]

    def admitted(self, request: Request) -> Official:
        """Token lookup and role check, in this order (401 before 403)."""
        official = bearer_official(request)
        check_role(official, self.permission)
        return official

    async def on_aggregate(
        self,
        request: Request,
        load: Callable[[UUID], DisclosureItem | DisclosureRequest],
        aggregate_id: UUID,
        if_match: str | None,
    ) -> Acting:
        """Role, then the loaded aggregate's agency and department (loaded on the loop on the
        embedded store, in the pool on PostgreSQL: `run_command_step`), and If-Match."""
        official = self.admitted(request)
        aggregate = await run_command_step(request, load, aggregate_id)
        check_scope(official, aggregate.agency_code, aggregate.department, self.permission)
        return Acting(official, services_of(request), expected_version(if_match))


class Authorised(CommandDependency):
    """A creating command: the roles the matrix allows; the Idempotency-Key derives the id."""

    async def __call__(  # type: ignore[override]
        self, request: Request, idempotency_key: IdempotencyKey = None
    ) -> Acting:
        official = self.admitted(request)
        return Acting(official, services_of(request), idempotency_key=idempotency_key)


class OnItem(CommandDependency):
    """A command on the item `item_id`: role, then its agency and department, and If-Match."""

    async def __call__(  # type: ignore[override]
        self, request: Request, item_id: UUID, if_match: IfMatch = None
    ) -> Acting:
        ledger = services_of(request).ledger
        return await self.on_aggregate(request, ledger.get_item, item_id, if_match)


class OnRequest(CommandDependency):
    """A command on the request `request_id`: role, then its agency and department, and the
    If-Match version."""

    async def __call__(  # type: ignore[override]
        self, request: Request, request_id: UUID, if_match: IfMatch = None
    ) -> Acting:
        ledger = services_of(request).ledger
        return await self.on_aggregate(request, ledger.get_request, request_id, if_match)


AgencyCode = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        description="机关组织机构代码 the agency's organisation code",
        examples=["005253103"],
    ),
]
CityName = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        description="城市 a city named in the agencies' policies",
        examples=["郑州市"],
    ),
]


class OnAgency(CommandDependency):
    """A command on one agency's record (annual report, evaluation): officials act on their own
    agency's; investigators, who evaluate any agency (004 att.11 Art 11; 004 att.3 Art 3-4),
    on any."""

    async def __call__(  # type: ignore[override]
        self, request: Request, agency_code: AgencyCode, if_match: IfMatch = None
    ) -> Acting:
        official = self.admitted(request)
        if official.role not in READS_ALL_AGENCIES and agency_code != official.agency_code:
            raise _forbidden_agency()
        return Acting(official, services_of(request), expected_version(if_match))


class OnCity(CommandDependency):
    """A command on a city's aggregate report: the disclosure office of an agency of that city
    (004 att.9 Art 3: 市政务公开领导小组办公室 汇总)."""

    async def __call__(  # type: ignore[override]
        self, request: Request, city: CityName, if_match: IfMatch = None
    ) -> Acting:
        official = self.admitted(request)
        services = services_of(request)
        Reader(official).check_city(city, services.ledger.policies)
        return Acting(official, services, expected_version(if_match))


def check_version(aggregate_id: UUID, current: int, expected: int | None) -> None:
    """If-Match on a record whose verbs take no expected version: compared just before the
    command (0 = the record does not exist yet)."""
    if expected is not None and current != expected:
        raise StaleVersion(aggregate_id, expected, current)


# ---- readers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    official: Official

    @property
    def sees_applicant(self) -> bool:
        return self.official.role in SEES_APPLICANT

    @property
    def all_agencies(self) -> bool:
        return self.official.role in READS_ALL_AGENCIES

    def check_agency(self, agency_code: str) -> None:
        if not self.all_agencies and agency_code != self.official.agency_code:
            raise _forbidden_agency()

    def agency_filter(self, requested: str | None) -> str | None:
        """The agency a list is limited to: investigators may pick any (or all)."""
        if self.all_agencies:
            return requested
        if requested is not None and requested != self.official.agency_code:
            raise _forbidden_agency()
        return self.official.agency_code

    def check_city(self, city: str, policies: PolicyBook) -> None:
        """Officials read and write the report of their own agency's city; investigators any."""
        if self.all_agencies:
            return
        code = self.official.agency_code
        if code not in policies or policies.get(code).city != city:
            raise _forbidden_agency()

    def check_aggregate(self, aggregate: object) -> None:
        if isinstance(aggregate, (DisclosureItem, DisclosureRequest)):
            self.check_agency(aggregate.agency_code)
        elif self.official.role is not Role.INVESTIGATOR:
            # Number sequences and other internals: investigators only.
            raise _forbidden_agency()


async def reader(official: OfficialDep) -> Reader:
    return Reader(official)


ReaderDep = Annotated[Reader, Depends(reader)]


def permitted(read: str) -> Callable[..., Awaitable[Reader]]:
    """A dependency admitting the roles the matrix allows for the read `read`."""
    permission = READS[read]

    async def dependency(official: OfficialDep) -> Reader:
        check_role(official, permission)
        return Reader(official)

    return dependency


def refuse(official: Official, read: str) -> None:
    """403 unless the matrix allows `read` to the official's role (a narrower part of a read)."""
    check_role(official, READS[read])


# ---- consistent reads of projections ----------------------------------------------------------


def consistent_read(
    services: ServicesDep,
    wait: Annotated[
        bool,
        Query(description="等待读模型 wait (bounded) until the read models reach the log head"),
    ] = False,
    min_position: Annotated[
        int | None,
        Header(
            alias="X-Min-Position",
            ge=0,
            le=2**62,
            description="wait (bounded) until the read models reach this notification id "
            "(the `position` a command returned)",
        ),
    ] = None,
) -> None:
    if not wait and min_position is None:
        return
    head = services.position()
    target = head if min_position is None else min_position
    if target > head:
        raise ApiProblem(
            "validation-error",
            f"X-Min-Position {target} is beyond the newest log position {head}",
            field="header.X-Min-Position",
        )
    timeout = services.settings.read_wait_timeout
    if services.projector is None or not services.projector.wait_until(target, timeout):
        raise ApiProblem(
            "projection-lagging",
            f"the read models did not reach position {target} within {timeout:g} s",
            headers={"Retry-After": "1"},
        )


ConsistentRead = Annotated[None, Depends(consistent_read)]
