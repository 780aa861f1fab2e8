"""As-of: the report as the records stood at a cut-off (record time), and what changed since."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.annual_report_record import ReportSection
from projections.annual_report_asof import (
    city_report_as_of,
    compare_cutoffs,
    fold_log,
)
from projections.annual_report_doc import agency_report, compare_reports
from tests.unit.reports.conftest import World
from tests.unit.reports.scenario import CITY, CUTOFF, TEXT, A, B

SECTIONS = {f"text/{s.value}": s for s in ReportSection}

LATER = datetime(2025, 3, 1, tzinfo=UTC)

# The two corrections recorded in February 2025 (scenario.py), line by line:
# r27 (商业企业) answered 30 December 2024 as 重复申请 — leaves 四, enters (五)2 and (七);
# the office's recount of 行政处罚 decisions, 35 -> 37.
EXPECTED_CHANGES = {
    "requests/not_processed.2/commercial_enterprise": (1, 2),
    "requests/not_processed.2/total": (1, 2),
    "requests/handled_total/commercial_enterprise": (5, 6),
    "requests/handled_total/total": (27, 28),
    "requests/carried_forward/commercial_enterprise": (1, 0),
    "requests/carried_forward/total": (2, 1),
    "proactive/penalty": (35, 37),
}


def test_corrections_change_exactly_what_they_say(golden: World) -> None:
    changes = compare_cutoffs(golden.app, A, 2024, CUTOFF, LATER)
    assert {c["path"]: (c["before"], c["after"]) for c in changes} == EXPECTED_CHANGES
    labels = {c["path"]: c["labels"] for c in changes}
    assert labels["requests/carried_forward/commercial_enterprise"] == [
        "四、结转下年度继续办理",
        "商业企业",
    ]
    assert labels["proactive/penalty"] == ["行政处罚", "本年处理决定数量"]


def test_city_aggregate_moves_with_its_agency(golden: World) -> None:
    before = city_report_as_of(golden.app, CITY, 2024, CUTOFF)
    after = city_report_as_of(golden.app, CITY, 2024, LATER)
    changed = {c["path"]: (c["before"], c["after"]) for c in compare_reports(before, after)}
    # The agency's request cells (city totals are larger); 行政处罚 sums A and B (35 + 2 ->
    # 37 + 2); after the cut-off the city recorded its text (15 February) and published
    # (18 February), and B published late (5 February).
    text = {key: (None, TEXT[section]) for key, section in SECTIONS.items()}
    assert changed == {
        **EXPECTED_CHANGES,
        "requests/handled_total/total": (30, 31),
        "requests/carried_forward/total": (3, 2),
        "proactive/penalty": (37, 39),
        **text,
        "publication/status": ("not_published", "on_time"),
        "publication/first_published_on": (None, "2025-02-18"),
        "publication/editions": (0, 1),
        f"agency_publication/{B}/status": ("not_published", "late"),
        f"agency_publication/{B}/first_published_on": (None, "2025-02-05"),
    }


def test_nothing_changes_between_cutoffs_without_records(golden: World) -> None:
    assert compare_cutoffs(golden.app, A, 2024, LATER, datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_cutoff_is_on_record_time_not_business_date(golden: World) -> None:
    # Record time 10:00 China time on 28 January 2025: A's report published that moment.
    just_before = datetime(2025, 1, 28, 1, 59, 59, tzinfo=UTC)
    just_after = datetime(2025, 1, 28, 2, 0, 0, tzinfo=UTC)
    before = compare_cutoffs(golden.app, A, 2024, just_before, just_after)
    assert {c["path"] for c in before} == {
        "publication/status",
        "publication/first_published_on",
        "publication/editions",
    }


def test_ordered_stop_matches_filtering_on_a_single_writer_log(golden: World) -> None:
    filtered = fold_log(golden.app, CUTOFF)
    stopped = fold_log(golden.app, CUTOFF, ordered=True)
    assert stopped.folded == filtered.folded
    assert stopped.read < filtered.read  # stopped at the first later record
    assert filtered.read > filtered.folded
    policies = golden.app.policies
    assert agency_report(stopped.facts, policies, A, 2024) == agency_report(
        filtered.facts, policies, A, 2024
    )


def test_before_anything_was_recorded_the_report_is_empty(golden: World) -> None:
    empty = fold_log(golden.app, datetime(2000, 1, 1, tzinfo=UTC))
    assert empty.folded == 0
    document = agency_report(empty.facts, golden.app.policies, A, 2024)
    assert all(v == 0 for row in document["requests"]["rows"] for v in row["values"].values())
    assert document["incomplete"] == [f"figures:{A}", "text:overview", "text:problems"]
    assert document["publication"]["status"] == "not_published"


def test_a_cutoff_without_time_zone_is_refused(golden: World) -> None:
    with pytest.raises(ValueError, match="time zone"):
        fold_log(golden.app, datetime(2025, 1, 31, 23, 59))
