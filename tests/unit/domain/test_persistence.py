"""The pydantic mapper with the orjson transcoder round-trips every field type exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import orjson

from domain.base import Actor, Approval
from domain.codes import FeeBasis, Role
from domain.disclosure_request import DisclosureRequest
from domain.persistence import OrjsonTranscoder, PydanticMapper


def test_dates_datetimes_decimals_enums_round_trip():
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    office = Actor(official_id="o1", role=Role.DISCLOSURE_OFFICE, department="办公室")
    event = DisclosureRequest.FeeNoticed(
        originator_id=uuid4(),
        originator_version=7,
        timestamp=datetime(2025, 10, 9, 8, 30, 15, 123456, tzinfo=UTC),
        actor=office,
        on=date(2025, 10, 9),
        basis=FeeBasis.PER_PAGE,
        count=45,
        amount=Decimal("150.50"),
        due_on=date(2025, 11, 6),
    )
    stored = mapper.to_stored_event(event)
    assert stored.topic == "domain.disclosure_request:DisclosureRequest.FeeNoticed"
    assert orjson.loads(stored.state)["amount"] == "150.50"
    decoded = mapper.to_domain_event(stored)
    assert decoded == event
    assert type(decoded.timestamp) is datetime and decoded.timestamp.tzinfo is not None
    assert type(decoded.amount) is Decimal and decoded.basis is FeeBasis.PER_PAGE


def test_nested_models_round_trip():
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    leader = Actor(official_id="l1", role=Role.LEADER_IN_CHARGE, department="局领导")
    event = DisclosureRequest.FeeWaived(
        originator_id=uuid4(),
        originator_version=3,
        timestamp=datetime(2025, 1, 2, tzinfo=UTC),
        actor=leader,
        on=date(2025, 1, 2),
        reason="申请人经济困难",
        approval=Approval(
            approver=leader, approved_on=date(2025, 1, 2), collective=True, members=("a", "b")
        ),
    )
    assert mapper.to_domain_event(mapper.to_stored_event(event)) == event
