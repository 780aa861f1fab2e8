"""Investigator queries (004 att.3 Art 4, 8: 调查取证、查清事实): who did what, when, on whose
approval, and what the ledger knew at any moment."""

from __future__ import annotations

from datetime import date

from domain.codes import AnnualReviewOutcome, Attribute, NonDisclosureGround
from domain.disclosure_item import DisclosureItem
from domain.disclosure_item import DisclosureItem as Item
from projections.investigation import (
    actions_of,
    as_it_stood,
    attribute_changes,
    decisions_on,
    load_histories,
)
from tests.unit.accountability.support import (
    ARXAN,
    HANDLER,
    KUANCHENG,
    LEADER,
    OFFICE,
    PRINCIPAL,
    approval,
    at,
    irregular_item,
    ledger,
    publish,
    publishable,
    receive,
    register,
    versions,
)

MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def test_everything_one_official_did_in_a_period():
    """004 att.3 Art 8: the facts of each official's part — acts, approvals, meetings."""
    app, clock = ledger()
    item_id = publishable(app, clock, KUANCHENG, date(2025, 3, 3))  # leader approves, v5
    publish(app, clock, item_id, date(2025, 3, 10))
    publishable(app, clock, KUANCHENG, date(2025, 4, 1))  # outside the period
    history = irregular_item(ARXAN, date(2025, 3, 12))
    history.add(
        Item.Approved,
        date(2025, 3, 12),
        PRINCIPAL,
        approval=approval(
            date(2025, 3, 12),
            PRINCIPAL,
            collective=True,
            meeting_ref="2025年第3次局务会",
            members=(PRINCIPAL.official_id, LEADER.official_id),
        ),
    )
    app.save(*history.events)
    histories = load_histories(app)

    leader = actions_of(histories, LEADER.official_id, *MARCH)
    assert [(a.ref.aggregate_id, a.ref.version, a.capacity) for a in leader] == [
        (item_id, 5, "approved"),
        (history.id, 3, "collective_member"),
    ]
    assert "collective 2025年第3次局务会" in leader[1].summary
    office = actions_of(histories, OFFICE.official_id, *MARCH)
    assert [(a.ref.version, a.capacity) for a in office] == [(3, "acted"), (6, "acted")]
    request_id = receive(app, clock, ARXAN, date(2025, 3, 20))  # takes a registration number
    office = actions_of(load_histories(app), OFFICE.official_id, *MARCH)
    assert [(a.ref.aggregate_id, a.ref.version) for a in office][2:] == [
        (request_id, 1),
        (request_id, 2),
    ]
    assert office[1].summary == "Published: channels=['portal']"


def test_every_decision_on_an_item_and_who_approved_it():
    """002 Art 4; 003 Art 12(二): the publication shows the approval it relied on."""
    app, clock = ledger()
    item_id = publishable(app, clock, KUANCHENG, date(2025, 3, 3))
    clock.on(date(2025, 3, 4))
    app.record_objection(item_id, OFFICE, date(2025, 3, 4), 5, "应先征求意见")
    publish(app, clock, item_id, date(2025, 3, 10))

    decisions = decisions_on(app.history(item_id))
    assert [(d.ref.version, d.ref.event_type) for d in decisions] == [
        (2, "AttributeMarked"),
        (3, "AttributeAudited"),
        (4, "ConfidentialityReviewed"),
        (5, "Approved"),
        (7, "Published"),
    ]
    approved, published = decisions[3], decisions[4]
    assert approved.approval is not None and approved.approval.approver == LEADER
    assert [o.official_id for o in approved.objections] == [OFFICE.official_id]
    assert published.actor == OFFICE
    assert published.approval == approved.approval and published.approval_ref == approved.ref


def test_every_item_whose_attribute_changed():
    """002 Art 55 (March reclassification); 000 §一(三)3 (the office corrects the attribute)."""
    app, clock = ledger()
    withheld = register(app, clock, KUANCHENG, date(2024, 5, 6))
    app.mark_attribute(
        withheld,
        HANDLER,
        date(2024, 5, 6),
        Attribute.NOT_DISCLOSED,
        reason="内部人事安排",
        legal_ground=NonDisclosureGround.INTERNAL_AFFAIRS,
    )
    clock.on(date(2025, 3, 20))
    app.decide_annual_review(
        withheld,
        OFFICE,
        date(2025, 3, 20),
        AnnualReviewOutcome.RECLASSIFIED,
        "情况变化，应当公开",
        approval(date(2025, 3, 20)),
    )
    corrected = register(app, clock, KUANCHENG, date(2025, 3, 3))
    app.mark_attribute(corrected, HANDLER, date(2025, 3, 3), Attribute.ON_REQUEST)
    app.audit_attribute(corrected, OFFICE, date(2025, 3, 4), Attribute.PROACTIVE)
    unchanged = register(app, clock, KUANCHENG, date(2025, 3, 3))
    app.mark_attribute(unchanged, HANDLER, date(2025, 3, 3), Attribute.PROACTIVE)

    changes = attribute_changes(load_histories(app), *MARCH)
    assert [(c.item_id, c.before, c.after, c.actor) for c in changes] == [
        (corrected, Attribute.ON_REQUEST, Attribute.PROACTIVE, OFFICE),
        (withheld, Attribute.NOT_DISCLOSED, Attribute.PROACTIVE, OFFICE),
    ]
    assert changes[1].approval is not None and changes[1].approval.approver == LEADER
    assert attribute_changes(load_histories(app), date(2025, 4, 1), date(2025, 12, 31)) == []


def test_what_the_ledger_knew_and_when():
    """004 att.3 Art 8: 查清事实 — a publication dated 10 March but recorded on 12 March."""
    app, clock = ledger()
    item_id = publishable(app, clock, KUANCHENG, date(2025, 3, 3))
    clock.on(date(2025, 3, 12))
    app.publish_item(item_id, OFFICE, date(2025, 3, 10), ["portal"])

    snapshot = as_it_stood(app, item_id, at(date(2025, 3, 11)))
    recorded: DisclosureItem = snapshot.as_recorded
    dated: DisclosureItem = snapshot.as_dated
    assert recorded.version == 5 and not recorded.is_published
    assert dated.version == 6 and dated.published_on == date(2025, 3, 10)
    assert versions(snapshot.known) == [1, 2, 3, 4, 5]
    assert versions(snapshot.recorded_later) == [6]

    before = as_it_stood(app, item_id, at(date(2025, 1, 1)))
    assert before.as_recorded is None and before.as_dated is None


def test_histories_of_one_agency():
    """domain.md §1: agencies are kept apart; the reviewer sees only the agency asked about."""
    app, clock = ledger()
    item_id = publishable(app, clock, KUANCHENG, date(2025, 3, 3))
    request_id = receive(app, clock, ARXAN, date(2025, 3, 3))
    assert set(load_histories(app, KUANCHENG)) == {item_id}
    assert set(load_histories(app, ARXAN)) == {request_id}
    # registration numbers and index numbers live in sequences, which belong to no history here
    assert item_id in load_histories(app) and len(load_histories(app)) > 2
