"""The `gongkai` command: serve, demo data, tokens, projections, history."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.auth import Official
from api.cli_ledger import ledger_app
from api.cli_reports import accountability_app, report_app
from api.demo import DEMO_END, DemoYear, SimulatedClock
from api.permissions import MATRIX_ROLES
from api.services import Services, build_services
from api.settings import Settings
from api.stores import open_for_rebuild, open_ledger
from api.views import event_out
from domain.codes import Role, label
from domain.errors import NotFound, UnknownAgency
from projections.driver import ProjectionDriver
from projections.parallel import rebuild_in_processes
from projections.postgres_store import drop_schema
from projections.registry import all_read_models

app = typer.Typer(help="Gongkai Ledger 公开台账", no_args_is_help=True, add_completion=False)
projections_app = typer.Typer(help="Read models: rebuild or follow the log.", no_args_is_help=True)
app.add_typer(projections_app, name="projections")
app.add_typer(report_app, name="report")
app.add_typer(accountability_app, name="accountability")
app.add_typer(ledger_app, name="ledger")
console = Console()

DataDir = Annotated[
    Path, typer.Option("--data-dir", help="holds gongkai.sqlite", envvar="GONGKAI_DATA_DIR")
]
DEMO_TOKENS = "demo-tokens.json"


def _driver(settings: Settings) -> tuple[ProjectionDriver, Services]:
    services = build_services(settings)
    driver = ProjectionDriver(
        services.ledger, services.store, all_read_models(services.ledger.policies)
    )
    return driver, services


@app.command()
def serve(
    data_dir: DataDir = Path("var"),
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    projections: Annotated[
        bool | None,
        typer.Option(
            help="run the projection driver in this process (default: GONGKAI_RUN_PROJECTIONS, "
            "else yes; with PostgreSQL run `gongkai projections run` instead)"
        ),
    ] = None,
) -> None:
    """Serve the API and pages (uvicorn; the projection driver runs in a background thread)."""
    import uvicorn

    from api.logging import LOG_CONFIG
    from api.main import create_app

    settings = Settings.from_env(data_dir)
    if projections is not None:
        settings = replace(settings, run_projections=projections)
    application = create_app(settings)
    base = f"http://{host}:{port}"
    console.print(f"[bold]Gongkai Ledger 公开台账[/bold] — data: {settings.describe_store()}")
    console.print(f"  目录 catalogue page  {base}/")
    console.print(f"  API 文档 docs        {base}/docs")
    console.print(f"  OpenAPI             {base}/openapi.json")
    tokens = data_dir / DEMO_TOKENS
    if tokens.exists():
        _print_tokens(json.loads(tokens.read_text(encoding="utf-8")))
    try:
        uvicorn.run(application, host=host, port=port, access_log=False, log_config=LOG_CONFIG)
    finally:
        application.state.services.close()


@app.command()
def demo(
    data_dir: DataDir = Path("var"),
    fresh: Annotated[bool, typer.Option(help="delete existing data first")] = False,
    seed: Annotated[int, typer.Option(help="random seed of the story")] = 2025,
) -> None:
    """Load a deterministic demo year (2025 into early 2026) at the five seed agencies."""
    settings = Settings.from_env(data_dir)
    database = settings.database
    if fresh:
        if settings.postgres is not None:
            drop_schema(settings.postgres)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        (data_dir / DEMO_TOKENS).unlink(missing_ok=True)
    elif settings.postgres is None and database.exists():
        console.print(f"[red]{database} already exists; use --fresh to replace it[/red]")
        raise typer.Exit(1)
    started = time.perf_counter()
    clock = SimulatedClock()
    ledger = open_ledger(settings, clock=clock)
    if ledger.recorder.max_notification_id():
        console.print(f"[red]{settings.describe_store()} holds events; use --fresh[/red]")
        ledger.close()
        raise typer.Exit(1)
    services = build_services(settings, ledger=ledger)
    story = DemoYear(ledger, clock, seed)
    story.build()
    steps = story.steps()
    with Progress(
        TextColumn("[bold]演示数据 demo year[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("demo", total=len(steps))
        summary = story.run(lambda n: progress.advance(task, n))
    driver = ProjectionDriver(ledger, services.store, all_read_models(ledger.policies))
    driver.catch_up(progress=True)
    for person in summary.officials:
        services.officials.save(
            Official(
                official_id=person.official_id,
                name=person.name,
                role=person.role,
                department=person.department,
                agency_code=person.agency_code,
            )
        )
    first = ledger.policies.all()[0].code
    tokens = []
    for role in MATRIX_ROLES:
        person = next(p for p in summary.officials if p.agency_code == first and p.role is role)
        official = Official(
            official_id=person.official_id,
            name=person.name,
            role=person.role,
            department=person.department,
            agency_code=person.agency_code,
        )
        tokens.append(
            {
                "role": role.value,
                "label": label(role),
                "official_id": person.official_id,
                "department": person.department,
                "agency": person.agency_code,
                "token": services.officials.issue_token(official),
            }
        )
    token_file = data_dir / DEMO_TOKENS
    token_file.write_text(json.dumps(tokens, ensure_ascii=False, indent=2), encoding="utf-8")
    os.chmod(token_file, 0o600)
    services.close()
    elapsed = time.perf_counter() - started
    typer.echo(
        f"demo loaded in {elapsed:.1f} s: {summary.items} items, "
        f"{summary.requests} requests, {summary.events} events, "
        f"{len(summary.outcomes)}/21 reply outcomes, both annual-review results "
        f"({', '.join(sorted(o.value for o in summary.review_outcomes))}); story ends {DEMO_END}"
    )
    typer.echo("clock situations: " + "; ".join(sorted(summary.situations)))
    _print_tokens(tokens)


def _print_tokens(tokens: list[dict[str, str]]) -> None:
    """One token per role, printed whole so it can be copied (the public needs none)."""
    typer.echo("演示令牌 demo tokens — send as `Authorization: Bearer <token>`:")
    for entry in tokens:
        typer.echo(
            f"  {entry['role']:<25} {entry['label']:<8} {entry['official_id']:<36} "
            f"{entry['department']}"
        )
        typer.echo(f"      {entry['token']}")
    typer.echo("  public (公众): no token — GET /, /catalogue, /catalogue/feed.atom, /agencies")


@app.command()
def token(
    official: Annotated[str, typer.Option("--official", help="official id")],
    role: Annotated[Role, typer.Option("--role", help="the official's role")],
    department: Annotated[str, typer.Option("--department", help="department / section")],
    agency: Annotated[str, typer.Option("--agency", help="agency organisation code")],
    name: Annotated[str, typer.Option("--name", help="the official's name")] = "",
    data_dir: DataDir = Path("var"),
) -> None:
    """Configure an official and print a new bearer token (shown once; only its hash is kept)."""
    if role is Role.SYSTEM:
        console.print("[red]no token is issued for the system role[/red]")
        raise typer.Exit(2)
    services = build_services(Settings.from_env(data_dir))
    try:
        services.ledger.policy(agency)
        person = Official(
            official_id=official, name=name, role=role, department=department, agency_code=agency
        )
        issued = services.officials.issue_token(person)
    except (UnknownAgency, ValueError) as error:  # an unknown agency, an invalid field
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    finally:
        services.close()
    typer.echo(issued)


@projections_app.command("rebuild")
def projections_rebuild(
    names: Annotated[list[str] | None, typer.Argument(help="read models (default: all)")] = None,
    data_dir: DataDir = Path("var"),
    workers: Annotated[
        int, typer.Option(min=1, help="processes, each replaying the log for some of the models")
    ] = 2,
) -> None:
    """Drop and replay read models from the event log (resumable)."""
    settings = Settings.from_env(data_dir)
    driver, services = _driver(settings)
    try:
        opener = partial(open_for_rebuild, settings)
        reports = rebuild_in_processes(driver, opener, names or None, workers=workers)
        processed = max(report.events for report in reports)
    except KeyError as error:
        console.print(f"[red]{error.args[0]}[/red]")
        raise typer.Exit(2) from error
    finally:
        services.close()
    console.print(f"rebuilt from {processed} events")


@projections_app.command("run")
def projections_run(data_dir: DataDir = Path("var")) -> None:
    """Follow the log and keep the read models current (until Ctrl-C)."""
    driver, services = _driver(Settings.from_env(data_dir))
    console.print(f"following {services.settings.describe_store()} (Ctrl-C stops)")
    try:
        driver.run_forever()
    except KeyboardInterrupt:
        driver.stop()
    finally:
        services.close()


@app.command()
def history(
    aggregate_id: Annotated[UUID, typer.Argument(help="item or request id")],
    data_dir: DataDir = Path("var"),
) -> None:
    """Print every event of an item or request (applicant data redacted)."""
    services = build_services(Settings.from_env(data_dir))
    try:
        events = services.ledger.history(aggregate_id)
    except NotFound as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    finally:
        services.close()
    table = Table(title=f"history {aggregate_id}")
    for column in ("v", "recorded (UTC)", "on", "event", "official", "role", "details"):
        table.add_column(column)
    for event in events:
        shown = event_out(event, sees_applicant=False)
        details = json.dumps(shown.data, ensure_ascii=False)
        table.add_row(
            str(shown.version),
            shown.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(shown.on or ""),
            shown.type,
            shown.actor.official_id,
            label(shown.actor.role),
            details if len(details) <= 120 else details[:117] + "...",
        )
    console.print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
