"""``emailtrack mailbox list|register``: sending mailboxes (CampaignService) with their
figures, health score and band (analytics) and warmup totals kept apart."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from emailtrack.commands.common import (
    ANALYTICS,
    RECIPIENT,
    AnalyticsAddr,
    AsJson,
    RecipientAddr,
    Tenant,
    cli_channel,
    command_group,
    console,
    percent,
    print_json,
    service_call,
)
from emailtrack.presentation import campaign_views
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, campaign_pb2, campaign_pb2_grpc

app = command_group("Sending mailboxes and their health.")
BAND_COLOURS = {"good": "green", "warning": "yellow", "critical": "red"}


def _health(row: dict[str, Any]) -> str:
    if row["health_score"] is None:
        return "not computed yet"
    colour = BAND_COLOURS.get(row["health_band"], "white")
    return f"[{colour}]{row['health_score']} {row['health_band']}[/{colour}]"


@app.command("list")
def list_mailboxes(
    tenant: Tenant,
    domain: Annotated[str, typer.Option(help="Only mailboxes of this domain.")] = "",
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
    analytics: AnalyticsAddr = ANALYTICS,
) -> None:
    """Registered mailboxes (and mailboxes seen in events) with sent, delivered, bounced,
    complaints, opens, clicks, replies and the health score."""
    domain = domain.strip().lower()
    with service_call("listing mailboxes"), cli_channel(recipient) as channel:
        registered = (
            campaign_pb2_grpc.CampaignServiceStub(channel)
            .ListMailboxes(campaign_pb2.ListMailboxesRequest(tenant_id=tenant, domain=domain))
            .mailboxes
        )
    addresses = [m.address for m in registered]
    figures: list[analytics_pb2.MailboxStats] = []
    if addresses or not domain:
        with service_call("mailbox figures"), cli_channel(analytics) as channel:
            figures = list(
                analytics_pb2_grpc.AnalyticsServiceStub(channel)
                .ListMailboxStats(
                    analytics_pb2.ListMailboxStatsRequest(
                        tenant_id=tenant, mailboxes=addresses if domain else []
                    )
                )
                .mailboxes
            )
    rows = campaign_views.mailbox_rows(registered, figures)
    if as_json:
        print_json({"mailboxes": rows})
        return
    table = Table(title=f"{len(rows)} mailboxes of {tenant}")
    columns = ("mailbox", "health", "sent", "delivered", "bounced", "complaints", "opens")
    for column in (*columns, "clicks", "replies", "bounce rate", "open rate"):
        table.add_column(column, justify="left" if column in ("mailbox", "health") else "right")
    for row in rows:
        stats = row["stats"]
        counts = [str(stats[name]) for name in campaign_views.MAILBOX_COUNTS] if stats else []
        rates = (
            [percent(stats["rates"]["bounce"]), percent(stats["rates"]["open"])] if stats else []
        )
        label = row["address"] + ("" if row["registered"] else " (not registered)")
        table.add_row(label, _health(row), *(counts + rates or ["—"] * 9))
    console.print(table)


@app.command("register")
def register(
    address: Annotated[str, typer.Argument(help="The sending address, e.g. sales@example.com.")],
    tenant: Tenant,
    daily_limit: Annotated[int, typer.Option(min=0, help="Messages per day (0 = no limit).")] = 0,
    warmup: Annotated[bool, typer.Option("--warmup", help="Warmup is enabled.")] = False,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Register (or update) a sending mailbox."""
    request = campaign_pb2.RegisterMailboxRequest(
        tenant_id=tenant, address=address, daily_limit=daily_limit, warmup_enabled=warmup
    )
    with service_call(f"registering {address}"), cli_channel(recipient) as channel:
        reply = campaign_pb2_grpc.CampaignServiceStub(channel).RegisterMailbox(request)
    found = campaign_views.mailbox(reply.mailbox)
    if as_json:
        print_json(found)
        return
    limit = found["daily_limit"] or "no"
    warm = "on" if found["warmup_enabled"] else "off"
    console.print(f"registered {found['address']}: {limit} daily limit, warmup {warm}")
