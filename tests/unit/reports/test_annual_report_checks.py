"""The template's balance checks hold on the golden reports and catch broken tables."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from projections.annual_report import StoredFacts
from projections.annual_report_doc import agency_report, cells_of, city_report
from projections.annual_report_tables import check_appeal_cells, check_request_cells
from tests.unit.reports.conftest import World
from tests.unit.reports.scenario import CITY, A


@pytest.fixture
def document(golden: World) -> dict[str, Any]:
    with golden.store.reading() as tx:
        return agency_report(StoredFacts(tx), golden.app.policies, A, 2024)


def broken(document: dict[str, Any], table: str, row: str, column: str, by: int) -> Any:
    cells = cells_of(copy.deepcopy(document[table]))
    cells[row][column] += by
    return cells


def failing(failures: list[Any]) -> set[tuple[str, str, str]]:
    return {(f.check, f.row, f.column) for f in failures}


def test_golden_reports_balance(golden: World, document: dict[str, Any]) -> None:
    assert check_request_cells(cells_of(document["requests"])) == []
    assert check_appeal_cells(cells_of(document["appeals"])) == []
    with golden.store.reading() as tx:
        city = city_report(StoredFacts(tx), golden.app.policies, CITY, 2024)
    assert city["checks"]["passed"]


def test_a_wrong_handled_total_breaks_three_checks(document: dict[str, Any]) -> None:
    cells = broken(document, "requests", "handled_total", "natural_person", +1)
    failures = check_request_cells(cells)
    assert failing(failures) == {
        ("flow", "new+carried_over", "natural_person"),  # 14 in, 15 out
        ("handled_total", "handled_total", "natural_person"),  # 13 outcomes, 14 stated
        ("row_total", "handled_total", "total"),  # columns add to 28, 27 stated
    }
    flow = next(f for f in failures if f.check == "flow")
    assert (flow.expected, flow.actual) == (15, 14)


def test_a_sub_item_miscounted_in_column_and_total(document: dict[str, Any]) -> None:
    cells = broken(document, "requests", "not_disclosed.3", "public_interest_organisation", +1)
    cells["not_disclosed.3"]["total"] += 1  # the row still adds up
    assert failing(check_request_cells(cells)) == {
        ("handled_total", "handled_total", "public_interest_organisation"),
        ("handled_total", "handled_total", "total"),
    }


def test_a_wrong_carry_forward_total(document: dict[str, Any]) -> None:
    cells = broken(document, "requests", "carried_forward", "total", -1)
    assert failing(check_request_cells(cells)) == {
        ("flow", "new+carried_over", "total"),
        ("row_total", "carried_forward", "total"),
    }


def test_appeal_total_must_add_up(document: dict[str, Any]) -> None:
    cells = broken(document, "appeals", "direct", "pending", +2)
    failures = check_appeal_cells(cells)
    assert failing(failures) == {("row_total", "direct", "total")}
    assert (failures[0].expected, failures[0].actual) == (6, 4)
    assert failures[0].as_json()["citation"] == "national template 四: 总计"
