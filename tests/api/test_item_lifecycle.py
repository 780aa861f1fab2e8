"""An item's whole life over HTTP, as the officials who do each step (domain.md §2, §4)."""

from __future__ import annotations

from typing import Any
from uuid import UUID
from xml.etree import ElementTree

from api.schemas import CommandOut
from tests.api.conftest import Api


def command(api: Api, who: str, path: str, body: dict[str, Any], version: int) -> dict[str, Any]:
    response = api.post(path, who, body, **{"If-Match": f'"{version}"'})
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    assert response.headers["content-type"] == "application/json"
    assert CommandOut.model_validate(result).model_dump(mode="json") == result  # nothing more
    assert result["version"] == version + 1
    assert response.headers["etag"] == f'"{version + 1}"'
    return result


def catalogue_entry(api: Api, item_id: str, position: int) -> Any:
    return api.get(f"/catalogue/{item_id}", **{"X-Min-Position": str(position)})


def test_item_from_drafting_to_archive(api: Api) -> None:
    # The drafter registers a normative document co-issued with the finance bureau.
    created = api.post(
        "/items",
        "drafter",
        {
            "title": "关于印发中小企业数字化转型扶持办法的通知",
            "formed_on": "2025-03-03",
            "document_number": "郑工信〔2025〕12号",
            "theme": "政策文件",
            "document_type": "normative",
            "co_issuers": ["郑州市财政局"],
            "summary": "扶持对象、条件和申报程序。",
        },
    )
    assert created.status_code == 201, created.text
    item_id = created.json()["id"]
    assert created.headers["location"] == f"/items/{item_id}"
    base = f"/items/{item_id}"

    # The drafter marks it proactive on the drafting form; the office confirms the attribute.
    command(api, "drafter", f"{base}/attribute", {"on": "2025-03-03", "attribute": "proactive"}, 1)
    command(api, "disclosure_office", f"{base}/attribute-audit", {"on": "2025-03-04"}, 2)

    # Publishing before the confidentiality review is refused, citing 先审查、后公开.
    early = api.post(f"{base}/publication", "disclosure_office", {"channels": ["portal"]})
    assert early.status_code == 409
    assert early.headers["content-type"] == "application/problem+json"
    assert early.json()["rule"] == "publish_after_confidentiality_review"
    assert early.json()["citation"] == "002 Art 8; 001 Art 8"

    # Review, co-issuer consultation and answer, leader's approval.
    command(
        api,
        "confidentiality_reviewer",
        f"{base}/confidentiality-review",
        {"on": "2025-03-05", "conclusion": "proactive"},
        3,
    )
    command(
        api,
        "disclosure_office",
        f"{base}/co-issuer-consultations",
        {"on": "2025-03-05", "co_issuer": "郑州市财政局"},
        4,
    )
    command(
        api,
        "disclosure_office",
        f"{base}/co-issuer-answers",
        {"on": "2025-03-07", "co_issuer": "郑州市财政局", "answer": "agreed"},
        5,
    )
    command(api, "leader_in_charge", f"{base}/approval", {"on": "2025-03-10"}, 6)

    # Publication, then catalogue registration with an index number.
    command(
        api,
        "disclosure_office",
        f"{base}/publication",
        {"on": "2025-03-11", "channels": ["portal", "gazette"], "url": "https://gov.example.cn/1"},
        7,
    )
    registered = command(
        api, "disclosure_office", f"{base}/catalogue-registration", {"on": "2025-03-11"}, 8
    )
    entry = catalogue_entry(api, item_id, registered["position"])
    assert entry.status_code == 200, entry.text
    assert entry.json()["index_number"] == "005253103/2025-00001"
    assert entry.json()["channels"] == ["portal", "gazette"]

    # Interpretation, reading-room transfer.
    command(
        api,
        "drafter",
        f"{base}/interpretation",
        {"on": "2025-03-13", "interpretation_ref": "https://gov.example.cn/jd/1"},
        9,
    )
    command(
        api,
        "disclosure_office",
        f"{base}/reading-room-transfers",
        {"on": "2025-03-20", "mode": "electronic"},
        10,
    )

    # A change needs a new review and approval before it is published again.
    command(
        api,
        "drafter",
        f"{base}/changes",
        {
            "on": "2025-05-06",
            "description": "调整申报条件",
            "title": "关于印发扶持办法（修订）的通知",
        },
        11,
    )
    command(
        api,
        "confidentiality_reviewer",
        f"{base}/confidentiality-review",
        {"on": "2025-05-07", "conclusion": "proactive"},
        12,
    )
    command(api, "signer", f"{base}/approval", {"on": "2025-05-08"}, 13)
    command(
        api,
        "disclosure_office",
        f"{base}/publication",
        {"on": "2025-05-09", "channels": ["portal"]},
        14,
    )
    changed = command(
        api, "disclosure_office", f"{base}/catalogue-registration", {"on": "2025-05-09"}, 15
    )
    entry = catalogue_entry(api, item_id, changed["position"])
    assert entry.json()["title"] == "关于印发扶持办法（修订）的通知"
    assert entry.json()["index_number"] == "005253103/2025-00001"  # the number is kept
    clock = api.get(f"{base}/clock?as_of=2025-05-09", "drafter").json()
    assert clock["state"] == "published"
    assert clock["started_on"] == "2025-05-06"  # a change restarts the clock (000 §二(三)2)
    assert clock["overdue"] is False

    # Abolished: the catalogue follows (003 Art 14). Then archived.
    abolished = command(
        api,
        "disclosure_office",
        f"{base}/abolition",
        {"on": "2025-12-01", "reason": "已被替代"},
        16,
    )
    assert catalogue_entry(api, item_id, abolished["position"]).status_code == 404
    command(api, "disclosure_office", f"{base}/archive", {"on": "2025-12-05"}, 17)

    # The current state, the ETag, and the clock.
    state = api.get(base, "investigator")
    assert state.status_code == 200
    assert state.headers["etag"] == '"18"'
    body = state.json()
    assert body["validity"] == "abolished"
    assert body["archived_on"] == "2025-12-05"
    assert body["interpretation_ref"] == "https://gov.example.cn/jd/1"
    assert body["content_version"] == 2
    clock = api.get(f"{base}/clock", "drafter").json()
    assert clock["state"] == "not_due"  # abolished: nothing is due any more (003 Art 14)

    # History: every event, who did it, and the state as of a past moment.
    history = api.get(f"/history/{item_id}?wait=true", "investigator").json()
    assert [e["type"] for e in history["events"]][:3] == [
        "Registered",
        "AttributeMarked",
        "AttributeAudited",
    ]
    assert len(history["events"]) == 18
    assert len(history["timeline"]) == 18
    approved, published = history["events"][6], history["events"][7]
    assert approved["type"] == "Approved"
    assert approved["actor"]["official_id"] == "t-leader_in_charge"
    assert approved["data"]["approval"]["approver"]["role"] == "leader_in_charge"
    assert history["timeline"][6]["approver_id"] == "t-leader_in_charge"
    published_at = published["recorded_at"]
    assert history["version"] == 18
    past = api.client.get(
        f"/history/{item_id}",
        params={"as_of": published_at},
        headers=api.auth("investigator"),
    ).json()
    assert past["version"] == 8
    assert past["state"]["published_on"] == "2025-03-11"
    assert past["state"]["validity"] == "in_force"


def test_annual_review_reclassifies_and_publishes(api: Api) -> None:
    item_id = api.post(
        "/items", "drafter", {"title": "关于内部工作流程的说明", "formed_on": "2025-06-02"}
    ).json()["id"]
    base = f"/items/{item_id}"
    api.post(
        f"{base}/attribute",
        "drafter",
        {
            "on": "2025-06-02",
            "attribute": "not_disclosed",
            "reason": "属于过程性信息",
            "legal_ground": "process_information",
        },
    )
    worklist = api.get("/annual-review/2026?wait=true", "disclosure_office").json()
    entry = next(e for e in worklist["entries"] if e["item_id"] == item_id)
    assert entry["status"] == "undecided"
    assert worklist["deadline"] == "2026-03-31"

    # Reclassifying without the leader in charge's approval is refused (002 Art 55).
    refused = api.post(
        f"{base}/annual-review-decisions",
        "disclosure_office",
        {"on": "2026-02-02", "outcome": "reclassified", "reason": "应当公开"},
    )
    assert refused.status_code == 409
    assert refused.json()["rule"] == "reclassification_needs_leader_approval"
    assert refused.json()["field"] == "approval"

    decided = api.post(
        f"{base}/annual-review-decisions",
        "disclosure_office",
        {
            "on": "2026-02-02",
            "outcome": "reclassified",
            "reason": "决策已完成，应当公开",
            "approval": {"approved_by": "t-leader_in_charge"},
        },
    )
    assert decided.status_code == 200, decided.text
    api.post(
        f"{base}/confidentiality-review",
        "confidentiality_reviewer",
        {"on": "2026-02-03", "conclusion": "proactive"},
    )
    api.post(
        f"{base}/publication", "disclosure_office", {"on": "2026-02-04", "channels": ["portal"]}
    )
    done = api.post(f"{base}/catalogue-registration", "disclosure_office", {"on": "2026-02-04"})
    assert done.status_code == 200, done.text
    worklist = api.get(
        "/annual-review/2026",
        "disclosure_office",
        **{"X-Min-Position": str(done.json()["position"])},
    ).json()
    entry = next(e for e in worklist["entries"] if e["item_id"] == item_id)
    assert entry["status"] == "decided"
    assert entry["outcome"] == "reclassified"
    assert entry["approver_id"] == "t-leader_in_charge"
    assert catalogue_entry(api, item_id, done.json()["position"]).status_code == 200


def test_catalogue_search_and_feeds(api: Api) -> None:
    item_id = api.post(
        "/items",
        "drafter",
        {"title": "郑州市节能降碳技术改造专项资金公告", "formed_on": "2025-07-01"},
    ).json()["id"]
    base = f"/items/{item_id}"
    api.post(f"{base}/attribute", "drafter", {"on": "2025-07-01", "attribute": "proactive"})
    api.post(
        f"{base}/confidentiality-review",
        "confidentiality_reviewer",
        {"on": "2025-07-02", "conclusion": "proactive"},
    )
    api.post(f"{base}/approval", "leader_in_charge", {"on": "2025-07-02"})
    api.post(
        f"{base}/publication", "disclosure_office", {"on": "2025-07-03", "channels": ["portal"]}
    )
    done = api.post(f"{base}/catalogue-registration", "disclosure_office", {"on": "2025-07-03"})
    position = done.json()["position"]

    found = api.client.get(
        "/catalogue", params={"q": "降碳", "year": 2025}, headers={"X-Min-Position": str(position)}
    )
    assert found.status_code == 200
    assert [e["item_id"] for e in found.json()["entries"]] == [item_id]
    assert api.client.get("/catalogue", params={"q": "无此标题词"}).json()["entries"] == []

    changes = api.client.get("/catalogue/changes", params={"cursor": 0, "limit": 500}).json()
    mine = [c for c in changes["changes"] if c["item_id"] == item_id]
    assert [c["op"] for c in mine] in (["published"], ["changed"])  # the item's latest change
    assert mine[0]["entry"]["index_number"].startswith("005253103/2025-")
    assert mine[0]["cursor"] <= position

    feed = api.client.get("/catalogue/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(feed.content)
    ids = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}id")]
    assert f"urn:uuid:{item_id}" in ids

    page = api.client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "郑州市节能降碳技术改造专项资金公告" in page.text
    assert "政府信息公开目录" in page.text and "catalogue" in page.text


def test_unpublished_items_never_reach_the_catalogue(api: Api) -> None:
    item_id = api.post(
        "/items", "drafter", {"title": "尚未审查的草稿", "formed_on": "2025-03-03"}
    ).json()["id"]
    api.post(
        f"/items/{item_id}/attribute", "drafter", {"on": "2025-03-03", "attribute": "proactive"}
    )
    assert api.get(f"/catalogue/{item_id}?wait=true").status_code == 404
    assert UUID(item_id)
