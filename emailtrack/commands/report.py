"""``emailtrack report summary|bounces``: the tenant's campaigns added up, and where bounces
and complaints come from, campaign by campaign."""

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
    percent,
    print_json,
    service_call,
)
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc

app = command_group("Reports over every campaign of a tenant.")

SUMMED = (
    "sent",
    "delivered",
    "rate_base",
    "filtered_unique_opens",
    "filtered_unique_clicks",
    "hard_bounced",
    "soft_bounced",
    "deferred",
    "unsubscribes",
    "complaints",
)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


def summarise(campaigns: list[analytics_pb2.CampaignStats]) -> dict[str, Any]:
    """Totals over the campaigns and the rates of the totals (not an average of rates)."""
    totals = {name: sum(getattr(c, name) for c in campaigns) for name in SUMMED}
    base = totals["rate_base"]
    return {
        "campaigns": len(campaigns),
        **totals,
        "rates": {
            "open": _ratio(totals["filtered_unique_opens"], base),
            "click": _ratio(totals["filtered_unique_clicks"], base),
            "bounce": _ratio(totals["hard_bounced"] + totals["soft_bounced"], totals["sent"]),
            "complaint": _ratio(totals["complaints"], base),
            "unsubscribe": _ratio(totals["unsubscribes"], base),
        },
    }


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


@app.command("summary")
def summary(tenant: Tenant, as_json: AsJson = False, analytics: AnalyticsAddr = ANALYTICS) -> None:
    """Sends, engagement, bounces and unsubscribes over every campaign of the tenant."""
    found = summarise(_campaigns(tenant, analytics))
    if as_json:
        print_json(found)
        return
    table = Table(title=f"{tenant}: {found['campaigns']} campaigns", show_header=False)
    for name in SUMMED:
        if name != "rate_base":
            table.add_row(name.replace("_", " "), str(found[name]))
    for name, rate in found["rates"].items():
        table.add_row(f"{name} rate", percent(rate))
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
