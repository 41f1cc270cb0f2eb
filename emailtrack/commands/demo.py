"""``emailtrack demo``: defines a two-step A/B campaign with two sending mailboxes, sends it
through the running platform and plays its readers, proxies, scanners, a bounce and an
unsubscribe over about a minute, then replies, an out-of-office auto-reply and warmup
exchanges, so that the dashboard's campaign and mailbox pages come alive."""

from __future__ import annotations

import contextlib
import time
from typing import Annotated

import typer
from rich.progress import Progress

from emailtrack.commands.common import (
    BOUNCE,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    RECIPIENT,
    TRACKING_EDGE,
    AsJson,
    BounceAddr,
    RecipientAddr,
    TrackingEdgeAddr,
    api_key,
    console,
    fail,
    print_json,
)
from emailtrack.demo.plan import make_plan


def demo(
    tenant: Annotated[
        str, typer.Option(envvar="EMAILTRACK_TENANT", help="Tenant (emailtrack up's login: demo).")
    ] = "demo",
    campaign: Annotated[
        str | None, typer.Option(help="Campaign id (default: autumn-sale-<time>).")
    ] = None,
    recipients: Annotated[int, typer.Option(min=1, max=5000, help="Messages to send.")] = 40,
    seconds: Annotated[float, typer.Option(min=0, help="Spread the hits over this long.")] = 45,
    seed: Annotated[int, typer.Option(help="Seed of the simulated behaviour.")] = 7,
    gateway: Annotated[
        str | None, typer.Option(help="Send hits to this origin instead of the tracking URLs'.")
    ] = None,
    as_json: AsJson = False,
    tracking_edge: TrackingEdgeAddr = TRACKING_EDGE,
    recipient: RecipientAddr = RECIPIENT,
    bounce: BounceAddr = BOUNCE,
) -> None:
    """Simulate a realistic campaign through the real stack (needs `emailtrack up`)."""
    from emailtrack.demo.run import DemoError, DemoRunner, Targets  # here: gRPC server plumbing

    campaign_id = campaign or time.strftime("autumn-sale-%Y%m%d-%H%M%S")
    try:
        plan = make_plan(campaign_id, recipients, seconds, seed)
    except ValueError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from exc
    runner = DemoRunner(
        plan, tenant, Targets(tracking_edge, recipient, bounce, gateway, api_key() or None)
    )
    try:
        sending = f"sending {recipients} messages…"
        with contextlib.nullcontext() if as_json else console.status(sending):
            runner.send()
        if not as_json:
            console.print(f"[bold]open the dashboard:[/bold] {runner.dashboard_url()}")
        with Progress(console=console, disable=as_json) as progress:
            task = progress.add_task("readers, proxies and scanners", total=len(plan.hits))
            runner.fire(lambda hit: progress.advance(task))
        with contextlib.nullcontext() if as_json else console.status("replies and warmup…"):
            runner.finish()
    except DemoError as exc:
        raise fail(f"demo: {exc}", EXIT_FAILED) from exc
    result: dict[str, object] = {
        "tenant": tenant,
        "campaign_id": campaign_id,
        "status": runner.status,
        "dashboard": runner.dashboard_url(),
        "mailboxes": runner.dashboard_url().rsplit("/campaigns/", 1)[0] + "/mailboxes",
    }
    result.update(sorted(runner.counts.items()))
    if as_json:
        print_json(result)
        return
    console.print(
        f"done ({runner.status}): "
        + ", ".join(
            f"{value} {name.replace('_', ' ')}"
            for name, value in result.items()
            if isinstance(value, int)
        )
    )
    console.print(f"[bold]mailbox health:[/bold] {result['mailboxes']}")
    for label, command in next_commands(tenant, campaign_id).items():
        console.print(f"[bold]{label}:[/bold] {command}", markup=True, highlight=False)


def next_commands(tenant: str, campaign_id: str) -> dict[str, str]:
    """What the demo suggests next: commands that run as printed (tenant included)."""
    return {
        "variants": f"emailtrack campaign variants {campaign_id} --tenant {tenant}",
        "campaign": f"emailtrack campaign show {campaign_id} --tenant {tenant}",
    }
