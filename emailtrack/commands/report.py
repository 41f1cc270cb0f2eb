"""``emailtrack report summary|bounces``: the tenant's campaigns added up by analytics
(GetTenantSummary; also ``emailtrack summary``), and where bounces and complaints come from,
campaign by campaign."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from emailtrack.commands.campaign import all_campaigns
from emailtrack.commands.common import (
    ANALYTICS,
    AnalyticsAddr,
    AsJson,
    Tenant,
    cli_channel,
    command_group,
    console,
    counted,
    instant,
    percent,
    print_json,
    service_call,
)
from emailtrack.presentation import views
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc

app = command_group("Reports over every campaign of a tenant.")


def bounce_rows(campaigns: list[analytics_pb2.CampaignStats]) -> list[dict[str, Any]]:
    """Campaigns with bounces, deferrals or complaints, worst bounce rate first."""
    rows = [
        {
            "campaign_id": c.campaign_id,
            "sent": c.sent,
            "hard_bounced": c.hard_bounced,
            "soft_bounced": c.soft_bounced,
            "deferred": c.deferred,
            "complaints": c.complaints,
            "bounce_rate": round(c.bounce_rate, 6),
            "complaint_rate": round(c.complaint_rate, 6),
        }
        for c in campaigns
        if c.hard_bounced or c.soft_bounced or c.deferred or c.complaints
    ]
    return sorted(rows, key=lambda r: (-r["bounce_rate"], r["campaign_id"]))


def _campaigns(tenant: str, analytics: str) -> list[analytics_pb2.CampaignStats]:
    with service_call("listing campaigns"), cli_channel(analytics) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        return all_campaigns(stub, tenant, 500, every_page=True)[0]


# the summary's figures in the table, in this order
SHOWN = (
    "sent",
    "delivered",
    "filtered_unique_opens",
    "filtered_unique_clicks",
    "unique_replies",
    "total_replies",
    "hard_bounced",
    "soft_bounced",
    "deferred",
    "unsubscribes",
    "complaints",
)
RATES = ("open", "click", "reply", "bounce", "complaint")


@app.command("summary")
def summary(
    tenant: Tenant,
    since: Annotated[
        str | None, typer.Option(help="ISO 8601: only campaigns active since then.")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="ISO 8601: only campaigns active before then.")
    ] = None,
    as_json: AsJson = False,
    analytics: AnalyticsAddr = ANALYTICS,
) -> None:
    """Sends, engagement, replies, bounces and complaints over every campaign of the tenant
    (or those with activity in a time range), with the rates of the sums."""
    start, end = instant(since), instant(until)
    request = analytics_pb2.GetTenantSummaryRequest(tenant_id=tenant)
    if start is not None:
        request.start.FromDatetime(start)
    if end is not None:
        request.end.FromDatetime(end)
    with service_call("summing campaigns"), cli_channel(analytics) as channel:
        reply = analytics_pb2_grpc.AnalyticsServiceStub(channel).GetTenantSummary(request)
    found = views.tenant_summary(reply, request)
    if as_json:
        print_json(found)
        return
    if start is not None or end is not None:
        console.print(f"campaigns active in [{since or '…'}, {until or '…'})")
    table = Table(title=f"{tenant}: {counted(found['campaigns'], 'campaign')}", show_header=False)
    stats = found["stats"]
    for name in SHOWN:
        table.add_row(name.replace("_", " "), str(stats[name]))
    for name in RATES:
        table.add_row(f"{name} rate", percent(stats["rates"][name]))
    console.print(table)


@app.command("bounces")
def bounces(
    tenant: Tenant,
    limit: Annotated[int, typer.Option(min=1, help="Campaigns to list.")] = 20,
    as_json: AsJson = False,
    analytics: AnalyticsAddr = ANALYTICS,
) -> None:
    """Campaigns by bounce rate, with deferrals and complaints."""
    rows = bounce_rows(_campaigns(tenant, analytics))[:limit]
    if as_json:
        print_json({"campaigns": rows})
        return
    table = Table(title=f"bounces of {tenant}")
    for column in ("campaign", "sent", "hard", "soft", "deferred", "complaints", "bounce rate"):
        table.add_column(column, justify="left" if column == "campaign" else "right")
    for r in rows:
        table.add_row(
            r["campaign_id"],
            *(
                str(r[k])
                for k in ("sent", "hard_bounced", "soft_bounced", "deferred", "complaints")
            ),
            percent(r["bounce_rate"]),
        )
    console.print(table if rows else "no bounce, deferral or complaint")
