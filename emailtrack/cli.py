"""The ``emailtrack`` command line."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from emailtrack import bounce_feed as feeding
from emailtrack.commands import deadletter
from emailtrack.platform.supervisor import Platform, PlatformOptions

app = typer.Typer(help="emailtrack: email engagement tracking platform.", no_args_is_help=True)
app.add_typer(deadletter.app, name="deadletter")
console = Console()


@app.callback()
def _root() -> None:
    """emailtrack: email engagement tracking platform."""


@app.command()
def up(
    state_dir: Annotated[
        Path, typer.Option(help="Folder for PostgreSQL data, logs and dev token keys.")
    ] = Path(".emailtrack"),
    database_url: Annotated[
        str | None,
        typer.Option(envvar="EMAILTRACK_EXTERNAL_DATABASE_URL", help="Use this PostgreSQL server."),
    ] = None,
    kafka: Annotated[
        str | None,
        typer.Option(envvar="EMAILTRACK_EXTERNAL_KAFKA", help="Use this Kafka bootstrap address."),
    ] = None,
    auto_ports: Annotated[
        bool, typer.Option(help="Pick free ports instead of the defaults.")
    ] = False,
) -> None:
    """Start the whole platform (PostgreSQL, Kafka, gateway, every service) until Ctrl-C."""
    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    platform = Platform(
        PlatformOptions(state_dir.resolve(), database_url, kafka, auto_ports=auto_ports)
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        with console.status("starting PostgreSQL and Kafka, applying migrations…"):
            platform.start_infrastructure()
        platform.start_components()
        with console.status("starting components…") as status:
            platform.wait_ready(
                90,
                lambda ready: status.update(
                    "waiting for: " + ", ".join(n for n, ok in ready.items() if not ok)
                ),
            )
    except (RuntimeError, TimeoutError, OSError) as exc:
        console.print(f"[red]start-up failed:[/red] {exc}")
        platform.stop()
        raise typer.Exit(1) from exc
    table = Table(title=f"emailtrack is up ({time.monotonic() - started:.1f}s)")
    table.add_column("component")
    table.add_column("endpoint")
    for name, endpoint in platform.endpoints().items():
        table.add_row(name, endpoint)
    console.print(table)
    console.print("Press Ctrl-C to stop.")
    while not stop.wait(1.0):
        dead = [n for n, p in platform.processes.items() if p.poll() is not None]
        if dead:
            console.print(f"[red]{', '.join(dead)} exited; stopping[/red]")
            break
    with console.status("stopping…"):
        platform.stop()
    console.print("stopped.")


@app.command("bounce-feed")
def bounce_feed(
    path: Annotated[Path, typer.Argument(help="An mbox file or a Maildir folder.")],
    tenant: Annotated[str, typer.Option(help="Tenant the bounce mailbox belongs to.")],
    address: Annotated[
        str, typer.Option(envvar="EMAILTRACK_BOUNCE_ADDR", help="Bounce service gRPC address.")
    ] = "127.0.0.1:50053",
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Feed a bounce mailbox to the bounce service. Exit 0 ok, 1 service error, 2 bad input."""
    try:
        total = feeding.message_count(path)
        with Progress(console=console, disable=as_json, transient=True) as progress:
            task = progress.add_task("feeding", total=total)
            counts = feeding.feed(path, tenant, address, lambda: progress.advance(task))
    except feeding.FeedError as exc:
        console.print(f"[red]bounce-feed failed:[/red] {exc}")
        raise typer.Exit(2 if exc.bad_input else 1) from exc
    if as_json:
        print(json.dumps(counts))
        return
    table = Table(title=f"bounce-feed {path}")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    for name, value in counts.items():
        table.add_row(name.replace("_", " "), str(value))
    console.print(table)


def main() -> None:
    app()
