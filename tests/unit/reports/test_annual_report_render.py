"""HTML and XLSX renderings: the XLSX read back with openpyxl equals the JSON document."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from projections.annual_report import StoredFacts
from projections.annual_report_asof import agency_report_as_of
from projections.annual_report_doc import agency_report, city_report, lines
from projections.annual_report_render import render_html, render_xlsx
from projections.annual_report_tables import REQUEST_ROWS
from tests.unit.reports.conftest import World
from tests.unit.reports.scenario import CITY, CUTOFF, A, B


def value_at(ws: Worksheet, row: int, column: int) -> Any:
    """A cell's value, taking merged ranges into account (only their top-left cell holds it)."""
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return ws.cell(merged.min_row, merged.min_col).value
    return ws.cell(row, column).value


def path(values: list[Any]) -> tuple[str, ...]:
    """Labels top-down (or left to right) with the repeats of merged cells removed."""
    out: list[str] = []
    for value in values:
        if value is not None and (not out or out[-1] != value):
            out.append(value)
    return tuple(out)


def number(value: Any) -> Any:
    """The fee is a decimal string in JSON and a number cell in XLSX."""
    return Decimal(str(value)) if isinstance(value, float) else value


def read_back(data: bytes) -> dict[tuple[str, ...], Any]:
    """Every labelled value of the workbook, found by its labels as a reader would."""
    wb = load_workbook(BytesIO(data))
    found: dict[tuple[str, ...], Any] = {}
    text = wb["文字部分"]
    for label, value in text.iter_rows(min_row=4, values_only=True):
        found[(str(label),)] = value
    proactive = wb["二 主动公开"]
    header: list[Any] = []
    for row in proactive.iter_rows(min_row=2, values_only=True):
        first = row[0]
        if first == "信息内容":
            header = list(row)
        elif first is None or str(first).startswith("第二十条"):
            header = []  # a blank row or the next table's subtitle
        else:
            for column in range(1, len(header)):
                if header[column] is not None:
                    found[(first, header[column])] = number(row[column])
    requests = wb["三 依申请公开"]
    for r in range(5, requests.max_row + 1):
        labels = path([value_at(requests, r, c) for c in (1, 2, 3)])
        for c in range(4, 11):
            heading = path([value_at(requests, h, c) for h in (2, 3, 4)])[-1]
            found[(*labels, heading)] = requests.cell(r, c).value
    appeals = wb["四 复议诉讼"]
    for c in range(1, appeals.max_column + 1):
        found[path([value_at(appeals, h, c) for h in (2, 3, 4)])] = appeals.cell(5, c).value
    return found


def expected(document: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    return {
        labels: Decimal(value) if key == "proactive/fees" else value
        for key, (labels, value) in lines(document).items()
        if key.split("/")[0] in ("text", "proactive", "requests", "appeals")
    }


@pytest.fixture
def document(golden: World) -> dict[str, Any]:
    with golden.store.reading() as tx:
        return agency_report(StoredFacts(tx), golden.app.policies, A, 2024)


def test_xlsx_reads_back_as_the_json(document: dict[str, Any]) -> None:
    found = read_back(render_xlsx(document))
    assert found == expected(document)
    assert len(found) == 3 + 6 + 3 + 1 + 25 * 7 + 15


def test_xlsx_of_the_report_as_published(golden: World) -> None:
    document = agency_report_as_of(golden.app, A, 2024, CUTOFF)
    found = read_back(render_xlsx(document))
    assert found == expected(document)
    assert found[("四、结转下年度继续办理", "商业企业")] == 1
    assert found[("行政处罚", "本年处理决定数量")] == 35


def test_xlsx_sheets_and_checks(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["checks"]["failures"] = [
        {
            "check": "flow",
            "table": "requests",
            "row": "new+carried_over",
            "column": "total",
            "expected": 3,
            "actual": 2,
            "citation": "national template 三: 一+二=(七)+四",
        }
    ]
    wb = load_workbook(BytesIO(render_xlsx(broken)))
    assert wb.sheetnames == ["文字部分", "二 主动公开", "三 依申请公开", "四 复议诉讼", "校验"]
    rows = list(wb["校验"].iter_rows(min_row=2, values_only=True))
    assert rows == [("flow", "requests", "new+carried_over", "total", 3, 2, rows[0][6])]


def test_html_has_every_template_row_and_cell(document: dict[str, Any]) -> None:
    html = render_html(document)
    assert "<title>宽城区人民政府2024年政府信息公开工作年度报告</title>" in html
    for _, labels in REQUEST_ROWS:
        assert labels[-1] in html
    headings = re.findall(r"<h2>([^<]*)</h2>", html)
    assert headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    numbers = re.findall(r'<td class="n">([^<]*)</td>', html)
    # 二: 2 x 3 + 3 + 1; 三: 25 rows x 7 columns; 四: 15.
    assert len(numbers) == 10 + 175 + 15
    assert numbers[:10] == ["1", "0", "2", "2", "2", "2", "120", "37", "4", "1.2500"]
    assert numbers[-15:] == [str(n) for n in (1, 2, 1, 1, 5, 1, 1, 1, 1, 4, 1, 0, 0, 1, 2)]
    assert "@page" in html
    assert "校验未通过" not in html


def test_html_escapes_recorded_text(document: dict[str, Any]) -> None:
    hostile = copy.deepcopy(document)
    hostile["text"]["other"] = "<script>alert(1)</script>"
    html = render_html(hostile)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_html_shows_late_reports_and_failed_checks(golden: World) -> None:
    with golden.store.reading() as tx:
        late = agency_report(StoredFacts(tx), golden.app.policies, B, 2024)
        city = city_report(StoredFacts(tx), golden.app.policies, CITY, 2024)
    assert '<p class="meta late">' in render_html(late)
    assert "逾期发布（逾期5天）" in render_html(late)
    city_html = render_html(city)
    assert "所属机关年度报告发布情况" in city_html
    assert '<td class="late">逾期发布（5天）</td>' in city_html
    late["checks"]["failures"] = [
        {
            "check": "row_total",
            "table": "requests",
            "row": "new",
            "column": "total",
            "expected": 3,
            "actual": 4,
            "citation": "national template 三: 总计",
        }
    ]
    assert "校验未通过" in render_html(late)
