"""`Idempotency-Key`: a retried POST returns the first response and records nothing twice."""

from __future__ import annotations

import orjson

from api.idempotency import derived_id, fingerprint
from tests.api.conftest import FORMED, Api, Given

ITEM = {"title": "关于某某事项的通知", "formed_on": FORMED.isoformat()}


def test_a_retried_create_returns_the_first_response(commands_api: Api) -> None:
    key = {"Idempotency-Key": "create-item-001"}
    first = commands_api.post("/items", "drafter", ITEM, **key)
    again = commands_api.post("/items", "drafter", ITEM, **key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == first.headers["etag"]
    item_id = first.json()["id"]
    assert item_id == str(derived_id("t-drafter", "create-item-001"))
    assert len(commands_api.ledger.history(derived_id("t-drafter", "create-item-001"))) == 1


def test_same_key_different_body_is_422(commands_api: Api) -> None:
    key = {"Idempotency-Key": "create-item-002"}
    assert commands_api.post("/items", "drafter", ITEM, **key).status_code == 201
    other = commands_api.post("/items", "drafter", {**ITEM, "title": "另一个标题"}, **key)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert other.json()["field"] == "header.Idempotency-Key"


def test_keys_belong_to_their_official(commands_api: Api) -> None:
    key = {"Idempotency-Key": "shared-key"}
    mine = commands_api.post("/items", "drafter", ITEM, **key)
    theirs = commands_api.post("/items", "section_head", ITEM, **key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_refused_command_keeps_no_key(given_commands: Given) -> None:
    item_id = given_commands.reviewed()
    api = given_commands.api
    key = {"Idempotency-Key": "publish-early"}
    body = {"on": "2025-03-06", "channels": ["portal"]}
    refused = api.post(f"/items/{item_id}/publication", "disclosure_office", body, **key)
    assert refused.status_code == 409  # not approved yet
    given_commands.ledger.approve_item(item_id, given_commands.leader, FORMED)
    retried = api.post(f"/items/{item_id}/publication", "disclosure_office", body, **key)
    assert retried.status_code == 200
    replayed = api.post(f"/items/{item_id}/publication", "disclosure_office", body, **key)
    assert replayed.json() == retried.json()
    assert replayed.headers["idempotent-replayed"] == "true"


def test_a_key_still_in_flight_is_409(commands_api: Api) -> None:
    body = orjson.dumps(ITEM)
    scope = {"method": "POST", "path": "/items", "query_string": b""}
    commands_api.services.idempotency.claim("t-drafter", "in-flight", fingerprint(scope, body))
    response = commands_api.client.post(
        "/items",
        content=body,
        headers=commands_api.auth(
            "drafter", **{"Idempotency-Key": "in-flight", "content-type": "application/json"}
        ),
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/idempotency-in-progress"
    assert response.headers["retry-after"] == "1"


def test_an_invalid_key_is_422(commands_api: Api) -> None:
    response = commands_api.post("/items", "drafter", ITEM, **{"Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert response.json()["field"] == "header.Idempotency-Key"
