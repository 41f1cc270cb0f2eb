"""``emailtrack usage show``: usage metering of one billing period (CampaignService.GetUsage,
which adds analytics' tracked events)."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.table import Table

from emailtrack.commands.common import (
    EXIT_BAD_INPUT,
    RECIPIENT,
    AsJson,
    RecipientAddr,
    Tenant,
    cli_channel,
    command_group,
    console,
    fail,
    print_json,
    service_call,
)
from emailtrack.presentation import campaign_views
from emailtrack.v1 import campaign_pb2, campaign_pb2_grpc

app = command_group("Usage metering.")
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@app.command("show")
def show(
    tenant: Tenant,
    period: Annotated[
        str, typer.Option(help="Billing period YYYY-MM (default: the current UTC month).")
    ] = "",
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Messages and emails registered and sent, recipients, campaigns, active mailboxes and
    tracked events in the period."""
    if period and PERIOD.fullmatch(period) is None:
        raise fail(f"--period must be YYYY-MM, got {period!r}", EXIT_BAD_INPUT)
    with service_call("usage"), cli_channel(recipient) as channel:
        reply = campaign_pb2_grpc.CampaignServiceStub(channel).GetUsage(
            campaign_pb2.GetUsageRequest(tenant_id=tenant, period=period)
        )
    found = campaign_views.usage(reply.usage)
    if as_json:
        print_json(found)
        return
    table = Table(title=f"usage of {tenant} in {found['period']}", show_header=False)
    for name in campaign_views.USAGE_COUNTS:
        table.add_row(name.replace("_", " "), f"{found[name]:,}")
    console.print(table)
