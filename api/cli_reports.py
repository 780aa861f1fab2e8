"""`gongkai report …` and `gongkai accountability …`: the annual report (JSON, HTML, XLSX), the
violations, the evaluation and case files, from the event store in `<data-dir>/gongkai.sqlite`.

The CLI folds the event log itself (up to `--as-of`, or up to now), so its answer is exact
whether or not a server or `gongkai projections run` keeps the read models current. Output goes
to stdout (or `--out FILE`); progress and messages go to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import orjson
import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from api.schemas_reports import EvaluationOut, Moment, ViolationsOut
from api.services import Services, build_services
from api.settings import Settings
from api.views import today_in_china
from api.views_reports import evaluation, kind_of, report_as_of, report_filename, violations
from domain.annual_report_record import ReportLevel
from domain.errors import CalendarYearUnknown, NotFound
from projections.annual_report_render import render_html, render_xlsx
from projections.case_file import Subject, case_file, to_html, to_json

report_app = typer.Typer(
    help="年度报告 The annual report (004 att.9): JSON, printable HTML or XLSX.",
    no_args_is_help=True,
)
accountability_app = typer.Typer(
    help="责任追究 Violations, the evaluation score and case files (004 att.3, att.11).",
    no_args_is_help=True,
)
err = Console(stderr=True)

DataDir = Annotated[
    Path, typer.Option("--data-dir", help="holds gongkai.sqlite", envvar="GONGKAI_DATA_DIR")
]
Year = Annotated[int, typer.Option("--year", min=2000, max=2999, help="the report year")]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="the records as they stood at this moment: RFC 3339 with zone, e.g. "
        "2026-01-31T16:00:00+08:00 (default: now)",
    ),
]
Out = Annotated[Path | None, typer.Option("--out", help="write to this file (default: stdout)")]
Day = Annotated[
    datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"], help="a date (China)")
]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]

_MOMENT: TypeAdapter[datetime] = TypeAdapter(Moment)


class ReportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    XLSX = "xlsx"


class CaseFormat(StrEnum):
    JSON = "json"
    HTML = "html"


class CaseKind(StrEnum):
    ITEM = "item"
    REQUEST = "request"
    OFFICIAL = "official"


@contextmanager
def _opened(data_dir: Path) -> Iterator[Services]:
    """The services over an existing event store (never creates one)."""
    settings = Settings.from_env(data_dir)
    if not settings.database.exists():
        err.print(f"[red]no event store at {settings.database}[/red]")
        raise typer.Exit(1)
    services = build_services(settings)
    try:
        yield services
    except (NotFound, CalendarYearUnknown) as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    finally:
        services.close()


def _moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        return _MOMENT.validate_python(text)
    except ValidationError as error:
        err.print("[red]--as-of: RFC 3339 with its zone, e.g. 2026-01-31T16:00:00+08:00[/red]")
        raise typer.Exit(2) from error


def _emit(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(data)
    err.print(f"wrote {out} ({len(data):,} bytes)")


def _report(
    level: ReportLevel,
    subject: str,
    year: int,
    as_of: str | None,
    fmt: ReportFormat,
    out: Path | None,
    data_dir: Path,
) -> None:
    cutoff = _moment(as_of)
    with _opened(data_dir) as services:
        ledger = services.ledger
        known = (
            subject in ledger.policies
            if level is ReportLevel.AGENCY
            else any(p.city == subject for p in ledger.policies.all())
        )
        if not known:
            err.print(f"[red]no configured {level.value} {subject!r}[/red]")
            raise typer.Exit(1)
        with err.status(f"折叠事件日志 folding the event log up to {cutoff.isoformat()} …"):
            document = report_as_of(ledger, level, subject, year, cutoff)
    if fmt is ReportFormat.XLSX:
        _emit(render_xlsx(document), out or Path(report_filename(document, "xlsx")))
    elif fmt is ReportFormat.HTML:
        _emit(render_html(document).encode("utf-8"), out)
    else:
        _emit(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n", out)


@report_app.command("annual")
def report_annual(
    agency: Annotated[str, typer.Option("--agency", help="agency organisation code")],
    year: Year,
    as_of: AsOf = None,
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.JSON,
    out: Out = None,
    data_dir: DataDir = Path("var"),
) -> None:
    """An agency's annual report in the national template (XLSX defaults to a file)."""
    _report(ReportLevel.AGENCY, agency, year, as_of, fmt, out, data_dir)


@report_app.command("city")
def report_city(
    city: Annotated[str, typer.Option("--city", help="a city named in the agencies' policies")],
    year: Year,
    as_of: AsOf = None,
    fmt: Annotated[ReportFormat, typer.Option("--format")] = ReportFormat.JSON,
    out: Out = None,
    data_dir: DataDir = Path("var"),
) -> None:
    """The city's aggregate report over its agencies, with each agency's publication."""
    _report(ReportLevel.CITY, city, year, as_of, fmt, out, data_dir)


# ---- accountability ------------------------------------------------------------------------------


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _json(model: Any) -> None:
    _emit(model.model_dump_json(indent=2).encode("utf-8") + b"\n", None)


@accountability_app.command("violations")
def accountability_violations(
    agency: Annotated[str, typer.Option("--agency", help="agency organisation code")],
    as_of: Day = None,
    as_json: AsJson = False,
    data_dir: DataDir = Path("var"),
) -> None:
    """Every violation of the agency's records (as they stood on --as-of) and who bears it."""
    with _opened(data_dir) as services, err.status("读取事件历史 reading the histories …"):
        found = violations(services.ledger, agency, _day(as_of))
    if as_json:
        _json(found)
    else:
        _violations_table(found)


def _violations_table(found: ViolationsOut) -> None:
    table = Table(title=f"违规 violations — {found.agency_code}, as of {found.as_of}")
    for column in ("occurred", "violation", "aggregate", "citation", "responsibility", "detail"):
        table.add_column(column)
    for v in found.violations:
        shares = ", ".join(f"{s.official_id} {s.share_zh}" for s in v.attribution.shares)
        table.add_row(
            v.occurred_on.isoformat(),
            f"{v.label} ({v.kind})",
            f"{v.aggregate_type} {str(v.aggregate_id)[:8]}",
            v.citation,
            shares,
            v.detail,
        )
    Console().print(table)
    Console().print(f"{len(found.violations)} violation(s); calendar {found.calendar_version}")


@accountability_app.command("evaluation")
def accountability_evaluation(
    agency: Annotated[str, typer.Option("--agency", help="agency organisation code")],
    year: Year,
    as_of: Day = None,
    as_json: AsJson = False,
    data_dir: DataDir = Path("var"),
) -> None:
    """The 100-point evaluation (004 att.11): rows, deductions, score and grade."""
    with _opened(data_dir) as services, err.status("读取事件历史 reading the histories …"):
        result = evaluation(services.ledger, agency, year, _day(as_of))
    if as_json:
        _json(result)
    else:
        _evaluation_table(result)


def _evaluation_table(result: EvaluationOut) -> None:
    out = Console()
    title = f"考评 evaluation — {result.agency_code} {result.year}, as of {result.as_of}"
    table = Table(title=title)
    for column in ("row", "points", "deducted", "score", "deductions"):
        table.add_column(column)
    for row in result.rows:
        details = "; ".join(
            f"-{d.points} {d.detail}" + ("" if d.counted else f" (not counted: {d.note})")
            for d in row.deductions
        )
        table.add_row(
            f"{row.criterion} {row.text_zh}",
            str(row.points),
            str(row.deducted),
            str(row.score),
            details,
        )
    out.print(table)
    for d in result.fraud:
        out.print(f"Art 12 弄虚作假: -{d.points} {d.detail}")
    if result.unassessed:
        out.print("not yet assessed 未评: " + ", ".join(result.unassessed))
    out.print(f"score 得分 {result.score} — {result.grade} ({result.grade_en})")


@accountability_app.command("case-file")
def accountability_case_file(
    kind: Annotated[CaseKind, typer.Option("--kind")],
    subject_id: Annotated[str, typer.Option("--id", help="item / request id, or official id")],
    fmt: Annotated[CaseFormat, typer.Option("--format")] = CaseFormat.JSON,
    out: Out = None,
    as_of: Day = None,
    start: Annotated[
        datetime | None, typer.Option("--start", formats=["%Y-%m-%d"], help="official files")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--end", formats=["%Y-%m-%d"], help="official files")
    ] = None,
    data_dir: DataDir = Path("var"),
) -> None:
    """A printable case file (applicant data redacted): timeline, violations, attribution."""
    if kind is CaseKind.OFFICIAL:
        if start is None or end is None:
            err.print("[red]an official's case file needs --start and --end[/red]")
            raise typer.Exit(2)
        subject = Subject.official(subject_id, start.date(), end.date())
    else:
        try:
            subject = Subject.aggregate(UUID(subject_id), kind.value)
        except ValueError as error:
            err.print("[red]--id: an item or request id is a UUID[/red]")
            raise typer.Exit(2) from error
    with _opened(data_dir) as services:
        ledger = services.ledger
        if kind is not CaseKind.OFFICIAL and kind_of(ledger.history(UUID(subject.key))) != kind:
            err.print(f"[red]{subject_id} is not a {kind.value}[/red]")
            raise typer.Exit(1)
        day = _day(as_of) or today_in_china(ledger.clock)
        with err.status("编制案卷 building the case file …"):
            case = case_file(ledger, subject, day)
    if fmt is CaseFormat.HTML:
        _emit(to_html(case).encode("utf-8"), out)
    else:
        _emit(to_json(case) + b"\n", out)
