"""The ``emailtrack`` command line. Heavy modules (the platform supervisor with SQLAlchemy,
Alembic and Kafka; the relay; the dead-letter and bounce-feed clients) are imported inside the
commands that use them, so that ``--help`` and the light commands start fast."""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import grpc
import typer
from dotenv import load_dotenv
from rich.console import Console
from rich.table import Table

from emailtrack.commands import (
    bounce,
    campaign,
    campaign_admin,
    campaign_messages,
    dashboard,
    deadletter,
    domain,
    keys,
    mailbox,
    message,
    recipient,
    report,
    usage,
    webhook,
)
from emailtrack.commands.common import ApiKey, command_group, use_api_key
from emailtrack.commands.demo import demo
from emailtrack.commands.relay import relay, relay_password
from emailtrack.commands.replay import replay

if TYPE_CHECKING:
    from emailtrack.platform.supervisor import Platform

app = command_group("emailtrack: email engagement tracking platform.")
app.add_typer(deadletter.app, name="deadletter")
for name, command in (
    ("create", campaign_admin.create),
    ("status", campaign_admin.status),
    ("delete", campaign_admin.delete),
    ("variants", campaign_admin.variants),
    ("messages", campaign_messages.messages),
):
    campaign.app.command(name)(command)
app.add_typer(campaign.app, name="campaign")
app.add_typer(mailbox.app, name="mailbox")
app.add_typer(usage.app, name="usage")
app.add_typer(keys.app, name="key")
app.add_typer(message.app, name="message")
app.add_typer(recipient.app, name="recipient")
app.add_typer(report.app, name="report")
app.add_typer(bounce.app, name="bounce")
app.add_typer(dashboard.app, name="dashboard")
app.add_typer(domain.app, name="domain")
app.add_typer(webhook.app, name="webhook")
app.command("bounce-feed", help="Same as `emailtrack bounce feed`.")(bounce.feed)
app.command("summary", help="Same as `emailtrack report summary`.")(report.summary)
app.command("replay")(replay)
app.command("demo")(demo)
app.command("relay")(relay)
app.command("relay-password")(relay_password)
console = Console()


@app.callback()
def _root(api_key: ApiKey = None) -> None:
    """emailtrack: email engagement tracking platform."""
    use_api_key(api_key)


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
    from emailtrack.platform.supervisor import Platform, PlatformOptions

    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    try:
        platform = Platform(
            PlatformOptions(state_dir.resolve(), database_url, kafka, auto_ports=auto_ports)
        )
    except ValueError as exc:
        console.print(f"[red]start-up failed:[/red] {exc}")
        raise typer.Exit(2) from exc
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
    try:
        created = platform.ensure_admin_key()
    except grpc.RpcError as exc:
        console.print(f"[red]cannot reach the API key store:[/red] {exc.code()}")
        platform.stop()
        raise typer.Exit(1) from exc
    table = Table(title=f"emailtrack is up ({time.monotonic() - started:.1f}s)")
    table.add_column("component")
    table.add_column("endpoint")
    for name, endpoint in platform.endpoints().items():
        table.add_row(name, endpoint)
    console.print(table)
    print_admin_key(platform, created)
    console.print("Press Ctrl-C to stop.")
    while not stop.wait(1.0):
        dead = [n for n, p in platform.processes.items() if p.poll() is not None]
        if dead:
            console.print(f"[red]{', '.join(dead)} exited; stopping[/red]")
            break
    with console.status("stopping…"):
        platform.stop()
    console.print("stopped.")


def print_admin_key(platform: Platform, created: bool) -> None:
    saved = platform.options.state_dir / "admin-key"
    if created:
        console.print(f"first admin API key (shown once; also in {saved}):")
        console.print(platform.admin_key, markup=False, highlight=False)
    elif platform.admin_key:
        console.print(f"admin API key: in {saved}")
    else:
        console.print("API keys exist; create one with `emailtrack key create` and an admin key")
    console.print("use it: export EMAILTRACK_API_KEY=… (CLI, grpcurl -H 'authorization: Bearer …')")


def main() -> None:
    """The entry point: variables from ``./.env`` fill what the environment does not set
    (docs/dashboard.md), for the CLI and for every component `emailtrack up` starts."""
    load_dotenv(Path.cwd() / ".env", override=False)
    app()
