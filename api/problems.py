"""RFC 9457 problem details for every error the API returns.

A problem is `application/problem+json` with `type`, `title`, `status`, `detail`, `instance` and,
where they apply, `rule` + `citation` (the refused rule and its seed article), `field` (the input
at fault) and `errors: [{field, message, type}]`. Messages never echo input values: pydantic's
`input` is dropped from validation errors, because an applicant's name or id document may be in
it (the Regulation Art 15: personal privacy is not disclosed).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import psycopg
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.responses import ProblemResponse
from domain.errors import (
    CalendarYearUnknown,
    ConcurrentWrite,
    NotFound,
    RuleViolation,
    StaleVersion,
    UnknownAgency,
)

logger = logging.getLogger("gongkai.api")


@dataclass(frozen=True)
class ProblemKind:
    status: int
    title: str
    description: str


PROBLEM_KINDS: dict[str, ProblemKind] = {
    "validation-error": ProblemKind(
        422,
        "输入无效 Invalid input",
        "The request (body, query, path or header) does not match its schema; `errors` names "
        "each field at fault. Malformed JSON, wrong types, unknown codes and missing fields "
        "all land here.",
    ),
    "rule-violation": ProblemKind(
        409,
        "规则不允许 Refused by a rule",
        "The command is well-formed but the disclosure rules refuse it in the aggregate's "
        "current state; `rule` names the rule and `citation` the seed article behind it.",
    ),
    "not-found": ProblemKind(404, "未找到 Not found", "No such item, request, agency or route."),
    "concurrent-write": ProblemKind(
        409,
        "并发写入冲突 Concurrent write",
        "Another writer saved the aggregate between this command's read and its save. Nothing "
        "of this command was stored: reload and retry.",
    ),
    "stale-version": ProblemKind(
        412,
        "版本已过期 Stale version",
        "The `If-Match` version is not the aggregate's current version; `current_version` "
        "gives it (also as the ETag header).",
    ),
    "unauthorized": ProblemKind(
        401,
        "未认证 Authentication required",
        "Send `Authorization: Bearer <token>`; tokens are issued by `gongkai token`.",
    ),
    "forbidden": ProblemKind(
        403,
        "无权操作 Forbidden",
        "The official's role, department or agency may not do this; `rule` and `citation` "
        "name the division of duties that forbids it (docs/api.md, role matrix).",
    ),
    "calendar-year-unknown": ProblemKind(
        422,
        "日历年份未知 Calendar year unknown",
        "A date falls in a year whose State Council holiday schedule is not loaded, so no "
        "working-day deadline can be computed. Operators add the year to the calendar file.",
    ),
    "unknown-agency": ProblemKind(
        422, "机关未配置 Unknown agency", "No policy is configured for that agency code."
    ),
    "idempotency-key-reused": ProblemKind(
        422,
        "幂等键重复使用 Idempotency key reused",
        "This Idempotency-Key was already used by this official with a different request.",
    ),
    "idempotency-in-progress": ProblemKind(
        409,
        "请求处理中 Request in progress",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    ),
    "projection-lagging": ProblemKind(
        503,
        "读模型未追上 Read model behind",
        "The read model did not reach the requested log position within the wait bound, or "
        "no projection driver runs in this process; retry after `Retry-After` seconds.",
    ),
    "store-unavailable": ProblemKind(
        503,
        "存储不可用 Store unavailable",
        "The database did not answer within the connect timeout (a restart, a fail-over). A "
        "command that got this answer may or may not have been recorded: retry it with the same "
        "Idempotency-Key after `Retry-After` seconds.",
    ),
    "method-not-allowed": ProblemKind(405, "方法不允许 Method not allowed", ""),
    "http-error": ProblemKind(400, "请求错误 Bad request", ""),
    "internal-error": ProblemKind(
        500, "内部错误 Internal error", "An unexpected error; it is logged without request data."
    ),
}


class FieldError(BaseModel):
    field: str
    message: str
    type: str = ""


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""

    type: str = Field(description="URI reference of the problem kind, e.g. /problems/not-found")
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    rule: str | None = Field(default=None, description="the refused rule (409, 403)")
    citation: str | None = Field(default=None, description="the seed article behind the rule")
    field: str | None = Field(default=None, description="the input at fault")
    errors: list[FieldError] | None = None
    current_version: int | None = None


class ApiProblem(Exception):
    """An error raised by the API layer itself (auth, roles, idempotency, read waits)."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        rule: str | None = None,
        citation: str | None = None,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
    ):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.rule = rule
        self.citation = citation
        self.field = field
        self.headers = dict(headers or {})
        self.status = status or PROBLEM_KINDS[kind].status


def problem_body(
    kind: str,
    *,
    status: int | None = None,
    detail: str = "",
    instance: str = "",
    **extensions: Any,
) -> dict[str, Any]:
    spec = PROBLEM_KINDS[kind]
    body: dict[str, Any] = {
        "type": f"/problems/{kind}",
        "title": spec.title,
        "status": status or spec.status,
        "detail": detail,
        "instance": instance,
    }
    body.update({k: v for k, v in extensions.items() if v is not None})
    return body


def request_target(scope: Mapping[str, Any], *, path_valid: bool = True) -> str:
    """The `instance` of a problem: the request path once routing matched and the path
    parameters validated (they are UUIDs and codes); else the route's template, or nothing.
    A path that failed validation is never echoed: a client may have put an applicant's name or
    id number in it by mistake."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if not isinstance(template, str):
        return ""
    if not path_valid:
        return template
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").split("?", 1)[0]
    return quote(str(scope.get("path", "")))


def problem_response(
    request: Request,
    kind: str,
    *,
    status: int | None = None,
    detail: str = "",
    headers: Mapping[str, str] | None = None,
    path_valid: bool = True,
    **extensions: Any,
) -> ProblemResponse:
    instance = request_target(request.scope, path_valid=path_valid)
    body = problem_body(kind, status=status, detail=detail, instance=instance, **extensions)
    return ProblemResponse(body, status_code=body["status"], headers=dict(headers or {}))


# ---- validation errors, without input values ------------------------------------------------

_LOCATION_PREFIXES = {"query", "path", "header", "cookie"}
_FIXED_MESSAGES = {
    "uuid_parsing": "Input should be a valid UUID",
    "uuid_type": "Input should be a valid UUID",
    "json_invalid": "Malformed JSON",
}


def _field_name(loc: Sequence[Any], kind: str = "") -> str:
    if kind == "json_invalid":
        return "body"  # its location is a character offset, not a field
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _safe_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in _FIXED_MESSAGES:
        return _FIXED_MESSAGES[kind]
    message = str(error.get("msg", "invalid value"))
    value = error.get("input")
    if isinstance(value, str) and len(value) >= 2 and value in message:
        message = message.replace(value, "…")
    return message


def field_errors(errors: Iterable[Mapping[str, Any]], prefix: str = "") -> list[dict[str, str]]:
    """`[{field, message, type}]` from pydantic errors, dropping `input` and `ctx`; a path
    parameter shared by a dependency and its route is reported once."""
    shown: list[dict[str, str]] = []
    for error in errors:
        entry = {
            "field": prefix + _field_name(error.get("loc", ()), str(error.get("type", ""))),
            "message": _safe_message(error),
            "type": str(error.get("type", "")),
        }
        if entry not in shown:
            shown.append(entry)
    return shown


# ---- an unavailable store ------------------------------------------------------------------------

STORE_RETRY_AFTER = {"Retry-After": "2"}


def is_unavailable(error: BaseException) -> bool:
    """The store could not be reached or was busy — not a bug in a query: PostgreSQL connection
    failures and pool timeouts (psycopg's OperationalError and InterfaceError, which the
    eventsourcing recorder wraps in its own), or a SQLite file locked past its busy timeout."""
    seen: BaseException | None = error
    for _ in range(8):  # the chain of causes (eventsourcing re-raises psycopg's)
        if seen is None:
            return False
        if isinstance(seen, (psycopg.OperationalError, psycopg.InterfaceError)):
            return True
        if isinstance(seen, sqlite3.OperationalError) and "locked" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def unavailable_body(instance: str = "") -> dict[str, Any]:
    return problem_body(
        "store-unavailable", detail="the database is unavailable; retry later", instance=instance
    )


# ---- handlers ---------------------------------------------------------------------------------


def install_problem_handlers(app: FastAPI) -> None:
    """Map every error to problem+json; domain refusals keep their rule and citation."""

    async def on_api_problem(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, ApiProblem)
        return problem_response(
            request,
            exc.kind,
            status=exc.status,
            detail=exc.detail,
            headers=exc.headers,
            rule=exc.rule,
            citation=exc.citation,
            field=exc.field,
        )

    async def on_request_validation(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, RequestValidationError)
        errors = field_errors(exc.errors())
        return problem_response(
            request,
            "validation-error",
            path_valid=not any(e["field"].startswith("path.") for e in errors),
            detail=f"{len(errors)} invalid field(s): " + ", ".join(e["field"] for e in errors[:10]),
            field=errors[0]["field"] if errors else None,
            errors=errors,
        )

    async def on_model_validation(request: Request, exc: Exception) -> ProblemResponse:
        # A domain event refused a value the request schema let through.
        assert isinstance(exc, ValidationError)
        errors = field_errors(exc.errors(include_input=False, include_url=False))
        return problem_response(
            request,
            "validation-error",
            detail=f"{len(errors)} invalid field(s)",
            field=errors[0]["field"] if errors else None,
            errors=errors,
        )

    async def on_rule_violation(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, RuleViolation)
        return problem_response(
            request,
            "rule-violation",
            detail=exc.detail,
            rule=exc.rule,
            citation=exc.citation,
            field=exc.field,
        )

    async def on_not_found(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, NotFound)
        return problem_response(
            request, "not-found", detail=f"{exc.kind} {exc.identifier} not found"
        )

    async def on_concurrent_write(request: Request, exc: Exception) -> ProblemResponse:
        return problem_response(
            request,
            "concurrent-write",
            detail=str(exc),
            rule="optimistic_concurrency",
            citation="event store: one version per aggregate",
        )

    async def on_stale_version(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, StaleVersion)
        return problem_response(
            request,
            "stale-version",
            detail=str(exc),
            headers={"ETag": f'"{exc.actual}"'},
            current_version=exc.actual,
        )

    async def on_calendar_year(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, CalendarYearUnknown)
        logger.warning("calendar year %s is not loaded (request %s)", exc.year, request.url.path)
        return problem_response(request, "calendar-year-unknown", detail=str(exc), field="on")

    async def on_unknown_agency(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, UnknownAgency)
        return problem_response(request, "unknown-agency", detail=str(exc), field="agency_code")

    async def on_http_exception(request: Request, exc: Exception) -> ProblemResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (e.g. bytes that are not UTF-8): bad input.
            return problem_response(
                request,
                "validation-error",
                detail="the body is not valid UTF-8 JSON",
                path_valid=False,
                field="body",
                errors=[{"field": "body", "message": "Malformed body", "type": "body_invalid"}],
            )
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(
            request,
            kind,
            status=exc.status_code,
            detail=str(exc.detail),
            headers=exc.headers,
            path_valid=False,
        )

    async def on_store_error(request: Request, exc: Exception) -> ProblemResponse:
        if not is_unavailable(exc):
            return await on_unexpected(request, exc)
        logger.warning(
            "store unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__
        )
        return problem_response(
            request,
            "store-unavailable",
            detail="the database is unavailable; retry later",
            headers=STORE_RETRY_AFTER,
        )

    async def on_unexpected(request: Request, exc: Exception) -> ProblemResponse:
        if is_unavailable(exc):
            return await on_store_error(request, exc)
        # Logged with the exception type and traceback; never with the request body.
        logger.error(
            "unhandled %s on %s %s",
            type(exc).__name__,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        return problem_response(request, "internal-error", detail="internal error")

    app.add_exception_handler(ApiProblem, on_api_problem)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(ValidationError, on_model_validation)
    app.add_exception_handler(RuleViolation, on_rule_violation)
    app.add_exception_handler(NotFound, on_not_found)
    app.add_exception_handler(ConcurrentWrite, on_concurrent_write)
    app.add_exception_handler(StaleVersion, on_stale_version)
    app.add_exception_handler(CalendarYearUnknown, on_calendar_year)
    app.add_exception_handler(UnknownAgency, on_unknown_agency)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    for store_error in (psycopg.Error, PersistenceError, sqlite3.OperationalError):
        app.add_exception_handler(store_error, on_store_error)
    app.add_exception_handler(Exception, on_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem statuses a route can return (the app's
    OpenAPI hook turns their media type into application/problem+json)."""
    descriptions = {
        401: "未认证 Missing or invalid bearer token",
        403: "无权操作 Role, department or agency not allowed (rule + citation)",
        404: "未找到 Not found",
        409: "规则不允许或并发冲突 Refused by a rule (rule + citation), or a concurrent write",
        412: "版本已过期 If-Match names a stale version",
        422: "输入无效 Invalid input (errors name the fields)",
        503: "读模型未追上或存储不可用 Read model behind the requested position, or the "
        "store unavailable",
    }
    return {status: {"model": Problem, "description": descriptions[status]} for status in statuses}
