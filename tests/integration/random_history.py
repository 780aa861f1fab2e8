"""Random but valid histories: command steps drawn by hypothesis, run through the application
service. A step the rules refuse records nothing, so every stored history is one the domain
allowed; the steps are chosen so that most of them are allowed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from hypothesis import strategies as st

from domain.application import GongkaiLedger
from domain.codes import (
    AnnualReviewOutcome,
    AppealResult,
    Attribute,
    Channel,
    ConsultationAnswer,
    DocumentType,
    FeeBasis,
    NonDisclosureGround,
    Outcome,
    ReadingRoomMode,
    RequestChannel,
    ReviewConclusion,
    ThirdPartyInterest,
    Validity,
)
from domain.errors import DomainError
from tests.unit.projections.ledger_story import (
    APPLICANT,
    DRAFTER,
    LEADER,
    OFFICE,
    REQUEST_DESCRIPTION,
    REVIEWER,
    ZHENGZHOU,
    ZHONGWEI,
    approval,
)

TITLES = (
    "关于印发郑州市工业互联网发展规划的通知",
    "中卫市科学技术局关于2025年科技专项资金安排的公示",
    "关于做好安全生产专项检查的通知",
    "关于调整中小企业扶持政策的意见",
)
ITEM_OPS = (
    "register",
    "published_item",
    "advance",
    "advance",
    "advance",
    "advance",
    "mark",
    "audit",
    "review",
    "approve",
    "publish",
    "catalogue",
    "change",
    "end_validity",
    "interpret",
    "reading_room",
    "annual_review",
    "lift",
    "archive",
    "objection",
)
REQUEST_OPS = (
    "receive",
    "correction",
    "corrected",
    "consult",
    "answer",
    "extend",
    "fee",
    "reply",
    "deliver",
    "reconsider",
    "archive_request",
)
# (operation, which aggregate, a variant, days to move the clock forward)
Step = tuple[str, int, int, int]


def steps(min_size: int = 20, max_size: int = 80) -> st.SearchStrategy[list[Step]]:
    return st.lists(
        st.tuples(
            st.sampled_from(ITEM_OPS + REQUEST_OPS + ("project",)),
            st.integers(0, 3),
            st.integers(0, 5),
            st.integers(0, 45),
        ),
        min_size=min_size,
        max_size=max_size,
    )


@dataclass
class World:
    app: GongkaiLedger
    today: date = date(2024, 3, 1)
    items: list[UUID] = field(default_factory=list)
    requests: list[UUID] = field(default_factory=list)

    def run(self, step: Step) -> None:
        operation, which, variant, days = step
        self.today = min(self.today + timedelta(days=days), date(2026, 6, 30))
        try:
            if operation in ITEM_OPS:
                self._item(operation, which, variant)
            elif operation in REQUEST_OPS:
                self._request(operation, which, variant)
        except DomainError:
            pass  # refused by the rules: nothing was recorded

    def _item(self, operation: str, which: int, variant: int) -> None:
        app, on = self.app, self.today
        if operation == "published_item":
            self._item("register", which, variant)
            for _ in range(6):
                self._advance(self.items[-1])
            return
        if operation == "register" or not self.items:
            self.items.append(
                app.register_item(
                    DRAFTER,
                    agency_code=(ZHENGZHOU, ZHONGWEI)[variant % 2],
                    title=TITLES[variant % len(TITLES)],
                    department=("规划处", "科技科")[which % 2],
                    formed_on=on,
                    theme=("工业", "科技", "")[variant % 3],
                    document_type=(DocumentType.NORMATIVE, DocumentType.ORDINARY)[which % 2],
                ).id
            )
            return
        item = self.items[which % len(self.items)]
        attribute = (Attribute.PROACTIVE, Attribute.ON_REQUEST, Attribute.NOT_DISCLOSED)[
            variant % 3
        ]
        withheld = attribute is Attribute.NOT_DISCLOSED
        reason = "属于过程性信息" if withheld else ""
        ground = NonDisclosureGround.PROCESS_INFORMATION if withheld else None
        match operation:
            case "advance":
                self._advance(item)
            case "mark":
                app.mark_attribute(item, DRAFTER, on, attribute, reason, ground)
            case "audit":
                corrected = attribute if variant > 2 else None
                app.audit_attribute(item, OFFICE, on, corrected, reason, ground)
            case "review":
                conclusion = ReviewConclusion.PROACTIVE if variant < 4 else ReviewConclusion.EXEMPT
                app.review_confidentiality(item, REVIEWER, on, conclusion)
            case "approve":
                app.approve_item(item, LEADER, on, approval(on, collective=variant == 1))
            case "publish":
                app.publish_item(item, OFFICE, on, (Channel.PORTAL,), url=f"https://x.cn/{variant}")
            case "catalogue":
                app.register_in_catalogue(item, OFFICE, on)
            case "change":
                title = TITLES[(variant + 1) % len(TITLES)] if variant % 2 else None
                app.change_item(item, DRAFTER, on, "根据上级文件调整", title)
            case "end_validity":
                validity = (Validity.REVOKED, Validity.ABOLISHED)[variant % 2]
                app.end_item_validity(item, LEADER, on, validity, "已被新文件替代")
            case "interpret":
                app.link_interpretation(item, OFFICE, on, f"https://x.cn/jd/{variant}")
            case "reading_room":
                app.transfer_to_reading_room(item, OFFICE, on, ReadingRoomMode.ELECTRONIC)
            case "annual_review":
                outcome = (AnnualReviewOutcome.RECLASSIFIED, AnnualReviewOutcome.KEPT)[variant % 2]
                granted = approval(on) if outcome is AnnualReviewOutcome.RECLASSIFIED else None
                app.decide_annual_review(item, OFFICE, on, outcome, "情况变化", granted)
            case "lift":
                app.lift_exemption(item, OFFICE, on, "豁免理由已消失", approval(on))
            case "archive":
                app.archive_item(item, OFFICE, on)
            case "objection":
                app.record_objection(item, DRAFTER, on, 1, "本人认为应当主动公开")

    def _advance(self, item: UUID) -> None:
        """The next step towards publication, so that random histories often publish."""
        app, on = self.app, self.today
        state = app.get_item(item)
        if state.attribute is None:
            app.mark_attribute(item, DRAFTER, on, Attribute.PROACTIVE)
        elif not state.audited:
            app.audit_attribute(item, OFFICE, on)
        elif state.review is None:
            app.review_confidentiality(item, REVIEWER, on, ReviewConclusion.PROACTIVE)
        elif state.approval is None:
            app.approve_item(item, LEADER, on, approval(on))
        elif not state.is_current_version_published:
            app.publish_item(item, OFFICE, on, (Channel.PORTAL, Channel.WECHAT))
        else:
            app.register_in_catalogue(item, OFFICE, on)

    def _request(self, operation: str, which: int, variant: int) -> None:
        app, on = self.app, self.today
        if operation == "receive" or not self.requests:
            request = app.receive_request(
                OFFICE,
                agency_code=(ZHENGZHOU, ZHONGWEI)[variant % 2],
                channel=RequestChannel.ONLINE,
                applicant=APPLICANT,
                description=REQUEST_DESCRIPTION,
                department="办公室",
                confirmed_on=on,
            ).id
            self.requests.append(request)
            app.register_request(request, OFFICE, on)
            return
        request = self.requests[which % len(self.requests)]
        match operation:
            case "correction":
                app.request_correction(request, OFFICE, on, ["未提供身份证明"])
            case "corrected":
                app.record_correction(request, OFFICE, on)
            case "consult":
                app.consult_third_party(
                    request, OFFICE, on, f"TP-{variant}", ThirdPartyInterest.COMMERCIAL_SECRET
                )
            case "answer":
                answer = (ConsultationAnswer.AGREED, ConsultationAnswer.OBJECTED)[variant % 2]
                app.record_third_party_answer(request, OFFICE, on, f"TP-{variant}", answer)
            case "extend":
                app.extend_request(request, OFFICE, on, 10, "需要调取档案", approval(on))
            case "fee":
                app.notice_fee(request, OFFICE, on, FeeBasis.PER_PAGE, 40, Decimal("100.00"))
            case "reply":
                outcome = (
                    Outcome.DISCLOSED,
                    Outcome.PARTLY_DISCLOSED,
                    Outcome.NOT_DISCLOSED_STATE_SECRET,
                )[variant % 3]
                app.reply_to_request(
                    request,
                    OFFICE,
                    on,
                    outcome,
                    "《政府信息公开条例》第三十六条",
                    "经检索",
                    "可申请行政复议",
                )
            case "deliver":
                app.deliver_reply(request, OFFICE, on, "邮寄")
            case "reconsider":
                app.file_reconsideration(request, OFFICE, on, "市人民政府")
                app.decide_reconsideration(request, OFFICE, on, AppealResult.MAINTAINED)
            case "archive_request":
                app.archive_request(request, OFFICE, on)
