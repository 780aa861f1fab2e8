"""The record an office keeps for one annual report (年度报告): one aggregate per agency (or city)
and year, with a deterministic id.

Most of the report is computed from the other aggregates' events (requests, items). What the
ledger cannot know is recorded here, each as an event carrying the actor:
- the yearly figures of section 二 that no item records: licensing, penalty and enforcement
  decisions (本年处理决定数量) and the administrative fees collected (本年收费金额, 万元);
- the text of sections 一 总体情况, 五 存在的主要问题及改进情况, 六 其他需要报告的事项
  (004 att.9 Art 4(二), (六), (七));
- the publication of the report, whose date is judged against the deadline (004 att.9 Art 3).
Re-recording figures or text is a correction: the newer event wins, the older one stays on record.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from domain.base import Actor, CreationEvent, DomainEvent, LedgerAggregate, require
from domain.codes import Role
from domain.errors import RuleViolation

DEADLINE_CITATION = "004 att.9 Art 3"


class ReportLevel(StrEnum):
    AGENCY = "agency"  # 各机关 / 镇政府、街道办事处: by 31 January (004 att.9 Art 3)
    CITY = "city"  # 市政务公开领导小组办公室 aggregate: by 20 February (004 att.9 Art 3)


class ReportSection(StrEnum):
    """The text sections of the national template (004 att.9 Art 4)."""

    OVERVIEW = "overview"  # 一、总体情况 (Art 4(二))
    PROBLEMS = "problems"  # 五、存在的主要问题及改进情况 (Art 4(六))
    OTHER = "other"  # 六、其他需要报告的事项 (Art 4(七): "如有需要报告的事项")


# Sections a report may not omit: "不能遗漏" (004 att.9 Art 4); 六 is only "if there is any".
REQUIRED_SECTIONS = (ReportSection.OVERVIEW, ReportSection.PROBLEMS)


def annual_report_id(level: ReportLevel, subject: str, year: int) -> UUID:
    """The record's id: one per agency code (or city name) and report year."""
    return uuid5(NAMESPACE_URL, f"gongkai:annual-report:{level.value}:{subject}:{year}")


def report_deadline(level: ReportLevel, year: int) -> date:
    """Publication deadline of the report on `year` (004 att.9 Art 3)."""
    if level is ReportLevel.AGENCY:
        return date(year + 1, 1, 31)
    return date(year + 1, 2, 20)


class YearlyFigures(BaseModel):
    """Section 二 figures the office counts outside the ledger (national template, 第二十条
    第(五)(六)(八)项)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    licensing_decisions: int = Field(ge=0)  # 行政许可 本年处理决定数量
    penalty_decisions: int = Field(ge=0)  # 行政处罚 本年处理决定数量
    enforcement_decisions: int = Field(ge=0)  # 行政强制 本年处理决定数量
    fee_amount_10k_yuan: Decimal = Field(ge=0, max_digits=14, decimal_places=4)  # 万元


class AnnualReportRecord(LedgerAggregate):
    level: ReportLevel
    subject: str
    year: int
    figures: YearlyFigures | None
    sections: dict[ReportSection, str]
    editions: list[date]

    class Event(DomainEvent):
        on: date

    class Opened(CreationEvent, Event):
        level: ReportLevel
        subject: str = Field(min_length=1, max_length=64)
        year: int = Field(ge=2000, le=2999)

        def apply(self, record: AnnualReportRecord) -> None:
            record.level = self.level
            record.subject = self.subject
            record.year = self.year
            record.figures = None
            record.sections = {}
            record.editions = []

    class YearlyFiguresRecorded(Event):
        """The figures as the office counted them; a later event corrects an earlier one."""

        figures: YearlyFigures
        note: str = Field(default="", max_length=2000)

        def apply(self, record: AnnualReportRecord) -> None:
            record.figures = self.figures

    class SectionTextRecorded(Event):
        section: ReportSection
        text: str = Field(min_length=1, max_length=20000, pattern=r"\S")

        def apply(self, record: AnnualReportRecord) -> None:
            record.sections[self.section] = self.text

    class ReportPublished(Event):
        """The report went public on `on`; the first edition is judged against the deadline,
        later editions are republications after corrections."""

        edition: int = Field(ge=1)
        url: str = Field(default="", max_length=1000)

        def apply(self, record: AnnualReportRecord) -> None:
            record.editions.append(self.on)

    # ---- queries ---------------------------------------------------------------------------

    @property
    def first_published_on(self) -> date | None:
        return self.editions[0] if self.editions else None

    @property
    def deadline(self) -> date:
        return report_deadline(self.level, self.year)

    # ---- commands --------------------------------------------------------------------------

    @staticmethod
    def check_actor(actor: Actor) -> None:
        # The disclosure office keeps the statistics and compiles the report (000 §一(六)1;
        # 004 att.9 Art 3: 政务公开领导小组办公室 汇总、编制、公布).
        require(
            actor.role is Role.DISCLOSURE_OFFICE,
            RuleViolation(
                "annual_report_by_disclosure_office",
                "000 §一(六)1; 004 att.9 Art 3",
                "the disclosure office records and publishes the annual report",
                "actor",
            ),
        )

    def record_figures(self, actor: Actor, on: date, figures: YearlyFigures, note: str) -> None:
        self.check_actor(actor)
        require(
            self.level is ReportLevel.AGENCY,
            RuleViolation(
                "figures_for_agency_reports",
                "004 att.9 Art 3",
                "a city report sums its agencies' figures (汇总); figures are recorded per agency",
                "level",
            ),
        )
        self.trigger(self.YearlyFiguresRecorded, actor=actor, on=on, figures=figures, note=note)

    def record_section(self, actor: Actor, on: date, section: ReportSection, text: str) -> None:
        self.check_actor(actor)
        self.trigger(self.SectionTextRecorded, actor=actor, on=on, section=section, text=text)

    def publish(self, actor: Actor, on: date, url: str = "") -> None:
        self.check_actor(actor)
        require(
            on.year > self.year,
            RuleViolation(
                "publish_after_year_end",
                DEADLINE_CITATION,
                f"the report on {self.year} is published after the year ends (上一年度)",
                "on",
            ),
        )
        missing = [s.value for s in REQUIRED_SECTIONS if s not in self.sections]
        if self.level is ReportLevel.AGENCY and self.figures is None:
            missing.append("figures")
        require(
            not missing,
            RuleViolation(
                "report_needs_required_content",
                "004 att.9 Art 4",
                f"the report may not omit required content (不能遗漏): {', '.join(missing)}",
                "sections",
            ),
        )
        self.trigger(
            self.ReportPublished, actor=actor, on=on, edition=len(self.editions) + 1, url=url
        )


AnnualReportRecord.Opened.aggregate_class = AnnualReportRecord
