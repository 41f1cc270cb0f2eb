"""``emailtrack campaign list|show|export``: campaign statistics from the analytics service."""

from __future__ import annotations

import contextlib
import io
import sys
from datetime import UTC
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from emailtrack.commands.campaign_admin import existing_stats
from emailtrack.commands.common import (
    ANALYTICS,
    EXIT_BAD_INPUT,
    RECIPIENT,
    AnalyticsAddr,
    AsJson,
    RecipientAddr,
    Tenant,
    cli_channel,
    command_group,
    console,
    counted,
    fail,
    percent,
    print_json,
    service_call,
)
from emailtrack.common.time_zones import zone_named
from emailtrack.presentation import export, views
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc

app = command_group("Campaign statistics.")

BREAKDOWNS = {
    "client": analytics_pb2.BREAKDOWN_DIMENSION_EMAIL_CLIENT,
    "device": analytics_pb2.BREAKDOWN_DIMENSION_DEVICE,
    "country": analytics_pb2.BREAKDOWN_DIMENSION_COUNTRY,
}


class Bucket(StrEnum):
    minute = "minute"
    hour = "hour"
    day = "day"


def all_campaigns(
    stub: analytics_pb2_grpc.AnalyticsServiceStub, tenant: str, page_size: int, every_page: bool
) -> tuple[list[analytics_pb2.CampaignStats], str]:
    """The first page, or every page; and the token of the next page (empty at the end)."""
    found: list[analytics_pb2.CampaignStats] = []
    token = ""
    while True:
        reply = stub.ListCampaigns(
            analytics_pb2.ListCampaignsRequest(
                tenant_id=tenant, page_size=page_size, page_token=token
            )
        )
        found.extend(reply.campaigns)
        token = reply.next_page_token
        if not every_page or not token:
            return found, token


RATE_COLUMNS = (
    ("open rate", "open"),
    ("MPP-adj.", "mpp_adjusted_open"),
    ("click rate", "click"),
    ("bounce rate", "bounce"),
)


def campaign_figures(c: dict[str, Any]) -> list[tuple[str, str]]:
    """A listed campaign's figures, labelled; rates read ``—`` while nothing was sent."""
    counts = [
        ("sent", str(c["sent"])),
        ("delivered", str(c["delivered"])),
        ("opens", str(c["filtered_unique_opens"])),
        ("clicks", str(c["filtered_unique_clicks"])),
    ]
    rates = [(label, percent(c["rates"][key], c["rate_base"])) for label, key in RATE_COLUMNS]
    return counts + rates


def natural_width(table: Table) -> int:
    """Columns the table takes when nothing has to shrink (rendered once, off-screen)."""
    probe = Console(width=1000, file=io.StringIO())
    lines = probe.render_lines(table, pad=False)
    return max((sum(len(segment.text) for segment in line) for line in lines), default=0)


def campaign_table(title: str, campaigns: list[dict[str, Any]], width: int = 200) -> Table:
    """Ids are never cut: the id column is as wide as the longest id (other columns shrink
    first) and an id wider than the terminal wraps instead of ending in an ellipsis. When one
    column per figure cannot fit in ``width``, each campaign's figures share one wrapped cell
    (``sent 40 · delivered 39 · …``) rather than columns falling off the right edge."""
    longest = max((len(c["campaign_id"]) for c in campaigns), default=8)
    table = Table(title=title)
    table.add_column("campaign", min_width=min(longest, 40), overflow="fold")
    labels = [label for label, _ in campaign_figures(campaigns[0])] if campaigns else []
    for label in labels:
        table.add_column(label, justify="right")
    for c in campaigns:
        table.add_row(c["campaign_id"], *(value for _, value in campaign_figures(c)))
    if natural_width(table) <= width:
        return table
    narrow = Table(title=title)
    narrow.add_column("campaign", min_width=min(longest, 40), overflow="fold")
    narrow.add_column("figures", overflow="fold")
    for c in campaigns:
        shown = " · ".join(f"{label} {value}" for label, value in campaign_figures(c))
        narrow.add_row(c["campaign_id"], shown)
    return narrow


@app.command("list")
def list_campaigns(
    tenant: Tenant,
    page_size: Annotated[int, typer.Option(min=1, max=500, help="Campaigns per page.")] = 50,
    every_page: Annotated[bool, typer.Option("--all", help="Follow every page.")] = False,
    as_json: AsJson = False,
    analytics: AnalyticsAddr = ANALYTICS,
) -> None:
    """Campaigns of the tenant with their key rates."""
    with service_call("listing campaigns"), cli_channel(analytics) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        found, token = all_campaigns(stub, tenant, page_size, every_page)
    rows = [views.campaign_stats(c) for c in found]
    if as_json:
        print_json({"campaigns": rows, "next_page_token": token or None})
        return
    console.print(
        campaign_table(f"{counted(len(rows), 'campaign')} of {tenant}", rows, console.width)
    )
    if token:
        console.print("more campaigns: use --all")


@app.command("show")
def show(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    tenant: Tenant,
    links: Annotated[int, typer.Option(min=1, max=1000, help="Top links to show.")] = 10,
    as_json: AsJson = False,
    analytics: AnalyticsAddr = ANALYTICS,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """A campaign's counters, rates, top links and client/device/country breakdowns."""
    with service_call(f"campaign {campaign}"), cli_channel(analytics) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        stats = existing_stats(stub, tenant, campaign, recipient)
        top = stub.GetTopLinks(
            analytics_pb2.GetTopLinksRequest(tenant_id=tenant, campaign_id=campaign, limit=links)
        ).links
        breakdowns = {
            name: [
                views.breakdown_row(row)
                for row in stub.GetBreakdown(
                    analytics_pb2.GetBreakdownRequest(
                        tenant_id=tenant, campaign_id=campaign, dimension=dimension
                    )
                ).rows
            ]
            for name, dimension in BREAKDOWNS.items()
        }
    shown = views.campaign_stats(stats)
    if as_json:
        print_json(
            {"stats": shown, "links": [views.link(x) for x in top], "breakdowns": breakdowns}
        )
        return
    counters = Table(title=f"campaign {campaign}", show_header=False)
    opens, clicks = shown["opens"], shown["clicks"]
    opened = shown["filtered_unique_opens"]

    def rate(name: str, base: int = shown["rate_base"]) -> str:
        return percent(shown["rates"][name], base)

    for label, value in (
        ("sent / delivered", f"{shown['sent']} / {shown['delivered']}"),
        ("bounces hard / soft", f"{shown['hard_bounced']} / {shown['soft_bounced']}"),
        ("unique opens (human · proxy · scanner)", _split(opens["unique"])),
        ("unique clicks (human · proxy · scanner)", _split(clicks["unique"])),
        ("unsubscribes / complaints", f"{shown['unsubscribes']} / {shown['complaints']}"),
        ("open rate (MPP-adjusted)", f"{rate('open')} ({rate('mpp_adjusted_open')})"),
        ("click rate (click-to-open)", f"{rate('click')} ({rate('click_to_open', opened)})"),
        ("bounce rate", rate("bounce")),
    ):
        counters.add_row(label, value)
    console.print(counters)
    table = Table(title="top links")
    for column in ("link", "unique human", "unique", "total"):
        table.add_column(column)
    for link in (views.link(x) for x in top):
        unique = link["unique_clicks"]
        table.add_row(
            link["url"],
            str(unique["human"]),
            str(unique["total"]),
            str(link["total_clicks"]["total"]),
        )
    console.print(table)
    for name, rows in breakdowns.items():
        listed = ", ".join(f"{r['value']} {percent(r['share'])}" for r in rows) or "no data"
        console.print(f"[bold]{name}[/bold]: {listed}")


def _split(counts: dict[str, int]) -> str:
    parts = (counts["human"], counts["privacy_proxy"], counts["security_scanner"])
    return f"{counts['total']} ({' · '.join(map(str, parts))})"


@app.command("export")
def export_csv(
    campaign: Annotated[str, typer.Argument(help="Campaign id.")],
    tenant: Tenant,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="CSV file to write; '-' for stdout.")
    ] = Path("-"),
    bucket: Annotated[Bucket, typer.Option(help="Bucket size.")] = Bucket.hour,
    time_zone: Annotated[str, typer.Option(help="IANA time zone of the buckets.")] = "UTC",
    as_json: AsJson = False,
    analytics: AnalyticsAddr = ANALYTICS,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """The campaign's timeline as CSV, fetched window by window with a progress bar."""
    zone = zone_named(time_zone)
    if zone is None:
        raise fail(f"unknown IANA time zone {time_zone!r}", EXIT_BAD_INPUT)
    to_stdout = str(output) == "-"
    if to_stdout and as_json:
        raise fail("--json prints a summary: give the CSV a file with --output", EXIT_BAD_INPUT)
    rows = 0
    with service_call(f"exporting {campaign}"), cli_channel(analytics) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        stats = existing_stats(stub, tenant, campaign, recipient)
        windows = []
        if stats.HasField("first_event_at"):
            first = stats.first_event_at.ToDatetime(tzinfo=UTC)
            last = stats.last_event_at.ToDatetime(tzinfo=UTC)
            windows = export.export_windows(first, last, bucket.value, zone)
        with (
            contextlib.nullcontext(sys.stdout)
            if to_stdout
            else output.open("w", encoding="utf-8", newline="") as sink,
            Progress(console=console, disable=to_stdout or as_json, transient=True) as progress,
        ):
            task = progress.add_task("exporting", total=len(windows))
            sink.write(export.csv_header())
            for window in windows:
                request = export.timeline_request(tenant, campaign, bucket.value, zone, window)
                points = stub.GetTimeline(request).points
                sink.write(export.csv_points(points))
                rows += len(points)
                progress.advance(task)
    if as_json:
        print_json({"path": str(output), "rows": rows, "windows": len(windows)})
    elif not to_stdout:
        console.print(f"wrote {counted(rows, 'row')} to {output}")
