"""The annual-report document rendered as printable HTML and as an XLSX workbook, in the layout of
the national template (国办公开办函〔2021〕30号). Both take the JSON document of
`annual_report_doc`, so any report — current or as of a cut-off — renders the same way.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from projections.annual_report_doc import SECTION_LABELS

STATUS_LABELS = {
    "on_time": "按时发布",
    "late": "逾期发布",
    "overdue": "逾期未发布",
    "not_published": "尚未发布",
}
FLOW_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
PROACTIVE_TITLE = "二、主动公开政府信息情况"
REQUESTS_TITLE = "三、收到和处理政府信息公开申请情况"
APPEALS_TITLE = "四、政府信息公开行政复议、行政诉讼情况"
LABEL_COLUMNS = 3  # section 三 row labels span up to three columns (一 / （三） / 1.)

# A layout cell: (row, column, text, rowspan, colspan), 0-based within its block.
Span = tuple[int, int, Any, int, int]


def publication_line(document: dict[str, Any]) -> str:
    p = document["publication"]
    status = STATUS_LABELS[p["status"]]
    if p["days_late"]:
        status += f"（逾期{p['days_late']}天）"
    first = p["first_published_on"] or "—"
    return f"发布期限 {p['deadline']}（{p['citation']}）；首次发布 {first}；{status}"


# ---- layouts shared by HTML and XLSX ----------------------------------------------------------


def _row_label_spans(rows: list[dict[str, Any]]) -> list[Span]:
    """Label cells of section 三: a label shared by consecutive rows is merged down; the last
    label of a row is merged across the remaining label columns."""
    spans: list[Span] = []
    for i, row in enumerate(rows):
        labels = row["labels"]
        for level, text in enumerate(labels):
            prefix = labels[: level + 1]
            if i > 0 and rows[i - 1]["labels"][: level + 1] == prefix:
                continue
            down = 1
            while i + down < len(rows) and rows[i + down]["labels"][: level + 1] == prefix:
                down += 1
            across = LABEL_COLUMNS - level if level == len(labels) - 1 else 1
            spans.append((i, level, text, down, across))
    return spans


def _request_header(document: dict[str, Any]) -> list[Span]:
    columns = document["requests"]["columns"]
    spans: list[Span] = [
        (0, 0, FLOW_NOTE, 3, LABEL_COLUMNS),
        (0, LABEL_COLUMNS, "申请人情况", 1, len(columns)),
    ]
    groups_seen: set[str] = set()
    for n, column in enumerate(columns):
        at = LABEL_COLUMNS + n
        group = column["group"]
        if not group:  # 自然人, 总计: one label over two header rows
            spans.append((1, at, column["label"], 2, 1))
            continue
        if group not in groups_seen:  # 法人或其他组织 over its five columns
            groups_seen.add(group)
            width = sum(1 for c in columns if c["group"] == group)
            spans.append((1, at, group, 1, width))
        spans.append((2, at, column["label"], 1, 1))
    return spans


def _appeal_header(document: dict[str, Any]) -> tuple[list[Span], list[Any]]:
    """Section 四 as the template prints it: one row of 15 numbers under three header rows."""
    table = document["appeals"]
    columns = table["columns"]
    spans: list[Span] = []
    values: list[Any] = []
    at = 0
    previous = None
    for row in table["rows"]:
        top, *rest = row["labels"]
        if top != previous:  # 行政复议 / 行政诉讼 over all their columns
            width = len(columns) * sum(1 for r in table["rows"] if r["labels"][0] == top)
            spans.append((0, at, top, 1, width))
            previous = top
        if rest:  # 未经复议直接起诉 / 复议后起诉
            spans.append((1, at, rest[0], 1, len(columns)))
        label_row = 1 + len(rest)
        for n, column in enumerate(columns):
            spans.append((label_row, at + n, column["label"], 3 - label_row, 1))
            values.append(row["values"][column["key"]])
        at += len(columns)
    return spans, values


def _proactive_blocks(document: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(subtitle, header, rows) of the four small tables of section 二, as in the template."""
    p = document["proactive"]
    columns = p["document_columns"]
    return [
        (
            "第二十条第（一）项",
            ["信息内容", *(c["label"] for c in columns)],
            [[row["label"], *(row[c["key"]] for c in columns)] for row in p["documents"]],
        ),
        (
            "第二十条第（五）项",
            ["信息内容", "本年处理决定数量"],
            [[row["label"], row["decisions"]] for row in p["decisions"][:1]],  # 行政许可
        ),
        (
            "第二十条第（六）项",
            ["信息内容", "本年处理决定数量"],
            [[row["label"], row["decisions"]] for row in p["decisions"][1:]],  # 处罚, 强制
        ),
        (
            "第二十条第（八）项",
            ["信息内容", "本年收费金额（单位：万元）"],
            [[p["fees"]["label"], _fees(p["fees"]["amount_10k_yuan"])]],
        ),
    ]


def _fees(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# ---- HTML ------------------------------------------------------------------------------------

CSS = """
@page { size: A4 landscape; margin: 14mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 11pt; }
h1 { font-size: 17pt; text-align: center; }
h2 { font-size: 13pt; margin-top: 14pt; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; }
thead { display: table-header-group; }
th, td { border: 1px solid #000; padding: 2pt 4pt; }
th { font-weight: normal; background: #f2f2f2; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.text { white-space: pre-wrap; text-indent: 2em; line-height: 1.6; }
.meta { text-align: center; }
.late, .failed { color: #b00000; font-weight: bold; }
caption { text-align: left; font-size: 10pt; padding: 2pt 0; }
@media print { h2 { break-after: avoid; } tr { break-inside: avoid; } }
"""


def _html_grid(spans: list[Span], cell: str = "th") -> list[str]:
    rows: dict[int, list[str]] = {}
    for r, _, text, down, across in sorted(spans, key=lambda s: (s[0], s[1])):
        attrs = (f' rowspan="{down}"' if down > 1 else "") + (
            f' colspan="{across}"' if across > 1 else ""
        )
        rows.setdefault(r, []).append(f"<{cell}{attrs}>{escape(str(text))}</{cell}>")
    return ["<tr>" + "".join(rows[r]) + "</tr>" for r in sorted(rows)]


def _num(value: Any) -> str:
    return '<td class="n">' + ("—" if value is None else escape(str(value))) + "</td>"


def _text(document: dict[str, Any], key: str) -> str:
    body = document["text"][key]
    return f'<div class="text">{escape(body) if body else "（未填写）"}</div>'


def render_html(document: dict[str, Any]) -> str:
    title = escape(document["title"])
    status_class = "late" if document["publication"]["status"] in ("late", "overdue") else ""
    as_of = document["as_of"]
    out = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="meta">截至 {escape(as_of) if as_of else "当前记录"}</p>',
        f'<p class="meta {status_class}">{escape(publication_line(document))}</p>',
    ]
    labels = {s.value: label for s, label in SECTION_LABELS.items()}
    out += [f"<h2>{labels['overview']}</h2>", _text(document, "overview")]
    out.append(f"<h2>{PROACTIVE_TITLE}</h2>")
    for subtitle, header, rows in _proactive_blocks(document):
        out.append(f"<table><caption>{subtitle}</caption><thead><tr>")
        out += [f"<th>{escape(h)}</th>" for h in header]
        out.append("</tr></thead><tbody>")
        for row in rows:
            out.append(f"<tr><th>{escape(row[0])}</th>{''.join(_num(v) for v in row[1:])}</tr>")
        out.append("</tbody></table>")
    out += [f"<h2>{REQUESTS_TITLE}</h2>", "<table><thead>"]
    out += _html_grid(_request_header(document))
    out.append("</thead><tbody>")
    rows = document["requests"]["rows"]
    labels_by_row: dict[int, list[str]] = {}
    for r, _, text, down, across in _row_label_spans(rows):
        attrs = (f' rowspan="{down}"' if down > 1 else "") + (
            f' colspan="{across}"' if across > 1 else ""
        )
        labels_by_row.setdefault(r, []).append(f"<th{attrs}>{escape(text)}</th>")
    keys = [c["key"] for c in document["requests"]["columns"]]
    for i, row in enumerate(rows):
        cells = "".join(_num(row["values"][k]) for k in keys)
        out.append(f"<tr>{''.join(labels_by_row.get(i, []))}{cells}</tr>")
    out += ["</tbody></table>", f"<h2>{APPEALS_TITLE}</h2>", "<table><thead>"]
    appeal_spans, values = _appeal_header(document)
    out += _html_grid(appeal_spans)
    out.append(f"</thead><tbody><tr>{''.join(_num(v) for v in values)}</tr></tbody></table>")
    out += [f"<h2>{labels['problems']}</h2>", _text(document, "problems")]
    out += [f"<h2>{labels['other']}</h2>", _text(document, "other")]
    out += _html_agencies(document) + _html_checks(document) + ["</body></html>"]
    return "\n".join(out)


def _html_agencies(document: dict[str, Any]) -> list[str]:
    agencies = document.get("agency_publication")
    if not agencies:
        return []
    out = ["<h2>附：所属机关年度报告发布情况</h2><table><thead><tr>"]
    out += [f"<th>{h}</th>" for h in ("机关", "发布期限", "首次发布", "状态")]
    out.append("</tr></thead><tbody>")
    for a in agencies:
        status = STATUS_LABELS[a["status"]] + (f"（{a['days_late']}天）" if a["days_late"] else "")
        css = ' class="late"' if a["status"] in ("late", "overdue") else ""
        out.append(
            f"<tr><th>{escape(a['name'])}</th><td>{a['deadline']}</td>"
            f"<td>{a['first_published_on'] or '—'}</td><td{css}>{status}</td></tr>"
        )
    return [*out, "</tbody></table>"]


def _html_checks(document: dict[str, Any]) -> list[str]:
    failures = document["checks"]["failures"]
    if not failures and not document["incomplete"]:
        return []
    out = ['<h2 class="failed">校验未通过</h2><ul class="failed">']
    out += [
        f"<li>{escape(f['citation'])}：{escape(f['table'])} {escape(f['row'])} / "
        f"{escape(f['column'])} 应为 {f['expected']}，实为 {f['actual']}</li>"
        for f in failures
    ]
    out += [f"<li>缺少：{escape(m)}</li>" for m in document["incomplete"]]
    return [*out, "</ul>"]


# ---- XLSX ------------------------------------------------------------------------------------

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="center")


def _put(ws: Worksheet, top: int, left: int, spans: list[Span]) -> None:
    for r, c, text, down, across in spans:
        ws.cell(top + r, left + c, text).alignment = WRAP
        if down > 1 or across > 1:
            ws.merge_cells(
                start_row=top + r,
                start_column=left + c,
                end_row=top + r + down - 1,
                end_column=left + c + across - 1,
            )


def _value(ws: Worksheet, row: int, column: int, value: Any) -> None:
    cell = ws.cell(row, column, float(value) if isinstance(value, Decimal) else value)
    if isinstance(value, Decimal):
        cell.number_format = "0.0000"


def render_xlsx(document: dict[str, Any]) -> bytes:
    """One sheet for the text parts and one per template table (二, 三, 四), plus the checks."""
    wb = Workbook()
    text = wb.active
    assert text is not None
    text.title = "文字部分"
    text.append(["标题", document["title"]])
    text.append(["截至", document["as_of"] or "当前记录"])
    text.append(["发布情况", publication_line(document)])
    for section, label in SECTION_LABELS.items():
        text.append([label, document["text"][section.value]])
    text.column_dimensions["B"].width = 100

    ws = wb.create_sheet("二 主动公开")
    ws.append([PROACTIVE_TITLE])
    for subtitle, header, rows in _proactive_blocks(document):
        ws.append([subtitle])
        ws.append(header)
        for row in rows:
            ws.append([row[0]])
            for n, value in enumerate(row[1:], start=2):
                _value(ws, ws.max_row, n, value)
        ws.append([])

    ws = wb.create_sheet("三 依申请公开")
    ws.append([REQUESTS_TITLE])
    _put(ws, 2, 1, _request_header(document))
    rows = document["requests"]["rows"]
    _put(ws, 5, 1, _row_label_spans(rows))
    keys = [c["key"] for c in document["requests"]["columns"]]
    for i, row in enumerate(rows):
        for n, key in enumerate(keys):
            ws.cell(5 + i, LABEL_COLUMNS + 1 + n, row["values"][key])

    ws = wb.create_sheet("四 复议诉讼")
    ws.append([APPEALS_TITLE])
    appeal_spans, values = _appeal_header(document)
    _put(ws, 2, 1, appeal_spans)
    for n, value in enumerate(values, start=1):
        ws.cell(5, n, value)

    ws = wb.create_sheet("校验")
    ws.append(["check", "table", "row", "column", "expected", "actual", "citation"])
    for failure in document["checks"]["failures"]:
        ws.append([failure[k] for k in ("check", "table", "row", "column")]
                  + [failure["expected"], failure["actual"], failure["citation"]])  # fmt: skip
    for missing in document["incomplete"]:
        ws.append(["incomplete", missing])
    for sheet in wb.worksheets:
        sheet["A1"].font = BOLD
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
