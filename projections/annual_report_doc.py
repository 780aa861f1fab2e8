"""The annual report as a JSON document (schema `gongkai/annual-report@1`, docs/annual-report.md),
assembled from any `FactSource` — the read model's tables or facts folded from the log as of a
cut-off — and the line-by-line comparison of two such documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Protocol

from domain.annual_report_record import (
    DEADLINE_CITATION,
    REQUIRED_SECTIONS,
    ReportLevel,
    ReportSection,
    report_deadline,
)
from domain.policy import PolicyBook
from projections.annual_report_facts import FactCounts, RecordFact
from projections.annual_report_tables import (
    APPEAL_COLUMNS,
    APPEAL_ROWS,
    DECISION_ROWS,
    DOCUMENT_COLUMNS,
    DOCUMENT_ROWS,
    REQUEST_COLUMNS,
    REQUEST_ROWS,
    Cells,
    appeal_cells,
    check_appeal_cells,
    check_request_cells,
    document_cells,
    open_from_earlier_years,
    request_cells,
)

SCHEMA = "gongkai/annual-report@1"
CHINA = timezone(timedelta(hours=8))  # business dates are dates in China Standard Time
SECTION_LABELS = {
    ReportSection.OVERVIEW: "一、总体情况",
    ReportSection.PROBLEMS: "五、存在的主要问题及改进情况",
    ReportSection.OTHER: "六、其他需要报告的事项",
}
FEES_QUANTUM = Decimal("0.0001")


class FactSource(Protocol):
    def counts(self, agencies: Sequence[str]) -> FactCounts: ...

    def record(self, level: ReportLevel, subject: str, year: int) -> RecordFact | None: ...


def agency_report(
    source: FactSource,
    policies: PolicyBook,
    agency_code: str,
    year: int,
    *,
    as_of: datetime | None = None,
    today: date | None = None,
    origin: str = "read_model",
) -> dict[str, Any]:
    policy = policies.get(agency_code)
    record = source.record(ReportLevel.AGENCY, agency_code, year)
    return _document(
        source,
        ReportLevel.AGENCY,
        agency_code,
        policy.name,
        year,
        [agency_code],
        [record],
        record,
        _reference_date(as_of, today),
        as_of,
        origin,
    )


def city_report(
    source: FactSource,
    policies: PolicyBook,
    city: str,
    year: int,
    *,
    as_of: datetime | None = None,
    today: date | None = None,
    origin: str = "read_model",
) -> dict[str, Any]:
    """The city aggregate: the sum over the agencies whose policy names the city
    (004 att.9 Art 3: 汇总所属部门…的年度报告), with each agency's publication status."""
    agencies = sorted(p.code for p in policies.all() if p.city == city)
    if not agencies:
        raise KeyError(f"no configured agency belongs to the city {city!r}")
    records = [source.record(ReportLevel.AGENCY, code, year) for code in agencies]
    own = source.record(ReportLevel.CITY, city, year)
    reference = _reference_date(as_of, today)
    document = _document(
        source,
        ReportLevel.CITY,
        city,
        city,
        year,
        agencies,
        records,
        own,
        reference,
        as_of,
        origin,
    )
    document["agency_publication"] = [
        {
            "code": code,
            "name": policies.get(code).name,
            **_publication(ReportLevel.AGENCY, year, record, reference),
        }
        for code, record in zip(agencies, records, strict=True)
    ]
    return document


def _reference_date(as_of: datetime | None, today: date | None) -> date | None:
    """The day against which an unpublished report is judged overdue."""
    if as_of is not None:
        return as_of.astimezone(CHINA).date()
    return today


def _document(
    source: FactSource,
    level: ReportLevel,
    subject: str,
    name: str,
    year: int,
    agencies: list[str],
    figure_records: list[RecordFact | None],
    own: RecordFact | None,
    reference: date | None,
    as_of: datetime | None,
    origin: str,
) -> dict[str, Any]:
    counts = source.counts(agencies)
    requests = request_cells(counts.requests, year)
    appeals = appeal_cells(counts.appeals, year)
    failures = check_request_cells(requests) + check_appeal_cells(appeals)
    missing = [
        f"figures:{code}"
        for code, record in zip(agencies, figure_records, strict=True)
        if record is None or record.licensing is None
    ]
    sections = own.sections if own is not None else {}
    # 004 att.9 Art 4: the report may not omit its parts (不能遗漏).
    missing += [f"text:{s.value}" for s in REQUIRED_SECTIONS if s.value not in sections]
    return {
        "schema": SCHEMA,
        "level": level.value,
        "subject": subject,
        "name": name,
        "year": year,
        # 004 att.9 Art 4(一): 《XX(单位规范化全称)YYYY年政府信息公开工作年度报告》
        "title": f"{name}{year}年政府信息公开工作年度报告",
        "agencies": agencies,
        "as_of": None if as_of is None else as_of.isoformat(),
        "origin": origin,
        "publication": _publication(level, year, own, reference),
        "text": {s.value: sections.get(s.value) for s in ReportSection},
        "proactive": _proactive(counts, figure_records, year),
        "requests": _table(REQUEST_COLUMNS, REQUEST_ROWS, requests),
        "appeals": _table(APPEAL_COLUMNS, APPEAL_ROWS, appeals),
        "checks": {"passed": not failures, "failures": [f.as_json() for f in failures]},
        "incomplete": missing,
        "notes": {
            "requests_open_from_earlier_years": open_from_earlier_years(counts.requests, year)
        },
    }


def _publication(
    level: ReportLevel, year: int, record: RecordFact | None, reference: date | None
) -> dict[str, Any]:
    """Publication against the deadline (004 att.9 Art 3; 004 att.11: 1 point per late report)."""
    deadline = report_deadline(level, year)
    editions = record.editions if record is not None else []
    first = editions[0] if editions else None
    if first is not None:
        status = "late" if first > deadline else "on_time"
        days_late = max((first - deadline).days, 0)
    elif reference is not None and reference > deadline:
        status, days_late = "overdue", (reference - deadline).days
    else:
        status, days_late = "not_published", 0
    return {
        "deadline": deadline.isoformat(),
        "citation": DEADLINE_CITATION,
        "first_published_on": None if first is None else first.isoformat(),
        "last_published_on": editions[-1].isoformat() if editions else None,
        "editions": len(editions),
        "status": status,
        "days_late": days_late,
    }


def _proactive(counts: FactCounts, records: list[RecordFact | None], year: int) -> dict[str, Any]:
    documents = document_cells(counts.items, year)
    recorded = [r for r in records if r is not None and r.licensing is not None]

    def total(attribute: str) -> Any:
        values = [getattr(r, attribute) for r in recorded]
        return sum(values) if values else None

    fees = total("fees")
    return {
        "documents": [
            {"key": key, "label": label, **documents[key]} for key, label in DOCUMENT_ROWS
        ],
        "document_columns": [{"key": k, "label": label} for k, label in DOCUMENT_COLUMNS],
        "decisions": [
            {"key": key, "label": label, "decisions": total(key)} for key, label in DECISION_ROWS
        ],
        "fees": {
            "label": "行政事业性收费",
            "amount_10k_yuan": None if fees is None else str(Decimal(fees).quantize(FEES_QUANTUM)),
        },
    }


def _table(
    columns: tuple[tuple[str, str, str], ...],
    rows: tuple[tuple[str, tuple[str, ...]], ...],
    cells: Cells,
) -> dict[str, Any]:
    return {
        "columns": [{"key": key, "label": label, "group": group} for key, label, group in columns],
        "rows": [
            {"key": key, "labels": list(labels), "values": cells[key]} for key, labels in rows
        ],
    }


def cells_of(table: dict[str, Any]) -> Cells:
    """A JSON table back as row -> column -> value (to re-check a document from elsewhere)."""
    return {row["key"]: dict(row["values"]) for row in table["rows"]}


# ---- comparison --------------------------------------------------------------------------------


def lines(document: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], Any]]:
    """Every reported value of a document: path -> (labels, value)."""
    out: dict[str, tuple[tuple[str, ...], Any]] = {}
    for section, label in SECTION_LABELS.items():
        out[f"text/{section.value}"] = ((label,), document["text"][section.value])
    proactive = document["proactive"]
    for row in proactive["documents"]:
        for column in proactive["document_columns"]:
            path = f"proactive/{row['key']}/{column['key']}"
            out[path] = ((row["label"], column["label"]), row[column["key"]])
    for row in proactive["decisions"]:
        out[f"proactive/{row['key']}"] = ((row["label"], "本年处理决定数量"), row["decisions"])
    out["proactive/fees"] = (
        ("行政事业性收费", "本年收费金额（单位：万元）"),
        proactive["fees"]["amount_10k_yuan"],
    )
    for name in ("requests", "appeals"):
        table = document[name]
        labels = {c["key"]: c["label"] for c in table["columns"]}
        for row in table["rows"]:
            for key, value in row["values"].items():
                out[f"{name}/{row['key']}/{key}"] = ((*row["labels"], labels[key]), value)
    for key in ("status", "first_published_on", "editions"):
        out[f"publication/{key}"] = (("发布", key), document["publication"][key])
    for agency in document.get("agency_publication", []):
        for key in ("status", "first_published_on"):
            path = f"agency_publication/{agency['code']}/{key}"
            out[path] = ((agency["name"], "发布", key), agency[key])
    return out


def compare_reports(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines that differ between two documents (e.g. the report as of two cut-offs)."""
    a, b = lines(before), lines(after)
    return [
        {"path": path, "labels": list(labels), "before": value, "after": b[path][1]}
        for path, (labels, value) in a.items()
        if b[path][1] != value
    ]
