"""``emailtrack webhook add|list|update|remove|rotate-secret|deliveries|replay``: a tenant's
outbound webhook endpoints (WebhookService), their delivery log and manual replays."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from emailtrack.commands.common import (
    WEBHOOKS,
    AsJson,
    Tenant,
    cli_channel,
    command_group,
    console,
    instant,
    print_json,
    service_call,
)
from emailtrack.presentation.webhooks import DELIVERY_STATUSES, delivery_view, endpoint_view
from emailtrack.v1 import webhooks_pb2, webhooks_pb2_grpc

app = command_group("Outbound webhooks: signed event deliveries.")
WebhooksAddr = Annotated[
    str,
    typer.Option("--webhooks", envvar="EMAILTRACK_WEBHOOKS_ADDR", help="Webhooks gRPC address."),
]
DEADLINE_S = 10.0
EndpointId = Annotated[str, typer.Argument(help="The endpoint id (ep_...).")]
Events = Annotated[
    list[str] | None,
    typer.Option("--event", help="Event filter entry, repeatable (e.g. bounced:hard, opened)."),
]


def _stub(channel: Any) -> webhooks_pb2_grpc.WebhookServiceStub:
    return webhooks_pb2_grpc.WebhookServiceStub(channel)


def _show_endpoints(endpoints: list[webhooks_pb2.WebhookEndpoint], as_json: bool) -> None:
    rows = [endpoint_view(e) for e in endpoints]
    if as_json:
        print_json({"endpoints": rows})
        return
    table = Table(title=f"{len(rows)} webhook endpoints")
    for column in ("id", "url", "events", "batch", "state"):
        table.add_column(column)
    for row in rows:
        state = "enabled" if row["enabled"] else f"disabled: {row['disabled_reason']}"
        table.add_row(row["endpoint_id"], row["url"], ", ".join(row["events"]) or "*",
                      "yes" if row["batch"] else "no", state)  # fmt: skip
    console.print(table)


@app.command("add")
def add(
    tenant: Tenant,
    url: Annotated[str, typer.Argument(help="The receiver's http(s) URL.")],
    event: Events = None,
    batch: Annotated[bool, typer.Option("--batch", help="Several events per request.")] = False,
    description: Annotated[str, typer.Option("--description")] = "",
    as_json: AsJson = False,
    addr: WebhooksAddr = WEBHOOKS,
) -> None:
    """Registers an endpoint and prints its signing secret (shown only now)."""
    request = webhooks_pb2.CreateEndpointRequest(
        tenant_id=tenant, url=url, events=event or [], batch=batch, description=description
    )
    with service_call("adding the endpoint"), cli_channel(addr) as channel:
        reply = _stub(channel).CreateEndpoint(request, timeout=DEADLINE_S)
    if as_json:
        print_json({"endpoint": endpoint_view(reply.endpoint), "secret": reply.secret})
        return
    console.print(f"endpoint {reply.endpoint.endpoint_id} added; signing secret (keep it):")
    console.print(reply.secret, markup=False, highlight=False)


@app.command("list")
def list_endpoints(tenant: Tenant, as_json: AsJson = False, addr: WebhooksAddr = WEBHOOKS) -> None:
    """The tenant's endpoints, with disabled ones and why."""
    with service_call("listing endpoints"), cli_channel(addr) as channel:
        reply = _stub(channel).ListEndpoints(
            webhooks_pb2.ListEndpointsRequest(tenant_id=tenant), timeout=DEADLINE_S
        )
    _show_endpoints(list(reply.endpoints), as_json)


@app.command("update")
def update(
    tenant: Tenant,
    endpoint_id: EndpointId,
    event: Events = None,
    all_events: Annotated[bool, typer.Option("--all-events", help="Clear the filter.")] = False,
    batch: Annotated[bool | None, typer.Option("--batch/--no-batch")] = None,
    enable: Annotated[bool | None, typer.Option("--enable/--disable")] = None,
    as_json: AsJson = False,
    addr: WebhooksAddr = WEBHOOKS,
) -> None:
    """Changes the filter or batch mode, or enables/disables the endpoint."""
    request = webhooks_pb2.UpdateEndpointRequest(
        tenant_id=tenant,
        endpoint_id=endpoint_id,
        update_events=bool(event) or all_events,
        events=event or [],
        update_batch=batch is not None,
        batch=bool(batch),
        enable=enable is True,
        disable=enable is False,
    )
    with service_call("updating the endpoint"), cli_channel(addr) as channel:
        reply = _stub(channel).UpdateEndpoint(request, timeout=DEADLINE_S)
    _show_endpoints([reply.endpoint], as_json)


@app.command("remove")
def remove(tenant: Tenant, endpoint_id: EndpointId, addr: WebhooksAddr = WEBHOOKS) -> None:
    """Deletes the endpoint and its delivery log."""
    with service_call("removing the endpoint"), cli_channel(addr) as channel:
        _stub(channel).DeleteEndpoint(
            webhooks_pb2.DeleteEndpointRequest(tenant_id=tenant, endpoint_id=endpoint_id),
            timeout=DEADLINE_S,
        )
    console.print(f"endpoint {endpoint_id} removed")


@app.command("rotate-secret")
def rotate_secret(
    tenant: Tenant,
    endpoint_id: EndpointId,
    grace_seconds: Annotated[int, typer.Option(help="How long old secrets still sign.")] = 0,
    addr: WebhooksAddr = WEBHOOKS,
) -> None:
    """A new signing secret; requests carry old and new signatures during the grace."""
    request = webhooks_pb2.RotateEndpointSecretRequest(
        tenant_id=tenant, endpoint_id=endpoint_id, grace_seconds=grace_seconds
    )
    with service_call("rotating the secret"), cli_channel(addr) as channel:
        reply = _stub(channel).RotateEndpointSecret(request, timeout=DEADLINE_S)
    console.print(reply.secret, markup=False, highlight=False)


@app.command("deliveries")
def deliveries(
    tenant: Tenant,
    endpoint_id: Annotated[str, typer.Option("--endpoint")] = "",
    status: Annotated[str, typer.Option(help="pending, delivered or failed")] = "",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: AsJson = False,
    addr: WebhooksAddr = WEBHOOKS,
) -> None:
    """The delivery log: status, attempts (HTTP status, latency, response snippet)."""
    if status and status not in DELIVERY_STATUSES:
        raise typer.BadParameter(f"status must be one of {sorted(DELIVERY_STATUSES)}")
    request = webhooks_pb2.ListDeliveriesRequest(
        tenant_id=tenant,
        endpoint_id=endpoint_id,
        status=DELIVERY_STATUSES.get(status, webhooks_pb2.WEBHOOK_DELIVERY_STATUS_UNSPECIFIED),
        limit=limit,
    )
    with service_call("listing deliveries"), cli_channel(addr) as channel:
        reply = _stub(channel).ListDeliveries(request, timeout=DEADLINE_S)
    rows = [delivery_view(d) for d in reply.deliveries]
    if as_json:
        print_json({"deliveries": rows})
        return
    table = Table(title=f"{len(rows)} deliveries")
    for column in ("event", "type", "status", "attempts", "last"):
        table.add_column(column)
    for row in rows:
        last = row["attempts"][-1] if row["attempts"] else None
        summary = (
            f"{last['status_code'] or last['error']} in {last['latency_ms']} ms" if last else ""
        )
        table.add_row(row["event_id"], row["event_type"], row["status"], str(len(row["attempts"])),
                      summary)  # fmt: skip
    console.print(table)


@app.command("replay")
def replay(
    tenant: Tenant,
    endpoint_id: Annotated[str, typer.Option("--endpoint")] = "",
    failed: Annotated[bool, typer.Option("--failed", help="Only failed deliveries.")] = False,
    since: Annotated[str | None, typer.Option(help="ISO 8601 start (events occurred).")] = None,
    until: Annotated[str | None, typer.Option(help="ISO 8601 end (exclusive).")] = None,
    addr: WebhooksAddr = WEBHOOKS,
) -> None:
    """Sends deliveries again: failed ones, or all of a time range (same webhook-id)."""
    request = webhooks_pb2.ReplayDeliveriesRequest(
        tenant_id=tenant, endpoint_id=endpoint_id, failed_only=failed
    )
    start, end = instant(since), instant(until)
    if start:
        request.since.FromDatetime(start)
    if end:
        request.until.FromDatetime(end)
    with service_call("replaying deliveries"), cli_channel(addr) as channel:
        reply = _stub(channel).ReplayDeliveries(request, timeout=DEADLINE_S)
    console.print(f"{reply.scheduled} deliveries scheduled")
