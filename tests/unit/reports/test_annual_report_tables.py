"""The pure counting rules and the fold, on small hand-made facts and events."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain.base import Actor
from domain.codes import ApplicantType, DocumentType, Role
from domain.disclosure_item import DisclosureItem as Item
from domain.disclosure_request import Applicant
from domain.disclosure_request import DisclosureRequest as Request
from projections.annual_report_facts import FactBook, count_book
from projections.annual_report_tables import (
    appeal_cells,
    check_request_cells,
    document_cells,
    open_from_earlier_years,
    request_cells,
)

NP = ApplicantType.NATURAL_PERSON.value
OFFICE = Actor(official_id="office", role=Role.DISCLOSURE_OFFICE, department="办公室")
T = datetime(2025, 1, 1, tzinfo=UTC)


def test_a_request_counts_once_per_year_across_three_years() -> None:
    # Received 2022, answered 2024 (e.g. a long agreed later date, the Regulation Art 35).
    counts = Counter({(NP, "disclosed", 2022, 2024): 1})
    y2022, y2023, y2024 = (request_cells(counts, y) for y in (2022, 2023, 2024))
    assert (y2022["new"][NP], y2022["carried_forward"][NP]) == (1, 1)
    # 2023: neither new nor closed; the template has no row, the note keeps it visible.
    assert all(y2023[row][NP] == 0 for row in y2023)
    assert open_from_earlier_years(counts, 2023) == 1
    assert (y2024["carried_over"][NP], y2024["disclosed"][NP], y2024["handled_total"][NP]) == (
        1,
        1,
        1,
    )
    assert open_from_earlier_years(counts, 2024) == 0
    for cells in (y2022, y2023, y2024):
        assert check_request_cells(cells) == []


def test_reply_in_the_year_of_receipt_is_not_carried() -> None:
    cells = request_cells(Counter({(NP, "other.3", 2024, 2024): 2}), 2024)
    assert cells["new"][NP] == cells["handled_total"][NP] == cells["other.3"]["total"] == 2
    assert cells["carried_over"][NP] == cells["carried_forward"][NP] == 0


def test_appeal_pending_across_year_ends() -> None:
    counts = Counter(
        {
            ("reconsideration", "corrected", 2023, 2025): 1,  # pending at the end of 2023 and 2024
            ("direct", "", 2024, 0): 1,  # still pending
            ("direct", "maintained", 2022, 2023): 1,  # decided before 2024
        }
    )
    y2024 = appeal_cells(counts, 2024)
    assert y2024["reconsideration"] == {
        "maintained": 0,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 1,
    }
    assert y2024["direct"]["pending"] == y2024["direct"]["total"] == 1
    assert appeal_cells(counts, 2025)["reconsideration"]["corrected"] == 1
    assert appeal_cells(counts, 2023)["direct"]["maintained"] == 1
    assert appeal_cells(counts, 2023)["reconsideration"]["pending"] == 1


def test_documents_issued_and_abolished_in_the_same_year() -> None:
    counts = Counter(
        {
            ("normative", 2024, 2024): 1,  # issued and abolished in 2024
            ("normative", 0, 2024): 3,  # never published: not counted at all
            ("rule", 2020, 0): 2,
            ("rule", 2025, 0): 1,
        }
    )
    cells = document_cells(counts, 2024)
    assert cells["normative"] == {"issued": 1, "abolished": 1, "in_force": 0}
    assert cells["rule"] == {"issued": 0, "abolished": 0, "in_force": 2}
    assert document_cells(counts, 2023)["normative"] == {"issued": 0, "abolished": 0, "in_force": 0}


def event(cls: Any, originator: UUID, version: int, on: date, **fields: Any) -> Any:
    return cls(
        originator_id=originator, originator_version=version, timestamp=T, actor=OFFICE, on=on,
        **fields,
    )  # fmt: skip


def test_fold_keeps_first_publication_and_decides_the_latest_appeal() -> None:
    book = FactBook()
    item, request = uuid4(), uuid4()
    applicant = Applicant(applicant_type=NP, name="某")
    book.fold(
        [
            event(Item.Registered, item, 1, date(2024, 1, 2), agency_code="X", title="办法",
                  department="法规科", document_type=DocumentType.NORMATIVE),
            event(Item.Published, item, 2, date(2024, 1, 5), channels=("portal",)),
            event(Item.Published, item, 3, date(2025, 3, 1), channels=("portal",)),
            event(Request.Received, request, 1, date(2024, 1, 2), agency_code="X",
                  channel="online", applicant=applicant, description="某文件", department="办公室"),
            event(Request.ReconsiderationFiled, request, 2, date(2024, 2, 1), body="市政府"),
            event(Request.ReconsiderationDecided, request, 3, date(2024, 3, 1), result="other"),
            event(Request.ReconsiderationFiled, request, 4, date(2024, 4, 1), body="市政府"),
            event(Request.ReconsiderationDecided, request, 5, date(2024, 5, 1), result="corrected"),
        ]
    )  # fmt: skip
    assert book.items[str(item)].published_on == date(2024, 1, 5)
    first, second = (book.appeals[(str(request), "reconsideration", n)] for n in (1, 2))
    assert (first.result, second.result) == ("other", "corrected")
    counts = count_book(book, ["X"])
    assert counts.appeals == Counter(
        {
            ("reconsideration", "other", 2024, 2024): 1,
            ("reconsideration", "corrected", 2024, 2024): 1,
        }
    )
    assert counts.requests == Counter({(NP, "", 2024, 0): 1})
    assert count_book(book, ["Y"]).items == Counter()
