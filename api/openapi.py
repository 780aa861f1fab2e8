"""OpenAPI helpers: bilingual route docs from the role matrix, and problem+json media types."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.permissions import COMMANDS, MATRIX_ROLES
from api.problems import problem_responses
from api.schemas import CommandOut

COMMAND_STATUSES = (401, 403, 404, 409, 412, 422)
CREATE_STATUSES = (401, 403, 409, 422)
READ_STATUSES = (401, 403, 404, 422)
PUBLIC_STATUSES = (404, 422)


def command_doc(name: str, description: str, *, creates: bool = False) -> dict[str, Any]:
    """summary / description / responses of a command route, from the role matrix."""
    permission = COMMANDS[name]
    roles = ", ".join(
        r.value + (" (own department)" if r in permission.own_department else "")
        for r in MATRIX_ROLES
        if r in permission.roles
    )
    text = (
        f"{description}\n\n"
        f"**Roles 角色**: {roles}. **Basis 依据**: {permission.citation}. "
        f"Command `{name}`."
    )
    if not creates:
        text += " Send `If-Match` with the version for optimistic concurrency (412 when stale)."
    return {
        "summary": permission.label,
        "description": text,
        "responses": problem_responses(*(CREATE_STATUSES if creates else COMMAND_STATUSES)),
        "operation_id": name.replace(".", "_"),
        "response_model": CommandOut,  # rendered by api.views.command_response
    }


def install_openapi(app: FastAPI) -> None:
    """Generate the spec once; every 4xx/5xx response is application/problem+json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict):
                    continue
                for parameter in operation.get("parameters", []):
                    _drop_null(parameter)
                for status, response in operation.get("responses", {}).items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = {"application/problem+json": {"schema": problem_ref}}
                        if status == "422":
                            response["description"] = (
                                "输入无效 Invalid input (errors name the fields)"
                            )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _drop_null(parameter: dict[str, Any]) -> None:
    """An optional query or header parameter is simply absent: a query string or header cannot
    carry JSON null, so `anyOf: [T, null]` is documented as `T` (not required)."""
    schema = parameter.get("schema", {})
    options = schema.get("anyOf")
    if not isinstance(options, list):
        return
    kept = [option for option in options if option.get("type") != "null"]
    if len(kept) == 1 and len(kept) < len(options):
        schema.pop("anyOf")
        schema.update(kept[0])
