"""A request's whole life over HTTP (002 Art 34: receive, register, correct, consult, review,
reply, deliver, archive), with its clock and the docket following it."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import APPLICANT_JSON, APPLICANT_NAME, DEPT, Api


def step(api: Api, path: str, body: dict[str, Any], who: str = "disclosure_office") -> Any:
    response = api.post(path, who, body)
    assert response.status_code in (200, 201), response.text
    return response.json()


def docket_ids(api: Api, position: int, as_of: str) -> set[str]:
    docket = api.get(
        f"/docket?as_of={as_of}", "disclosure_office", **{"X-Min-Position": str(position)}
    )
    assert docket.status_code == 200, docket.text
    return {e["id"] for e in docket.json()["entries"]}


def test_request_from_receipt_to_archive(api: Api) -> None:
    created = step(
        api,
        "/requests",
        {
            "channel": "post",
            "applicant": APPLICANT_JSON,
            "description": "申请公开2025年中小企业扶持资金分配明细",
            "purpose": "了解政策落实情况",
            "requested_form": "纸质",
            "department": DEPT,
            "signed_for_on": "2025-04-01",
        },
    )
    request_id = created["id"]
    base = f"/requests/{request_id}"
    registered = step(api, f"{base}/registration", {"on": "2025-04-01"})
    assert request_id in docket_ids(api, registered["position"], "2025-04-02")

    # One correction notice listing every defect; the clock restarts from the correction.
    step(
        api, f"{base}/correction-notice", {"on": "2025-04-02", "defects": ["请说明所需信息的年份"]}
    )
    clock = api.get(f"{base}/clock?as_of=2025-04-03", "disclosure_office").json()
    assert clock["state"] == "awaiting_correction"
    step(api, f"{base}/correction", {"on": "2025-04-07"})

    # A third party is consulted: the clock pauses; it agrees.
    step(
        api,
        f"{base}/third-party-consultations",
        {"on": "2025-04-08", "third_party_ref": "第三方-甲公司", "interest": "commercial_secret"},
    )
    paused = api.get(f"{base}/clock?as_of=2025-04-10", "disclosure_office").json()
    assert paused["state"] == "paused"
    step(
        api,
        f"{base}/third-party-answers",
        {"on": "2025-04-15", "third_party_ref": "第三方-甲公司", "answer": "agreed"},
    )

    # Extended once with the office head's approval; a second extension is refused.
    step(api, f"{base}/extension", {"on": "2025-04-30", "days": 20, "reason": "需调取多年档案"})
    again = api.post(f"{base}/extension", "disclosure_office", {"days": 5, "reason": "再次延期"})
    assert again.status_code == 409
    assert again.json()["rule"] == "extend_once"

    # A fee notice within the national standard, then payment.
    over = api.post(
        f"{base}/fee-notice",
        "disclosure_office",
        {"on": "2025-05-06", "basis": "per_page", "count": 50, "amount": "500"},
    )
    assert over.status_code == 409
    assert over.json()["rule"] == "fee_above_standard"
    step(
        api,
        f"{base}/fee-notice",
        {"on": "2025-05-06", "basis": "per_page", "count": 50, "amount": "200"},
    )
    step(api, f"{base}/fee-payment", {"on": "2025-05-08"})

    # The reply names its basis, reasons and remedies; then it is delivered.
    replied = step(
        api,
        f"{base}/reply",
        {
            "on": "2025-05-20",
            "outcome": "partly_disclosed",
            "legal_basis": "《中华人民共和国政府信息公开条例》第三十七条",
            "reasons": "可以区分处理的部分予以公开",
            "remedy": "可在60日内申请行政复议或6个月内提起行政诉讼",
            "withheld_reasons": "涉及第三方商业秘密的部分不予公开",
        },
    )
    assert request_id not in docket_ids(api, replied["position"], "2025-05-21")
    clock = api.get(f"{base}/clock?as_of=2025-05-21", "disclosure_office").json()
    assert clock["state"] == "answered"
    assert clock["overdue"] is False
    assert clock["paused_working_days"] > 0
    step(api, f"{base}/delivery", {"on": "2025-05-21", "method": "邮寄"})

    # Reconsideration and litigation with their results.
    step(api, f"{base}/reconsiderations", {"on": "2025-06-10", "body": "郑州市人民政府"})
    step(api, f"{base}/reconsideration-decision", {"on": "2025-08-01", "result": "maintained"})
    step(
        api,
        f"{base}/litigations",
        {"on": "2025-08-15", "kind": "after_reconsideration", "court": "金水区人民法院"},
    )
    step(api, f"{base}/litigation-decision", {"on": "2025-11-03", "result": "corrected"})
    archived = step(api, f"{base}/archive", {"on": "2025-11-10", "archive_ref": "YSQ-2025-001"})
    assert archived["version"] == 16

    state = api.get(base, "disclosure_office").json()
    assert state["registration_number"] == "005253103-申-2025-00001"
    assert state["outcome"] == "partly_disclosed"
    assert state["outcome_label"] == "部分公开"
    assert state["applicant"]["name"] == APPLICANT_NAME
    assert state["reconsiderations"][0]["result"] == "maintained"
    assert state["litigations"][0]["kind"] == "after_reconsideration"
    assert state["fee_settled"] == "paid"


def test_applicant_is_shown_to_the_office_and_investigators_only(api: Api) -> None:
    request_id = step(
        api,
        "/requests",
        {
            "channel": "online",
            "applicant": APPLICANT_JSON,
            "description": "申请公开某项目验收报告",
            "confirmed_on": "2025-04-01",
        },
    )["id"]
    for who in ("disclosure_office", "investigator"):
        assert api.get(f"/requests/{request_id}", who).json()["applicant"]["name"] == APPLICANT_NAME
    for who in ("drafter", "section_head", "leader_in_charge", "confidentiality_reviewer"):
        shown = api.get(f"/requests/{request_id}", who)
        assert shown.status_code == 200
        assert shown.json()["applicant"] is None
        assert shown.json()["applicant_type"] == "natural_person"
        assert APPLICANT_NAME not in shown.text
        history = api.get(f"/history/{request_id}", who)
        assert history.status_code == 200
        assert APPLICANT_NAME not in history.text
        assert APPLICANT_JSON["id_document"] not in history.text
    assert APPLICANT_NAME in api.get(f"/history/{request_id}", "investigator").text


def test_deemed_withdrawn_after_the_correction_period(api: Api) -> None:
    request_id = step(
        api,
        "/requests",
        {
            "channel": "in_person",
            "applicant": APPLICANT_JSON,
            "description": "申请公开某文件",
            "submitted_on": "2025-06-03",
        },
    )["id"]
    base = f"/requests/{request_id}"
    step(
        api,
        f"{base}/correction-notice",
        {"on": "2025-06-04", "defects": ["内容不明确"], "due_on": "2025-06-18"},
    )
    early = api.post(
        f"{base}/deemed-withdrawal",
        "disclosure_office",
        {"on": "2025-06-10", "outcome": "other.1", "reason": "逾期未补正"},
    )
    assert early.status_code == 409
    assert early.json()["rule"] == "withdrawal_after_correction_period"
    step(
        api,
        f"{base}/deemed-withdrawal",
        {"on": "2025-06-19", "outcome": "other.1", "reason": "逾期未补正"},
    )
    assert api.get(base, "disclosure_office").json()["outcome"] == "other.1"


def test_overdue_requests_are_on_the_overdue_docket(api: Api) -> None:
    created = step(
        api,
        "/requests",
        {
            "channel": "fax",
            "applicant": APPLICANT_JSON,
            "description": "申请公开某会议纪要",
            "confirmed_on": "2025-09-01",
        },
    )
    overdue = api.get(
        "/docket/overdue?as_of=2025-11-03",
        "drafter",
        **{"X-Min-Position": str(created["position"])},
    ).json()
    entry = next(e for e in overdue["entries"] if e["id"] == created["id"])
    assert entry["overdue"] is True
    assert entry["kind"] == "request"
    assert "applicant" not in entry
    due = api.get("/docket/due?within=30&as_of=2025-09-02", "drafter").json()
    assert created["id"] in {e["id"] for e in due["entries"]}
