"""`gongkai ledger …`: signing keys, checkpoints, proofs, export bundles and their verification.

The ledger lives in the same SQLite file as the events (`<data-dir>/gongkai.sqlite`). The signer
key lives in a file outside it (`--key-file`, or `GONGKAI_LEDGER_KEY_FILE`), mode 0600.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from api.services import Services, build_services
from api.settings import Settings
from projections.ledger import verify_bundle
from projections.ledger.note import (
    KEY_FILE_ENV,
    KeyFileError,
    MalformedKeyError,
    Signer,
    generate_key,
    read_signer_key_file,
    write_signer_key_file,
)
from projections.ledger.store import (
    ORIGIN_ENV,
    LedgerError,
    LedgerFollower,
    LedgerStore,
    NoCheckpoint,
    NotInLedger,
)

ledger_app = typer.Typer(
    help="台账存证 Tamper-evident ledger: keys, checkpoints, proofs, export, verify.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path, typer.Option("--data-dir", help="holds gongkai.sqlite", envvar="GONGKAI_DATA_DIR")
]
KeyFile = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        envvar=KEY_FILE_ENV,
        help="the signer key file (mode 0600), made by `gongkai ledger keygen`",
    ),
]
Origin = Annotated[
    str | None,
    typer.Option(
        "--origin",
        envvar=ORIGIN_ENV,
        help="the log's origin line, e.g. gongkai-ledger.example/zhengzhou (never changes)",
    ),
]


@contextmanager
def _opened(data_dir: Path, origin: str | None = None) -> Iterator[tuple[Services, LedgerStore]]:
    settings = Settings.from_env(data_dir)
    if not settings.database.exists():
        err.print(f"[red]no event store at {settings.database}[/red]")
        raise typer.Exit(1)
    services = build_services(settings)
    try:
        ledger = LedgerStore.for_app(services.ledger, services.store)
        if origin:
            ledger.configured_origin = origin
        yield services, ledger
    finally:
        services.close()


def _signer(key_file: Path | None) -> Signer:
    if key_file is None:
        err.print(f"[red]no signer key: pass --key-file or set {KEY_FILE_ENV}[/red]")
        raise typer.Exit(2)
    try:
        return read_signer_key_file(key_file)
    except (KeyFileError, MalformedKeyError) as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def _catch_up(services: Services, ledger: LedgerStore) -> int:
    """Bring the tree up to the log head, with a progress bar when there is work."""
    follower = LedgerFollower(services.ledger, ledger, batch_size=5_000)
    behind = follower.lag()
    if behind == 0:
        return 0
    with _progress("台账追加 appending to the tree") as progress:
        task = progress.add_task("append", total=behind)
        return follower.catch_up(lambda done: progress.update(task, completed=done))


@ledger_app.command()
def keygen(
    name: Annotated[
        str, typer.Option("--name", help="key name with a generation, e.g. example.gov.cn/2025")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="the new signer key file (0600)")],
) -> None:
    """Generate an Ed25519 signer key; print the verifier key to publish."""
    try:
        signer_key, verifier_key = generate_key(name)
        write_signer_key_file(out_file, signer_key)
    except MalformedKeyError as error:
        err.print(f"[red]{error}[/red] (a key name has no spaces and no '+')")
        raise typer.Exit(2) from error
    except FileExistsError as error:
        err.print(f"[red]{out_file} exists; a key file is never overwritten[/red]")
        raise typer.Exit(1) from error
    err.print(f"signer key written to {out_file} (mode 0600): keep it out of the event store and")
    err.print(f"its backups, and point {KEY_FILE_ENV} at it.")
    err.print("publish this verifier key (portal, docs, keyring file):")
    typer.echo(verifier_key)


@ledger_app.command()
def checkpoint(
    data_dir: DataDir = Path("var"),
    key_file: KeyFile = None,
    origin: Origin = None,
) -> None:
    """Bring the tree up to date and sign a checkpoint of it; print the signed note."""
    signer = _signer(key_file)
    with _opened(data_dir, origin) as (services, ledger):
        _catch_up(services, ledger)
        try:
            note = ledger.checkpoint(signer)
        except LedgerError as error:
            err.print(f"[red]refused: {error}[/red]")
            raise typer.Exit(1) from error
    typer.echo(note, nl=False)


@ledger_app.command()
def prove(
    notification_id: Annotated[int, typer.Option("--id", help="the event's notification id")],
    size: Annotated[
        int | None, typer.Option("--size", help="tree size (default: the latest checkpoint)")
    ] = None,
    data_dir: DataDir = Path("var"),
) -> None:
    """Print an inclusion proof (JSON) of one event, checked before it is printed."""
    with _opened(data_dir) as (services, ledger):
        _catch_up(services, ledger)
        try:
            proof = ledger.inclusion_proof(notification_id, tree_size=size)
        except (NotInLedger, NoCheckpoint) as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from error
    if not proof.verify():
        err.print("[red]the proof does not verify against the stored root[/red]")
        raise typer.Exit(1)
    typer.echo(json.dumps(proof.to_json(), ensure_ascii=False, indent=2))
    covered = "the signed checkpoint" if proof.checkpoint else "an unsigned root"
    err.print(
        f"[green]✓[/green] event {proof.notification_id} is leaf {proof.leaf_index} of the tree "
        f"of size {proof.tree_size} ({covered})"
    )


@ledger_app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="the new bundle directory")],
    data_dir: DataDir = Path("var"),
    key_file: KeyFile = None,
    origin: Origin = None,
    sign: Annotated[
        bool, typer.Option(help="sign a checkpoint of the current tree first (needs the key)")
    ] = True,
    size: Annotated[
        int | None,
        typer.Option("--size", help="export through this checkpoint (default: the latest)"),
    ] = None,
    include_unsigned_tail: Annotated[
        bool, typer.Option(help="add the logged events after the checkpoint")
    ] = False,
) -> None:
    """Write an export bundle (events, leaf hashes, checkpoints, proofs, verify_bundle.py)."""
    if out_dir.exists():
        err.print(f"[red]{out_dir} exists; a bundle is written to a new directory[/red]")
        raise typer.Exit(1)
    signer = _signer(key_file) if sign and key_file is not None else None
    with _opened(data_dir, origin) as (services, ledger):
        _catch_up(services, ledger)
        try:
            if sign and size is None:
                if signer is not None:
                    ledger.checkpoint(signer)
                else:
                    err.print(f"[yellow]no key ({KEY_FILE_ENV}): exporting the latest checkpoint")
            target = size if size is not None else _latest_size(ledger)
            total = ledger.head().size if include_unsigned_tail else target
            with _progress("导出 export") as progress:
                task = progress.add_task("export", total=total)
                summary = ledger.export(
                    out_dir,
                    tree_size=target,
                    include_unsigned_tail=include_unsigned_tail,
                    progress=_advance(progress, task),
                )
        except LedgerError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(1) from error
    err.print(
        f"[green]exported {summary.events} events[/green] to {out_dir}: checkpoints "
        + ", ".join(str(s) for s in summary.checkpoints)
    )
    for warning in summary.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    err.print(f"verify: python {out_dir / 'verify_bundle.py'} {out_dir} --public-key KEYRING")


def _latest_size(ledger: LedgerStore) -> int:
    latest = ledger.latest_checkpoint()
    if latest is None:
        raise NoCheckpoint("no checkpoint has been signed yet: run `gongkai ledger checkpoint`")
    return latest.tree_size


def _advance(progress: Progress, task: TaskID) -> Callable[[int], None]:
    def update(done: int) -> None:
        progress.update(task, completed=done)

    return update


@ledger_app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="the bundle directory")],
    public_key: Annotated[
        Path | None,
        typer.Option("--public-key", help="trust these verifier keys (the published keyring)"),
    ] = None,
    allow_unsigned_tail: Annotated[
        bool, typer.Option(help="accept events after the last checkpoint")
    ] = False,
) -> None:
    """Verify a bundle with this installation's verifier (never the copy inside the bundle)."""
    argv = [str(bundle)]
    if public_key is not None:
        argv += ["--public-key", str(public_key)]
    if allow_unsigned_tail:
        argv.append("--allow-unsigned-tail")
    with err.status(f"verifying {bundle} …"):
        status = verify_bundle.main(argv)
    sys.stdout.flush()
    raise typer.Exit(status)


@ledger_app.command()
def status(data_dir: DataDir = Path("var")) -> None:
    """How far the tree has followed the log, and the latest checkpoint."""
    with _opened(data_dir) as (services, ledger):
        follower = LedgerFollower(services.ledger, ledger)
        head, lag, latest = ledger.head(), follower.lag(), ledger.latest_checkpoint()
        keys = ledger.stored_verifier_keys()
    table = Table(title="台账 ledger", show_header=False)
    table.add_row("tree size", f"{head.size:,}")
    table.add_row("last notification id", str(head.last_notification_id))
    table.add_row("events not yet in the tree", f"{lag:,}")
    if latest is None:
        table.add_row("latest checkpoint", "none")
    else:
        table.add_row("latest checkpoint", f"size {latest.tree_size:,}, signed {latest.signed_at}")
        table.add_row("origin", latest.note.split("\n", 1)[0])
    table.add_row("verifier keys", "\n".join(keys) or "none")
    out.print(table)


@ledger_app.command()
def follow(
    data_dir: DataDir = Path("var"),
    poll: Annotated[float, typer.Option(help="seconds between polls when idle")] = 0.5,
) -> None:
    """Keep the tree current in this process (until Ctrl-C), when no server runs the follower."""
    with _opened(data_dir) as (services, ledger):
        follower = LedgerFollower(services.ledger, ledger)
        err.print(f"following {Settings.from_env(data_dir).describe_store()} (Ctrl-C stops)")
        try:
            follower.run_forever(poll)
        except KeyboardInterrupt:
            follower.stop()
