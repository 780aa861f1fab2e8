"""Bad input at every endpoint gives the documented problem+json — never a 500.

Each command route gets malformed JSON, a JSON array, a wrong type, an unknown field, a missing
field, an unknown id and a malformed If-Match; read routes get bad paths, queries and headers.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from api.permissions import COMMANDS, MATRIX_ROLES
from domain.codes import Role
from tests.api.conftest import Api, Given
from tests.api.test_role_matrix import CASES

PROBLEM = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    if field is not None:
        assert body["field"] == field, body
        if status == 422 and "errors" in body:
            assert field in {e["field"] for e in body["errors"]}
    return body


def allowed(command: str) -> str:
    roles = COMMANDS[command].roles
    preferred = Role.DISCLOSURE_OFFICE if Role.DISCLOSURE_OFFICE in roles else None
    return (preferred or next(r for r in MATRIX_ROLES if r in roles)).value


def target(command: str, given: Given) -> tuple[str, str]:
    case = CASES[command]
    aggregate_id = case.setup(given)
    return case.path.replace("{id}", str(aggregate_id)), allowed(command)


def required_fields(command: str) -> list[str]:
    return [k for k in CASES[command].body if k not in ("on",)]


ALL = sorted(COMMANDS)


@pytest.mark.parametrize("command", ALL)
def test_malformed_json(command: str, given_commands: Given) -> None:
    path, who = target(command, given_commands)
    api = given_commands.api
    response = api.client.post(
        path,
        content=b'{"on": "2025-03-0',
        headers=api.auth(who, **{"content-type": "application/json"}),
    )
    assert_problem(response, 422, "body")


@pytest.mark.parametrize("command", ALL)
def test_body_of_the_wrong_shape(command: str, given_commands: Given) -> None:
    path, who = target(command, given_commands)
    assert_problem(given_commands.api.post(path, who, ["not", "an", "object"]), 422)


@pytest.mark.parametrize("command", ALL)
def test_wrong_type_and_unknown_field(command: str, given_commands: Given) -> None:
    path, who = target(command, given_commands)
    api = given_commands.api
    body = {**CASES[command].body, "on": {"nested": True}}
    if command == "request.receive":
        body = {**CASES[command].body, "submitted_on": 20250303}
        assert_problem(api.post(path, who, body), 422, "submitted_on")
    elif command == "item.register":
        body = {**CASES[command].body, "formed_on": [2025, 3, 3]}
        assert_problem(api.post(path, who, body), 422, "formed_on")
    else:
        assert_problem(api.post(path, who, body), 422, "on")
    extra = {**CASES[command].body, "acting_official": "someone-else"}
    assert_problem(api.post(path, who, extra), 422, "acting_official")


@pytest.mark.parametrize("command", [c for c in ALL if required_fields(c)])
def test_missing_field(command: str, given_commands: Given) -> None:
    path, who = target(command, given_commands)
    body = dict(CASES[command].body)
    name = required_fields(command)[0]
    del body[name]
    problem = assert_problem(given_commands.api.post(path, who, body), 422)
    if name not in ("department", "approval"):  # optional ones, kept in some cases
        assert any(e["field"] == name for e in problem["errors"]), problem


@pytest.mark.parametrize(
    ("command", "field", "value"),
    [
        ("item.mark_attribute", "attribute", "public"),
        ("item.review_confidentiality", "conclusion", "secret-ish"),
        ("item.publish", "channels", ["fax-machine"]),
        ("item.transfer_to_reading_room", "mode", "carrier-pigeon"),
        ("request.receive", "channel", "telepathy"),
        ("request.reply", "outcome", "not_disclosed.9"),
        ("request.deem_withdrawn", "outcome", "other.3"),
        ("request.notice_fee", "basis", "per_word"),
        ("request.file_litigation", "kind", "appeal"),
    ],
)
def test_unknown_code(command: str, field: str, value: Any, given_commands: Given) -> None:
    path, who = target(command, given_commands)
    body = {**CASES[command].body, field: value}
    problem = assert_problem(given_commands.api.post(path, who, body), 422)
    assert any(e["field"].startswith(field) for e in problem["errors"]), problem


@pytest.mark.parametrize("command", [c for c in ALL if "{id}" in CASES[c].path])
def test_unknown_id(command: str, commands_api: Api) -> None:
    path = CASES[command].path.replace("{id}", str(uuid4()))
    assert_problem(commands_api.post(path, allowed(command), CASES[command].body), 404)


@pytest.mark.parametrize("command", [c for c in ALL if "{id}" in CASES[c].path])
def test_malformed_id(command: str, commands_api: Api) -> None:
    path = CASES[command].path.replace("{id}", "not-a-uuid")
    problem = assert_problem(commands_api.post(path, allowed(command), CASES[command].body), 422)
    assert problem["errors"][0]["field"].startswith("path.")


@pytest.mark.parametrize("if_match", ["three", '"1", "2"', 'W/"x"', "-1"])
@pytest.mark.parametrize("command", ["item.publish", "request.reply", "item.archive"])
def test_bad_if_match(command: str, if_match: str, given_commands: Given) -> None:
    path, who = target(command, given_commands)
    response = given_commands.api.post(path, who, CASES[command].body, **{"If-Match": if_match})
    assert_problem(response, 422, "header.If-Match")


def test_stale_if_match_is_412_with_the_current_version(given_commands: Given) -> None:
    path, who = target("item.publish", given_commands)
    response = given_commands.api.post(path, who, CASES["item.publish"].body, **{"If-Match": '"2"'})
    problem = assert_problem(response, 412)
    assert problem["current_version"] == 4
    assert response.headers["etag"] == '"4"'


def test_weak_and_star_if_match_are_accepted(given_commands: Given) -> None:
    path, who = target("item.publish", given_commands)
    response = given_commands.api.post(
        path, who, CASES["item.publish"].body, **{"If-Match": 'W/"4"'}
    )
    assert response.status_code == 200, response.text
    path, who = target("item.archive", given_commands)
    response = given_commands.api.post(path, who, CASES["item.archive"].body, **{"If-Match": "*"})
    assert response.status_code == 200, response.text


def test_missing_and_unknown_tokens_are_401(commands_api: Api) -> None:
    body = CASES["item.register"].body
    assert_problem(commands_api.client.post("/items", json=body), 401)
    wrong = {"Authorization": "Bearer gk_not-a-real-token"}
    assert_problem(commands_api.client.post("/items", json=body, headers=wrong), 401)
    basic = {"Authorization": "Basic dXNlcjpwYXNz"}
    assert_problem(commands_api.client.post("/items", json=body, headers=basic), 401)
    assert_problem(commands_api.client.get(f"/items/{uuid4()}"), 401)


def test_refused_rule_names_rule_and_citation(given_commands: Given) -> None:
    item_id = given_commands.marked()
    response = given_commands.api.post(
        f"/items/{item_id}/publication", "disclosure_office", {"channels": ["portal"]}
    )
    problem = assert_problem(response, 409)
    assert problem["rule"] == "publish_after_confidentiality_review"
    assert problem["citation"] == "002 Art 8; 001 Art 8"


def test_blank_reason_is_422_not_500(given_commands: Given) -> None:
    item_id = given_commands.item()
    response = given_commands.api.post(
        f"/items/{item_id}/revocation", "disclosure_office", {"on": "2025-03-05", "reason": "   "}
    )
    assert_problem(response, 422, "reason")


def test_fee_count_must_be_positive(given_commands: Given) -> None:
    path, who = target("request.notice_fee", given_commands)
    body = {**CASES["request.notice_fee"].body, "count": 0}
    assert_problem(given_commands.api.post(path, who, body), 422, "count")


# ---- read routes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/items/not-a-uuid", 422),
        (f"/items/{uuid4()}", 404),
        (f"/requests/{uuid4()}", 404),
        (f"/history/{uuid4()}", 404),
        ("/history/123", 422),
        (f"/items/{uuid4()}/clock?as_of=yesterday", 422),
        ("/docket?as_of=2025-02-30", 422),
        ("/docket?as_of=86400", 422),  # a number is not a date (pydantic would read seconds)
        (f"/history/{uuid4()}?as_of=0.5", 422),
        (f"/items/{uuid4()}/clock?as_of=86400", 422),
        ("/docket/due?within=-1", 422),
        ("/annual-review/abc", 422),
        ("/annual-review/1800", 422),
        ("/no/such/route", 404),
    ],
)
def test_bad_reads_as_an_official(path: str, status: int, commands_api: Api) -> None:
    assert_problem(commands_api.get(path, "investigator"), status)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/catalogue?limit=0", 422),
        ("/catalogue?limit=abc", 422),
        ("/catalogue?year=abc", 422),
        ("/catalogue?cursor=-5", 422),
        ("/catalogue/changes?cursor=x", 422),
        (f"/catalogue/{uuid4()}", 404),
        ("/catalogue/not-a-uuid", 422),
        ("/agencies/NOPE", 404),
        ("/problems/no-such-problem", 404),
    ],
)
def test_bad_public_reads(path: str, status: int, commands_api: Api) -> None:
    assert_problem(commands_api.get(path), status)


def test_method_not_allowed(commands_api: Api) -> None:
    assert_problem(commands_api.client.delete("/items"), 405)


def test_min_position_beyond_the_log_is_422(api: Api) -> None:
    far = api.client.get("/catalogue", headers={"X-Min-Position": str(2**40)})
    assert_problem(far, 422, "header.X-Min-Position")
    assert_problem(api.client.get("/catalogue", headers={"X-Min-Position": "-1"}), 422)


def test_unknown_calendar_year_is_422(given_commands: Given) -> None:
    item_id = given_commands.marked()
    response = given_commands.api.get(f"/items/{item_id}/clock?as_of=2031-06-01", "drafter")
    problem = assert_problem(response, 422)
    assert problem["type"] == "/problems/calendar-year-unknown"


def test_projection_reads_without_a_driver_are_503(commands_api: Api) -> None:
    response = commands_api.client.get("/catalogue?wait=true")
    assert_problem(response, 503)
    assert response.headers["retry-after"] == "1"


def test_problem_types_are_documented(commands_api: Api) -> None:
    kind = commands_api.get("/problems/rule-violation").json()
    assert kind["status"] == 409
    assert "citation" in kind["description"]
