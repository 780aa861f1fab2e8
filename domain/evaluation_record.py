"""The evaluation record (考评记录) of one agency and year: the criteria of the 100-point
evaluation (004 att.11 and its 考核评定标准) that need a person's judgement, recorded as events.

The ledger computes the deductions it can prove from events (late or improper publication,
mishandled requests, fees, reading-room transfers, the annual report, corrected appeals:
`projections.evaluation`). What it cannot know — whether the agency's organisation is sound,
whether its guide is current, whether a complaint was substantiated, whether a fault went
unpursued, whether the agency falsified its self-assessment — an evaluator records here: one
`FindingRecorded` per deduction, `CriterionCleared` when a criterion was checked and nothing was
found, `FindingWithdrawn` to correct a finding (the finding stays on record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from domain.base import Actor, CreationEvent, DomainEvent, LedgerAggregate, require
from domain.codes import Role
from domain.errors import RuleViolation

TEXT = Field(min_length=1, max_length=2000, pattern=r"\S")
EVALUATORS = frozenset({Role.DISCLOSURE_OFFICE, Role.INVESTIGATOR})
FRAUD = "art12"  # 004 att.11 Art 12: 弄虚作假 — 2 to 5 points off the total
FRAUD_POINTS = range(2, 6)


class Mode(StrEnum):
    AUTO = "auto"  # deducted from events by projections.evaluation
    JUDGED = "judged"  # needs a person's judgement, recorded here
    BOTH = "both"  # deducted from events, and an evaluator may record further findings


@dataclass(frozen=True)
class Criterion:
    """One row of 阿尔山市政府信息公开考核评定标准 (004 att.11, 附件)."""

    id: str
    section: str
    points: int  # the row's points: its deductions never exceed them (备注 1)
    unit: int  # points per deduction ("1次扣1分", "扣3分")
    mode: Mode
    text_zh: str
    rule_zh: str

    @property
    def judged(self) -> bool:
        return self.mode is not Mode.AUTO


# Section headings are not in the seed's text (only their points survive): the titles are ours.
SECTIONS: dict[str, tuple[str, int]] = {
    "一": ("组织领导与制度建设", 15),
    "二": ("公开内容", 50),
    "三": ("公开载体", 15),
    "四": ("监督保障", 20),
}

J, A, B = Mode.JUDGED, Mode.AUTO, Mode.BOTH
# fmt: off
CRITERIA: tuple[Criterion, ...] = (
    Criterion("1.1", "一", 3, 1, J, "领导机构和工作机构健全，有专人承办和经费保障",
              "工作机构不健全、部门责任不明确、无经费保障各扣1分"),
    Criterion("1.2", "一", 3, 1, J, "主动公开、依申请公开、保密审查等制度落实",
              "有1项制度不落实扣1分"),
    Criterion("1.3", "一", 5, 1, B, "实施细则，目录、指南、依申请公开办法明确并及时更新",
              "1项不明确、不公开或未及时更新，1次扣1分"),
    Criterion("1.4", "一", 4, 1, J, "对所属单位或部门有指导和督查",
              "所属单位被扣分的，有1个扣1分"),
    Criterion("2.1", "二", 30, 1, A, "按目录及时更新公开内容，全面真实、及时准确",
              "1项内容未按时公开扣1分；公开不应当公开的政府信息，1次扣3分"),
    Criterion("2.2", "二", 20, 1, A, "及时办理个人和组织的政府信息公开申请",
              "未按规定办理的，1次扣1分"),
    Criterion("3.1", "三", 7, 3, J, "应公开的政府信息均可通过网站信息公开目录查看",
              "无专栏或网上公开内容更新不及时的扣3分"),
    Criterion("3.2", "三", 4, 1, J, "办公场所公开办事指南、内设机构、职责、流程图",
              "1项内容未公开扣1分"),
    Criterion("3.3", "三", 4, 3, J, "运用发布会、公报、媒体、热线等便于知晓的方式",
              "其中1种公开方式都没有的扣3分"),
    Criterion("4.1", "四", 3, 1, B, "按要求上报政府信息公开工作年度报告",
              "1次未按时上报扣1分"),
    Criterion("4.2", "四", 6, 1, B, "接受人大、政协、监察部门和人民群众的监督",
              "投诉被查实的，1次扣1分；被复议或诉讼纠错、改判的，每次扣3分"),
    Criterion("4.3", "四", 4, 1, J, "对所属单位和部门的过错进行责任追究",
              "有过错未追究责任的，1次扣1分"),
    Criterion("4.4", "四", 3, 1, A, "除检索、复制、邮寄等成本费用外不得收取其他费用",
              "违反规定收取费用的，1次扣1分"),
    Criterion("4.5", "四", 4, 1, A, "向网站、公报及查阅场所送交政府公开信息并及时更新",
              "未按规定送交或及时更新的，1次扣1分"),
)
# fmt: on
CRITERIA_BY_ID = {criterion.id: criterion for criterion in CRITERIA}
# 4.2: a complaint found true is judged (1 point); a corrected appeal is an event (3 points).
APPEAL_CORRECTED_POINTS = 3


def evaluation_record_id(agency_code: str, year: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"gongkai:evaluation:{agency_code}:{year}")


class Finding:
    def __init__(self, version: int, event: EvaluationRecord.FindingRecorded):
        self.version = version
        self.criterion = event.criterion
        self.points = event.points
        self.description = event.description
        self.evidence_ref = event.evidence_ref
        self.subject_id = event.subject_id
        self.on = event.on
        self.by = event.actor
        self.recorded_at = event.timestamp
        self.withdrawn = False


class EvaluationRecord(LedgerAggregate):
    agency_code: str
    year: int
    findings: dict[int, Finding]
    cleared: dict[str, tuple[int, str]]  # criterion → (version, note)

    class Event(DomainEvent):
        on: date

    class Opened(CreationEvent, Event):
        agency_code: str = Field(min_length=1, max_length=64)
        year: int = Field(ge=2000, le=2999)

        def apply(self, record: EvaluationRecord) -> None:
            record.agency_code = self.agency_code
            record.year = self.year
            record.findings = {}
            record.cleared = {}

    class FindingRecorded(Event):
        """A deduction an evaluator found (004 att.11 Art 7: 对检查中发现的问题，根据考评标准
        给予扣分)."""

        criterion: str
        points: int = Field(ge=1, le=30)
        description: str = TEXT
        evidence_ref: str = Field(default="", max_length=200)
        # An item or request this finding is about: if the ledger already deducts a problem of
        # it, the finding is not deducted again (备注 2: 同1个问题只在1处扣分).
        subject_id: UUID | None = None

        def apply(self, record: EvaluationRecord) -> None:
            record.findings[self.originator_version] = Finding(self.originator_version, self)

    class FindingWithdrawn(Event):
        finding_version: int
        reason: str = TEXT

        def apply(self, record: EvaluationRecord) -> None:
            record.findings[self.finding_version].withdrawn = True

    class CriterionCleared(Event):
        """The criterion was checked and nothing found: it counts as assessed."""

        criterion: str
        note: str = TEXT

        def apply(self, record: EvaluationRecord) -> None:
            record.cleared[self.criterion] = (self.originator_version, self.note)

    # ---- queries ---------------------------------------------------------------------------

    @property
    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings.values() if not f.withdrawn]

    def assessed(self, criterion: str) -> bool:
        return criterion in self.cleared or any(
            f.criterion == criterion for f in self.active_findings
        )

    # ---- commands --------------------------------------------------------------------------

    @staticmethod
    def check_evaluator(actor: Actor) -> None:
        # 004 att.11 Art 3, 7-8: the disclosure leading group's office evaluates; Art 11: the
        # discipline inspectors (纪检监察) act on violations.
        require(
            actor.role in EVALUATORS,
            RuleViolation(
                "evaluation_by_office_or_inspector",
                "004 att.11 Art 3, 7-8, 11",
                "findings are recorded by the disclosure office or a discipline inspector",
                "actor",
            ),
        )

    @staticmethod
    def check_judged(criterion: str) -> Criterion | None:
        """The criterion, or None for Art 12 (falsification)."""
        if criterion == FRAUD:
            return None
        known = CRITERIA_BY_ID.get(criterion)
        require(
            known is not None and known.judged,
            RuleViolation(
                "criterion_needs_judgement",
                "004 att.11 附件",
                f"{criterion!r} is not a criterion an evaluator judges; the ledger deducts the "
                "others from events",
                "criterion",
            ),
        )
        return known

    def record_finding(
        self,
        actor: Actor,
        on: date,
        criterion: str,
        description: str,
        points: int | None,
        evidence_ref: str = "",
        subject_id: UUID | None = None,
    ) -> None:
        self.check_evaluator(actor)
        known = self.check_judged(criterion)
        if known is None:
            # Art 12: 视情节轻重从得分中扣减2-5分.
            valid = points is not None and points in FRAUD_POINTS
            standard = "2 to 5 points (004 att.11 Art 12)"
        else:
            valid = points is None or points == known.unit
            standard = f"{known.unit} per finding ({known.rule_zh})"
        require(
            valid,
            RuleViolation(
                "finding_points_by_standard",
                "004 att.11 附件; Art 12",
                f"a finding under {criterion} deducts {standard}",
                "points",
            ),
        )
        self.trigger(
            self.FindingRecorded,
            actor=actor,
            on=on,
            criterion=criterion,
            points=points if known is None else known.unit,
            description=description,
            evidence_ref=evidence_ref,
            subject_id=subject_id,
        )

    def withdraw_finding(self, actor: Actor, on: date, finding_version: int, reason: str) -> None:
        self.check_evaluator(actor)
        finding = self.findings.get(finding_version)
        require(
            finding is not None and not finding.withdrawn,
            RuleViolation(
                "withdraw_recorded_finding",
                "004 att.11 Art 8",
                f"version {finding_version} is not a finding still in force",
                "finding_version",
            ),
        )
        self.trigger(
            self.FindingWithdrawn,
            actor=actor,
            on=on,
            finding_version=finding_version,
            reason=reason,
        )

    def clear_criterion(self, actor: Actor, on: date, criterion: str, note: str) -> None:
        self.check_evaluator(actor)
        self.check_judged(criterion)
        self.trigger(self.CriterionCleared, actor=actor, on=on, criterion=criterion, note=note)


EvaluationRecord.Opened.aggregate_class = EvaluationRecord
