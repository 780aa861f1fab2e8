"""Accountability over HTTP and the CLI: violations with their citation, proving events and
shares; the evaluation score with recorded findings; what an official did; decisions and their
approvals; attribute changes; what the ledger knew when; case files with and without applicant
data; and who may ask."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import orjson
import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.schemas_reports import (
    CaseFileOut,
    EvaluationOut,
    SnapshotOut,
    ViolationsOut,
)
from api.settings import Settings
from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import Attribute, Channel, Outcome, RequestChannel, ReviewConclusion, Role
from domain.disclosure_request import Applicant
from tests.api.conftest import (
    AGENCY,
    APPLICANT_ID,
    APPLICANT_JSON,
    APPLICANT_NAME,
    DEPT,
    OTHER_AGENCY,
    Api,
    Given,
)

PROBLEM = "application/problem+json"
OFFICE, INVESTIGATOR = "disclosure_office", "investigator"
REPLY = ("《条例》第三十六条", "予以公开", "可申请行政复议或提起行政诉讼")


@dataclass(frozen=True)
class Story:
    on_time_approval: UUID  # published late; the leader approved in time
    late_approval: UUID  # approved after the due date, published on it over an objection
    approval_version: int
    objection_version: int
    published_version: int
    remarked: UUID  # proactive, corrected by the office to on request
    late_reply: UUID  # answered 33 working days late; its description names the applicant
    backfilled: UUID  # its reply was recorded after `known_at`
    known_at: datetime


def _reviewed(g: Given) -> UUID:
    item_id = g.marked()
    g.ledger.review_confidentiality(
        item_id, g.reviewer, date(2025, 3, 4), ReviewConclusion.PROACTIVE
    )
    return item_id


def _request(g: Given, received: date, description: str) -> UUID:
    request_id = g.ledger.receive_request(
        g.office,
        agency_code=AGENCY,
        channel=RequestChannel.ONLINE,
        applicant=Applicant.model_validate(APPLICANT_JSON),
        description=description,
        department=DEPT,
        confirmed_on=received,
    ).id
    g.ledger.register_request(request_id, g.office, received)
    return request_id


@pytest.fixture(scope="module")
def story(api: Api) -> Story:
    """Zhengzhou, 2025: 20 working days to publish, 20 to reply (due 31 March for 3 March)."""
    g = Given(api)
    on_time = _reviewed(g)
    g.ledger.approve_item(on_time, g.leader, date(2025, 3, 5), g.approval(date(2025, 3, 5)))
    g.ledger.publish_item(on_time, g.office, date(2025, 5, 6), (Channel.PORTAL,))

    late = _reviewed(g)
    approval = Approval(approver=g.leader, approved_on=date(2025, 4, 10))
    approved = g.ledger.approve_item(late, g.leader, date(2025, 4, 10), approval)
    objection = g.ledger.record_objection(
        late, g.office, date(2025, 4, 10), approved.version, "发布已逾期，应先说明情况"
    )
    published = g.ledger.publish_item(late, g.office, date(2025, 4, 11), (Channel.PORTAL,))

    remarked = g.marked()
    g.ledger.audit_attribute(
        remarked, g.office, date(2025, 6, 3), Attribute.ON_REQUEST, "涉及内部管理事项"
    )

    late_reply = _request(g, date(2025, 3, 3), f"申请公开{APPLICANT_NAME}名下的补贴发放记录")
    g.ledger.reply_to_request(late_reply, g.office, date(2025, 5, 20), Outcome.DISCLOSED, *REPLY)

    backfilled = _request(g, date(2025, 6, 2), "申请公开2025年项目清单")
    time.sleep(0.01)
    known_at = datetime.now(UTC)
    time.sleep(0.01)
    g.ledger.reply_to_request(backfilled, g.office, date(2025, 6, 10), Outcome.DISCLOSED, *REPLY)
    return Story(
        on_time,
        late,
        approved.version,
        objection.version,
        published.version,
        remarked,
        late_reply,
        backfilled,
        known_at,
    )


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


# ---- violations -------------------------------------------------------------------------------


def test_violations_with_citation_evidence_and_shares(api: Api, story: Story) -> None:
    body = ok(api.get("/accountability/violations?as_of=2025-12-31", OFFICE))
    found = ViolationsOut.model_validate(body)
    assert found.agency_code == AGENCY and found.as_of == date(2025, 12, 31)
    kinds = Counter((v.kind, v.aggregate_id) for v in found.violations)
    assert kinds == Counter(
        {
            ("late_publication", story.on_time_approval): 1,
            ("reading_room_late", story.on_time_approval): 1,
            ("late_publication", story.late_approval): 1,
            ("reading_room_late", story.late_approval): 1,
            ("reply_late", story.late_reply): 1,
        }
    )
    by = {(v.kind, v.aggregate_id): v for v in found.violations}
    # Approved in time, published late: the publisher alone (004 att.3 Art 6(一)).
    alone = by[("late_publication", story.on_time_approval)]
    assert alone.citation == "000 §二(三)2"
    assert alone.occurred_on == date(2025, 4, 1)
    assert "Published" in {e.event for e in alone.evidence}
    assert [(s.official_id, s.share) for s in alone.attribution.shares] == [
        ("t-disclosure_office", "full")
    ]
    # Published on a late approval over the publisher's objection: the leader bears the main
    # share, the objecting publisher a reduced one (Zhengzhou reads 002 Art 64(二)).
    shared = by[("late_publication", story.late_approval)]
    assert shared.attribution.rule == "objection"
    assert shared.attribution.citation == "002 Art 64(二)"
    shares = {s.official_id: s for s in shared.attribution.shares}
    assert (shares["t-leader_in_charge"].share, shares["t-disclosure_office"].share) == (
        "main",
        "reduced",
    )
    assert shares["t-leader_in_charge"].evidence[0].version == story.approval_version
    assert story.objection_version in {e.version for e in shares["t-disclosure_office"].evidence}
    assert shares["t-disclosure_office"].share_zh == "减轻或免除责任"
    reply = by[("reply_late", story.late_reply)]
    assert reply.label == "逾期答复"
    assert {e.event for e in reply.evidence} >= {"Replied"}
    assert APPLICANT_NAME not in orjson.dumps(body).decode()


def test_violations_as_things_stood_in_april(api: Api, story: Story) -> None:
    found = ViolationsOut.model_validate(
        ok(api.get("/accountability/violations?as_of=2025-04-15", INVESTIGATOR))
    )
    kinds = {(v.kind, v.aggregate_id) for v in found.violations}
    # On 15 April the first item was still unpublished (the drafter's duty) and the request
    # open: omissions, not yet late acts.
    assert ("unpublished_past_due", story.on_time_approval) in kinds
    assert ("request_overdue", story.late_reply) in kinds
    assert ("late_publication", story.on_time_approval) not in kinds
    unpublished = next(v for v in found.violations if v.kind == "unpublished_past_due")
    assert [(s.official_id, s.share) for s in unpublished.attribution.shares] == [
        ("t-drafter", "full")
    ]


def test_violations_of_another_agency(api: Api, story: Story) -> None:
    refused = api.get(f"/accountability/violations?agency={OTHER_AGENCY}", OFFICE)
    assert refused.status_code == 403
    assert refused.json()["rule"] == "own_agency_only"
    other = ok(api.get(f"/accountability/violations?agency={OTHER_AGENCY}", INVESTIGATOR))
    assert other["agency_code"] == OTHER_AGENCY and other["violations"] == []
    assert api.get("/accountability/violations?agency=NOPE", INVESTIGATOR).status_code == 404


# ---- the evaluation ---------------------------------------------------------------------------


def test_evaluation_with_recorded_findings(api: Api, story: Story) -> None:
    base = f"/accountability/evaluation/{AGENCY}/2025"
    finding = {"on": "2025-12-20", "criterion": "3.2", "description": "办公场所未公开办事指南"}
    recorded = api.post(f"{base}/findings", INVESTIGATOR, finding)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["version"] == 2  # Opened + FindingRecorded
    mistaken = api.post(
        f"{base}/findings",
        OFFICE,
        {"on": "2025-12-21", "criterion": "1.2", "description": "保密审查制度未落实"},
    )
    withdrawn = api.post(
        f"{base}/finding-withdrawals",
        OFFICE,
        {
            "on": "2025-12-22",
            "finding_version": mistaken.json()["version"],
            "reason": "经核实已落实",
        },
        **{"If-Match": f'"{mistaken.json()["version"]}"'},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    cleared = api.post(
        f"{base}/cleared-criteria", OFFICE, {"on": "2025-12-22", "criterion": "1.1", "note": "健全"}
    )
    assert cleared.status_code == 200, cleared.text
    stale = api.post(
        f"{base}/cleared-criteria",
        OFFICE,
        {"on": "2025-12-22", "criterion": "1.4", "note": "已督查"},
        **{"If-Match": '"2"'},
    )
    assert stale.status_code == 412 and stale.json()["current_version"] == 5

    result = EvaluationOut.model_validate(ok(api.get(f"{base}?as_of=2025-12-31", OFFICE)))
    rows = {r.criterion: r for r in result.rows}
    assert (rows["2.1"].deducted, rows["2.2"].deducted, rows["3.2"].deducted) == (2, 1, 1)
    assert rows["1.2"].deducted == 0
    # The late reading-room copies are the late publications' problem: listed, deducted once.
    assert [d.counted for d in rows["4.5"].deductions] == [False, False]
    assert all("2.1" in d.note for d in rows["4.5"].deductions)
    assert {d.violation_kind for d in rows["2.1"].deductions} == {"late_publication"}
    assert rows["3.2"].deductions[0].source == "judgement"
    assert result.score == 96 and (result.grade, result.grade_en) == ("优秀", "excellent")
    sections = {s.section: s.score for s in result.sections}
    assert sections == {"一": 15, "二": 47, "三": 14, "四": 20}
    assert "1.1" not in result.unassessed and "3.2" not in result.unassessed
    assert "1.2" in result.unassessed  # its only finding was withdrawn


def test_evaluation_refusals(api: Api, story: Story) -> None:
    base = f"/accountability/evaluation/{AGENCY}/2025"
    auto = api.post(
        f"{base}/findings", OFFICE, {"on": "2025-12-20", "criterion": "2.1", "description": "x"}
    )
    assert auto.status_code == 409 and auto.json()["rule"] == "criterion_needs_judgement"
    fraud = api.post(
        f"{base}/findings",
        INVESTIGATOR,
        {"on": "2025-12-20", "criterion": "art12", "description": "自查报告不实", "points": 6},
    )
    assert fraud.status_code == 409 and fraud.json()["rule"] == "finding_points_by_standard"
    not_on_record = api.post(
        f"{base}/finding-withdrawals",
        OFFICE,
        {"on": "2025-12-20", "finding_version": 999, "reason": "无此记录"},
    )
    assert not_on_record.status_code == 409
    other_office = api.post(
        f"{base}/cleared-criteria",
        "office_other_agency",
        {"on": "2025-12-20", "criterion": "1.1", "note": "x"},
    )
    assert other_office.status_code == 403 and other_office.json()["rule"] == "own_agency_only"
    # Investigators evaluate any agency (004 att.11 Art 11).
    elsewhere = api.post(
        f"/accountability/evaluation/{OTHER_AGENCY}/2025/cleared-criteria",
        INVESTIGATOR,
        {"on": "2025-12-20", "criterion": "3.1", "note": "专栏完整"},
    )
    assert elsewhere.status_code == 200, elsewhere.text
    other = ok(api.get(f"/accountability/evaluation/{OTHER_AGENCY}/2025", INVESTIGATOR))
    assert other["score"] == 100 and "3.1" not in other["unassessed"]
    assert api.get(f"/accountability/evaluation/{OTHER_AGENCY}/2025", OFFICE).status_code == 403
    assert api.get("/accountability/evaluation/NOPE/2025", INVESTIGATOR).status_code == 404


# ---- investigator queries ---------------------------------------------------------------------


def test_what_an_official_did(api: Api, story: Story) -> None:
    path = "/accountability/officials/t-leader_in_charge/actions?start=2025-01-01&end=2025-12-31"
    actions = ok(api.get(path, INVESTIGATOR))["actions"]
    assert {(a["ref"]["aggregate_id"], a["capacity"]) for a in actions} == {
        (str(story.on_time_approval), "approved"),
        (str(story.late_approval), "approved"),
    }
    office = ok(
        api.get(
            "/accountability/officials/t-disclosure_office/actions?start=2025-04-10&end=2025-04-11",
            OFFICE,
        )
    )["actions"]
    assert [(a["ref"]["event"], a["capacity"]) for a in office] == [
        ("ObjectionRecorded", "objected"),
        ("Published", "acted"),
    ]
    backwards = api.get(
        "/accountability/officials/t-drafter/actions?start=2025-12-31&end=2025-01-01", OFFICE
    )
    assert backwards.status_code == 422


def test_decisions_on_an_item_name_the_approval_and_the_objection(api: Api, story: Story) -> None:
    body = ok(api.get(f"/accountability/items/{story.late_approval}/decisions", INVESTIGATOR))
    by_event = {d["ref"]["event"]: d for d in body["decisions"]}
    published = by_event["Published"]
    assert published["ref"]["version"] == story.published_version
    assert published["approval"]["approver"]["official_id"] == "t-leader_in_charge"
    assert published["approval_ref"]["version"] == story.approval_version
    approved = by_event["Approved"]
    assert [o["official_id"] for o in approved["objections"]] == ["t-disclosure_office"]
    assert approved["objections"][0]["ref"]["version"] == story.objection_version
    requests = ok(api.get(f"/accountability/requests/{story.late_reply}/decisions", OFFICE))
    assert [d["ref"]["event"] for d in requests["decisions"]] == ["Replied"]
    wrong_kind = api.get(f"/accountability/items/{story.late_reply}/decisions", OFFICE)
    assert wrong_kind.status_code == 404


def test_attribute_changes(api: Api, story: Story) -> None:
    june = ok(api.get("/accountability/attribute-changes?start=2025-06-01&end=2025-06-30", OFFICE))
    assert [(c["item_id"], c["before"], c["after"]) for c in june["changes"]] == [
        (str(story.remarked), "proactive", "on_request")
    ]
    assert june["changes"][0]["actor"]["official_id"] == "t-disclosure_office"
    july = ok(api.get("/accountability/attribute-changes?start=2025-07-01&end=2025-07-31", OFFICE))
    assert july["changes"] == []


def test_what_the_ledger_knew_and_when(api: Api, story: Story) -> None:
    when = quote(story.known_at.isoformat())
    body = ok(api.get(f"/accountability/as-it-stood/{story.backfilled}?when={when}", OFFICE))
    snapshot = SnapshotOut.model_validate(body)
    assert snapshot.kind == "request"
    assert snapshot.as_recorded is not None and snapshot.as_recorded["outcome"] is None
    assert snapshot.as_dated is not None and snapshot.as_dated["outcome"] == "disclosed"
    assert [e.event for e in snapshot.recorded_later] == ["Replied"]
    assert snapshot.as_recorded["applicant"]["name"] == APPLICANT_NAME  # the office sees it
    before = ok(
        api.get(f"/accountability/as-it-stood/{story.backfilled}?when=2020-01-01T00:00:00Z", OFFICE)
    )
    assert before["as_recorded"] is None and before["known"] == []
    naive = api.get(f"/accountability/as-it-stood/{story.backfilled}?when=2025-06-05T10:00", OFFICE)
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "query.when"


# ---- case files --------------------------------------------------------------------------------


def test_case_file_redacts_applicant_data_by_default(api: Api, story: Story) -> None:
    path = f"/accountability/case-files/request/{story.late_reply}"
    for who in (OFFICE, INVESTIGATOR):
        response = api.get(path, who)
        case = CaseFileOut.model_validate(ok(response))
        assert case.personal_data == "redacted"
        assert APPLICANT_NAME not in response.text and APPLICANT_ID not in response.text
        assert [v.violation.kind for v in case.violations] == ["reply_late"]
        assert case.subject.agency_code == AGENCY
        assert [t.event for t in case.timeline] == ["Received", "Registered", "Replied"]
    html = api.get(f"{path}?format=html", OFFICE)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "案卷 Case file" in html.text and APPLICANT_NAME not in html.text


def test_case_file_with_personal_data_for_an_investigator_only(api: Api, story: Story) -> None:
    path = f"/accountability/case-files/request/{story.late_reply}?personal_data=true"
    response = api.get(path, INVESTIGATOR)
    case = ok(response)
    assert case["personal_data"] == "shown to t-investigator"
    assert APPLICANT_NAME in response.text and APPLICANT_ID in response.text
    html = api.get(f"{path}&format=html", INVESTIGATOR)
    assert APPLICANT_NAME in html.text
    refused = api.get(path, OFFICE)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["rule"] == "role_not_allowed"
    assert APPLICANT_NAME not in refused.text


def test_case_files_of_items_and_officials(api: Api, story: Story) -> None:
    item = ok(api.get(f"/accountability/case-files/item/{story.late_approval}", OFFICE))
    assert {v["violation"]["kind"] for v in item["violations"]} == {
        "late_publication",
        "reading_room_late",
    }
    official = ok(
        api.get(
            "/accountability/case-files/official/t-leader_in_charge"
            "?start=2025-01-01&end=2025-12-31&as_of=2025-12-31",
            OFFICE,
        )
    )
    assert official["subject"]["period"] == ["2025-01-01", "2025-12-31"]
    assert [v["violation"]["aggregate_id"] for v in official["violations"]] == [
        str(story.late_approval)
    ]
    assert {t["capacity"] for t in official["timeline"]} == {"approved"}
    elsewhere = api.get(
        "/accountability/case-files/official/t-office-other-agency?start=2025-01-01&end=2025-12-31",
        OFFICE,
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["rule"] == "own_agency_only"
    unknown = "/accountability/case-files/official/nobody?start=2025-01-01&end=2025-12-31"
    assert api.get(unknown, OFFICE).status_code == 404
    assert ok(api.get(unknown, INVESTIGATOR))["timeline"] == []


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/accountability/case-files/official/t-drafter?end=2025-12-31", 422, "query.start"),
        ("/accountability/case-files/item/not-a-uuid", 422, "path.subject_id"),
        ("/accountability/case-files/memo/00000000-0000-0000-0000-000000000001", 422, "path.kind"),
        ("/accountability/case-files/item/00000000-0000-0000-0000-000000000001", 404, None),
        ("/accountability/case-files/item/{request}", 404, None),
        ("/accountability/case-files/request/{request}?format=pdf", 422, "query.format"),
        ("/accountability/violations?as_of=86400", 422, "query.as_of"),
        ("/accountability/evaluation/005253103/1999", 422, "path.year"),
    ],
)
def test_bad_case_file_and_query_input(
    api: Api, story: Story, path: str, status: int, field: str | None
) -> None:
    response = api.get(path.replace("{request}", str(story.late_reply)), INVESTIGATOR)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    if field is not None:
        assert field in {e["field"] for e in response.json().get("errors", [])} | {
            response.json().get("field")
        }


READS = [
    "/accountability/violations",
    f"/accountability/evaluation/{AGENCY}/2025",
    "/accountability/officials/t-drafter/actions?start=2025-01-01&end=2025-12-31",
    "/accountability/items/{item}/decisions",
    "/accountability/requests/{request}/decisions",
    "/accountability/attribute-changes?start=2025-01-01&end=2025-12-31",
    "/accountability/as-it-stood/{request}?when=2025-06-01T00:00:00Z",
    "/accountability/case-files/request/{request}",
]


@pytest.mark.parametrize("path", READS)
def test_only_the_office_and_investigators_may_ask(api: Api, story: Story, path: str) -> None:
    path = path.replace("{item}", str(story.late_approval)).replace(
        "{request}", str(story.late_reply)
    )
    for who in ("drafter", "section_head", "leader_in_charge", "confidentiality_reviewer"):
        refused = api.get(path, who)
        assert refused.status_code == 403, (who, refused.text)
        assert refused.json()["rule"] == "role_not_allowed"
    public = api.get(path)
    assert public.status_code == 401 and public.headers["content-type"] == PROBLEM
    assert api.get(path, OFFICE).status_code == 200
    assert api.get(path, INVESTIGATOR).status_code == 200


# ---- the CLI -----------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, UUID]:
    """An event store with one request answered late (due 31 March, answered 20 May)."""
    directory = tmp_path_factory.mktemp("cli-accountability")
    ledger = GongkaiLedger.embedded(str(Settings(data_dir=directory).database))
    office = Actor(official_id="o-1", role=Role.DISCLOSURE_OFFICE, department="办公室")
    request_id = ledger.receive_request(
        office,
        agency_code=AGENCY,
        channel=RequestChannel.ONLINE,
        applicant=Applicant.model_validate(APPLICANT_JSON),
        description=f"申请公开{APPLICANT_NAME}的补贴记录",
        department=DEPT,
        confirmed_on=date(2025, 3, 3),
    ).id
    ledger.register_request(request_id, office, date(2025, 3, 3))
    ledger.reply_to_request(request_id, office, date(2025, 5, 20), Outcome.DISCLOSED, *REPLY)
    ledger.close()
    return directory, request_id


def test_cli_accountability_evaluation(data_dir: tuple[Path, UUID]) -> None:
    directory, _ = data_dir
    args = ["accountability", "evaluation", "--agency", AGENCY, "--year", "2025"]
    as_json = runner.invoke(cli, [*args, "--json", "--data-dir", str(directory)])
    assert as_json.exit_code == 0, as_json.output
    result = EvaluationOut.model_validate_json(as_json.stdout)
    assert result.score == 99 and result.grade == "优秀"
    assert {r.criterion: r.deducted for r in result.rows}["2.2"] == 1
    table = runner.invoke(cli, [*args, "--data-dir", str(directory)])
    assert table.exit_code == 0, table.output
    assert "得分 99" in table.stdout and "2.2" in table.stdout
    unknown = runner.invoke(
        cli, ["accountability", "evaluation", "--agency", "NOPE", "--year", "2025",
              "--data-dir", str(directory)],
    )  # fmt: skip
    assert unknown.exit_code == 1


def test_cli_violations_and_case_file(data_dir: tuple[Path, UUID], tmp_path: Path) -> None:
    directory, request_id = data_dir
    found = runner.invoke(
        cli,
        ["accountability", "violations", "--agency", AGENCY, "--as-of", "2025-12-31", "--json",
         "--data-dir", str(directory)],
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    assert [v["kind"] for v in orjson.loads(found.stdout)["violations"]] == ["reply_late"]
    out = tmp_path / "case.html"
    case = runner.invoke(
        cli,
        ["accountability", "case-file", "--kind", "request", "--id", str(request_id),
         "--format", "html", "--out", str(out), "--data-dir", str(directory)],
    )  # fmt: skip
    assert case.exit_code == 0, case.output
    page = out.read_text("utf-8")
    assert "逾期答复" in page and APPLICANT_NAME not in page
    as_json = runner.invoke(
        cli,
        ["accountability", "case-file", "--kind", "request", "--id", str(request_id),
         "--data-dir", str(directory)],
    )  # fmt: skip
    assert CaseFileOut.model_validate_json(as_json.stdout).personal_data == "redacted"
    wrong = runner.invoke(
        cli,
        ["accountability", "case-file", "--kind", "item", "--id", str(request_id),
         "--data-dir", str(directory)],
    )  # fmt: skip
    assert wrong.exit_code == 1
