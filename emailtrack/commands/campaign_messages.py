"""``emailtrack campaign messages``: a campaign's per-message list, one row per (message,
recipient): status, first open and click (by a person or a machine), replies, bounce. Each
page is the recipient service's ListCampaignMessages merged with analytics'
GetMessageEngagement (``emailtrack.presentation.message_views``). Registered on
``emailtrack campaign``."""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from emailtrack.commands.campaign_admin import CampaignId, existing_stats
from emailtrack.commands.common import (
    ANALYTICS,
    EXIT_BAD_INPUT,
    RECIPIENT,
    AnalyticsAddr,
    AsJson,
    RecipientAddr,
    Tenant,
    cli_channel,
    console,
    counted,
    fail,
    print_json,
    service_call,
)
from emailtrack.presentation import message_views
from emailtrack.v1 import analytics_pb2_grpc, recipient_pb2, recipient_pb2_grpc

CSV_PAGE_SIZE = 500


def message_pages(
    analytics: analytics_pb2_grpc.AnalyticsServiceStub,
    recipients: recipient_pb2_grpc.RecipientServiceStub,
    tenant: str,
    campaign: str,
    page_size: int,
) -> Iterator[tuple[list[dict[str, Any]], str]]:
    """Pages of rows with the token of the page after each ("" after the last)."""
    token = ""
    while True:
        page = recipients.ListCampaignMessages(
            recipient_pb2.ListCampaignMessagesRequest(
                tenant_id=tenant, campaign_id=campaign, page_size=page_size, page_token=token
            )
        )
        rows: list[dict[str, Any]] = []
        if page.messages:
            facts = analytics.GetMessageEngagement(
                message_views.engagement_request(tenant, campaign, page.messages)
            )
            rows = message_views.message_rows(page.messages, facts)
        token = page.next_page_token
        yield rows, token
        if not token:
            return


def _seen_by(row: dict[str, Any], human: str, machine: str) -> str:
    seen = (("person", row[human]), ("machine", row[machine]))
    return " + ".join(who for who, found in seen if found)


def _time(value: str | None) -> str:
    return value[:19].replace("T", " ") if value else ""


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for column in (
        "message",
        "email",
        "status",
        "first open (UTC)",
        "opened by",
        "first click (UTC)",
        "clicked by",
        "replies",
        "bounce / reason",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        bounce = " ".join(x for x in (row["bounce_type"], row["reason"]) if x)
        table.add_row(
            row["message_id"],
            row["email"],
            row["status"],
            _time(row["first_open_at"]),
            _seen_by(row, "opened_by_human", "opened_by_machine"),
            _time(row["first_click_at"]),
            _seen_by(row, "clicked_by_human", "clicked_by_machine"),
            str(row["replies"]),
            bounce,
        )
    return table


def messages(
    campaign: CampaignId,
    tenant: Tenant,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Write every row as CSV to this file ('-' for stdout)."),
    ] = None,
    page_size: Annotated[int, typer.Option(min=1, max=1000, help="Rows per page.")] = 100,
    every_page: Annotated[bool, typer.Option("--all", help="Follow every page.")] = False,
    as_json: AsJson = False,
    analytics: AnalyticsAddr = ANALYTICS,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """One row per message and recipient: status (sent, delivered, deferred, bounced,
    complained, unsubscribed), first open and click and whether a person or a machine made
    them, replies, bounce type and reason. With --csv, every row is written as CSV."""
    if csv_file is not None and as_json:
        raise fail("--json prints a table's rows: leave it out with --csv", EXIT_BAD_INPUT)
    with (
        service_call(f"messages of {campaign}"),
        cli_channel(analytics) as analytics_channel,
        cli_channel(recipient) as recipient_channel,
    ):
        analytics_stub = analytics_pb2_grpc.AnalyticsServiceStub(analytics_channel)
        size = CSV_PAGE_SIZE if csv_file is not None else page_size
        pages = message_pages(
            analytics_stub,
            recipient_pb2_grpc.RecipientServiceStub(recipient_channel),
            tenant,
            campaign,
            size,
        )
        first = next(pages)
        if not first[0]:  # no registered message: exit 3 unless the campaign exists
            existing_stats(analytics_stub, tenant, campaign, recipient)
        pages = itertools.chain([first], pages)
        if csv_file is not None:
            _write_csv(csv_file, pages)
            return
        rows: list[dict[str, Any]] = []
        token = ""
        for page, following in pages:
            rows.extend(page)
            token = following
            if not every_page:
                break
    if as_json:
        print_json({"messages": rows, "next_page_token": token or None})
        return
    console.print(_table(f"{counted(len(rows), 'message row')} of {campaign}", rows))
    if token:
        console.print("more rows: use --all, or --csv FILE for every row")


def _write_csv(path: Path, pages: Iterator[tuple[list[dict[str, Any]], str]]) -> None:
    to_stdout = str(path) == "-"
    written = 0
    with (
        contextlib.nullcontext(sys.stdout)
        if to_stdout
        else path.open("w", encoding="utf-8", newline="") as sink
    ):
        sink.write(message_views.csv_header())
        for rows, _ in pages:
            sink.write(message_views.csv_rows(rows))
            written += len(rows)
    if not to_stdout:
        console.print(f"wrote {counted(written, 'row')} to {path}")
