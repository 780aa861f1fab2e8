"""Who may issue which command: the role × command matrix (domain.md §1-3; docs/api.md).

Each command lists the roles allowed to issue it and the seed article that assigns the duty.
Roles in `own_department` act only on items / requests of their own department ("谁制作、谁公开":
000 §二(二); 003 Art 8; 002 Art 4 "谁起草、谁负责"). Every official acts only within their own
agency. Investigators (纪检监察) read everything and handle no files (004 att.3: they examine
responsibility); the one thing they record is an evaluation finding (004 att.11 Art 11), which the
disclosure office records too. Reads (`Access.READ`) narrower than "every official of the agency"
are rows of the same matrix: the annual report and the accountability views. The public holds no
token and reads the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.codes import Role

DR = Role.DRAFTER
SH = Role.SECTION_HEAD
LC = Role.LEADER_IN_CHARGE
SG = Role.SIGNER
PL = Role.PRINCIPAL_LEADER
DO = Role.DISCLOSURE_OFFICE
CR = Role.CONFIDENTIALITY_REVIEWER
IN = Role.INVESTIGATOR

# The roles a token can carry, in the order the matrix shows them.
MATRIX_ROLES: tuple[Role, ...] = (DR, SH, LC, SG, PL, DO, CR, IN)
LEADER_ROLES = frozenset({LC, SG, PL})
DEPARTMENT_ROLES = frozenset({DR, SH})

# Applicant personal data: the disclosure office (which handles requests, 000 §一(一)) and
# investigators (accountability, 004 att.3) only (the Regulation Art 15: personal privacy).
SEES_APPLICANT = frozenset({DO, IN})
# Investigators examine any agency's records (004 att.3 Art 3-4).
READS_ALL_AGENCIES = frozenset({IN})


class Aggregate(StrEnum):
    ITEM = "item"
    REQUEST = "request"
    ANNUAL_REPORT = "annual_report"  # AnnualReportRecord, and the reports computed from the log
    EVALUATION = "evaluation"  # EvaluationRecord
    ACCOUNTABILITY = "accountability"  # reads over every aggregate's history


class Access(StrEnum):
    COMMAND = "command"  # a POST that records an event
    READ = "read"  # a GET that records nothing


@dataclass(frozen=True)
class Permission:
    name: str
    aggregate: Aggregate
    label: str  # "中文 English"
    roles: frozenset[Role]
    citation: str
    own_department: frozenset[Role] = frozenset()
    access: Access = Access.COMMAND

    def allows(self, role: Role) -> bool:
        return role in self.roles

    def cell(self, role: Role) -> str:
        """The matrix cell: ✔ allowed, ✔ᵈ own department only, — refused."""
        if role not in self.roles:
            return "—"
        return "✔ᵈ" if role in self.own_department else "✔"


def _p(
    name: str,
    aggregate: Aggregate,
    label: str,
    roles: set[Role],
    citation: str,
    own_department: set[Role] | None = None,
    access: Access = Access.COMMAND,
) -> Permission:
    scoped = frozenset(own_department if own_department is not None else roles & DEPARTMENT_ROLES)
    return Permission(name, aggregate, label, frozenset(roles), citation, scoped, access)


def _read(
    name: str, aggregate: Aggregate, label: str, roles: set[Role], citation: str
) -> Permission:
    return _p(name, aggregate, label, roles, citation, access=Access.READ)


ITEM, REQ = Aggregate.ITEM, Aggregate.REQUEST
REPORT, EVAL, ACC = Aggregate.ANNUAL_REPORT, Aggregate.EVALUATION, Aggregate.ACCOUNTABILITY
OBJECTORS = {DR, SH, LC, SG, PL, DO, CR}
# The annual report: the office keeps the statistics and compiles and publishes the report
# (000 §一(六)1; 004 att.9 Art 3); the domain refuses anyone else (`annual_report_by_disclosure_
# office`). Reading it before publication: the office; the leaders, who answer for what the
# agency publishes (002 Art 4; 003 Art 12(二)); the confidentiality reviewer, because nothing goes
# online unreviewed (001 Art 8; 002 Art 8); investigators (004 att.3 Art 4; 004 att.11 4.1).
# Drafters and section heads contribute no part of it. Once published, it is on the portal.
REPORT_BY_OFFICE = "000 §一(六)1; 004 att.9 Art 3"
REPORT_READERS = {LC, SG, PL, DO, CR, IN}
REPORT_READ_BASIS = "004 att.9 Art 3; 002 Art 4; 001 Art 8; 004 att.3 Art 4"
# The evaluation (004 att.11 Art 3, 7-8: the disclosure office evaluates; Art 11: discipline
# inspectors act on violations): the domain's `evaluation_by_office_or_inspector`. Violations,
# responsibility and case files are for the same two (004 att.3 Art 4, 8).
EVALUATORS = {DO, IN}
EVALUATION_BASIS = "004 att.11 Art 3, 7-8, 11"
ACCOUNTABILITY_READERS = {DO, IN}
ACCOUNTABILITY_BASIS = "004 att.3 Art 4, 8; 004 att.11 Art 3, 7-8"

PERMISSIONS: tuple[Permission, ...] = (
    # ---- disclosure items (domain.md §2) ------------------------------------------------------
    _p(
        "item.register",
        ITEM,
        "登记信息 Register an item",
        {DR, SH, DO},
        "000 §一(三)2 (sections report what they form); 003 Art 8",
    ),
    _p(
        "item.mark_attribute",
        ITEM,
        "标注公开属性 Mark the attribute",
        {DR, SH},
        "002 Art 4 (拟稿科室研判属性); 000 §一(三)2 (发文拟稿单)",
    ),
    _p(
        "item.audit_attribute",
        ITEM,
        "审核公开属性 Audit the attribute",
        {DO},
        "000 §一(三)3 (局办公室审核属性)",
    ),
    _p(
        "item.review_confidentiality",
        ITEM,
        "保密审查 Confidentiality review",
        {CR},
        "002 Art 8; 004 att.6 Art 2-3",
    ),
    _p(
        "item.consult_co_issuer",
        ITEM,
        "征求会办单位意见 Consult a co-issuer",
        {DR, SH, DO},
        "002 Art 4 (主办单位征求会办单位意见); 004 att.7 Art 8",
    ),
    _p(
        "item.record_co_issuer_answer",
        ITEM,
        "记录会办单位答复 Record a co-issuer's answer",
        {DR, SH, DO},
        "004 att.7 Art 9",
    ),
    _p(
        "item.resolve_co_issuer_disagreement",
        ITEM,
        "协调会办分歧 Settle a co-issuer objection",
        {DO},
        "004 att.7 Art 10 (报政务公开主管部门)",
    ),
    _p(
        "item.approve",
        ITEM,
        "审核签发 Approve / sign",
        {LC, SG, PL},
        "002 Art 4 (分管领导审核、签发人审定); 003 Art 12(二)",
    ),
    _p("item.publish", ITEM, "发布 Publish", {DO}, "000 §一(三)4 (办公室编目后在网站公开)"),
    _p(
        "item.register_in_catalogue",
        ITEM,
        "目录登记 Register in the catalogue",
        {DO},
        "000 §一(三)4; 003 Art 12(四)",
    ),
    _p("item.change", ITEM, "变更 Change", {DR, SH, DO}, "003 Art 14; 000 §二(三)2"),
    _p("item.revoke", ITEM, "撤销 Revoke", {DO}, "003 Art 14 (目录随之更新)"),
    _p("item.abolish", ITEM, "废止 Abolish", {DO}, "003 Art 14 (目录随之更新)"),
    _p(
        "item.link_interpretation",
        ITEM,
        "关联政策解读 Link the interpretation",
        {DR, SH, DO},
        "002 Art 12 (本单位发布政策解读); 004 att.4 §五",
    ),
    _p(
        "item.transfer_to_reading_room",
        ITEM,
        "移送查阅场所 Transfer to the reading room",
        {DO},
        "002 Art 58 (局办公室负责移送)",
    ),
    _p(
        "item.decide_annual_review",
        ITEM,
        "年度审查决定 Annual-review decision",
        {DO, LC},
        "002 Art 55 (审查后报分管领导审核)",
    ),
    _p(
        "item.lift_exemption",
        ITEM,
        "解除免予公开 Lift an exemption",
        {DO, LC, SG, PL},
        "004 att.6 Art 12",
    ),
    _p("item.archive", ITEM, "归档 Archive", {DO}, "000 §一(六)2"),
    _p(
        "item.record_objection",
        ITEM,
        "记录异议 Record an objection",
        OBJECTORS,
        "002 Art 64(二); 004 att.3 Art 6",
    ),
    # ---- requests (domain.md §3): the office runs them (000 §一(一); 002 Art 34) ------------
    _p(
        "request.receive",
        REQ,
        "接收申请 Receive a request",
        {DO},
        "002 Art 34 (接收); 004 att.2 Art 3",
    ),
    _p("request.register", REQ, "登记 Register", {DO}, "002 Art 34 (登记); 004 att.2 Art 9"),
    _p(
        "request.request_correction",
        REQ,
        "补正告知 Ask for a correction",
        {DO},
        "the Regulation Art 30; 004 att.2 Art 9(一)",
    ),
    _p(
        "request.record_correction",
        REQ,
        "收到补正 Record the correction",
        {DO},
        "the Regulation Art 30",
    ),
    _p(
        "request.consult_third_party",
        REQ,
        "征求第三方意见 Consult a third party",
        {DO},
        "002 Art 38; the Regulation Art 32",
    ),
    _p(
        "request.record_third_party_answer",
        REQ,
        "记录第三方意见 Record a third party's answer",
        {DO},
        "the Regulation Art 32",
    ),
    _p(
        "request.override_for_public_interest",
        REQ,
        "公共利益决定公开 Public-interest override",
        {DO},
        "000 §二(三)3; the Regulation Art 32",
    ),
    _p(
        "request.consult_agency",
        REQ,
        "征求其他机关意见 Consult another agency",
        {DO},
        "the Regulation Art 34",
    ),
    _p(
        "request.record_agency_answer",
        REQ,
        "记录其他机关意见 Record an agency's answer",
        {DO},
        "the Regulation Art 34",
    ),
    _p(
        "request.extend",
        REQ,
        "延长答复期限 Extend the reply period",
        {DO},
        "001 Art 5(五); 004 att.2 Art 6 (经政府信息公开工作机构负责人同意)",
    ),
    _p(
        "request.query_excessiveness",
        REQ,
        "要求说明理由 Ask for reasons (excessive)",
        {DO},
        "the Regulation Art 35",
    ),
    _p(
        "request.assess_excessiveness",
        REQ,
        "审核理由 Assess the reasons",
        {DO},
        "the Regulation Art 35",
    ),
    _p("request.notice_fee", REQ, "收费通知 Fee notice", {DO}, "the Regulation Art 42; 002 Art 40"),
    _p("request.record_fee_payment", REQ, "缴费 Fee paid", {DO}, "the Regulation Art 42"),
    _p(
        "request.waive_fee",
        REQ,
        "减免费用 Waive the fee",
        {DO},
        "002 Art 40 (工作机构主要负责人审核同意)",
    ),
    _p("request.transfer", REQ, "转办 Transfer to a department", {DO}, "000 §一(五)4; 001 Art 13"),
    _p(
        "request.refer",
        REQ,
        "告知掌握机关 Refer to the holding agency",
        {DO},
        "the Regulation Art 36(五)",
    ),
    _p("request.reply", REQ, "答复 Reply", {DO}, "002 Art 34, Art 39"),
    _p(
        "request.deem_withdrawn",
        REQ,
        "视为撤回 Deem withdrawn",
        {DO},
        "the Regulation Art 30, Art 42",
    ),
    _p("request.deliver", REQ, "送达 Deliver the reply", {DO}, "002 Art 34 (送达)"),
    _p(
        "request.file_reconsideration",
        REQ,
        "行政复议申请 Reconsideration filed",
        {DO},
        "002 Art 41; 004 att.9 Art 4(五)",
    ),
    _p(
        "request.decide_reconsideration",
        REQ,
        "复议决定 Reconsideration decided",
        {DO},
        "002 Art 41; 004 att.9 Art 4(五)",
    ),
    _p(
        "request.file_litigation",
        REQ,
        "行政诉讼 Litigation filed",
        {DO},
        "002 Art 41; 004 att.9 Art 4(五)",
    ),
    _p(
        "request.decide_litigation",
        REQ,
        "诉讼结果 Litigation decided",
        {DO},
        "002 Art 41; 004 att.9 Art 4(五)",
    ),
    _p("request.archive", REQ, "存档 Archive", {DO}, "002 Art 34 (存档)"),
    _p(
        "request.record_objection",
        REQ,
        "记录异议 Record an objection",
        OBJECTORS,
        "002 Art 64(二); 004 att.3 Art 6",
    ),
    # ---- the annual report (docs/annual-report.md): the office counts, compiles, publishes ----
    _p(
        "report.record_figures",
        REPORT,
        "记录年度数据 Record the yearly figures",
        {DO},
        REPORT_BY_OFFICE,
    ),
    _p(
        "report.record_section",
        REPORT,
        "记录报告正文 Record a section's text",
        {DO},
        REPORT_BY_OFFICE,
    ),
    _p("report.publish", REPORT, "公布年度报告 Publish the annual report", {DO}, REPORT_BY_OFFICE),
    # ---- the evaluation's judged criteria (docs/accountability.md) ---------------------------
    _p(
        "evaluation.record_finding",
        EVAL,
        "记录考评扣分 Record an evaluation finding",
        EVALUATORS,
        EVALUATION_BASIS,
    ),
    _p(
        "evaluation.withdraw_finding",
        EVAL,
        "撤回考评扣分 Withdraw a finding",
        EVALUATORS,
        EVALUATION_BASIS,
    ),
    _p(
        "evaluation.clear_criterion",
        EVAL,
        "考评项未发现问题 Clear a criterion",
        EVALUATORS,
        EVALUATION_BASIS,
    ),
    # ---- reads (GET): who may see reports and accountability findings -------------------------
    _read(
        "report.read_agency",
        REPORT,
        "查看机关年度报告 Read an agency's annual report",
        REPORT_READERS,
        REPORT_READ_BASIS,
    ),
    _read(
        "report.read_city",
        REPORT,
        "查看市级汇总年度报告 Read the city's aggregate report",
        REPORT_READERS,
        REPORT_READ_BASIS,
    ),
    _read(
        "report.compare",
        REPORT,
        "比较两个截止时点 Compare two cut-offs",
        REPORT_READERS,
        REPORT_READ_BASIS,
    ),
    _read(
        "accountability.violations",
        ACC,
        "违规及责任 Violations and responsibility",
        ACCOUNTABILITY_READERS,
        ACCOUNTABILITY_BASIS,
    ),
    _read(
        "accountability.evaluation",
        ACC,
        "考评得分 The evaluation score",
        ACCOUNTABILITY_READERS,
        ACCOUNTABILITY_BASIS,
    ),
    _read(
        "accountability.official_actions",
        ACC,
        "官员行为记录 What an official did",
        ACCOUNTABILITY_READERS,
        ACCOUNTABILITY_BASIS,
    ),
    _read(
        "accountability.decisions",
        ACC,
        "决定及审批 Decisions and their approvals",
        ACCOUNTABILITY_READERS,
        ACCOUNTABILITY_BASIS,
    ),
    _read(
        "accountability.attribute_changes",
        ACC,
        "公开属性变更 Attribute changes",
        ACCOUNTABILITY_READERS,
        ACCOUNTABILITY_BASIS,
    ),
    _read(
        "accountability.as_it_stood",
        ACC,
        "时点所知 What the ledger knew when",
        ACCOUNTABILITY_READERS,
        ACCOUNTABILITY_BASIS,
    ),
    _read(
        "accountability.case_file",
        ACC,
        "案卷 A case file",
        ACCOUNTABILITY_READERS,
        ACCOUNTABILITY_BASIS,
    ),
    _read(
        "accountability.case_file_personal_data",
        ACC,
        "案卷含申请人个人信息 A case file with applicant data",
        {IN},
        "the Regulation Art 15; 004 att.3 Art 4 (纪检监察 only)",
    ),
)

COMMANDS: dict[str, Permission] = {p.name: p for p in PERMISSIONS if p.access is Access.COMMAND}
READS: dict[str, Permission] = {p.name: p for p in PERMISSIONS if p.access is Access.READ}


def matrix_markdown() -> str:
    """The role × command matrix as a Markdown table (docs/api.md embeds it verbatim): the
    commands, then the reads (GET) whose roles are narrower than "every official"."""
    header = "| command | " + " | ".join(r.value for r in MATRIX_ROLES) + " | public | basis |"
    rule = "|---|" + "---|" * (len(MATRIX_ROLES) + 2)
    rows = [
        f"| `{p.name}`{' (GET)' if p.access is Access.READ else ''} {p.label} | "
        + " | ".join(p.cell(r) for r in MATRIX_ROLES)
        + f" | 401 | {p.citation} |"
        for p in PERMISSIONS
    ]
    return "\n".join([header, rule, *rows])
