"""Statistics of items by attribute, per agency, department and year formed (000 §一(六)1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.application import GongkaiLedger
from domain.codes import AnnualReviewOutcome, Attribute, NonDisclosureGround
from projections.driver import ProjectionDriver
from projections.statistics import AttributeCounts, Statistics, counts
from tests.backends import Backend
from tests.unit.projections.ledger_story import (
    DRAFTER,
    OFFICE,
    ZHENGZHOU,
    ZHONGWEI,
    approval,
    publish,
    register,
    withhold,
)

WITHHELD = ("属于过程性信息", NonDisclosureGround.PROCESS_INFORMATION)


@pytest.fixture
def app(backend: Backend) -> GongkaiLedger:
    return backend.ledger()


@pytest.fixture
def driver(app: GongkaiLedger, backend: Backend) -> ProjectionDriver:
    return ProjectionDriver(app, backend.store(), [Statistics()])


def counted(driver: ProjectionDriver, **filters: Any) -> list[AttributeCounts]:
    driver.catch_up()
    with driver.store.reading() as tx:
        return counts(tx, **filters)


def totals(driver: ProjectionDriver, agency: str = ZHENGZHOU, year: int = 2025) -> tuple[int, ...]:
    rows = counted(driver, agency=agency, year=year, by_department=False)
    if not rows:
        return (0, 0, 0)
    return (rows[0].proactive, rows[0].on_request, rows[0].not_disclosed)


def test_items_are_counted_by_attribute_per_agency_department_and_year(
    app: GongkaiLedger, driver: ProjectionDriver
) -> None:
    """000 §一(六)1: statistics of 主动公开, 依申请公开 and 不予公开 items; "who makes it, who
    discloses it" (000 §二(二)) makes the department a column; unmarked items are not yet any."""
    publish(app)
    publish(app, department="办公室")
    withhold(app)
    on_request = register(app, department="办公室")
    app.mark_attribute(on_request, DRAFTER, date(2025, 3, 3), Attribute.ON_REQUEST)
    publish(app, agency=ZHONGWEI, formed_on=date(2024, 12, 2))
    register(app)  # not yet marked: not counted
    assert counted(driver) == [
        AttributeCounts(ZHENGZHOU, "办公室", 2025, 1, 1, 0),
        AttributeCounts(ZHENGZHOU, "规划处", 2025, 1, 0, 1),
        AttributeCounts(ZHONGWEI, "规划处", 2024, 1, 0, 0),
    ]
    assert counted(driver, year=2025, by_department=False) == [
        AttributeCounts(ZHENGZHOU, None, 2025, 2, 1, 1)
    ]
    assert counted(driver, agency=ZHONGWEI)[0].total == 1


def test_re_marking_and_the_offices_correction_move_the_item(
    app: GongkaiLedger, driver: ProjectionDriver
) -> None:
    """000 §一(三)2-3: the drafter marks, the disclosure office confirms or corrects."""
    item = register(app)
    app.mark_attribute(item, DRAFTER, date(2025, 3, 3), Attribute.ON_REQUEST)
    assert totals(driver) == (0, 1, 0)
    app.mark_attribute(item, DRAFTER, date(2025, 3, 4), Attribute.NOT_DISCLOSED, *WITHHELD)
    assert totals(driver) == (0, 0, 1)
    app.audit_attribute(item, OFFICE, date(2025, 3, 5), Attribute.PROACTIVE)
    assert totals(driver) == (1, 0, 0)


def test_the_march_review_reclassifies_and_a_kept_item_stays(
    app: GongkaiLedger, driver: ProjectionDriver
) -> None:
    """002 Art 55: last year's non-public items are reviewed by the end of March; the year
    counted is the year formed, not the year of the review."""
    kept = withhold(app, formed_on=date(2024, 5, 6))
    opened = withhold(app, formed_on=date(2024, 5, 6))
    app.decide_annual_review(
        kept, OFFICE, date(2025, 3, 10), AnnualReviewOutcome.KEPT, "仍属过程性信息"
    )
    app.decide_annual_review(
        opened,
        OFFICE,
        date(2025, 3, 10),
        AnnualReviewOutcome.RECLASSIFIED,
        "情况变化，应当公开",
        approval(date(2025, 3, 10)),
    )
    assert totals(driver, year=2024) == (1, 0, 1)
    assert totals(driver, year=2025) == (0, 0, 0)


def test_lifting_an_exemption_counts_the_item_as_proactive(
    app: GongkaiLedger, driver: ProjectionDriver
) -> None:
    """004 att.6 Art 12: a wrong or lapsed exemption is opened."""
    item = withhold(app)
    assert totals(driver) == (0, 0, 1)
    app.lift_exemption(item, OFFICE, date(2025, 6, 2), "豁免理由已消失", approval(date(2025, 6, 2)))
    assert totals(driver) == (1, 0, 0)
    with driver.store.reading() as tx:
        assert tx.fetchall("SELECT * FROM statistics_counts WHERE items = 0") == []
