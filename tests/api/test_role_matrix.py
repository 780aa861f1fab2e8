"""Every cell of the role × command matrix (docs/api.md), over HTTP.

Given an aggregate in a state where the command is valid, an allowed role gets 2xx and one new
event; a refused role gets 403 naming the rule and the citation, and nothing is recorded; the
public (no token) gets 401. The matrix's reads (GET) likewise: 200 for an allowed role, 403 with
rule and citation for the others, 401 without a token, and never a new event. Department and
agency scoping are checked separately.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.permissions import (
    COMMANDS,
    DEPARTMENT_ROLES,
    MATRIX_ROLES,
    PERMISSIONS,
    READS,
    matrix_markdown,
)
from domain.codes import Attribute, ConsultationAnswer, LitigationKind
from domain.evaluation_record import evaluation_record_id
from tests.api.conftest import AGENCY, APPLICANT_JSON, DEPT, FORMED, Api, Given

Setup = Callable[[Given], UUID | None]
Resolve = Callable[[Given, UUID | None], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    setup: Setup
    path: str  # "{id}" is replaced by the aggregate id
    body: dict[str, Any]
    method: str = "POST"
    # Body fields only known once the setup ran (e.g. the version of the finding to withdraw).
    resolve: Resolve | None = None


def read(setup: Setup, path: str) -> Case:
    return Case(setup, path, {}, method="GET")


def _latest_version(g: Given, aggregate_id: UUID | None) -> dict[str, Any]:
    assert aggregate_id is not None
    return {"finding_version": len(g.ledger.history(aggregate_id))}


LEADER = {"approved_by": "t-leader_in_charge"}
PRINCIPAL = {"approved_by": "t-principal_leader"}
REPLY = {
    "on": "2025-03-10",
    "outcome": "disclosed",
    "legal_basis": "《条例》第三十六条",
    "reasons": "予以公开",
    "remedy": "可申请行政复议或提起行政诉讼",
}

CASES: dict[str, Case] = {
    # ---- items
    "item.register": Case(
        lambda g: None, "/items", {"title": "关于某某的通知", "formed_on": "2025-03-03"}
    ),
    "item.mark_attribute": Case(
        lambda g: g.item(), "/items/{id}/attribute", {"on": "2025-03-03", "attribute": "proactive"}
    ),
    "item.audit_attribute": Case(
        lambda g: g.marked(), "/items/{id}/attribute-audit", {"on": "2025-03-04"}
    ),
    "item.review_confidentiality": Case(
        lambda g: g.marked(),
        "/items/{id}/confidentiality-review",
        {"on": "2025-03-04", "conclusion": "proactive"},
    ),
    "item.consult_co_issuer": Case(
        lambda g: g.marked(co_issuers=("郑州市财政局",)),
        "/items/{id}/co-issuer-consultations",
        {"on": "2025-03-04", "co_issuer": "郑州市财政局"},
    ),
    "item.record_co_issuer_answer": Case(
        lambda g: g.consulted(),
        "/items/{id}/co-issuer-answers",
        {"on": "2025-03-05", "co_issuer": "郑州市财政局", "answer": "agreed"},
    ),
    "item.resolve_co_issuer_disagreement": Case(
        lambda g: g.consulted(ConsultationAnswer.OBJECTED),
        "/items/{id}/co-issuer-resolutions",
        {"on": "2025-03-07", "co_issuer": "郑州市财政局", "reason": "经协调删除相关数据"},
    ),
    "item.approve": Case(lambda g: g.reviewed(), "/items/{id}/approval", {"on": "2025-03-05"}),
    "item.publish": Case(
        lambda g: g.approved(),
        "/items/{id}/publication",
        {"on": "2025-03-06", "channels": ["portal"]},
    ),
    "item.register_in_catalogue": Case(
        lambda g: g.published(), "/items/{id}/catalogue-registration", {"on": "2025-03-06"}
    ),
    "item.change": Case(
        lambda g: g.item(), "/items/{id}/changes", {"on": "2025-03-05", "description": "调整条件"}
    ),
    "item.revoke": Case(
        lambda g: g.item(), "/items/{id}/revocation", {"on": "2025-03-05", "reason": "上级撤销"}
    ),
    "item.abolish": Case(
        lambda g: g.item(), "/items/{id}/abolition", {"on": "2025-03-05", "reason": "已被替代"}
    ),
    "item.link_interpretation": Case(
        lambda g: g.published(normative=True),
        "/items/{id}/interpretation",
        {"on": "2025-03-07", "interpretation_ref": "https://gov.example.cn/jd/1.html"},
    ),
    "item.transfer_to_reading_room": Case(
        lambda g: g.published(),
        "/items/{id}/reading-room-transfers",
        {"on": "2025-03-10", "mode": "electronic"},
    ),
    "item.decide_annual_review": Case(
        lambda g: g.marked(Attribute.NOT_DISCLOSED),
        "/items/{id}/annual-review-decisions",
        {"on": "2026-02-02", "outcome": "reclassified", "reason": "应当公开", "approval": LEADER},
    ),
    "item.lift_exemption": Case(
        lambda g: g.marked(Attribute.NOT_DISCLOSED),
        "/items/{id}/exemption-lifting",
        {"on": "2025-04-01", "reason": "情况变化", "approval": PRINCIPAL},
    ),
    "item.archive": Case(lambda g: g.item(), "/items/{id}/archive", {"on": "2025-04-01"}),
    "item.record_objection": Case(
        lambda g: g.item(),
        "/items/{id}/objections",
        {"on": "2025-03-04", "objected_version": 1, "objection": "对该指示持保留意见"},
    ),
    # ---- requests
    "request.receive": Case(
        lambda g: None,
        "/requests",
        {
            "channel": "in_person",
            "applicant": APPLICANT_JSON,
            "description": "申请公开扶持资金分配结果",
            "department": DEPT,
            "submitted_on": "2025-03-03",
        },
    ),
    "request.register": Case(
        lambda g: g.request(), "/requests/{id}/registration", {"on": "2025-03-03"}
    ),
    "request.request_correction": Case(
        lambda g: g.request(),
        "/requests/{id}/correction-notice",
        {"on": "2025-03-04", "defects": ["请补充身份证明"]},
    ),
    "request.record_correction": Case(
        lambda g: g.correction_requested(), "/requests/{id}/correction", {"on": "2025-03-06"}
    ),
    "request.consult_third_party": Case(
        lambda g: g.request(),
        "/requests/{id}/third-party-consultations",
        {"on": "2025-03-04", "third_party_ref": "第三方-甲", "interest": "commercial_secret"},
    ),
    "request.record_third_party_answer": Case(
        lambda g: g.third_party_consulted(),
        "/requests/{id}/third-party-answers",
        {"on": "2025-03-10", "third_party_ref": "第三方-甲公司", "answer": "agreed"},
    ),
    "request.override_for_public_interest": Case(
        lambda g: g.third_party_consulted(ConsultationAnswer.OBJECTED),
        "/requests/{id}/public-interest-overrides",
        {"on": "2025-03-11", "third_party_ref": "第三方-甲公司", "reason": "涉及公共安全"},
    ),
    "request.consult_agency": Case(
        lambda g: g.request(),
        "/requests/{id}/agency-consultations",
        {"on": "2025-03-04", "agency": "郑州市财政局"},
    ),
    "request.record_agency_answer": Case(
        lambda g: g.agency_consulted(),
        "/requests/{id}/agency-answers",
        {"on": "2025-03-07", "agency": "郑州市财政局", "answer": "agreed"},
    ),
    "request.extend": Case(
        lambda g: g.request(),
        "/requests/{id}/extension",
        {"on": "2025-03-20", "days": 20, "reason": "需调取档案"},
    ),
    "request.query_excessiveness": Case(
        lambda g: g.request(),
        "/requests/{id}/excessiveness-query",
        {"on": "2025-03-04", "reason": "数量明显超过合理范围"},
    ),
    "request.assess_excessiveness": Case(
        lambda g: g.excessiveness_queried(),
        "/requests/{id}/excessiveness-assessment",
        {"on": "2025-03-10", "reasonable": False, "reason": "未说明合理理由"},
    ),
    "request.notice_fee": Case(
        lambda g: g.request(),
        "/requests/{id}/fee-notice",
        {"on": "2025-03-04", "basis": "per_page", "count": 50, "amount": "200"},
    ),
    "request.record_fee_payment": Case(
        lambda g: g.fee_noticed(), "/requests/{id}/fee-payment", {"on": "2025-03-06"}
    ),
    "request.waive_fee": Case(
        lambda g: g.fee_noticed(),
        "/requests/{id}/fee-waiver",
        {"on": "2025-03-06", "reason": "确有经济困难"},
    ),
    "request.transfer": Case(
        lambda g: g.request(),
        "/requests/{id}/transfer",
        {"on": "2025-03-04", "to_department": "产业发展科", "handover_record": "交接单"},
    ),
    "request.refer": Case(
        lambda g: g.request(),
        "/requests/{id}/referral",
        {"on": "2025-03-04", "holding_agency": "郑州市发展和改革委员会"},
    ),
    "request.reply": Case(lambda g: g.registered_request(), "/requests/{id}/reply", REPLY),
    "request.deem_withdrawn": Case(
        lambda g: g.correction_requested(),
        "/requests/{id}/deemed-withdrawal",
        {"on": "2025-03-17", "outcome": "other.1", "reason": "逾期未补正"},
    ),
    "request.deliver": Case(
        lambda g: g.replied(), "/requests/{id}/delivery", {"on": "2025-03-11", "method": "邮寄"}
    ),
    "request.file_reconsideration": Case(
        lambda g: g.replied(),
        "/requests/{id}/reconsiderations",
        {"on": "2025-04-01", "body": "郑州市人民政府"},
    ),
    "request.decide_reconsideration": Case(
        lambda g: _reconsidered(g),
        "/requests/{id}/reconsideration-decision",
        {"on": "2025-05-06", "result": "maintained"},
    ),
    "request.file_litigation": Case(
        lambda g: g.replied(),
        "/requests/{id}/litigations",
        {"on": "2025-04-01", "kind": "direct", "court": "金水区人民法院"},
    ),
    "request.decide_litigation": Case(
        lambda g: _sued(g),
        "/requests/{id}/litigation-decision",
        {"on": "2025-06-03", "result": "corrected"},
    ),
    "request.archive": Case(lambda g: g.replied(), "/requests/{id}/archive", {"on": "2025-03-20"}),
    "request.record_objection": Case(
        lambda g: g.request(),
        "/requests/{id}/objections",
        {"on": "2025-03-04", "objected_version": 1, "objection": "对该指示持保留意见"},
    ),
    # ---- the annual report and the evaluation
    "report.record_figures": Case(
        lambda g: g.report_section(),
        f"/reports/annual/{AGENCY}/2025/figures",
        {
            "on": "2026-01-12",
            "licensing_decisions": 12,
            "penalty_decisions": 3,
            "enforcement_decisions": 0,
            "fee_amount_10k_yuan": "0.25",
        },
    ),
    "report.record_section": Case(
        lambda g: g.report_section(),
        f"/reports/annual/{AGENCY}/2025/sections",
        {"on": "2026-01-15", "section": "problems", "text": "依申请公开答复仍有逾期。"},
    ),
    "report.publish": Case(
        lambda g: g.report_ready(),
        f"/reports/annual/{AGENCY}/2025/publication",
        {"on": "2026-01-20"},
    ),
    "evaluation.record_finding": Case(
        lambda g: g.evaluation_cleared(),
        f"/accountability/evaluation/{AGENCY}/2025/findings",
        {"on": "2025-12-22", "criterion": "3.2", "description": "未公开内设机构职责"},
    ),
    "evaluation.withdraw_finding": Case(
        lambda g: g.evaluation_finding(),
        f"/accountability/evaluation/{AGENCY}/2025/finding-withdrawals",
        {"on": "2025-12-23", "finding_version": 2, "reason": "经核实已公开"},
        resolve=_latest_version,
    ),
    "evaluation.clear_criterion": Case(
        lambda g: g.evaluation_cleared(),
        f"/accountability/evaluation/{AGENCY}/2025/cleared-criteria",
        {"on": "2025-12-22", "criterion": "1.2", "note": "制度均已落实"},
    ),
    # ---- reads
    "report.read_agency": read(lambda g: g.report_section(), f"/reports/annual/{AGENCY}/2025"),
    "report.read_city": read(lambda g: g.city_section(), "/reports/annual/city/郑州市/2025"),
    "report.compare": read(
        lambda g: g.report_section(),
        f"/reports/annual/{AGENCY}/2025/comparison"
        "?from=2025-06-01T00:00:00%2B08:00&to=2026-06-01T00:00:00Z",
    ),
    "accountability.violations": read(lambda g: g.request(), "/accountability/violations"),
    "accountability.evaluation": read(
        lambda g: g.evaluation_cleared(), f"/accountability/evaluation/{AGENCY}/2025"
    ),
    "accountability.official_actions": read(
        lambda g: g.item(),
        "/accountability/officials/t-drafter/actions?start=2025-01-01&end=2025-12-31",
    ),
    "accountability.decisions": read(
        lambda g: g.published(), "/accountability/items/{id}/decisions"
    ),
    "accountability.attribute_changes": read(
        lambda g: g.marked(), "/accountability/attribute-changes?start=2025-01-01&end=2025-12-31"
    ),
    "accountability.as_it_stood": read(
        lambda g: g.replied(), "/accountability/as-it-stood/{id}?when=2025-03-05T12:00:00%2B08:00"
    ),
    "accountability.case_file": read(
        lambda g: g.replied(), "/accountability/case-files/request/{id}?format=html"
    ),
    "accountability.case_file_personal_data": read(
        lambda g: g.replied(), "/accountability/case-files/request/{id}?personal_data=true"
    ),
}


def _reconsidered(g: Given) -> UUID:
    request_id = g.replied()
    g.ledger.file_reconsideration(request_id, g.office, date(2025, 4, 1), "郑州市人民政府")
    return request_id


def _sued(g: Given) -> UUID:
    request_id = g.replied()
    g.ledger.file_litigation(
        request_id, g.office, date(2025, 4, 1), LitigationKind.DIRECT, "金水区人民法院"
    )
    return request_id


WHO = [*(role.value for role in MATRIX_ROLES), None]  # None: the public, no token


def test_every_command_and_read_has_a_case() -> None:
    assert set(CASES) == set(COMMANDS) | set(READS) == {p.name for p in PERMISSIONS}
    assert all(CASES[name].method == "POST" for name in COMMANDS)
    assert all(CASES[name].method == "GET" for name in READS)


def _version(given: Given, aggregate_id: UUID) -> int:
    return len(given.ledger.history(aggregate_id))


@pytest.mark.parametrize("who", WHO, ids=lambda w: w or "public")
@pytest.mark.parametrize("command", sorted(CASES))
def test_matrix_cell(command: str, who: str | None, given_commands: Given) -> None:
    case = CASES[command]
    api: Api = given_commands.api
    aggregate_id = case.setup(given_commands)
    before = _version(given_commands, aggregate_id) if aggregate_id else None
    path = case.path.replace("{id}", str(aggregate_id))
    body = {**case.body, **(case.resolve(given_commands, aggregate_id) if case.resolve else {})}

    response = api.get(path, who) if case.method == "GET" else api.post(path, who, body)

    permission = COMMANDS.get(command) or READS[command]
    if who is None:
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
    elif permission.allows(api.officials[who].role) and case.method == "GET":
        assert response.status_code == 200, response.text
        assert aggregate_id is not None  # every read case reads something it set up
        assert _version(given_commands, aggregate_id) == before  # a read records nothing
    elif permission.allows(api.officials[who].role):
        assert response.status_code in (200, 201), response.text
        created = UUID(response.json()["id"])
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
        assert _version(given_commands, created) == (before or 0) + 1
    else:
        assert response.status_code == 403, response.text
        problem = response.json()
        assert problem["rule"] == "role_not_allowed"
        assert problem["citation"] == permission.citation
    if aggregate_id is not None and (who is None or not permission.allows(api.officials[who].role)):
        assert _version(given_commands, aggregate_id) == before  # nothing recorded
    if aggregate_id is not None and command.startswith("evaluation."):
        assert aggregate_id == evaluation_record_id(AGENCY, 2025)


SCOPED = sorted(name for name, p in COMMANDS.items() if p.own_department)


@pytest.mark.parametrize("who", ["drafter_other_dept", "section_head_other_dept"])
@pytest.mark.parametrize("command", SCOPED)
def test_department_roles_act_on_their_own_department_only(
    command: str, who: str, given_commands: Given
) -> None:
    case = CASES[command]
    aggregate_id = case.setup(given_commands)
    api = given_commands.api
    if not COMMANDS[command].allows(api.officials[who].role):
        pytest.skip("the role may not issue this command in any department")
    if aggregate_id is None:  # creating: the department named in the body must be their own
        body = {**case.body, "department": DEPT}
        response = api.post(case.path, who, body)
    else:
        response = api.post(case.path.replace("{id}", str(aggregate_id)), who, case.body)
    assert response.status_code == 403, response.text
    assert response.json()["rule"] == "own_department_only"


def test_department_scoping_applies_to_every_department_role() -> None:
    for name, permission in COMMANDS.items():
        assert permission.own_department == permission.roles & DEPARTMENT_ROLES, name


@pytest.mark.parametrize(
    "command", ["item.publish", "request.reply", "item.archive", "request.register"]
)
def test_officials_act_only_in_their_own_agency(command: str, given_commands: Given) -> None:
    case = CASES[command]
    aggregate_id = case.setup(given_commands)
    api = given_commands.api
    response = api.post(
        case.path.replace("{id}", str(aggregate_id)), "office_other_agency", case.body
    )
    assert response.status_code == 403
    assert response.json()["rule"] == "own_agency_only"


def test_created_items_belong_to_the_officials_agency(given_commands: Given) -> None:
    response = given_commands.api.post(
        "/items", "drafter", {"title": "某通知", "formed_on": FORMED.isoformat()}
    )
    item = given_commands.ledger.get_item(UUID(response.json()["id"]))
    assert item.agency_code == "005253103"
    assert item.department == DEPT


def test_docs_embed_the_matrix() -> None:
    docs = Path(__file__).parents[2] / "docs" / "api.md"
    assert matrix_markdown() in docs.read_text(encoding="utf-8")
