"""The national template's tables (国办公开办函〔2021〕30号) computed from counted facts — pure
functions shared by the read model and the as-of path — and the template's balance checks.

Rows and columns carry their keys (stable, used in JSON) and labels (as published).
Counting rules, for report year Y (004 att.9 Art 4(四), (五); docs/annual-report.md):
- 一 本年新收: received in Y (Art 4(四)1).
- 二 上年结转: received before Y and closed (replied or deemed withdrawn) in Y (Art 4(四)2 says
  "上一年"; earlier years are included so that every closure is counted once and 一+二=(七)+四).
- 三 (一)-(六): closed in Y, by outcome; (七) 总计: all closed in Y.
- 四 结转下年度: received in Y and not closed by 31 December Y (Art 4(四)4).
- 复议 / 诉讼: decided in Y by result; 尚未审结 = filed by 31 December Y and undecided then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.codes import LABELS, AppealResult, ApplicantType, Outcome, OutcomeGroup

Cells = dict[str, dict[str, int]]  # row key -> column key -> value

# ---- section 三: applications -----------------------------------------------------------------

APPLICANT_COLUMNS = tuple(t.value for t in ApplicantType)
TOTAL = "total"
REQUEST_COLUMNS: tuple[tuple[str, str, str], ...] = (
    *(
        (
            t.value,
            LABELS[t],
            "" if t is ApplicantType.NATURAL_PERSON else "法人或其他组织",
        )
        for t in ApplicantType
    ),
    (TOTAL, "总计", ""),
)  # (key, label, group label)

RESULTS = "三、本年度办理结果"
_GROUP_LABELS = {
    OutcomeGroup.DISCLOSED: "（一）予以公开",
    OutcomeGroup.PARTLY_DISCLOSED: "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    OutcomeGroup.NOT_DISCLOSED: "（三）不予公开",
    OutcomeGroup.CANNOT_PROVIDE: "（四）无法提供",
    OutcomeGroup.NOT_PROCESSED: "（五）不予处理",
    OutcomeGroup.OTHER: "（六）其他处理",
}


def _outcome_labels(outcome: Outcome) -> tuple[str, ...]:
    group = _GROUP_LABELS[outcome.group]
    if "." not in outcome.value:
        return (RESULTS, group)
    number = outcome.value.split(".")[1]
    return (RESULTS, group, f"{number}.{LABELS[outcome]}")


OUTCOME_ROWS = tuple(o.value for o in Outcome)
REQUEST_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("new", ("一、本年新收政府信息公开申请数量",)),
    ("carried_over", ("二、上年结转政府信息公开申请数量",)),
    *((o.value, _outcome_labels(o)) for o in Outcome),
    ("handled_total", (RESULTS, "（七）总计")),
    ("carried_forward", ("四、结转下年度继续办理",)),
)


def request_cells(counts: Mapping[tuple[str, str, int, int], int], year: int) -> Cells:
    """Section 三 from (applicant type, outcome|"", received year, closed year|0) counts."""
    cells = {row: dict.fromkeys((*APPLICANT_COLUMNS, TOTAL), 0) for row, _ in REQUEST_ROWS}
    for (applicant, outcome, received, closed), n in counts.items():
        rows: list[str] = []
        if received == year:
            rows.append("new")
        if closed == year:
            rows += [outcome, "handled_total"]
            if received < year:
                rows.append("carried_over")
        elif received == year:
            rows.append("carried_forward")  # open on 31 December (closed == 0 or later)
        for row in rows:
            cells[row][applicant] += n
            cells[row][TOTAL] += n
    return cells


def open_from_earlier_years(counts: Mapping[tuple[str, str, int, int], int], year: int) -> int:
    """Requests received before Y and still open at its end: the template has no row for them
    (they were 结转 in their own year); reported as a note so they are not lost."""
    return sum(
        n
        for (_, _, received, closed), n in counts.items()
        if received < year and (closed == 0 or closed > year)
    )


# ---- section 四: reconsideration and litigation ----------------------------------------------

PENDING = "pending"
APPEAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    *((r.value, LABELS[r], "") for r in AppealResult),
    (PENDING, "尚未审结", ""),
    (TOTAL, "总计", ""),
)
APPEAL_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reconsideration", ("行政复议",)),
    ("direct", ("行政诉讼", "未经复议直接起诉")),
    ("after_reconsideration", ("行政诉讼", "复议后起诉")),
)


def appeal_cells(counts: Mapping[tuple[str, str, int, int], int], year: int) -> Cells:
    """Section 四 from (kind, result|"", filed year, decided year|0) counts."""
    keys = [key for key, _, _ in APPEAL_COLUMNS]
    cells = {row: dict.fromkeys(keys, 0) for row, _ in APPEAL_ROWS}
    for (kind, result, filed, decided), n in counts.items():
        if decided == year:
            column = result  # decided in Y, by result (004 att.9 Art 4(五))
        elif filed <= year and (decided == 0 or decided > year):
            column = PENDING  # undecided on 31 December Y
        else:
            continue
        cells[kind][column] += n
        cells[kind][TOTAL] += n
    return cells


# ---- section 二: proactive disclosure --------------------------------------------------------

DOCUMENT_ROWS = (("rule", "规章"), ("normative", "行政规范性文件"))
DOCUMENT_COLUMNS = (
    ("issued", "本年制发件数"),
    ("abolished", "本年废止件数"),
    ("in_force", "现行有效件数"),
)
DECISION_ROWS = (
    ("licensing", "行政许可"),
    ("penalty", "行政处罚"),
    ("enforcement", "行政强制"),
)
DECISION_COLUMN = "本年处理决定数量"
FEES_LABEL = "行政事业性收费"
FEES_COLUMN = "本年收费金额（单位：万元）"


def document_cells(counts: Mapping[tuple[str, int, int], int], year: int) -> Cells:
    """规章 / 行政规范性文件 from (document type, published year|0, ended year|0) counts:
    制发 = first published in Y; 废止 = revoked or abolished in Y after publication;
    现行有效 = published by 31 December Y and not ended by then (003 Art 14)."""
    cells = {row: dict.fromkeys((c for c, _ in DOCUMENT_COLUMNS), 0) for row, _ in DOCUMENT_ROWS}
    for (document_type, published, ended), n in counts.items():
        if not published or published > year:
            continue
        row = cells[document_type]
        row["issued"] += n if published == year else 0
        row["abolished"] += n if ended == year else 0
        row["in_force"] += n if ended == 0 or ended > year else 0
    return cells


# ---- balance checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckFailure:
    check: str
    table: str
    row: str
    column: str
    expected: int  # what the other cells add up to
    actual: int  # what the cell says
    citation: str

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "expected": self.expected,
            "actual": self.actual,
            "citation": self.citation,
        }


def check_request_cells(cells: Mapping[str, Mapping[str, int]]) -> list[CheckFailure]:
    """The template's checks on section 三, each reported with the cell that fails."""
    failures: list[CheckFailure] = []
    for column in (*APPLICANT_COLUMNS, TOTAL):
        # 一 + 二 = (七) + 四, per column (the template's own check, domain.md §8).
        inflow = cells["new"][column] + cells["carried_over"][column]
        outflow = cells["handled_total"][column] + cells["carried_forward"][column]
        if inflow != outflow:
            failures.append(
                CheckFailure(
                    "flow",
                    "requests",
                    "new+carried_over",
                    column,
                    outflow,
                    inflow,
                    "national template 三: 一+二=(七)+四",
                )
            )
        # (七) 总计 = (一)…(六) with their sub-items (national template 三(七)).
        outcomes = sum(cells[row][column] for row in OUTCOME_ROWS)
        if outcomes != cells["handled_total"][column]:
            failures.append(
                CheckFailure(
                    "handled_total",
                    "requests",
                    "handled_total",
                    column,
                    outcomes,
                    cells["handled_total"][column],
                    "national template 三(七)",
                )
            )
    failures += _row_totals(cells, "requests", APPLICANT_COLUMNS, "national template 三: 总计")
    return failures


def check_appeal_cells(cells: Mapping[str, Mapping[str, int]]) -> list[CheckFailure]:
    parts = tuple(key for key, _, _ in APPEAL_COLUMNS if key != TOTAL)
    return _row_totals(cells, "appeals", parts, "national template 四: 总计")


def _row_totals(
    cells: Mapping[str, Mapping[str, int]], table: str, parts: tuple[str, ...], citation: str
) -> list[CheckFailure]:
    failures = []
    for row, values in cells.items():
        expected = sum(values[column] for column in parts)
        if expected != values[TOTAL]:
            failures.append(
                CheckFailure("row_total", table, row, TOTAL, expected, values[TOTAL], citation)
            )
    return failures
