"""The case file (案卷) for an item, a request or an official, as JSON and printable HTML.
Applicant data (the Regulation Art 29; 004 att.2 Art 3-4) is redacted unless an investigator
(004 att.3 Art 4) asks for it."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from domain.codes import Outcome, ReadingRoomMode, ReviewConclusion
from domain.disclosure_item import DisclosureItem as Item
from projections.case_file import REDACTED, Subject, build_case_file, case_file, to_html, to_json
from projections.investigation import load_histories
from tests.unit.accountability.support import (
    APPLICANT,
    ARXAN,
    DESCRIPTION,
    INSPECTOR,
    LEADER,
    OFFICE,
    PERSONAL_DATA,
    REVIEWER,
    approval,
    irregular_item,
    ledger,
    receive,
)

AS_OF = date(2025, 12, 31)


def exempt_item_published(app):
    """Reviewed 免予公开, approved, objected to by the handler, published (Arxan)."""
    history = irregular_item(ARXAN, date(2025, 3, 3))
    history.events[0] = history.events[0].model_copy(
        update={"title": '关于<script>alert("x")</script>的通知'}
    )
    history.add(
        Item.ConfidentialityReviewed,
        date(2025, 3, 3),
        REVIEWER,
        conclusion=ReviewConclusion.EXEMPT,
    )
    history.add(Item.Approved, date(2025, 3, 3), LEADER, approval=approval(date(2025, 3, 3)))
    history.add(
        Item.ObjectionRecorded,
        date(2025, 3, 4),
        OFFICE,
        objected_version=4,
        objection="审查结论为免予公开",
    )
    history.add(Item.Published, date(2025, 3, 5), OFFICE, channels=("portal",))
    history.add(
        Item.ReadingRoomTransferred, date(2025, 3, 6), OFFICE, mode=ReadingRoomMode.ELECTRONIC
    )
    app.save(*history.events)
    return history.id


def late_request(app, clock):
    request_id = receive(app, clock, ARXAN, date(2025, 3, 3))
    clock.on(date(2025, 4, 2))
    app.reply_to_request(
        request_id,
        OFFICE,
        date(2025, 4, 2),
        Outcome.DISCLOSED,
        legal_basis="《条例》第三十六条",
        reasons=f"已向{APPLICANT.name}提供，联系电话{APPLICANT.contact}",
        remedy="可申请复议或诉讼",
    )
    return request_id


def test_item_case_file_has_timeline_violations_attribution_and_raw_events():
    """004 att.3 Art 6(二), 8: the facts, the shares and the proof, in one file."""
    app, _ = ledger()
    item_id = exempt_item_published(app)
    case = case_file(app, Subject.aggregate(item_id), AS_OF)

    assert case["subject"] == {
        "kind": "item",
        "key": str(item_id),
        "agency_code": ARXAN,
        "period": None,
    }
    assert [t["version"] for t in case["timeline"]] == [1, 2, 3, 4, 5, 6, 7]
    assert case["timeline"][3]["summary"].startswith("Approved: approval=leader-liu")
    assert len(case["raw_events"]) == 7 and case["raw_events"][5]["event"] == "Published"
    [violation] = case["violations"]
    assert violation["violation"]["kind"] == "published_not_disclosable"
    assert [e["version"] for e in violation["violation"]["evidence"]] == [3, 4, 6]
    assert {s["official_id"]: s["share_zh"] for s in violation["shares"]} == {
        LEADER.official_id: "主要责任",
        OFFICE.official_id: "不承担责任",
    }
    assert orjson.loads(to_json(case)) == case

    page = to_html(case)
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "公开不应当公开的政府信息" in page and "不承担责任 (none)" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_request_case_file_redacts_applicant_data_by_default():
    """the Regulation Art 29; 004 att.2 Art 3-4: the applicant's data stays out of the file."""
    app, clock = ledger()
    request_id = late_request(app, clock)
    case = case_file(app, Subject.aggregate(request_id, "request"), AS_OF)

    for rendered in (to_json(case).decode(), to_html(case)):
        for value in (*PERSONAL_DATA, DESCRIPTION):
            assert value not in rendered
        assert REDACTED in rendered
    assert case["personal_data"] == "redacted"
    received = case["raw_events"][0]
    assert received["applicant"] == {"applicant_type": "natural_person"}
    assert received["description"] == REDACTED
    assert [v["violation"]["kind"] for v in case["violations"]] == ["reply_late"]


def test_an_investigator_may_see_the_applicant_data_and_no_one_else():
    """004 att.3 Art 4, 8: the inspector investigating may see it; the file says so."""
    app, clock = ledger()
    request_id = late_request(app, clock)
    subject = Subject.aggregate(request_id, "request")
    histories = load_histories(app)
    shown = build_case_file(
        histories, subject, app.policies, app.calendar, AS_OF, app.clock(), INSPECTOR
    )
    assert shown["personal_data"] == f"shown to {INSPECTOR.official_id}"
    assert shown["raw_events"][0]["applicant"]["name"] == APPLICANT.name
    assert APPLICANT.contact in to_html(shown)
    with pytest.raises(PermissionError):
        build_case_file(histories, subject, app.policies, app.calendar, AS_OF, app.clock(), OFFICE)


def test_official_case_file_lists_their_acts_and_their_shares():
    """004 att.3 Art 8: 准确区分责任 — one official's acts and the violations they bear."""
    app, clock = ledger()
    item_id = exempt_item_published(app)
    request_id = late_request(app, clock)
    case = case_file(app, Subject.official(OFFICE.official_id, date(2025, 1, 1), AS_OF), AS_OF)

    acts = [(t["aggregate_id"], t["version"], t["capacity"]) for t in case["timeline"]]
    assert (str(item_id), 5, "objected") in acts and (str(item_id), 6, "acted") in acts
    assert (str(request_id), 1, "acted") in acts
    shares = {
        (v["violation"]["kind"], s["share"])
        for v in case["violations"]
        for s in v["shares"]
        if s["official_id"] == OFFICE.official_id
    }
    assert shares == {("published_not_disclosable", "none"), ("reply_late", "full")}
    rendered = to_json(case).decode()
    assert all(value not in rendered for value in (*PERSONAL_DATA, DESCRIPTION))
