"""``emailtrack bounce feed PATH``: stream a bounce mailbox (mbox or Maildir) to the bounce
service (``emailtrack bounce-feed`` is the same command); ``emailtrack bounce parse FILE...``:
parse bounce mail offline with the bounce service's own command (``python -m services.bounce
parse``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from emailtrack.commands.common import (
    BOUNCE,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    api_key,
    command_group,
    console,
    fail,
    run_service_command,
)

app = command_group("Bounce mailboxes.")


@app.command("feed")
def feed(
    path: Annotated[Path, typer.Argument(help="An mbox file or a Maildir folder.")],
    tenant: Annotated[str, typer.Option(help="Tenant the bounce mailbox belongs to.")],
    address: Annotated[
        str, typer.Option(envvar="EMAILTRACK_BOUNCE_ADDR", help="Bounce service gRPC address.")
    ] = BOUNCE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Feed a bounce mailbox to the bounce service. Exit 0 ok, 1 service error, 2 bad input."""
    from emailtrack import bounce_feed as feeding  # here: other commands start without it

    try:
        total = feeding.message_count(path)
        with Progress(console=console, disable=as_json, transient=True) as progress:
            task = progress.add_task("feeding", total=total)
            counts = feeding.feed(
                path, tenant, address, lambda: progress.advance(task), api_key=api_key() or None
            )
    except feeding.FeedError as exc:
        raise fail(f"bounce feed: {exc}", EXIT_BAD_INPUT if exc.bad_input else EXIT_FAILED) from exc
    if as_json:
        typer.echo(json.dumps(counts))
        return
    table = Table(title=f"bounce feed {path}")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for name, value in counts.items():
        table.add_row(name.replace("_", " "), str(value))
    console.print(table)


@app.command("parse")
def parse(
    files: Annotated[list[Path], typer.Argument(help=".eml files, mbox files, Maildir folders.")],
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"results": [...]} as JSON.')
    ] = False,
) -> None:
    """Parse bounce mail offline (no service). Exit 0 parsed, 1 not a bounce, 2 unreadable."""
    done = run_service_command(
        "bounce", ["parse", *(["--json"] if as_json else []), *(str(f) for f in files)]
    )
    typer.echo(done.stdout, nl=False)
    raise typer.Exit(done.returncode)
