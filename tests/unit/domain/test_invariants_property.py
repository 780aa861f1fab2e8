"""Random command sequences keep every invariant; a reload from the SQLite file is identical."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.application import GongkaiLedger
from domain.base import Actor, Approval
from domain.codes import (
    AnnualReviewOutcome,
    ApplicantType,
    Attribute,
    Channel,
    ConsultationAnswer,
    FeeBasis,
    NonDisclosureGround,
    Outcome,
    RequestChannel,
    ReviewConclusion,
    Role,
    ThirdPartyInterest,
    Validity,
)
from domain.disclosure_item import DisclosureItem
from domain.disclosure_request import Applicant, DisclosureRequest
from domain.errors import RuleViolation
from domain.fees import maximum_fee
from tests.backends import backend_for

AGENCIES = ("11152200ARXS", "640500ZW")
START = date(2024, 11, 4)
ARCHIVE_ALLOWED = {
    "AnnualReviewDecided",
    "ExemptionLifted",
    "ValidityEnded",
    "ObjectionRecorded",
    "ConfidentialityReviewed",
    "Approved",
    "Published",
    "CatalogueRegistered",
    "InterpretationLinked",
    "CoIssuerConsulted",
    "CoIssuerAnswered",
}


def official(role: Role) -> Actor:
    return Actor(official_id=f"{role.value}-1", role=role, department="规划处")


DRAFTER, OFFICE, REVIEWER, LEADER = (
    official(Role.DRAFTER),
    official(Role.DISCLOSURE_OFFICE),
    official(Role.CONFIDENTIALITY_REVIEWER),
    official(Role.LEADER_IN_CHARGE),
)


def approval(on: date) -> Approval:
    return Approval(approver=LEADER, approved_on=on)


ItemCommand = Callable[[GongkaiLedger, UUID, date, int], Any]
ITEM_COMMANDS: list[ItemCommand] = [
    lambda a, i, d, k: a.mark_attribute(i, DRAFTER, d, list(Attribute)[k % 3], "理由", None),
    lambda a, i, d, k: a.mark_attribute(
        i, DRAFTER, d, Attribute.NOT_DISCLOSED, "内部事务", NonDisclosureGround.INTERNAL_AFFAIRS
    ),
    lambda a, i, d, k: a.audit_attribute(i, OFFICE, d),
    lambda a, i, d, k: a.review_confidentiality(i, REVIEWER, d, list(ReviewConclusion)[k % 4]),
    lambda a, i, d, k: a.approve_item(i, LEADER, d),
    lambda a, i, d, k: a.publish_item(i, OFFICE, d, [Channel.PORTAL]),
    lambda a, i, d, k: a.register_in_catalogue(i, OFFICE, d),
    lambda a, i, d, k: a.change_item(i, DRAFTER, d, "修订"),
    lambda a, i, d, k: a.end_item_validity(i, LEADER, d, list(Validity)[k % 3], "废止"),
    lambda a, i, d, k: a.decide_annual_review(
        i, OFFICE, d, list(AnnualReviewOutcome)[k % 2], "复查", approval(d)
    ),
    lambda a, i, d, k: a.lift_exemption(i, OFFICE, d, "情况变化", approval(d)),
    lambda a, i, d, k: a.archive_item(i, OFFICE, d),
    lambda a, i, d, k: a.consult_co_issuer(i, OFFICE, d, "财政局"),
    lambda a, i, d, k: a.record_co_issuer_answer(
        i, OFFICE, d, "财政局", list(ConsultationAnswer)[k % 3]
    ),
]

RequestCommand = Callable[[GongkaiLedger, UUID, date, int], Any]
REQUEST_COMMANDS: list[RequestCommand] = [
    lambda a, r, d, k: a.register_request(r, OFFICE, d),
    lambda a, r, d, k: a.request_correction(r, OFFICE, d, ["内容不明确"]),
    lambda a, r, d, k: a.record_correction(r, OFFICE, d),
    lambda a, r, d, k: a.consult_third_party(
        r, OFFICE, d, "甲公司", ThirdPartyInterest.COMMERCIAL_SECRET
    ),
    lambda a, r, d, k: a.record_third_party_answer(
        r, OFFICE, d, "甲公司", list(ConsultationAnswer)[k % 3]
    ),
    lambda a, r, d, k: a.extend_request(r, OFFICE, d, 5 + k % 30, "复杂", approval(d)),
    lambda a, r, d, k: a.notice_fee(
        r, OFFICE, d, FeeBasis.PER_PAGE, 31 + k, Decimal(10 * (1 + k % 5))
    ),
    lambda a, r, d, k: a.record_fee_payment(r, OFFICE, d),
    lambda a, r, d, k: a.reply_to_request(
        r,
        OFFICE,
        d,
        list(Outcome)[k % len(Outcome)],
        "条例第36条",
        "理由",
        "可申请复议或诉讼",
        "部分涉密",
    ),
    lambda a, r, d, k: a.deem_withdrawn(r, OFFICE, d, Outcome.OTHER_NO_CORRECTION, "逾期未补正"),
    lambda a, r, d, k: a.deliver_reply(r, OFFICE, d, "邮寄"),
    lambda a, r, d, k: a.file_reconsideration(r, OFFICE, d, "市政府"),
    lambda a, r, d, k: a.archive_request(r, OFFICE, d),
]

# Indexes into the command lists that walk each lifecycle forward; random steps interleave.
ITEM_PATH = (0, 2, 3, 4, 12, 13, 5, 6, 7, 3, 4, 5, 6, 11, 9, 10, 8)
REQUEST_PATH = (0, 3, 4, 5, 6, 7, 8, 10, 11, 12)

steps = st.lists(
    st.tuples(
        st.booleans(),
        st.integers(0, 3).map(lambda n: n > 0),  # three steps in four follow the lifecycle
        st.integers(0, 40),
        st.integers(0, 6),
        st.integers(0, 60),
    ),
    min_size=10,
    max_size=50,
)


def comparable(aggregate: Any) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if hasattr(value, "__dict__") and not hasattr(value, "model_dump"):
            return plain(vars(value))
        return value

    return {k: plain(v) for k, v in vars(aggregate).items() if k not in ("clock", "_pending")}


def check_item_invariants(app: GongkaiLedger, item: DisclosureItem) -> None:
    history = app.history(item.id)
    assert item.version == len(history)
    if item.attribute is Attribute.NOT_DISCLOSED:
        # 000 §一(三)2: non-disclosure always carries its reason and legal ground.
        assert item.attribute_reason and item.attribute_ground is not None
    state: Any = None
    for event in history:
        if isinstance(event, DisclosureItem.Published):
            # 002 Art 8; 001 Art 8: no publication without review and approval.
            assert state.review is ReviewConclusion.PROACTIVE and state.approval is not None
            assert state.attribute is Attribute.PROACTIVE
        if state is not None and state.is_archived:
            assert type(event).__name__ in ARCHIVE_ALLOWED
        state = event.mutate(state)


def check_request_invariants(app: GongkaiLedger, request: DisclosureRequest) -> None:
    history = app.history(request.id)
    assert request.version == len(history)
    policy = app.policy(request.agency_code)
    assert request.extension_days <= policy.extension_days  # 002 Art 35(二); 004 att.2 Art 6
    assert sum(isinstance(e, DisclosureRequest.Extended) for e in history) <= 1
    for event in history:
        if isinstance(event, DisclosureRequest.FeeNoticed):
            assert event.amount <= maximum_fee(event.basis, event.count)  # Regulation Art 42
        if isinstance(event, DisclosureRequest.Replied):
            assert event.legal_basis and event.reasons and event.remedy  # 002 Art 39
            assert event.outcome not in (Outcome.OTHER_NO_CORRECTION, Outcome.OTHER_FEE_UNPAID)
    closings = [
        e
        for e in history
        if isinstance(e, (DisclosureRequest.Replied, DisclosureRequest.DeemedWithdrawn))
    ]
    assert len(closings) <= 1 and (request.outcome is not None) == bool(closings)


# `backend_name` is a plain string: sharing it between examples is safe.
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=steps, agency_pick=st.integers(0, 1))
def test_random_histories_keep_invariants_and_reload_identically(backend_name, steps, agency_pick):
    """Invariants of 000 §一(三)2, 002 Art 8/35/39, the Regulation Art 42 under random commands;
    each example in a fresh store (a SQLite file, or a PostgreSQL schema), reloaded from it."""
    with tempfile.TemporaryDirectory() as folder, backend_for(backend_name, Path(folder)) as store:
        app = store.ledger()
        agency = AGENCIES[agency_pick]
        item_id = app.register_item(
            DRAFTER,
            agency_code=agency,
            title="关于某事项的通知",
            department="规划处",
            formed_on=START,
            co_issuers=["财政局"],
        ).id
        request_id = app.receive_request(
            OFFICE,
            agency_code=agency,
            channel=RequestChannel.ONLINE,
            applicant=Applicant(applicant_type=ApplicantType.NATURAL_PERSON, name="王五"),
            description="请求公开某文件",
            department="办公室",
            confirmed_on=START,
        ).id
        day = START
        progress = {True: 0, False: 0}
        for on_item, follow_path, pick, gap, knob in steps:
            day += timedelta(days=gap)
            commands = ITEM_COMMANDS if on_item else REQUEST_COMMANDS
            target = item_id if on_item else request_id
            script = ITEM_PATH if on_item else REQUEST_PATH
            if follow_path and progress[on_item] < len(script):
                pick, knob = script[progress[on_item]], 0
                progress[on_item] += 1
            before = app.get_item(item_id).version + app.get_request(request_id).version
            try:
                commands[pick % len(commands)](app, target, day, knob)
            except (RuleViolation, ValueError):
                after = app.get_item(item_id).version + app.get_request(request_id).version
                assert after == before  # a refusal stores nothing
        item, request = app.get_item(item_id), app.get_request(request_id)
        check_item_invariants(app, item)
        check_request_invariants(app, request)
        reloaded = store.ledger()
        assert comparable(reloaded.get_item(item_id)) == comparable(item)
        assert comparable(reloaded.get_request(request_id)) == comparable(request)
