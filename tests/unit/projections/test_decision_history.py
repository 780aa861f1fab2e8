"""The decision history: who did what, when, on what basis and on whose approval."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import pytest

from domain.application import GongkaiLedger
from domain.codes import Attribute, NonDisclosureGround, Outcome, ReviewConclusion
from domain.disclosure_item import DisclosureItem
from projections.decision_history import DecisionHistory, by_official, state_at, timeline
from projections.driver import ProjectionDriver
from projections.store import SqlStore
from tests.backends import Backend
from tests.unit.projections.ledger_story import (
    DRAFTER,
    LEADER,
    OFFICE,
    PERSONAL_DATA,
    REVIEWER,
    approval,
    cells,
    publish,
    receive,
    register,
)

T = TypeVar("T")
ON = date(2025, 3, 3)


@pytest.fixture
def app(backend: Backend) -> GongkaiLedger:
    return backend.ledger()


@pytest.fixture
def store(backend: Backend) -> SqlStore:
    return backend.store("read_models")


def read(app: GongkaiLedger, store: SqlStore, query: Callable[..., T], *args: Any) -> T:
    """Process what is new, then answer `query` from the store (and the events it renders)."""
    ProjectionDriver(app, store, [DecisionHistory()], batch_size=5).catch_up()
    with store.reading() as tx:
        return query(tx, app, *args)


def test_an_items_timeline_names_each_actor_step_and_approver(
    app: GongkaiLedger, store: SqlStore
) -> None:
    """004 att.3 Art 6; 002 Art 64: responsibility follows who acted and who approved, and a
    collective decision names its meeting."""
    item = register(app)
    app.mark_attribute(item, DRAFTER, ON, Attribute.PROACTIVE)
    app.audit_attribute(item, OFFICE, ON)
    app.review_confidentiality(item, REVIEWER, ON, ReviewConclusion.PROACTIVE)
    app.approve_item(item, LEADER, ON, approval(ON, collective=True))
    entries = read(app, store, timeline, item)
    assert [(e.version, e.event_type, e.official_id, e.role) for e in entries] == [
        (1, "Registered", "drafter-zhao", "drafter"),
        (2, "AttributeMarked", "drafter-zhao", "drafter"),
        (3, "AttributeAudited", "office-wang", "disclosure_office"),
        (4, "ConfidentialityReviewed", "reviewer-qian", "confidentiality_reviewer"),
        (5, "Approved", "leader-liu", "leader_in_charge"),
    ]
    assert [e.what_zh for e in entries[1:4]] == [
        "标注公开属性：主动公开",
        "审核公开属性：确认主动公开",
        "保密审查：主动公开",
    ]
    approved = entries[-1]
    assert (approved.approver_id, approved.approver_role) == ("leader-liu", "leader_in_charge")
    assert approved.collective and approved.meeting_ref == "局党组会议2025年第3次"
    assert approved.on_date == ON and approved.aggregate_type == "item"
    assert [e.notification_id for e in entries] == sorted(e.notification_id for e in entries)


def test_withholding_records_its_reason_and_legal_ground(
    app: GongkaiLedger, store: SqlStore
) -> None:
    """000 §一(三)2: 不予公开 is marked with the reason and the legal ground."""
    item = register(app)
    app.mark_attribute(
        item,
        DRAFTER,
        ON,
        Attribute.NOT_DISCLOSED,
        "属于过程性信息",
        NonDisclosureGround.PROCESS_INFORMATION,
    )
    marked = read(app, store, timeline, item)[-1]
    assert (marked.reason, marked.legal_basis) == ("属于过程性信息", "process_information")
    assert marked.what_en == "attribute marked: not_disclosed"


def test_an_objection_is_recorded_with_its_text(app: GongkaiLedger, store: SqlStore) -> None:
    """002 Art 64(二); 004 att.3 Art 6: a handler who objected bears less or none."""
    item = register(app)
    app.record_objection(item, DRAFTER, ON, 1, "本人认为应当主动公开")
    objected = read(app, store, timeline, item)[-1]
    assert objected.objection == "本人认为应当主动公开"
    assert objected.what_zh == "对第 1 项记录提出异议"


def test_a_request_is_recorded_without_the_applicants_personal_data(
    app: GongkaiLedger, store: SqlStore
) -> None:
    """The Regulation Art 29 data (name, identity, address, contact) and the description that
    names the applicant stay in the event store; the reply keeps its basis (002 Art 39)."""
    request = receive(app)
    app.reply_to_request(
        request,
        OFFICE,
        date(2025, 3, 20),
        Outcome.DISCLOSED,
        "《政府信息公开条例》第三十六条",
        "经检索，予以公开",
        "可在六十日内申请行政复议",
    )
    entries = read(app, store, timeline, request)
    assert [e.what_zh for e in entries] == [
        "收到申请（自然人，网络）",
        "登记申请，编号 005253103-申-2025-00001",
        "答复：予以公开",
    ]
    assert entries[-1].legal_basis == "《政府信息公开条例》第三十六条"
    assert entries[-1].reason == "经检索，予以公开"
    assert {e.aggregate_type for e in entries} == {"request"}
    text = "\n".join(cells(store))
    assert not [value for value in PERSONAL_DATA if value in text]


def test_by_official_lists_what_an_official_did_or_approved_in_a_period(
    app: GongkaiLedger, store: SqlStore
) -> None:
    """An approver shares responsibility for what they approved (004 att.3 Art 6)."""
    published = publish(app)
    later = register(app, formed_on=date(2025, 5, 6))
    app.mark_attribute(later, DRAFTER, date(2025, 5, 6), Attribute.PROACTIVE)
    leader_did = read(app, store, by_official, "leader-liu", date(2025, 3, 1), date(2025, 3, 31))
    assert [(e.aggregate_id, e.event_type) for e in leader_did] == [(str(published), "Approved")]
    drafter_did = read(app, store, by_official, "drafter-zhao", date(2025, 5, 1), date(2025, 5, 31))
    assert [e.event_type for e in drafter_did] == ["Registered", "AttributeMarked"]
    april = (date(2025, 4, 1), date(2025, 4, 30))
    assert read(app, store, by_official, "drafter-zhao", *april) == []


def test_state_at_an_entry_is_the_aggregate_as_it_stood_then(
    app: GongkaiLedger, store: SqlStore
) -> None:
    item = publish(app)
    entries = read(app, store, timeline, item)
    approved = next(e for e in entries if e.event_type == "Approved")
    then = state_at(app, approved)
    assert isinstance(then, DisclosureItem)
    assert then.version == approved.version and not then.is_published
    assert app.get_item(item).is_published
