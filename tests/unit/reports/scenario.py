"""The golden scenario for the 2024 annual reports, built through the application service.

Kuancheng (宽城区, agency A) has every reply outcome, all six applicant types, requests carried
in from 2023 and out into 2025, reconsiderations and suits with every result; Jilin (吉林省工信厅,
agency B) adds a few requests and publishes its report late. Both belong to 长春市, whose
aggregate is published on time. Record times follow the business dates (10:00 China time), so
the log is in date order — except for the corrections recorded in February 2025 (after the
31 January cut-off) that carry earlier business dates.

The expected tables in test_annual_report_golden.py are counted by hand from this script.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.annual_report_record import ReportLevel, ReportSection, YearlyFigures
from domain.application import GongkaiLedger
from domain.base import Actor
from domain.codes import (
    AppealResult,
    ApplicantType,
    Attribute,
    Channel,
    DocumentType,
    FeeBasis,
    LitigationKind,
    Outcome,
    RequestChannel,
    ReviewConclusion,
    Role,
    Validity,
)
from domain.disclosure_request import Applicant
from projections.annual_report import AnnualReportModel
from projections.store import SqlStore

ReportLedger = GongkaiLedger  # the application service carries the annual-report verbs

A = "000014349"  # 宽城区人民政府, city 长春市
B = "01527918X"  # 吉林省工业和信息化厅, city 长春市
CITY = "长春市"
CHINA = timedelta(hours=8)
# The report "as published": everything recorded by 31 January 2025, 23:59:59 China time.
CUTOFF = datetime(2025, 1, 31, 15, 59, 59, tzinfo=UTC)

OFFICE = Actor(official_id="office-wang", role=Role.DISCLOSURE_OFFICE, department="办公室")
DRAFTER = Actor(official_id="drafter-zhao", role=Role.DRAFTER, department="法规科")
REVIEWER = Actor(
    official_id="reviewer-qian", role=Role.CONFIDENTIALITY_REVIEWER, department="保密办"
)
LEADER = Actor(official_id="leader-liu", role=Role.LEADER_IN_CHARGE, department="局领导")

NP = ApplicantType.NATURAL_PERSON
CE = ApplicantType.COMMERCIAL_ENTERPRISE
RI = ApplicantType.RESEARCH_INSTITUTION
PI = ApplicantType.PUBLIC_INTEREST_ORGANISATION
LS = ApplicantType.LEGAL_SERVICE_INSTITUTION
OO = ApplicantType.OTHER_ORGANISATION

TEXT = {
    ReportSection.OVERVIEW: "2024年，本机关坚持以公开为常态、不公开为例外，依法做好公开工作。",
    ReportSection.PROBLEMS: "政策解读形式较为单一。下一步将丰富解读形式，提高解读质量。",
    ReportSection.OTHER: "本年度未收取信息处理费。",
}


class Clock:
    """The application's record clock: 10:00 China time on the day being scripted."""

    def __init__(self) -> None:
        self.now = datetime(2022, 1, 1, tzinfo=UTC)

    def at(self, day: date) -> None:
        self.now = datetime(day.year, day.month, day.day, 10, tzinfo=UTC) - CHINA

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Script:
    """Steps keyed by the day they are recorded; run in day order (stable within a day)."""

    steps: list[tuple[date, int, Callable[[], object]]] = field(default_factory=list)

    def on(self, day: date, action: Callable[[], object]) -> None:
        self.steps.append((day, len(self.steps), action))

    def run(self, clock: Clock) -> None:
        for day, _, action in sorted(self.steps, key=lambda step: step[:2]):
            clock.at(day)
            action()


def d(text: str) -> date:
    return date.fromisoformat(text)


class Golden:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.script = Script()

    # ---- requests ---------------------------------------------------------------------------

    def request(
        self,
        agency: str,
        applicant_type: ApplicantType,
        received: str,
        outcome: Outcome | None = None,
        replied: str | None = None,
    ) -> UUID:
        """Receive and register on `received`; reply with `outcome` on `replied` (with the steps
        the outcome needs before it)."""
        rid = uuid4()
        app, s, on = self.app, self.script, d(received)
        applicant = Applicant(applicant_type=applicant_type, name="申请人甲")
        s.on(
            on,
            lambda: app.receive_request(
                OFFICE,
                agency_code=agency,
                channel=RequestChannel.IN_PERSON,
                applicant=applicant,
                description="申请公开某项目审批文件",
                department="办公室",
                submitted_on=on,
                request_id=rid,
            ),
        )
        s.on(on, lambda: app.register_request(rid, OFFICE, on))
        if outcome is not None:
            assert replied is not None
            self._close(rid, on, outcome, d(replied))
        return rid

    def _close(self, rid: UUID, received: date, outcome: Outcome, on: date) -> None:
        app, s = self.app, self.script
        step = received + timedelta(days=2)
        if outcome is Outcome.OTHER_NO_CORRECTION:
            due = step + timedelta(days=14)
            s.on(step, lambda: app.request_correction(rid, OFFICE, step, ["描述不明确"], due))
            s.on(on, lambda: app.deem_withdrawn(rid, OFFICE, on, outcome, "逾期未补正"))
            return
        if outcome is Outcome.OTHER_FEE_UNPAID:
            s.on(
                step,
                lambda: app.notice_fee(rid, OFFICE, step, FeeBasis.PER_PAGE, 40, Decimal(100)),
            )
            s.on(on, lambda: app.deem_withdrawn(rid, OFFICE, on, outcome, "逾期未缴费"))
            return
        if outcome is Outcome.CANNOT_PROVIDE_STILL_UNCLEAR:
            s.on(step, lambda: app.request_correction(rid, OFFICE, step, ["描述不明确"]))
            fixed = step + timedelta(days=3)
            s.on(fixed, lambda: app.record_correction(rid, OFFICE, fixed))
        if outcome is Outcome.NOT_PROCESSED_EXCESSIVE:
            s.on(step, lambda: app.query_excessiveness(rid, OFFICE, step, "短期内大量申请"))
            later = step + timedelta(days=3)
            s.on(later, lambda: app.assess_excessiveness(rid, OFFICE, later, False, "理由不合理"))
        s.on(on, lambda: self.reply(rid, on, outcome))

    def reply(self, rid: UUID, on: date, outcome: Outcome) -> None:
        self.app.reply_to_request(
            rid,
            OFFICE,
            on,
            outcome,
            legal_basis="《中华人民共和国政府信息公开条例》第三十六条",
            reasons="经审查",
            remedy="可于六十日内申请行政复议或六个月内提起行政诉讼",
            withheld_reasons="部分内容涉及商业秘密" if outcome is Outcome.PARTLY_DISCLOSED else "",
            holding_agency="长春市自然资源局" if outcome is Outcome.CANNOT_PROVIDE_NOT_HELD else "",
        )

    def reconsideration(
        self, rid: UUID, filed: str, result: AppealResult | None, decided: str = ""
    ) -> None:
        app, s = self.app, self.script
        s.on(d(filed), lambda: app.file_reconsideration(rid, OFFICE, d(filed), "长春市人民政府"))
        if result is not None:
            s.on(d(decided), lambda: app.decide_reconsideration(rid, OFFICE, d(decided), result))

    def suit(
        self,
        rid: UUID,
        kind: LitigationKind,
        filed: str,
        result: AppealResult | None,
        decided: str = "",
    ) -> None:
        app, s = self.app, self.script
        s.on(d(filed), lambda: app.file_litigation(rid, OFFICE, d(filed), kind, "宽城区人民法院"))
        if result is not None:
            s.on(d(decided), lambda: app.decide_litigation(rid, OFFICE, d(decided), result))

    # ---- items ------------------------------------------------------------------------------

    def item(
        self,
        agency: str,
        document_type: DocumentType,
        formed: str,
        published: str | None = None,
        ended: tuple[str, Validity] | None = None,
        republished: str | None = None,
    ) -> UUID:
        iid = uuid4()
        app, s = self.app, self.script
        s.on(
            d(formed),
            lambda: app.register_item(
                DRAFTER,
                agency_code=agency,
                title="关于印发某管理办法的通知",
                department="法规科",
                formed_on=d(formed),
                document_type=document_type,
                item_id=iid,
            ),
        )
        s.on(d(formed), lambda: app.mark_attribute(iid, DRAFTER, d(formed), Attribute.PROACTIVE))
        if published is not None:
            s.on(d(published), lambda: self._publish(iid, d(published)))
        if republished is not None:
            again = d(republished)
            s.on(again, lambda: app.change_item(iid, DRAFTER, again, "修改部分条款"))
            s.on(again, lambda: self._publish(iid, again))
        if ended is not None:
            end, validity = d(ended[0]), ended[1]
            s.on(end, lambda: app.end_item_validity(iid, LEADER, end, validity, "已被新文件替代"))
        return iid

    def _publish(self, iid: UUID, on: date) -> None:
        self.app.review_confidentiality(iid, REVIEWER, on, ReviewConclusion.PROACTIVE)
        self.app.approve_item(iid, LEADER, on)
        self.app.publish_item(iid, OFFICE, on, [Channel.PORTAL])

    # ---- the report record ------------------------------------------------------------------

    def figures(self, agency: str, recorded: str, *values: int | str, note: str = "") -> None:
        licensing, penalty, enforcement, fees = values
        figures = YearlyFigures(
            licensing_decisions=int(licensing),
            penalty_decisions=int(penalty),
            enforcement_decisions=int(enforcement),
            fee_amount_10k_yuan=Decimal(str(fees)),
        )
        on = d(recorded)
        self.script.on(
            on,
            lambda: self.app.record_yearly_figures(
                OFFICE, agency_code=agency, year=2024, on=on, figures=figures, note=note
            ),
        )

    def texts(self, level: ReportLevel, subject: str, recorded: str) -> None:
        on = d(recorded)

        def record(section: ReportSection, text: str) -> Callable[[], object]:
            return lambda: self.app.record_report_section(
                OFFICE, level=level, subject=subject, year=2024, on=on, section=section, text=text
            )

        for section, text in TEXT.items():
            self.script.on(on, record(section, text))

    def publish(self, level: ReportLevel, subject: str, published: str) -> None:
        on = d(published)
        self.script.on(
            on,
            lambda: self.app.publish_annual_report(
                OFFICE, level=level, subject=subject, year=2024, on=on, url="https://example.cn/nb"
            ),
        )


def build(app: Any, clock: Clock) -> dict[str, UUID]:
    """Run the scenario through `app`; returns the ids the tests refer to."""
    g = Golden(app)
    ids: dict[str, UUID] = {}
    o = Outcome
    # Carried in from 2023 (二 上年结转) and 2023 controls that must not appear in 2024.
    ids["c1"] = g.request(A, NP, "2023-12-20", o.DISCLOSED, "2024-01-10")
    ids["c2"] = g.request(A, CE, "2023-12-25", o.NOT_DISCLOSED_THIRD_PARTY, "2024-01-15")
    ids["c3"] = g.request(A, NP, "2023-06-01", o.DISCLOSED, "2023-06-20")
    ids["c4"] = g.request(A, NP, "2023-03-01", o.DISCLOSED, "2023-03-20")
    # Received and answered in 2024: every sub-reason, every applicant type.
    plan = [
        ("r01", NP, "2024-01-08", o.DISCLOSED, "2024-01-20"),
        ("r02", RI, "2024-01-15", o.PARTLY_DISCLOSED, "2024-02-05"),
        ("r03", NP, "2024-02-01", o.NOT_DISCLOSED_STATE_SECRET, "2024-02-20"),
        ("r04", CE, "2024-02-10", o.NOT_DISCLOSED_PROHIBITED_BY_LAW, "2024-03-01"),
        ("r05", PI, "2024-02-20", o.NOT_DISCLOSED_THREE_SECURITIES, "2024-03-10"),
        ("r06", LS, "2024-03-01", o.NOT_DISCLOSED_THIRD_PARTY, "2024-03-20"),
        ("r07", OO, "2024-03-10", o.NOT_DISCLOSED_INTERNAL_AFFAIRS, "2024-03-25"),
        ("r08", NP, "2024-03-15", o.NOT_DISCLOSED_PROCESS_INFORMATION, "2024-04-01"),
        ("r09", CE, "2024-03-20", o.NOT_DISCLOSED_ENFORCEMENT_CASE_FILE, "2024-04-10"),
        ("r10", NP, "2024-04-01", o.NOT_DISCLOSED_ENQUIRY_MATTER, "2024-04-15"),
        ("r11", NP, "2024-01-20", o.CANNOT_PROVIDE_NOT_HELD, "2024-02-10"),
        ("r12", RI, "2024-04-10", o.CANNOT_PROVIDE_WOULD_CREATE, "2024-04-25"),
        ("r13", NP, "2024-04-15", o.CANNOT_PROVIDE_STILL_UNCLEAR, "2024-05-10"),
        ("r14", NP, "2024-02-15", o.NOT_PROCESSED_PETITION, "2024-03-01"),
        ("r15", CE, "2024-05-10", o.NOT_PROCESSED_REPEATED, "2024-05-20"),
        ("r16", PI, "2024-05-15", o.NOT_PROCESSED_PUBLICATION, "2024-05-25"),
        ("r17", NP, "2024-06-01", o.NOT_PROCESSED_EXCESSIVE, "2024-06-12"),
        ("r18", LS, "2024-06-10", o.NOT_PROCESSED_CONFIRMATION, "2024-06-20"),
        ("r19", NP, "2024-02-01", o.OTHER_NO_CORRECTION, "2024-03-01"),
        ("r20", CE, "2024-03-01", o.OTHER_FEE_UNPAID, "2024-05-10"),
        ("r21", OO, "2024-07-01", o.OTHER, "2024-07-15"),
        ("r22", NP, "2024-07-10", o.DISCLOSED, "2024-07-20"),
        ("r23", NP, "2024-08-01", o.DISCLOSED, "2024-08-15"),
        ("r24", LS, "2024-09-01", o.DISCLOSED, "2024-09-10"),
        ("r25", NP, "2024-10-08", o.PARTLY_DISCLOSED, "2024-10-25"),
    ]
    for key, applicant_type, received, outcome, replied in plan:
        ids[key] = g.request(A, applicant_type, received, outcome, replied)
    # Carried into 2025 (四 结转下年度): one answered in January, one never answered on record.
    ids["r26"] = g.request(A, NP, "2024-12-20", o.DISCLOSED, "2025-01-08")
    ids["r27"] = g.request(A, CE, "2024-12-28")
    # Received in 2025: not in the 2024 report.
    ids["r28"] = g.request(A, NP, "2025-01-05", o.DISCLOSED, "2025-01-20")

    # Reconsideration (行政复议) and litigation (行政诉讼).
    r, s = AppealResult, LitigationKind
    g.reconsideration(ids["c1"], "2024-02-01", r.MAINTAINED, "2024-04-01")
    g.reconsideration(ids["r03"], "2024-05-01", r.CORRECTED, "2024-07-01")
    g.suit(ids["r03"], s.AFTER_RECONSIDERATION, "2024-07-20", r.MAINTAINED, "2024-12-01")
    g.reconsideration(ids["r04"], "2024-06-01", r.OTHER, "2024-08-01")
    g.suit(ids["r04"], s.AFTER_RECONSIDERATION, "2024-09-01", None)
    g.reconsideration(ids["r05"], "2024-11-15", r.MAINTAINED, "2025-01-20")  # pending 2024
    g.reconsideration(ids["c3"], "2023-07-01", r.CORRECTED, "2024-01-20")  # filed 2023
    g.reconsideration(ids["c4"], "2023-04-01", r.MAINTAINED, "2023-06-01")  # all in 2023
    g.suit(ids["r02"], s.DIRECT, "2024-05-01", r.MAINTAINED, "2024-06-30")
    g.suit(ids["r11"], s.DIRECT, "2024-03-01", r.CORRECTED, "2024-09-01")
    g.suit(ids["r14"], s.DIRECT, "2024-04-01", r.OTHER, "2024-10-01")
    g.suit(ids["r15"], s.DIRECT, "2024-10-01", None)
    g.suit(ids["r01"], s.DIRECT, "2025-01-10", None)  # filed 2025

    # Items (section 二).
    rule, normative = DocumentType.RULE, DocumentType.NORMATIVE
    g.item(A, rule, "2023-02-20", "2023-03-01")
    g.item(A, rule, "2024-01-20", "2024-02-01")
    g.item(A, normative, "2022-04-01", "2022-04-15", ended=("2024-06-01", Validity.ABOLISHED))
    g.item(A, normative, "2024-02-20", "2024-03-01", republished="2024-08-05")
    g.item(A, normative, "2024-03-20", "2024-04-01", ended=("2024-10-01", Validity.REVOKED))
    g.item(A, normative, "2023-04-20", "2023-05-01")
    g.item(A, normative, "2024-06-01")  # never published
    g.item(A, normative, "2024-12-20", "2025-01-10")  # published in 2025
    g.item(A, normative, "2024-05-01", ended=("2024-05-20", Validity.ABOLISHED))  # unpublished
    g.item(A, DocumentType.ORDINARY, "2024-05-01", "2024-05-10")

    # Agency B.
    g.request(B, NP, "2024-03-01", o.DISCLOSED, "2024-03-20")
    ids["b2"] = g.request(B, OO, "2024-05-01", o.CANNOT_PROVIDE_NOT_HELD, "2024-05-25")
    g.request(B, NP, "2023-12-28", o.PARTLY_DISCLOSED, "2024-01-05")
    g.request(B, RI, "2024-12-30")
    g.reconsideration(ids["b2"], "2024-06-10", r.MAINTAINED, "2024-08-10")
    g.item(B, normative, "2024-04-20", "2024-05-01")

    # The reports: A on time, B late, the city on time.
    g.figures(A, "2025-01-15", 120, 35, 4, "1.25")
    g.texts(ReportLevel.AGENCY, A, "2025-01-20")
    g.publish(ReportLevel.AGENCY, A, "2025-01-28")
    g.figures(B, "2025-01-25", 10, 2, 0, "0")
    g.texts(ReportLevel.AGENCY, B, "2025-01-25")
    g.publish(ReportLevel.AGENCY, B, "2025-02-05")
    g.texts(ReportLevel.CITY, CITY, "2025-02-15")
    g.publish(ReportLevel.CITY, CITY, "2025-02-18")

    # Corrections recorded after the cut-off.
    # 1. r27 was in fact answered on 30 December 2024 (重复申请); the reply is recorded late.
    late = o.NOT_PROCESSED_REPEATED
    g.script.on(d("2025-02-10"), lambda: g.reply(ids["r27"], d("2024-12-30"), late))
    # 2. The office recounts its penalty decisions: 37, not 35.
    g.figures(A, "2025-02-12", 120, 37, 4, "1.25", note="复核后更正行政处罚决定数量")
    g.script.run(clock)
    return ids


def project(app: Any, store: SqlStore, *, per_event: bool = False) -> AnnualReportModel:
    """Fold the whole log into a fresh read model (standing in for the projection driver)."""
    model = AnnualReportModel()
    with store.transaction() as tx:
        model.drop(tx)
        model.create(tx)
    notifications = app.recorder.select_notifications(
        start=0, limit=1_000_000, inclusive_of_start=False
    )
    events = [(app.mapper.to_domain_event(n), n.id) for n in notifications]
    with store.transaction() as tx:
        if per_event:
            for event, notification_id in events:
                model.handle(tx, event, notification_id)
        else:
            model.handle_batch(tx, events)
    return model
