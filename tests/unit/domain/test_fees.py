"""信息处理费 ceilings (the Regulation Art 42; 国办函〔2020〕109号 as summarised in domain.md §7).

Per application (per applicant and calendar month): 1-10 free; 11-30 at 100 yuan each; from the
31st, 100 yuan more per further band of 10 (31-40: 200, 41-50: 300, …).
Per page: 1-30 free; 31-100 at 10 yuan; 101-200 at 20 yuan; 201 on at 40 yuan — each band priced
on the pages inside it. The aggregate's use of these ceilings is tested in
test_disclosure_request.py (TestFees).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.codes import FeeBasis
from domain.fees import fee_for_nth_application, fee_for_pages, maximum_fee


@pytest.mark.parametrize(
    ("n", "fee"),
    [
        (1, 0),
        (10, 0),  # the last free application
        (11, 100),  # the first charged one
        (30, 100),
        (31, 200),  # the first band above 30
        (40, 200),
        (41, 300),
        (50, 300),
        (51, 400),
        (100, 800),  # 91-100 is the seventh band of 10 above 30: 100 × (1 + 7)
    ],
)
def test_the_fee_for_the_nth_application_in_a_month(n: int, fee: int) -> None:
    """the Regulation Art 42: 按件计收 — band edges 10/11, 30/31, 40/41."""
    assert fee_for_nth_application(n) == Decimal(fee)
    assert maximum_fee(FeeBasis.PER_APPLICATION, n) == Decimal(fee)


@pytest.mark.parametrize(
    ("pages", "fee"),
    [
        (1, 0),
        (30, 0),  # the last free page
        (31, 10),  # page 31 at 10
        (100, 700),  # pages 31-100: 70 × 10
        (101, 720),  # + page 101 at 20
        (200, 2700),  # 700 + pages 101-200: 100 × 20
        (201, 2740),  # + page 201 at 40
        (250, 4700),  # 2700 + pages 201-250: 50 × 40
    ],
)
def test_the_fee_for_a_number_of_pages(pages: int, fee: int) -> None:
    """the Regulation Art 42: 按量计收 — band edges 30/31, 100/101, 200/201."""
    assert fee_for_pages(pages) == Decimal(fee)
    assert maximum_fee(FeeBasis.PER_PAGE, pages) == Decimal(fee)


def test_each_further_page_costs_its_bands_price() -> None:
    """the Regulation Art 42: each band is priced on the pages inside it (累进, not the whole
    count at the top rate)."""

    def band_price(page: int) -> int:
        return 0 if page <= 30 else 10 if page <= 100 else 20 if page <= 200 else 40

    for page in range(2, 321):
        assert fee_for_pages(page) - fee_for_pages(page - 1) == band_price(page), page


def test_the_two_bases_differ_for_the_same_count() -> None:
    """国办函〔2020〕109号: an agency charges by application or by page, never both — the
    basis decides the ceiling (31 → 200 per application but 10 for 31 pages)."""
    assert maximum_fee(FeeBasis.PER_APPLICATION, 31) == Decimal(200)
    assert maximum_fee(FeeBasis.PER_PAGE, 31) == Decimal(10)


@pytest.mark.parametrize("basis", list(FeeBasis))
@pytest.mark.parametrize("count", [0, -5])
def test_a_count_below_one_is_refused(basis: FeeBasis, count: int) -> None:
    """the Regulation Art 42: the count is the n-th application or the number of pages."""
    with pytest.raises(ValueError, match="at least 1"):
        maximum_fee(basis, count)
