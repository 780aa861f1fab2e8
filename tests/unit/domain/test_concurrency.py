"""Optimistic concurrency on the embedded SQLite store: a conflicting write is never lost."""

from __future__ import annotations

from datetime import date

import pytest

from domain.application import GongkaiLedger
from domain.codes import Attribute
from domain.errors import ConcurrentWrite
from tests.unit.domain.conftest import ZHENGZHOU


def test_second_process_write_is_never_lost(tmp_path, drafter, office):
    """A writer whose cached copy is stale gets ConcurrentWrite; after it, the retry succeeds."""
    path = str(tmp_path / "ledger.sqlite")
    first, second = GongkaiLedger.embedded(path), GongkaiLedger.embedded(path)
    item_id = first.register_item(
        drafter,
        agency_code=ZHENGZHOU,
        title="通知",
        department="规划处",
        formed_on=date(2025, 3, 3),
    ).id
    first.get_item(item_id)  # cached in the first process
    second.mark_attribute(item_id, drafter, date(2025, 3, 3), Attribute.PROACTIVE)
    with pytest.raises(ConcurrentWrite):
        first.mark_attribute(item_id, drafter, date(2025, 3, 4), Attribute.ON_REQUEST, "待定")
    first.audit_attribute(item_id, office, date(2025, 3, 4))  # the stale copy was evicted
    events = [type(e).__name__ for e in GongkaiLedger.embedded(path).history(item_id)]
    assert events == ["Registered", "AttributeMarked", "AttributeAudited"]
