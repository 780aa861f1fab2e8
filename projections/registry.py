"""Every read model the service keeps, in one list for the driver, the CLI and the tests."""

from __future__ import annotations

from domain.policy import PolicyBook
from projections.annual_report import AnnualReportModel
from projections.annual_review import AnnualReviewModel
from projections.catalogue import Catalogue
from projections.decision_history import DecisionHistory
from projections.docket import DocketModel
from projections.statistics import Statistics
from projections.store import ReadModel


def all_read_models(policies: PolicyBook | None = None) -> list[ReadModel]:
    """Fresh instances (some keep per-store caches, so never share them between stores)."""
    return [
        Catalogue(policies),
        DecisionHistory(),
        Statistics(),
        DocketModel(),
        AnnualReviewModel(),
        AnnualReportModel(),
    ]
