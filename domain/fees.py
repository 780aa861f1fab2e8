"""信息处理费 ceilings (the Regulation Art 42; 国办函〔2020〕109号, as summarised in domain.md §7).

Per application: per applicant and calendar month, applications 1-10 are free, 11-30 cost 100
yuan each, and from the 31st on the price rises by 100 yuan for each further band of 10.
Per page: pages 1-30 free, 31-100 at 10 yuan, 101-200 at 20 yuan, from 201 on 40 yuan —
each band priced on the pages inside it. An agency charges one way or the other, never both.
"""

from __future__ import annotations

from decimal import Decimal

from domain.codes import FeeBasis

PAGE_BANDS: tuple[tuple[int, int | None, int], ...] = (
    (1, 30, 0),
    (31, 100, 10),
    (101, 200, 20),
    (201, None, 40),
)


def fee_for_nth_application(n: int) -> Decimal:
    """The fee for the n-th application an applicant files in one calendar month."""
    if n <= 10:
        return Decimal(0)
    if n <= 30:
        return Decimal(100)
    return Decimal(100 * (2 + (n - 31) // 10))


def fee_for_pages(pages: int) -> Decimal:
    total = 0
    for first, last, price in PAGE_BANDS:
        top = pages if last is None else min(pages, last)
        if top >= first:
            total += (top - first + 1) * price
    return Decimal(total)


def maximum_fee(basis: FeeBasis, count: int) -> Decimal:
    if count < 1:
        raise ValueError("count must be at least 1")
    if basis is FeeBasis.PER_APPLICATION:
        return fee_for_nth_application(count)
    return fee_for_pages(count)
