"""``emailtrack message instrument|show``: instrument one message through the tracking edge
(see the rewritten HTML, links and headers; ``--sent`` also registers it and reports it sent),
and show what a tracking URL or token says."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from emailtrack.commands.common import (
    EXIT_BAD_INPUT,
    RECIPIENT,
    TRACKING_EDGE,
    AsJson,
    RecipientAddr,
    Tenant,
    TrackingEdgeAddr,
    cli_channel,
    command_group,
    console,
    fail,
    print_json,
    service_call,
)
from emailtrack.common.identity import recipient_id_for
from emailtrack.presentation.views import timestamp
from emailtrack.v1 import (
    recipient_pb2,
    recipient_pb2_grpc,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)

app = command_group("Instrument a message; decode tracking URLs.")

ExistingFile = Annotated[
    Path | None, typer.Option(exists=True, dir_okay=False, readable=True, help="File to read.")
]


def token_of(url_or_token: str) -> str:
    """The token of a pixel, click or unsubscribe URL (or the token itself)."""
    last = url_or_token.strip().rstrip("/").rsplit("/", 1)[-1]
    return last.split("?", 1)[0].removesuffix(".gif")


@app.command("instrument")
def instrument(
    tenant: Tenant,
    campaign: Annotated[str, typer.Option(help="Campaign id.")],
    message_id: Annotated[str, typer.Option(help="Message id (unique per send).")],
    to: Annotated[str, typer.Option(help="Recipient address.")],
    html: ExistingFile = None,
    text: ExistingFile = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the instrumented HTML here (else a summary).")
    ] = None,
    sent: Annotated[
        bool,
        typer.Option(
            "--sent",
            help="Also register the message and report it sent now, as a sender does once its "
            "MTA took it: it then counts in Sent and shows in the campaign's message list.",
        ),
    ] = False,
    as_json: AsJson = False,
    tracking_edge: TrackingEdgeAddr = TRACKING_EDGE,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Rewrite links, add the open pixel and List-Unsubscribe headers to one message."""
    if html is None and text is None:
        raise fail("give --html and/or --text", EXIT_BAD_INPUT)
    if "@" not in to:
        raise fail(f"--to {to!r} is not an e-mail address", EXIT_BAD_INPUT)
    message = tracking_edge_pb2.MessageToInstrument(
        tenant_id=tenant,
        campaign_id=campaign,
        message_id=message_id,
        recipient_id=recipient_id_for(tenant, to),
        html=html.read_text(encoding="utf-8") if html else "",
        text=text.read_text(encoding="utf-8") if text else "",
    )
    with service_call("instrumenting"), cli_channel(tracking_edge) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        done = stub.InstrumentMessage(
            tracking_edge_pb2.InstrumentMessageRequest(message=message)
        ).message
    if sent:
        report_sent(tenant, campaign, message_id, to, recipient)
    if output is not None:
        output.write_text(done.html, encoding="utf-8")
    summary: dict[str, Any] = {
        "message_id": done.message_id,
        "recipient_id": message.recipient_id,
        "pixel_url": done.pixel_url,
        "unsubscribe_url": done.unsubscribe_url,
        "headers": {h.name: h.value for h in done.headers},
        "links": [
            {"index": x.index, "original_url": x.original_url, "tracking_url": x.tracking_url}
            for x in done.links
        ],
    }
    if as_json:
        print_json({**summary, "html": done.html, "text": done.text})
        return
    table = Table(title=f"message {done.message_id}: {len(done.links)} links")
    table.add_column("#")
    table.add_column("original")
    table.add_column("tracking URL", overflow="fold")
    for link in summary["links"]:
        table.add_row(str(link["index"]), link["original_url"], link["tracking_url"])
    console.print(table)
    console.print(f"pixel: {done.pixel_url}")
    for name, value in summary["headers"].items():
        console.print(f"{name}: {value}", overflow="fold")
    if output is not None:
        console.print(f"instrumented HTML written to {output}")


def report_sent(tenant: str, campaign: str, message_id: str, to: str, address: str) -> None:
    """RegisterMessages then MarkSent for one message to one address."""
    registration = recipient_pb2.MessageRegistration(
        message_id=message_id,
        campaign_id=campaign,
        recipients=[recipient_pb2.MessageRecipient(email=to, role=recipient_pb2.RECIPIENT_ROLE_TO)],
    )
    with service_call("registering the message as sent"), cli_channel(address) as channel:
        stub = recipient_pb2_grpc.RecipientServiceStub(channel)
        stub.RegisterMessages(
            recipient_pb2.RegisterMessagesRequest(tenant_id=tenant, messages=[registration])
        )
        stub.MarkSent(
            recipient_pb2.MarkSentRequest(tenant_id=tenant, message_id=message_id, emails=[to])
        )


@app.command("show")
def show(
    url_or_token: Annotated[str, typer.Argument(help="A pixel/click/unsubscribe URL or token.")],
    as_json: AsJson = False,
    tracking_edge: TrackingEdgeAddr = TRACKING_EDGE,
) -> None:
    """Verify a tracking token and show the message it belongs to. Exit 2 when invalid."""
    token = token_of(url_or_token)
    with service_call("verifying"), cli_channel(tracking_edge) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        reply = stub.VerifyToken(tracking_edge_pb2.VerifyTokenRequest(token=token))
    found = {
        "valid": reply.valid,
        "error": reply.error or None,
        "key_id": reply.key_id,
        "tenant_id": reply.tenant_id,
        "campaign_id": reply.campaign_id,
        "message_id": reply.message_id,
        "recipient_id": reply.recipient_id,
        "sent_at": timestamp(reply.sent_at),
        "link_url": reply.link_url or None,
        "list_id": reply.list_id or None,
        "tracking_host": reply.tracking_host or None,
        "expired": reply.expired or None,  # past the tracking window: still redirects
    }
    if as_json:
        print_json(found)
    else:
        table = Table(show_header=False, title="valid token" if reply.valid else "INVALID token")
        for name, value in found.items():
            if value not in (None, ""):
                table.add_row(name, str(value))
        console.print(table)
    if not reply.valid:
        raise typer.Exit(EXIT_BAD_INPUT)
