"""Applicant personal data (the Regulation Art 29 fields) never leaves through the catalogue,
the logs or an error body (the Regulation Art 15; 004 att.2 Art 3-4)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.api.conftest import APPLICANT_ID, APPLICANT_JSON, APPLICANT_NAME, FORMED, Api

PERSONAL = (APPLICANT_NAME, APPLICANT_ID, APPLICANT_JSON["contact"], APPLICANT_JSON["address"])


def assert_no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value not in text


def test_personal_data_stays_out_of_logs_errors_and_the_catalogue(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bodies: list[str] = []

    def keep(response: Any) -> Any:
        bodies.append(response.text)
        return response

    # A full request, with the applicant in the body.
    request_id = keep(
        api.post(
            "/requests",
            "disclosure_office",
            {
                "channel": "in_person",
                "applicant": APPLICANT_JSON,
                "description": "申请公开某项目资金明细",
                "submitted_on": FORMED.isoformat(),
            },
        )
    ).json()["id"]
    base = f"/requests/{request_id}"
    keep(api.post(f"{base}/registration", "disclosure_office", {"on": "2025-03-03"}))
    # Bad input carrying the personal data, everywhere it could be echoed back.
    errors = [
        api.post("/requests", "disclosure_office", {**APPLICANT_JSON}),
        api.post(
            "/requests",
            "disclosure_office",
            {
                "channel": "in_person",
                "applicant": {**APPLICANT_JSON, "name": APPLICANT_NAME * 60},
                "description": "x",
                "submitted_on": APPLICANT_NAME,
            },
        ),
        api.post(
            "/requests",
            "disclosure_office",
            {
                "channel": APPLICANT_NAME,
                "applicant": {**APPLICANT_JSON, "applicant_type": APPLICANT_ID},
                "description": "x",
            },
        ),
        api.post(
            "/requests",
            "disclosure_office",
            {"channel": "post", "applicant": APPLICANT_JSON, "description": "未写签收日期"},
        ),
        api.post(f"/requests/{APPLICANT_NAME}/reply", "disclosure_office", {"reasons": 1}),
        api.get(f"/requests/{APPLICANT_ID}", "disclosure_office"),
        api.post(f"{base}/objections", "disclosure_office", {"objected_version": APPLICANT_NAME}),
        api.post(f"{base}/delivery", "disclosure_office", {"method": APPLICANT_NAME}),
        api.post("/requests", None, {"applicant": APPLICANT_JSON}),
        api.client.post(
            "/requests",
            content=('{"applicant": {"name": "' + APPLICANT_NAME + '"').encode(),
            headers=api.auth("disclosure_office", **{"content-type": "application/json"}),
        ),
    ]
    for response in errors:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"] == "application/problem+json"
        bodies.append(response.text)
    reply = api.post(
        f"{base}/reply",
        "disclosure_office",
        {
            "on": "2025-03-10",
            "outcome": "disclosed",
            "legal_basis": "《条例》第三十六条",
            "reasons": "予以公开",
            "remedy": "可申请行政复议",
        },
    )
    position = reply.json()["position"]
    # The public catalogue, its feeds and page, the docket and the worklist.
    for path in ("/catalogue?limit=200", "/catalogue/changes?limit=1000", "/catalogue/feed.atom"):
        bodies.append(api.client.get(path, headers={"X-Min-Position": str(position)}).text)
    bodies.append(api.client.get("/").text)
    bodies.append(api.get("/docket?as_of=2025-03-04", "drafter").text)
    bodies.append(api.get("/annual-review/2026", "drafter").text)
    for text in bodies:
        assert_no_personal_data(text)
    # The test's own HTTP client (httpx) logs the URLs the test composed — some hold personal
    # data on purpose, to check the service does not echo them; it is not the service.
    service_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert any(r.name == "gongkai.access" for r in service_records)  # logging was on
    for record in service_records:
        assert_no_personal_data(record.getMessage())
        assert_no_personal_data(str(record.args))
        assert_no_personal_data(record.exc_text or "")
    # The disclosure office does see the applicant.
    assert api.get(base, "disclosure_office").json()["applicant"]["name"] == APPLICANT_NAME
