"""The golden scenario's 2024 reports against tables counted by hand from scenario.py.

Columns: 自然人 | 商业企业 科研机构 社会公益组织 法律服务机构 其他 | 总计.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from domain.annual_report_record import ReportLevel
from projections.annual_report import AnnualReportModel, StoredFacts
from projections.annual_report_asof import agency_report_as_of, city_report_as_of
from projections.annual_report_doc import agency_report, city_report
from tests.unit.projections.ledger_story import read_model_tables
from tests.unit.reports.conftest import World
from tests.unit.reports.scenario import CITY, CUTOFF, A, B, project

# Agency A (宽城区) 2024, as published (records as of 31 January 2025).
A_PUBLISHED: dict[str, tuple[int, ...]] = {
    "new": (13, 5, 2, 2, 3, 2, 27),
    "carried_over": (1, 1, 0, 0, 0, 0, 2),  # c1, c2
    "disclosed": (4, 0, 0, 0, 1, 0, 5),  # c1, r01, r22, r23 | r24
    "partly_disclosed": (1, 0, 1, 0, 0, 0, 2),  # r25 | r02
    "not_disclosed.1": (1, 0, 0, 0, 0, 0, 1),
    "not_disclosed.2": (0, 1, 0, 0, 0, 0, 1),
    "not_disclosed.3": (0, 0, 0, 1, 0, 0, 1),
    "not_disclosed.4": (0, 1, 0, 0, 1, 0, 2),  # c2 | r06
    "not_disclosed.5": (0, 0, 0, 0, 0, 1, 1),
    "not_disclosed.6": (1, 0, 0, 0, 0, 0, 1),
    "not_disclosed.7": (0, 1, 0, 0, 0, 0, 1),
    "not_disclosed.8": (1, 0, 0, 0, 0, 0, 1),
    "cannot_provide.1": (1, 0, 0, 0, 0, 0, 1),
    "cannot_provide.2": (0, 0, 1, 0, 0, 0, 1),
    "cannot_provide.3": (1, 0, 0, 0, 0, 0, 1),
    "not_processed.1": (1, 0, 0, 0, 0, 0, 1),
    "not_processed.2": (0, 1, 0, 0, 0, 0, 1),
    "not_processed.3": (0, 0, 0, 1, 0, 0, 1),
    "not_processed.4": (1, 0, 0, 0, 0, 0, 1),
    "not_processed.5": (0, 0, 0, 0, 1, 0, 1),
    "other.1": (1, 0, 0, 0, 0, 0, 1),
    "other.2": (0, 1, 0, 0, 0, 0, 1),
    "other.3": (0, 0, 0, 0, 0, 1, 1),
    "handled_total": (13, 5, 2, 2, 3, 2, 27),
    "carried_forward": (1, 1, 0, 0, 0, 0, 2),  # r26 | r27
}
# After the late-recorded reply to r27 (30 December 2024, 重复申请).
A_CURRENT = {
    **A_PUBLISHED,
    "not_processed.2": (0, 2, 0, 0, 0, 0, 2),
    "handled_total": (13, 6, 2, 2, 3, 2, 28),
    "carried_forward": (1, 0, 0, 0, 0, 0, 1),
}
# 长春市 = A + B (B: b1 NP disclosed, b2 OO 无法提供1, b3 NP from 2023 partly, b4 RI open).
CITY_CURRENT = {
    **A_CURRENT,
    "new": (14, 5, 3, 2, 3, 3, 30),
    "carried_over": (2, 1, 0, 0, 0, 0, 3),
    "disclosed": (5, 0, 0, 0, 1, 0, 6),
    "partly_disclosed": (2, 0, 1, 0, 0, 0, 3),
    "cannot_provide.1": (1, 0, 0, 0, 0, 1, 2),
    "handled_total": (15, 6, 2, 2, 3, 3, 31),
    "carried_forward": (1, 0, 1, 0, 0, 0, 2),
}
# 结果维持, 结果纠正, 其他结果, 尚未审结, 总计
A_APPEALS = {
    "reconsideration": (1, 2, 1, 1, 5),  # c1 | r03, c3 (filed 2023) | r04 | r05 (decided 2025)
    "direct": (1, 1, 1, 1, 4),  # r02 | r11 | r14 | r15
    "after_reconsideration": (1, 0, 0, 1, 2),  # r03 | r04
}
CITY_APPEALS = {**A_APPEALS, "reconsideration": (2, 2, 1, 1, 6)}  # + b2 maintained
# 本年制发, 本年废止, 现行有效
A_DOCUMENTS = {"rule": (1, 0, 2), "normative": (2, 2, 2)}
CITY_DOCUMENTS = {"rule": (1, 0, 2), "normative": (3, 2, 3)}


def requests(document: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {row["key"]: tuple(row["values"].values()) for row in document["requests"]["rows"]}


def appeals(document: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {row["key"]: tuple(row["values"].values()) for row in document["appeals"]["rows"]}


def documents(document: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    return {
        row["key"]: (row["issued"], row["abolished"], row["in_force"])
        for row in document["proactive"]["documents"]
    }


def decisions(document: dict[str, Any]) -> tuple[Any, ...]:
    proactive = document["proactive"]
    counts = tuple(row["decisions"] for row in proactive["decisions"])
    return (*counts, proactive["fees"]["amount_10k_yuan"])


def content(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the fields that say where and when it was computed."""
    return {k: v for k, v in document.items() if k not in ("as_of", "origin")}


@pytest.fixture
def current(golden: World) -> dict[str, Any]:
    with golden.store.reading() as tx:
        return agency_report(StoredFacts(tx), golden.app.policies, A, 2024)


class TestAgencyReport:
    def test_requests_as_published(self, golden: World) -> None:
        document = agency_report_as_of(golden.app, A, 2024, CUTOFF)
        assert requests(document) == A_PUBLISHED

    def test_requests_current_from_the_read_model(self, current: dict[str, Any]) -> None:
        assert requests(current) == A_CURRENT

    def test_column_order_and_labels(self, current: dict[str, Any]) -> None:
        labels = [c["label"] for c in current["requests"]["columns"]]
        assert labels == [
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计",
        ]
        row = next(r for r in current["requests"]["rows"] if r["key"] == "other.1")
        assert row["labels"] == [
            "三、本年度办理结果",
            "（六）其他处理",
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ]

    def test_appeals(self, golden: World, current: dict[str, Any]) -> None:
        assert appeals(current) == A_APPEALS
        # Nothing changed in the appeals between the cut-off and now.
        assert appeals(agency_report_as_of(golden.app, A, 2024, CUTOFF)) == A_APPEALS

    def test_proactive(self, golden: World, current: dict[str, Any]) -> None:
        assert documents(current) == A_DOCUMENTS
        assert decisions(current) == (120, 37, 4, "1.2500")
        published = agency_report_as_of(golden.app, A, 2024, CUTOFF)
        assert decisions(published) == (120, 35, 4, "1.2500")

    def test_texts_title_and_checks(self, current: dict[str, Any]) -> None:
        assert current["title"] == "宽城区人民政府2024年政府信息公开工作年度报告"
        assert current["text"]["overview"].startswith("2024年，本机关坚持以公开为常态")
        assert current["checks"] == {"passed": True, "failures": []}
        assert current["incomplete"] == []
        assert current["notes"] == {"requests_open_from_earlier_years": 0}

    def test_read_model_and_log_fold_agree(self, golden: World, current: dict[str, Any]) -> None:
        latest = datetime(2030, 1, 1, tzinfo=UTC)
        assert content(agency_report_as_of(golden.app, A, 2024, latest)) == content(current)

    @pytest.mark.parametrize("per_event", [True, False])
    def test_folding_in_any_batching_gives_the_same_report(
        self, golden: World, current: dict[str, Any], per_event: bool
    ) -> None:
        # A separate store: the read model's tables need not live beside the events.
        store = golden.backend.store(f"other_{int(per_event)}")
        if per_event:
            project(golden.app, store, per_event=True)
        else:
            model = AnnualReportModel()
            with store.transaction() as tx:
                model.create(tx)
            notifications = golden.app.recorder.select_notifications(
                start=0, limit=1_000_000, inclusive_of_start=False
            )
            events = [(golden.app.mapper.to_domain_event(n), n.id) for n in notifications]
            for start in range(0, len(events), 7):
                with store.transaction() as tx:
                    model.handle_batch(tx, events[start : start + 7])
        with store.reading() as tx:
            assert agency_report(StoredFacts(tx), golden.app.policies, A, 2024) == current

    def test_no_applicant_data_in_the_read_model(self, golden: World) -> None:
        tables = [t for t in read_model_tables(golden.store) if t.startswith("annual_report")]
        with golden.store.reading() as tx:
            dump = repr([tx.fetchall(f"SELECT * FROM {table}") for table in tables])
        assert len(tables) == 7
        assert "申请人甲" not in dump
        assert "natural_person" in dump

    def test_the_next_year_carries_the_other_way(self, golden: World) -> None:
        as_published = agency_report_as_of(golden.app, A, 2025, CUTOFF)
        rows = requests(as_published)
        assert rows["carried_over"] == (1, 0, 0, 0, 0, 0, 1)  # r26, answered 8 January 2025
        assert rows["new"] == (1, 0, 0, 0, 0, 0, 1)  # r28
        assert rows["handled_total"] == (2, 0, 0, 0, 0, 0, 2)
        # r27 was still open on record at the cut-off: no 2025 row, so a note keeps it visible.
        assert as_published["notes"]["requests_open_from_earlier_years"] == 1
        with golden.store.reading() as tx:
            now = agency_report(StoredFacts(tx), golden.app.policies, A, 2025)
        assert now["notes"]["requests_open_from_earlier_years"] == 0


class TestCityAggregate:
    def test_tables(self, golden: World) -> None:
        with golden.store.reading() as tx:
            document = city_report(StoredFacts(tx), golden.app.policies, CITY, 2024)
        assert document["agencies"] == [A, B]
        assert requests(document) == CITY_CURRENT
        assert appeals(document) == CITY_APPEALS
        assert documents(document) == CITY_DOCUMENTS
        assert decisions(document) == (130, 39, 4, "1.2500")
        assert document["title"] == "长春市2024年政府信息公开工作年度报告"
        assert document["checks"]["passed"]

    def test_publication_against_the_deadlines(self, golden: World) -> None:
        with golden.store.reading() as tx:
            document = city_report(StoredFacts(tx), golden.app.policies, CITY, 2024)
        assert document["publication"] == {
            "deadline": "2025-02-20",
            "citation": "004 att.9 Art 3",
            "first_published_on": "2025-02-18",
            "last_published_on": "2025-02-18",
            "editions": 1,
            "status": "on_time",
            "days_late": 0,
        }
        status = {a["code"]: (a["status"], a["days_late"]) for a in document["agency_publication"]}
        assert status == {A: ("on_time", 0), B: ("late", 5)}

    def test_as_of_read_model_agree(self, golden: World) -> None:
        latest = datetime(2030, 1, 1, tzinfo=UTC)
        with golden.store.reading() as tx:
            stored = city_report(StoredFacts(tx), golden.app.policies, CITY, 2024)
        assert content(city_report_as_of(golden.app, CITY, 2024, latest)) == content(stored)


def test_unpublished_report_is_overdue_after_the_deadline(golden: World) -> None:
    # 1 February 2025, 12:00 China time: B has not published; its deadline was 31 January.
    noon = datetime(2025, 2, 1, 4, tzinfo=UTC)
    document = agency_report_as_of(golden.app, B, 2024, noon)
    assert (document["publication"]["status"], document["publication"]["days_late"]) == (
        "overdue",
        1,
    )
    with golden.store.reading() as tx:
        late = agency_report(StoredFacts(tx), golden.app.policies, B, 2024)
    assert late["publication"]["status"] == "late"
    assert late["publication"]["first_published_on"] == "2025-02-05"
    assert ReportLevel.AGENCY.value == late["level"]


def test_the_document_schema_is_stable_json(current: dict[str, Any]) -> None:
    # docs/annual-report.md documents exactly these fields; a change is a new schema version.
    assert current["schema"] == "gongkai/annual-report@1"
    assert list(current) == [
        "schema", "level", "subject", "name", "year", "title", "agencies", "as_of", "origin",
        "publication", "text", "proactive", "requests", "appeals", "checks", "incomplete",
        "notes",
    ]  # fmt: skip
    assert list(current["publication"]) == [
        "deadline", "citation", "first_published_on", "last_published_on", "editions", "status",
        "days_late",
    ]  # fmt: skip
    assert orjson.loads(orjson.dumps(current)) == current  # plain JSON values only
