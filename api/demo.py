"""Demo data: a year (2025, into early 2026) of items and requests at the five seed agencies.

Deterministic: every id, name, title and date comes from a seeded `random.Random`, and the
ledger runs on a simulated clock, so record times follow the business dates of the story.
The story reaches every reply outcome (all 21 sub-reasons of the national template), every
clock situation (on time, answered late, open and overdue, paused for a third party, extended,
corrected, deemed withdrawn, agreed later date) and both annual-review results, and uses the
item steps end to end (co-issuers, interpretation, reading room, change, revocation,
abolition, exemption lifted, archive, objections).

Steps are written per story in date order, then all stories are merged by date and run in that
order, so the event log reads like the year it records.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.annual_report_record import ReportLevel, ReportSection, YearlyFigures
from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.calendar import WorkingDayCalendar
from domain.codes import (
    AnnualReviewOutcome,
    AppealResult,
    ApplicantType,
    Attribute,
    Channel,
    ConsultationAnswer,
    DocumentType,
    FeeBasis,
    LitigationKind,
    NonDisclosureGround,
    Outcome,
    ReadingRoomMode,
    RequestChannel,
    ReviewConclusion,
    Role,
    ThirdPartyInterest,
    Validity,
)
from domain.disclosure_request import Applicant
from domain.policy import AgencyPolicy

CHINA_OFFSET = timedelta(hours=8)
YEAR = 2025
DEMO_END = date(2026, 3, 13)  # the story stops before the 31 March review deadline

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏辉建国志刚海燕春雷晨宇欣怡浩然子涵"
)
DEPARTMENTS = ("规划科", "产业发展科", "法规科", "行政审批科", "综合科")
THEMES = ("规划计划", "政策文件", "行政许可", "财政资金", "人事信息", "应急管理", "统计信息")
SUBJECTS = (
    "工业和信息化发展",
    "中小企业扶持资金",
    "数字经济产业",
    "安全生产专项整治",
    "节能降碳技术改造",
    "科技创新平台建设",
    "政府采购项目",
    "行政许可事项清单",
    "民用爆炸物品安全监管",
    "重点项目建设",
    "统计数据",
    "营商环境优化",
)
FORMS = ("实施方案", "管理办法", "工作要点", "年度计划", "专项规划", "实施细则")
REPLY_BASIS = "《中华人民共和国政府信息公开条例》第三十六条"
REMEDY = "如对本答复不服，可在收到之日起60日内申请行政复议，或在6个月内提起行政诉讼。"

# Every reply outcome (the national template's 21 sub-reasons).
ALL_OUTCOMES = tuple(Outcome)


@dataclass
class SimulatedClock:
    """Record time that follows the business dates: 09:00 China time on the step's day, one
    second further at every reading (each event, and each command's start), never going
    backwards."""

    now: datetime = datetime(YEAR, 1, 1, 1, 0, tzinfo=UTC)

    def set_day(self, day: date) -> None:
        start = datetime.combine(day, time(9, 0), tzinfo=UTC) - CHINA_OFFSET
        self.now = max(self.now, start)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Step:
    day: date
    story: int
    index: int
    action: Callable[[], Any]


@dataclass
class Story:
    """One aggregate's steps, in date order. Steps after `DEMO_END` are left out (and so are all
    later ones, which depend on them): the story is caught mid-way, as real files are."""

    number: int
    steps: list[Step] = field(default_factory=list)
    stopped: bool = False

    def at(self, day: date, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self.steps and day < self.steps[-1].day:
            raise ValueError(f"story {self.number}: {day} precedes {self.steps[-1].day}")
        if day > DEMO_END:
            self.stopped = True
        if self.stopped:
            return
        self.steps.append(Step(day, self.number, len(self.steps), partial(action, *args, **kwargs)))


@dataclass(frozen=True)
class DemoOfficial:
    official_id: str
    name: str
    role: Role
    department: str
    agency_code: str

    def actor(self) -> Actor:
        return Actor(
            official_id=self.official_id, role=self.role, department=self.department, name=self.name
        )


@dataclass
class Staff:
    """The officials of one agency."""

    drafters: list[DemoOfficial]
    section_heads: list[DemoOfficial]
    by_role: dict[Role, DemoOfficial]

    def drafter(self, department: str) -> Actor:
        return next(d for d in self.drafters if d.department == department).actor()

    def role(self, role: Role) -> Actor:
        return self.by_role[role].actor()

    def all(self) -> list[DemoOfficial]:
        return [*self.drafters, *self.section_heads, *self.by_role.values()]


@dataclass
class DemoSummary:
    items: int = 0
    requests: int = 0
    events: int = 0
    outcomes: set[Outcome] = field(default_factory=set)
    situations: set[str] = field(default_factory=set)
    review_outcomes: set[AnnualReviewOutcome] = field(default_factory=set)
    officials: list[DemoOfficial] = field(default_factory=list)


class DemoYear:
    """Builds the stories; `run(progress)` executes them in date order."""

    def __init__(self, ledger: GongkaiLedger, clock: SimulatedClock, seed: int = YEAR):
        self.ledger = ledger
        self.clock = clock
        self.calendar: WorkingDayCalendar = ledger.calendar
        self.rng = random.Random(seed)
        self.seed = seed
        self.stories: list[Story] = []
        self.summary = DemoSummary()
        self.staff: dict[str, Staff] = {}
        self.departments: dict[UUID, str] = {}
        self._ids = 0
        self._names: set[str] = set()

    # ---- helpers ---------------------------------------------------------------------------

    def wd(self, day: date, n: int) -> date:
        return self.calendar.add_working_days(day, n)

    def snap(self, day: date) -> date:
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def new_id(self, kind: str) -> UUID:
        self._ids += 1
        return uuid5(NAMESPACE_URL, f"gongkai:demo:{self.seed}:{kind}:{self._ids}")

    def story(self) -> Story:
        story = Story(len(self.stories))
        self.stories.append(story)
        return story

    def person_name(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2)))
            )
            if name not in self._names:
                self._names.add(name)
                return name

    def title(self, policy: AgencyPolicy) -> str:
        year = self.rng.choice((YEAR, YEAR, YEAR + 1))
        subject = self.rng.choice(SUBJECTS)
        form = self.rng.choice(FORMS)
        return f"{policy.name}关于印发{year}年{subject}{form}的通知"

    def hire(self, policy: AgencyPolicy) -> Staff:
        code = policy.code
        departments = self.rng.sample(DEPARTMENTS, 2)

        def official(role: Role, department: str, n: int = 1) -> DemoOfficial:
            return DemoOfficial(
                f"{code}-{role.value}-{n}", self.person_name(), role, department, code
            )

        staff = Staff(
            drafters=[official(Role.DRAFTER, d, i + 1) for i, d in enumerate(departments)],
            section_heads=[
                official(Role.SECTION_HEAD, d, i + 1) for i, d in enumerate(departments)
            ],
            by_role={
                Role.LEADER_IN_CHARGE: official(Role.LEADER_IN_CHARGE, "局领导"),
                Role.SIGNER: official(Role.SIGNER, "局领导"),
                Role.PRINCIPAL_LEADER: official(Role.PRINCIPAL_LEADER, "局领导"),
                Role.DISCLOSURE_OFFICE: official(Role.DISCLOSURE_OFFICE, "办公室"),
                Role.CONFIDENTIALITY_REVIEWER: official(Role.CONFIDENTIALITY_REVIEWER, "保密办"),
                Role.INVESTIGATOR: official(Role.INVESTIGATOR, "纪检监察组"),
            },
        )
        self.staff[code] = staff
        self.summary.officials.extend(staff.all())
        return staff

    def approval(self, staff: Staff, role: Role, on: date, **extra: Any) -> Approval:
        return Approval(approver=staff.role(role), approved_on=on, **extra)

    # ---- building ------------------------------------------------------------------------------

    def build(self) -> None:
        for index, policy in enumerate(self.ledger.policies.all()):
            staff = self.hire(policy)
            self.item_stories(policy, staff, index)
            self.request_stories(policy, staff, index)
            self.open_requests(policy, staff, index)
        # The 2025 annual reports and evaluations, drawn from their own seeded generator so the
        # rest of the story stays as it was.
        rng = random.Random(f"{self.seed}:reports")
        for index, policy in enumerate(self.ledger.policies.all()):
            self.report_story(policy, self.staff[policy.code], index, rng)
        self.city_report_stories()
        self.evaluation_stories()

    def steps(self) -> list[Step]:
        merged = [step for story in self.stories for step in story.steps]
        merged.sort(key=lambda s: (s.day, s.story, s.index))
        return merged

    def run(self, advance: Callable[[int], None] | None = None) -> DemoSummary:
        before = self.ledger.recorder.max_notification_id() or 0
        for step in self.steps():
            self.clock.set_day(step.day)
            step.action()
            if advance is not None:
                advance(1)
        self.summary.events = (self.ledger.recorder.max_notification_id() or 0) - before
        return self.summary

    # ---- annual reports (004 att.9) and evaluations (004 att.11) ------------------------------

    # What each agency's office does with its 2025 report (by the agencies' order in the policy
    # file): on time and later corrected; late; on time; compiled but never published; begun.
    REPORT_PLANS = ("corrected", "late", "on_time", "unpublished", "begun")

    def report_story(
        self, policy: AgencyPolicy, staff: Staff, index: int, rng: random.Random
    ) -> None:
        office = staff.role(Role.DISCLOSURE_OFFICE)
        ledger = self.ledger
        plan = self.REPORT_PLANS[index % len(self.REPORT_PLANS)]
        story = self.story()
        begun = self.snap(date(YEAR + 1, 1, 5) + timedelta(days=index))
        common = {"level": ReportLevel.AGENCY, "subject": policy.code, "year": YEAR}
        story.at(
            begun,
            ledger.record_report_section,
            office,
            on=begun,
            section=ReportSection.OVERVIEW,
            text=f"{YEAR}年，{policy.name}深入贯彻《中华人民共和国政府信息公开条例》，"
            "主动公开、依申请公开、政府信息管理和平台建设均按计划推进。",
            **common,
        )
        self.summary.situations.add("annual report begun")
        if plan == "begun":
            return
        figures = YearlyFigures(
            licensing_decisions=rng.randint(40, 400),
            penalty_decisions=rng.randint(5, 60),
            enforcement_decisions=rng.randint(0, 8),
            fee_amount_10k_yuan=Decimal(rng.randint(0, 50_000)) / Decimal(10_000),
        )
        written = self.wd(begun, 3)
        story.at(
            written,
            ledger.record_report_section,
            office,
            on=written,
            section=ReportSection.PROBLEMS,
            text="依申请公开答复偶有逾期，政策解读形式单一；下一步将加强时限管理和培训。",
            **common,
        )
        story.at(
            written,
            ledger.record_yearly_figures,
            office,
            agency_code=policy.code,
            year=YEAR,
            on=written,
            figures=figures,
        )
        if plan == "unpublished":
            self.summary.situations.add("annual report overdue")
            return
        if plan == "on_time":
            story.at(
                written,
                ledger.record_report_section,
                office,
                on=written,
                section=ReportSection.OTHER,
                text="本年度未收取信息处理费。",
                **common,
            )
        published = self.snap(date(YEAR + 1, 2, 9)) if plan == "late" else self.wd(written, 5)
        url = f"https://gov.example.cn/{policy.code}/ndbg/{YEAR}.html"
        story.at(published, ledger.publish_annual_report, office, on=published, url=url, **common)
        self.summary.situations.add(
            "annual report published late" if plan == "late" else "annual report on time"
        )
        if plan == "corrected":
            corrected = self.snap(date(YEAR + 1, 2, 10))
            story.at(
                corrected,
                ledger.record_yearly_figures,
                office,
                agency_code=policy.code,
                year=YEAR,
                on=corrected,
                figures=figures.model_copy(
                    update={"penalty_decisions": figures.penalty_decisions + 1}
                ),
                note="更正：漏报行政处罚决定1件",
            )
            republished = self.wd(corrected, 1)
            story.at(
                republished, ledger.publish_annual_report, office, on=republished, url=url, **common
            )
            self.summary.situations.add("annual report corrected and republished")

    def city_report_stories(self) -> None:
        """A city with several seed agencies compiles its aggregate report (by 20 February)."""
        ledger = self.ledger
        by_city: dict[str, list[AgencyPolicy]] = {}
        for policy in ledger.policies.all():
            if policy.city:
                by_city.setdefault(policy.city, []).append(policy)
        for city, policies in sorted(by_city.items()):
            if len(policies) < 2:
                continue
            office = self.staff[policies[0].code].role(Role.DISCLOSURE_OFFICE)
            story = self.story()
            common = {"level": ReportLevel.CITY, "subject": city, "year": YEAR}
            day = self.snap(date(YEAR + 1, 2, 10))
            for section, text in (
                (ReportSection.OVERVIEW, f"{YEAR}年，{city}各部门政府信息公开工作总体平稳。"),
                (ReportSection.PROBLEMS, "个别部门年度报告未按时公布，已通报并督促整改。"),
            ):
                story.at(day, ledger.record_report_section, office, on=day, section=section,
                         text=text, **common)  # fmt: skip
            published = self.wd(day, 1)  # before the Spring Festival, on time (20 February)
            story.at(published, ledger.publish_annual_report, office, on=published, **common)
            self.summary.situations.add("city report published")

    def evaluation_stories(self) -> None:
        """Judged criteria of the 2025 evaluation at the first agency: an inspector's finding, a
        finding the office withdraws, criteria checked and cleared."""
        ledger = self.ledger
        first = ledger.policies.all()[0].code
        staff = self.staff[first]
        office = staff.role(Role.DISCLOSURE_OFFICE)
        inspector = staff.role(Role.INVESTIGATOR)
        story = self.story()
        common = {"agency_code": first, "year": YEAR}
        day = self.snap(date(YEAR, 12, 15))
        for criterion, note in (
            ("1.1", "机构健全，专人负责，经费有保障"),
            ("1.2", "各项制度均已落实"),
        ):
            story.at(day, ledger.clear_evaluation_criterion, office, on=day, criterion=criterion,
                     note=note, **common)  # fmt: skip
        checked = self.wd(day, 1)
        story.at(
            checked,
            ledger.record_evaluation_finding,
            inspector,
            on=checked,
            criterion="3.2",
            description="办公场所未公开内设机构职责和办事流程图",
            evidence_ref="检查记录 2025-12",
            **common,
        )
        story.at(
            checked,
            ledger.record_evaluation_finding,
            office,
            on=checked,
            criterion="1.3",
            description="依申请公开办法未及时更新",
            **common,
        )
        withdrawn = self.wd(checked, 2)
        story.at(withdrawn, self.withdraw_finding, office, first, "1.3", withdrawn)
        self.summary.situations.add("evaluation findings")

    def withdraw_finding(self, office: Actor, agency_code: str, criterion: str, on: date) -> None:
        """The office corrects its own finding under `criterion` (it stays on record)."""
        record = self.ledger.get_evaluation_record(agency_code, YEAR)
        finding = next(f for f in record.active_findings if f.criterion == criterion)
        self.ledger.withdraw_evaluation_finding(
            office,
            agency_code=agency_code,
            year=YEAR,
            on=on,
            finding_version=finding.version,
            reason="经核实，办法已于11月更新并公开",
        )

    # ---- items (domain.md §2, §4) -----------------------------------------------------------

    def item_stories(self, policy: AgencyPolicy, staff: Staff, index: int) -> None:
        base = date(YEAR, 1, 6) + timedelta(days=3 * index)
        kinds = [
            "published",
            "published_normative",
            "published_paper",
            "published_late",
            "co_issued",
            "co_issuer_objection",
            "co_issuer_silent",
            "changed",
            "revoked",
            "abolished",
            "audit_corrected",
            "on_request_kept",
            "not_disclosed_reclassified",
            "exempt_lifted",
            "refer_upward",
            "annual_undecided",
            "archived_with_objection",
            "open_overdue",
            "open_due_soon",
            "published",
            "published_normative",
            "published",
        ]
        for n, kind in enumerate(kinds):
            formed = self.snap(base + timedelta(days=16 * n + self.rng.randint(0, 5)))
            if kind == "open_overdue":
                formed = self.snap(date(YEAR, 12, 1) + timedelta(days=index))
            elif kind == "open_due_soon":
                formed = self.snap(DEMO_END - timedelta(days=12 + index))
            elif kind in ("annual_undecided", "on_request_kept", "not_disclosed_reclassified"):
                formed = self.snap(date(YEAR, 3, 3) + timedelta(days=20 * n % 240))
            self.item_story(policy, staff, kind, formed)

    def item_story(self, policy: AgencyPolicy, staff: Staff, kind: str, formed: date) -> None:
        ledger, story, rng = self.ledger, self.story(), self.rng
        item_id = self.new_id("item")
        self.summary.items += 1
        department = rng.choice([d.department for d in staff.drafters])
        drafter = staff.drafter(department)
        office = staff.role(Role.DISCLOSURE_OFFICE)
        reviewer = staff.role(Role.CONFIDENTIALITY_REVIEWER)
        normative = kind in ("published_normative", "abolished")
        co_issuers: tuple[str, ...] = ()
        if kind.startswith("co_issue"):
            others = [p for p in ledger.policies.all() if p.code != policy.code]
            co_issuers = (rng.choice(others).name,)
        story.at(
            formed,
            ledger.register_item,
            drafter,
            agency_code=policy.code,
            title=self.title(policy),
            department=department,
            formed_on=formed,
            document_number=f"{policy.name[:2]}工信〔{formed.year}〕{rng.randint(1, 199)}号",
            theme=rng.choice(THEMES),
            document_type=DocumentType.NORMATIVE if normative else DocumentType.ORDINARY,
            co_issuers=co_issuers,
            summary="本文件依据国家和省有关规定制定，自印发之日起施行。",
            item_id=item_id,
        )
        if kind in ("on_request_kept", "annual_undecided"):
            story.at(
                formed,
                ledger.mark_attribute,
                item_id,
                drafter,
                formed,
                Attribute.ON_REQUEST,
                "涉及内部管理事项，依申请公开",
            )
            story.at(
                self.wd(formed, 2), ledger.audit_attribute, item_id, office, self.wd(formed, 2)
            )
            if kind == "on_request_kept":
                day = self.snap(date(YEAR + 1, 2, 24))
                story.at(
                    day,
                    ledger.decide_annual_review,
                    item_id,
                    office,
                    day,
                    AnnualReviewOutcome.KEPT,
                    "仍属依申请公开范围，维持原属性",
                )
                self.summary.review_outcomes.add(AnnualReviewOutcome.KEPT)
            return
        if kind in ("not_disclosed_reclassified", "exempt_lifted"):
            ground = (
                NonDisclosureGround.PROCESS_INFORMATION
                if kind == "exempt_lifted"
                else NonDisclosureGround.INTERNAL_AFFAIRS
            )
            story.at(
                formed,
                ledger.mark_attribute,
                item_id,
                drafter,
                formed,
                Attribute.NOT_DISCLOSED,
                "属于过程性信息",
                ground,
            )
            story.at(
                self.wd(formed, 2), ledger.audit_attribute, item_id, office, self.wd(formed, 2)
            )
            story.at(
                self.wd(formed, 4),
                ledger.review_confidentiality,
                item_id,
                reviewer,
                self.wd(formed, 4),
                ReviewConclusion.EXEMPT,
                reason="过程性信息，免予公开",
            )
            if kind == "not_disclosed_reclassified":
                day = self.snap(date(YEAR + 1, 2, 10))
                story.at(
                    day,
                    ledger.decide_annual_review,
                    item_id,
                    office,
                    day,
                    AnnualReviewOutcome.RECLASSIFIED,
                    "决策已完成，应当主动公开",
                    self.approval(staff, Role.LEADER_IN_CHARGE, day),
                )
                self.summary.review_outcomes.add(AnnualReviewOutcome.RECLASSIFIED)
                opened = day
            else:
                opened = self.wd(formed, 40)
                story.at(
                    opened,
                    ledger.lift_exemption,
                    item_id,
                    office,
                    opened,
                    "情况变化，免予公开理由已不存在",
                    self.approval(staff, Role.PRINCIPAL_LEADER, opened),
                )
            self.publish_path(story, item_id, staff, opened, approve=False)
            return
        if kind == "refer_upward":
            story.at(formed, ledger.mark_attribute, item_id, drafter, formed, Attribute.PROACTIVE)
            story.at(
                self.wd(formed, 2),
                ledger.review_confidentiality,
                item_id,
                reviewer,
                self.wd(formed, 2),
                ReviewConclusion.REFER_UPWARD,
                reason="无法确定是否涉密，报同级保密部门审定",
            )
            return
        attribute_day = formed
        if kind == "audit_corrected":
            story.at(
                formed,
                ledger.mark_attribute,
                item_id,
                drafter,
                formed,
                Attribute.ON_REQUEST,
                "拟依申请公开",
            )
            story.at(
                self.wd(formed, 1),
                ledger.audit_attribute,
                item_id,
                office,
                self.wd(formed, 1),
                Attribute.PROACTIVE,
                "属于应主动公开的政策文件",
            )
            attribute_day = self.wd(formed, 1)
        else:
            story.at(formed, ledger.mark_attribute, item_id, drafter, formed, Attribute.PROACTIVE)
            story.at(
                self.wd(formed, 1), ledger.audit_attribute, item_id, office, self.wd(formed, 1)
            )
        if kind == "open_due_soon":
            return
        reviewed = self.wd(attribute_day, 2)
        story.at(
            reviewed,
            ledger.review_confidentiality,
            item_id,
            reviewer,
            reviewed,
            ReviewConclusion.PROACTIVE,
        )
        if kind == "open_overdue":
            return
        day = reviewed
        for co_issuer in co_issuers:
            story.at(day, ledger.consult_co_issuer, item_id, office, day, co_issuer)
            if kind == "co_issued":
                answered = self.wd(day, 3)
                story.at(
                    answered,
                    ledger.record_co_issuer_answer,
                    item_id,
                    office,
                    answered,
                    co_issuer,
                    ConsultationAnswer.AGREED,
                )
            elif kind == "co_issuer_silent":
                answered = self.wd(day, 6)
                story.at(
                    answered,
                    ledger.record_co_issuer_answer,
                    item_id,
                    office,
                    answered,
                    co_issuer,
                    ConsultationAnswer.SILENT,
                    "逾期未答复，视为同意",
                )
            else:
                answered = self.wd(day, 4)
                story.at(
                    answered,
                    ledger.record_co_issuer_answer,
                    item_id,
                    office,
                    answered,
                    co_issuer,
                    ConsultationAnswer.OBJECTED,
                    "部分内容涉及我单位尚未公开的数据",
                )
                answered = self.wd(answered, 3)
                story.at(
                    answered,
                    ledger.resolve_co_issuer_disagreement,
                    item_id,
                    office,
                    answered,
                    co_issuer,
                    "经政务公开主管部门协调，删除相关数据后公开",
                    self.approval(staff, Role.LEADER_IN_CHARGE, answered),
                )
            day = answered
        approved = self.wd(day, 1)
        signer = staff.role(Role.SIGNER if kind == "published_normative" else Role.LEADER_IN_CHARGE)
        story.at(approved, ledger.approve_item, item_id, signer, approved)
        due = self.wd(formed, self.ledger.policy(policy.code).publication_days)
        published = self.wd(due, 4) if kind == "published_late" else self.wd(approved, 1)
        if kind == "published_late":
            self.summary.situations.add("item published late")
        channels = tuple(self.rng.sample(list(policy.channels), min(2, len(policy.channels))))
        story.at(
            published,
            ledger.publish_item,
            item_id,
            office,
            published,
            channels,
            f"https://gov.example.cn/{policy.code}/{item_id.hex[:12]}.html",
        )
        story.at(published, ledger.register_in_catalogue, item_id, office, published)
        if normative:
            linked = self.wd(published, 2)
            story.at(
                linked,
                ledger.link_interpretation,
                item_id,
                office,
                linked,
                f"https://gov.example.cn/{policy.code}/jd/{item_id.hex[:8]}.html",
            )
            published = linked
        if kind in ("published", "published_normative", "co_issued"):
            moved = self.wd(published, 5)
            story.at(
                moved,
                ledger.transfer_to_reading_room,
                item_id,
                office,
                moved,
                ReadingRoomMode.ELECTRONIC,
            )
        if kind == "published_paper":
            month_after = date(published.year + published.month // 12, published.month % 12 + 1, 8)
            story.at(
                month_after,
                ledger.transfer_to_reading_room,
                item_id,
                office,
                month_after,
                ReadingRoomMode.PAPER_BATCH,
                f"{published:%Y-%m}月纸质移送登记",
            )
        if kind == "changed":
            changed = self.wd(published, 15)
            story.at(
                changed,
                ledger.change_item,
                item_id,
                drafter,
                changed,
                "根据上级文件调整申报条件",
                None,
            )
            self.publish_path(story, item_id, staff, changed, approve=True)
        if kind == "revoked":
            ended = self.wd(published, 30)
            story.at(
                ended,
                ledger.end_item_validity,
                item_id,
                office,
                ended,
                Validity.REVOKED,
                "上级机关决定撤销",
            )
        if kind == "abolished":
            ended = self.wd(published, 60)
            story.at(
                ended,
                ledger.end_item_validity,
                item_id,
                office,
                ended,
                Validity.ABOLISHED,
                "已被新文件替代，予以废止",
            )
        if kind == "archived_with_objection":
            objected = self.wd(published, 1)
            story.at(
                objected,
                ledger.record_objection,
                item_id,
                drafter,
                objected,
                5,
                "承办人对签发前删改数据的指示持保留意见",
            )
            archived = self.wd(objected, 10)
            story.at(
                archived,
                ledger.archive_item,
                item_id,
                office,
                archived,
                f"WS·{archived.year}·{rng.randint(100, 999)}",
            )

    def publish_path(
        self, story: Story, item_id: UUID, staff: Staff, day: date, *, approve: bool
    ) -> None:
        office = staff.role(Role.DISCLOSURE_OFFICE)
        reviewed = self.wd(day, 2)
        story.at(
            reviewed,
            self.ledger.review_confidentiality,
            item_id,
            staff.role(Role.CONFIDENTIALITY_REVIEWER),
            reviewed,
            ReviewConclusion.PROACTIVE,
        )
        if approve:
            reviewed = self.wd(reviewed, 1)
            story.at(
                reviewed,
                self.ledger.approve_item,
                item_id,
                staff.role(Role.LEADER_IN_CHARGE),
                reviewed,
            )
        published = self.wd(reviewed, 1)
        story.at(published, self.ledger.publish_item, item_id, office, published, (Channel.PORTAL,))
        story.at(published, self.ledger.register_in_catalogue, item_id, office, published)

    # ---- requests (domain.md §3) ------------------------------------------------------------

    def applicant(self, kind: ApplicantType) -> Applicant:
        name = self.person_name()
        organisation = (
            ""
            if kind is ApplicantType.NATURAL_PERSON
            else (
                self.rng.choice(("华信", "中科", "同心", "正义", "恒达"))
                + {
                    ApplicantType.COMMERCIAL_ENTERPRISE: "科技有限公司",
                    ApplicantType.RESEARCH_INSTITUTION: "研究院",
                    ApplicantType.PUBLIC_INTEREST_ORGANISATION: "公益基金会",
                    ApplicantType.LEGAL_SERVICE_INSTITUTION: "律师事务所",
                    ApplicantType.OTHER_ORGANISATION: "协会",
                }[kind]
            )
        )
        return Applicant(
            applicant_type=kind,
            name=name,
            id_document=f"4101{self.rng.randint(10**13, 10**14 - 1)}",
            organisation=organisation,
            address=self.rng.choice(("金水区", "中原区", "二七区"))
            + f"{self.rng.randint(1, 300)}号",
            contact=f"13{self.rng.randint(10**8, 10**9 - 1)}",
            authorisation_letter=kind is not ApplicantType.NATURAL_PERSON,
        )

    def receive(self, story: Story, policy: AgencyPolicy, staff: Staff, day: date, n: int) -> UUID:
        """Receive (the receipt date by channel, the Regulation Art 31) and register."""
        request_id = self.new_id("request")
        department = self.rng.choice([d.department for d in staff.drafters])
        self.departments[request_id] = department
        self.summary.requests += 1
        channel = list(RequestChannel)[n % len(RequestChannel)]
        kind = list(ApplicantType)[n % len(ApplicantType)]
        dated = {
            RequestChannel.IN_PERSON: "submitted_on",
            RequestChannel.ORAL: "submitted_on",
            RequestChannel.POST: "signed_for_on",
        }.get(channel, "confirmed_on")
        story.at(
            day,
            self.ledger.receive_request,
            staff.role(Role.DISCLOSURE_OFFICE),
            agency_code=policy.code,
            channel=channel,
            applicant=self.applicant(kind),
            description=f"申请公开{self.rng.choice(SUBJECTS)}相关文件及资金使用情况",
            department=department,
            purpose="了解政策",
            requested_form="电子邮件",
            request_id=request_id,
            **{dated: day},
        )
        story.at(
            day, self.ledger.register_request, request_id, staff.role(Role.DISCLOSURE_OFFICE), day
        )
        return request_id

    def reply(
        self,
        story: Story,
        request_id: UUID,
        staff: Staff,
        day: date,
        outcome: Outcome,
        **extra: Any,
    ) -> None:
        story.at(
            day,
            self.ledger.reply_to_request,
            request_id,
            staff.role(Role.DISCLOSURE_OFFICE),
            day,
            outcome,
            REPLY_BASIS,
            "经检索和审查，作出如下答复",
            REMEDY,
            **extra,
        )
        self.summary.outcomes.add(outcome)

    def close(
        self, story: Story, request_id: UUID, staff: Staff, day: date, *, archive: bool
    ) -> date:
        office = staff.role(Role.DISCLOSURE_OFFICE)
        delivered = self.wd(day, 1)
        story.at(delivered, self.ledger.deliver_reply, request_id, office, delivered, "电子邮件")
        if archive:
            archived = self.wd(delivered, 5)
            story.at(
                archived,
                self.ledger.archive_request,
                request_id,
                office,
                archived,
                f"YSQ·{archived.year}·{self.rng.randint(100, 999)}",
            )
            return archived
        return delivered

    def request_stories(self, policy: AgencyPolicy, staff: Staff, index: int) -> None:
        office = staff.role(Role.DISCLOSURE_OFFICE)
        ledger = self.ledger
        for n, outcome in enumerate(ALL_OUTCOMES):
            story = self.story()
            received = self.snap(date(YEAR, 1, 8) + timedelta(days=15 * n + 2 * index))
            rid = self.receive(story, policy, staff, received, n + index)
            day = self.wd(received, self.rng.randint(3, 10))
            extra: dict[str, Any] = {}
            if outcome is Outcome.DISCLOSED and index % 2 == 0:
                # a third party consulted and agreeing; the clock pauses meanwhile
                story.at(
                    day,
                    ledger.consult_third_party,
                    rid,
                    office,
                    day,
                    "第三方-甲公司",
                    ThirdPartyInterest.COMMERCIAL_SECRET,
                )
                day = self.wd(day, 6)
                story.at(
                    day,
                    ledger.record_third_party_answer,
                    rid,
                    office,
                    day,
                    "第三方-甲公司",
                    ConsultationAnswer.AGREED,
                )
                self.summary.situations.add("paused for a third party")
                day = self.wd(day, 2)
            elif outcome is Outcome.DISCLOSED:
                # a per-page fee, paid; then the request is transferred between departments
                story.at(
                    day, ledger.notice_fee, rid, office, day, FeeBasis.PER_PAGE, 50, Decimal("200")
                )
                day = self.wd(day, 3)
                story.at(day, ledger.record_fee_payment, rid, office, day)
                target = next(
                    d.department for d in staff.drafters if d.department != self.departments[rid]
                )
                story.at(day, ledger.transfer_request, rid, office, day, target, "转办交接单已签收")
                self.summary.situations.add("transferred")
                day = self.wd(day, 2)
            elif outcome is Outcome.PARTLY_DISCLOSED:
                extra["withheld_reasons"] = "涉及个人隐私的部分已作区分处理"
                story.at(day, ledger.consult_agency, rid, office, day, "市财政局")
                day = self.wd(day, 5)
                story.at(
                    day,
                    ledger.record_agency_answer,
                    rid,
                    office,
                    day,
                    "市财政局",
                    ConsultationAnswer.AGREED,
                )
                day = self.wd(day, 1)
            elif outcome is Outcome.NOT_DISCLOSED_THIRD_PARTY:
                story.at(
                    day,
                    ledger.consult_third_party,
                    rid,
                    office,
                    day,
                    "第三方-乙个人",
                    ThirdPartyInterest.PERSONAL_PRIVACY,
                )
                day = self.wd(day, 4)
                story.at(
                    day,
                    ledger.record_third_party_answer,
                    rid,
                    office,
                    day,
                    "第三方-乙个人",
                    ConsultationAnswer.OBJECTED,
                )
                day = self.wd(day, 1)
            elif outcome is Outcome.CANNOT_PROVIDE_NOT_HELD:
                story.at(
                    day,
                    ledger.refer_request,
                    rid,
                    office,
                    day,
                    "市发展和改革委员会",
                    "0371-12345678",
                )
                day = self.wd(day, 1)
            elif outcome is Outcome.CANNOT_PROVIDE_STILL_UNCLEAR:
                notice = self.wd(received, 2)
                story.at(
                    notice,
                    ledger.request_correction,
                    rid,
                    office,
                    notice,
                    ("所需信息的名称不明确", "未提供身份证明"),
                )
                day = self.wd(received, 8)
                story.at(day, ledger.record_correction, rid, office, day)
                self.summary.situations.add("corrected")
                day = self.wd(day, 5)
            elif outcome is Outcome.NOT_PROCESSED_EXCESSIVE:
                story.at(
                    day,
                    ledger.query_excessiveness,
                    rid,
                    office,
                    day,
                    "同一申请人本月已提交 40 件内容相近的申请",
                )
                day = self.wd(day, 5)
                story.at(
                    day,
                    ledger.assess_excessiveness,
                    rid,
                    office,
                    day,
                    False,
                    "申请人未能说明合理理由",
                    None,
                )
                day = self.wd(day, 1)
            elif outcome is Outcome.OTHER_NO_CORRECTION:
                notice = self.wd(received, 2)
                story.at(
                    notice,
                    ledger.request_correction,
                    rid,
                    office,
                    notice,
                    ("申请内容不明确",),
                    self.wd(notice, 10),
                )
                lapsed = self.wd(self.wd(notice, 10), 1)
                story.at(
                    lapsed, ledger.deem_withdrawn, rid, office, lapsed, outcome, "申请人逾期未补正"
                )
                self.summary.outcomes.add(outcome)
                self.summary.situations.add("deemed withdrawn (no correction)")
                self.close(story, rid, staff, lapsed, archive=True)
                continue
            elif outcome is Outcome.OTHER_FEE_UNPAID:
                story.at(
                    day,
                    ledger.notice_fee,
                    rid,
                    office,
                    day,
                    FeeBasis.PER_APPLICATION,
                    12,
                    Decimal("100"),
                )
                lapsed = self.wd(self.wd(day, policy.fee_payment_days), 1)
                story.at(
                    lapsed,
                    ledger.deem_withdrawn,
                    rid,
                    office,
                    lapsed,
                    outcome,
                    "申请人逾期未缴纳信息处理费",
                )
                self.summary.outcomes.add(outcome)
                self.summary.situations.add("deemed withdrawn (fee unpaid)")
                self.close(story, rid, staff, lapsed, archive=True)
                continue
            if outcome is Outcome.NOT_DISCLOSED_STATE_SECRET:
                # answered late: past the reply period, recorded as such by the clock
                day = self.wd(received, policy.reply_days + 3)
                self.summary.situations.add("answered late (overdue)")
            if outcome is Outcome.NOT_DISCLOSED_PROCESS_INFORMATION:
                ext_day = self.wd(received, policy.reply_days - 2)
                story.at(
                    ext_day,
                    ledger.extend_request,
                    rid,
                    office,
                    ext_day,
                    policy.extension_days,
                    "需调取多年档案，经办公室负责人同意延期",
                    self.approval(staff, Role.DISCLOSURE_OFFICE, ext_day),
                )
                day = self.wd(received, policy.reply_days + policy.extension_days - 3)
                self.summary.situations.add("extended")
            if outcome is Outcome.DISCLOSED:
                extra["location"] = "已通过电子邮件提供"
            else:
                self.summary.situations.add("on time")
            self.reply(story, rid, staff, day, outcome, **extra)
            self.appeals(story, rid, staff, day, n)

    def appeals(self, story: Story, rid: UUID, staff: Staff, replied: date, n: int) -> None:
        """Delivery, then reconsideration and litigation with every result (004 att.9 Art
        4(五)), some still pending; the rest archived."""
        office = staff.role(Role.DISCLOSURE_OFFICE)
        ledger = self.ledger
        delivered = self.wd(replied, 1)
        story.at(delivered, ledger.deliver_reply, rid, office, delivered, "电子邮件")
        filed = self.wd(delivered, 20)
        plan = n % 7
        if plan == 1:  # reconsideration, maintained
            story.at(filed, ledger.file_reconsideration, rid, office, filed, "市人民政府")
            story.at(
                self.wd(filed, 40),
                ledger.decide_reconsideration,
                rid,
                office,
                self.wd(filed, 40),
                AppealResult.MAINTAINED,
            )
        elif plan == 2:  # reconsideration corrected, then a suit after it, maintained
            story.at(filed, ledger.file_reconsideration, rid, office, filed, "市人民政府")
            decided = self.wd(filed, 35)
            story.at(
                decided, ledger.decide_reconsideration, rid, office, decided, AppealResult.CORRECTED
            )
            sued = self.wd(decided, 10)
            story.at(
                sued,
                ledger.file_litigation,
                rid,
                office,
                sued,
                LitigationKind.AFTER_RECONSIDERATION,
                "区人民法院",
            )
            if sued < DEMO_END - timedelta(days=60):
                story.at(
                    self.wd(sued, 30),
                    ledger.decide_litigation,
                    rid,
                    office,
                    self.wd(sued, 30),
                    AppealResult.MAINTAINED,
                )
        elif plan == 3:  # a direct suit
            story.at(
                filed,
                ledger.file_litigation,
                rid,
                office,
                filed,
                LitigationKind.DIRECT,
                "区人民法院",
            )
            if filed < DEMO_END - timedelta(days=60):
                result = (AppealResult.CORRECTED, AppealResult.OTHER)[n % 2]
                story.at(
                    self.wd(filed, 40),
                    ledger.decide_litigation,
                    rid,
                    office,
                    self.wd(filed, 40),
                    result,
                )
        elif plan == 4:  # reconsideration, other result
            story.at(filed, ledger.file_reconsideration, rid, office, filed, "市人民政府")
            story.at(
                self.wd(filed, 30),
                ledger.decide_reconsideration,
                rid,
                office,
                self.wd(filed, 30),
                AppealResult.OTHER,
            )
        elif plan == 5:  # pending reconsideration
            story.at(filed, ledger.file_reconsideration, rid, office, filed, "市人民政府")
            return
        archived = self.wd(delivered, 5)
        if plan in (0, 6) and archived <= DEMO_END:
            story.at(
                archived,
                ledger.archive_request,
                rid,
                office,
                archived,
                f"YSQ·{archived.year}·{self.rng.randint(100, 999)}",
            )

    def open_requests(self, policy: AgencyPolicy, staff: Staff, index: int) -> None:
        """Requests still open at the end of the story: the docket's material."""
        office = staff.role(Role.DISCLOSURE_OFFICE)
        ledger = self.ledger
        # open and overdue: received in early January, nothing since
        story = self.story()
        self.receive(
            story, policy, staff, self.snap(date(YEAR + 1, 1, 5) + timedelta(days=index)), 1
        )
        self.summary.situations.add("open and overdue")
        # paused for a third party that has not answered yet
        story = self.story()
        day = self.snap(DEMO_END - timedelta(days=20))
        rid = self.receive(story, policy, staff, day, 2)
        story.at(
            self.wd(day, 2),
            ledger.consult_third_party,
            rid,
            office,
            self.wd(day, 2),
            "第三方-丙公司",
            ThirdPartyInterest.COMMERCIAL_SECRET,
        )
        self.summary.situations.add("open, paused for a third party")
        # extended and still within the extended period
        story = self.story()
        day = self.snap(date(YEAR + 1, 1, 19) + timedelta(days=index))
        rid = self.receive(story, policy, staff, day, 3)
        ext = self.wd(day, policy.reply_days - 1)
        story.at(
            ext,
            ledger.extend_request,
            rid,
            office,
            ext,
            policy.extension_days,
            "涉及多个科室，需协调",
            self.approval(staff, Role.DISCLOSURE_OFFICE, ext),
        )
        self.summary.situations.add("open, extended")
        # awaiting a correction
        story = self.story()
        day = self.snap(DEMO_END - timedelta(days=8))
        rid = self.receive(story, policy, staff, day, 4)
        story.at(
            self.wd(day, 1),
            ledger.request_correction,
            rid,
            office,
            self.wd(day, 1),
            ("请补充身份证明",),
        )
        self.summary.situations.add("open, awaiting correction")
        # a reasonable heavy request with an agreed later date
        story = self.story()
        day = self.snap(date(YEAR + 1, 2, 2) + timedelta(days=index))
        rid = self.receive(story, policy, staff, day, 5)
        story.at(
            self.wd(day, 1),
            ledger.query_excessiveness,
            rid,
            office,
            self.wd(day, 1),
            "申请数量较大",
        )
        agreed = self.wd(day, 45)
        story.at(
            self.wd(day, 4),
            ledger.assess_excessiveness,
            rid,
            office,
            self.wd(day, 4),
            True,
            "理由合理，但无法在期限内答复",
            agreed,
        )
        self.summary.situations.add("open, agreed later date")
        # a fee waived for hardship, reply still to come (running, due soon)
        story = self.story()
        day = self.snap(DEMO_END - timedelta(days=14))
        rid = self.receive(story, policy, staff, day, 6)
        story.at(
            self.wd(day, 1),
            ledger.notice_fee,
            rid,
            office,
            self.wd(day, 1),
            FeeBasis.PER_PAGE,
            120,
            Decimal("900"),
        )
        story.at(
            self.wd(day, 3),
            ledger.waive_fee,
            rid,
            office,
            self.wd(day, 3),
            "申请人确有经济困难",
            self.approval(staff, Role.DISCLOSURE_OFFICE, self.wd(day, 3)),
        )
        self.summary.situations.add("open, fee waived")
        # a public-interest override, answered
        story = self.story()
        day = self.snap(date(YEAR, 9, 1) + timedelta(days=index))
        rid = self.receive(story, policy, staff, day, 0)
        story.at(
            self.wd(day, 2),
            ledger.consult_third_party,
            rid,
            office,
            self.wd(day, 2),
            "第三方-丁公司",
            ThirdPartyInterest.COMMERCIAL_SECRET,
        )
        answered = self.wd(day, 8)
        story.at(
            answered,
            ledger.record_third_party_answer,
            rid,
            office,
            answered,
            "第三方-丁公司",
            ConsultationAnswer.OBJECTED,
        )
        override = self.wd(answered, 1)
        story.at(
            override,
            ledger.override_for_public_interest,
            rid,
            office,
            override,
            "第三方-丁公司",
            "涉及公共安全，不公开将对公共利益造成重大影响",
            override,
            self.approval(staff, Role.PRINCIPAL_LEADER, override),
        )
        self.reply(story, rid, staff, self.wd(override, 1), Outcome.DISCLOSED)
        self.close(story, rid, staff, self.wd(override, 1), archive=True)
        self.summary.situations.add("public-interest override")
        # a third party that stayed silent past its window
        story = self.story()
        day = self.snap(date(YEAR, 10, 13) + timedelta(days=index))
        rid = self.receive(story, policy, staff, day, 1)
        story.at(
            self.wd(day, 1),
            ledger.consult_third_party,
            rid,
            office,
            self.wd(day, 1),
            "第三方-戊个人",
            ThirdPartyInterest.PERSONAL_PRIVACY,
        )
        silent = self.wd(self.wd(day, 1), policy.third_party_answer_days + 1)
        story.at(
            silent,
            ledger.record_third_party_answer,
            rid,
            office,
            silent,
            "第三方-戊个人",
            ConsultationAnswer.SILENT,
        )
        self.reply(
            story,
            rid,
            staff,
            self.wd(silent, 2),
            Outcome.PARTLY_DISCLOSED,
            withheld_reasons="第三方个人信息已删除",
        )
        self.close(story, rid, staff, self.wd(silent, 2), archive=False)
