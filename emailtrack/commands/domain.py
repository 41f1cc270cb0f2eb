"""``emailtrack domain add|verify|list|remove``: a tenant's tracking domains (TrackingEdgeService):
register one, publish the TXT record it prints, verify it, and links use it from then on."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from emailtrack.commands.common import (
    TRACKING_EDGE,
    AsJson,
    Tenant,
    TrackingEdgeAddr,
    cli_channel,
    command_group,
    console,
    print_json,
    service_call,
)
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc

app = command_group("Tracking domains: links on the sender's own domain.")
Domain = Annotated[str, typer.Argument(help="The hostname, e.g. links.example.com.")]
DEADLINE_S = 30.0  # verification asks the DNS


def _row(domain: tracking_edge_pb2.TrackingDomain) -> dict[str, Any]:
    return {
        "domain": domain.domain,
        "verified": domain.verified,
        "verified_at": domain.verified_at.ToDatetime().isoformat() if domain.verified else None,
        "check_failing_since": (
            domain.check_failing_since.ToDatetime().isoformat()
            if domain.HasField("check_failing_since")
            else None
        ),
        "txt_record": {"name": domain.txt_record_name, "value": domain.txt_record_value},
    }


def _show(domain: tracking_edge_pb2.TrackingDomain, as_json: bool) -> None:
    row = _row(domain)
    if as_json:
        print_json(row)
    elif domain.verified and row["check_failing_since"]:
        console.print(
            f"{domain.domain}: [yellow]verified, but its TXT record has been missing since "
            f"{row['check_failing_since']}[/yellow]; publish it again or the domain becomes "
            f'unverified:\n  {domain.txt_record_name}  TXT  "{domain.txt_record_value}"'
        )
    elif domain.verified:
        console.print(f"{domain.domain}: [green]verified[/green]; links of the tenant use it")
    else:
        console.print(
            f"{domain.domain}: not verified yet. Publish this DNS record, then run "
            f"`emailtrack domain verify`:\n  {domain.txt_record_name}  TXT  "
            f'"{domain.txt_record_value}"\nand point {domain.domain} (CNAME) at the gateway.'
        )


@app.command("add")
def add(
    tenant: Tenant, domain: Domain, as_json: AsJson = False, addr: TrackingEdgeAddr = TRACKING_EDGE
) -> None:
    """Registers a tracking domain and prints the TXT record that proves ownership."""
    with service_call("registering the domain"), cli_channel(addr) as channel:
        reply = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel).RegisterTrackingDomain(
            tracking_edge_pb2.RegisterTrackingDomainRequest(tenant_id=tenant, domain=domain),
            timeout=DEADLINE_S,
        )
    _show(reply.domain, as_json)


@app.command("verify")
def verify(
    tenant: Tenant, domain: Domain, as_json: AsJson = False, addr: TrackingEdgeAddr = TRACKING_EDGE
) -> None:
    """Checks the domain's TXT record; once found, the tenant's links use the domain."""
    with service_call("verifying the domain"), cli_channel(addr) as channel:
        reply = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel).VerifyTrackingDomain(
            tracking_edge_pb2.VerifyTrackingDomainRequest(tenant_id=tenant, domain=domain),
            timeout=DEADLINE_S,
        )
    _show(reply.domain, as_json)


@app.command("list")
def list_domains(
    tenant: Tenant, as_json: AsJson = False, addr: TrackingEdgeAddr = TRACKING_EDGE
) -> None:
    """The tenant's tracking domains, verified or not."""
    with service_call("listing domains"), cli_channel(addr) as channel:
        reply = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel).ListTrackingDomains(
            tracking_edge_pb2.ListTrackingDomainsRequest(tenant_id=tenant), timeout=DEADLINE_S
        )
    rows = [_row(domain) for domain in reply.domains]
    if as_json:
        print_json({"domains": rows})
        return
    table = Table(title=f"{len(rows)} tracking domains of {tenant}")
    for column in ("domain", "verified", "TXT record"):
        table.add_column(column)
    for row in rows:
        record = f'{row["txt_record"]["name"]} "{row["txt_record"]["value"]}"'
        table.add_row(row["domain"], "yes" if row["verified"] else "no", record)
    console.print(table)


@app.command("remove")
def remove(
    tenant: Tenant, domain: Domain, as_json: AsJson = False, addr: TrackingEdgeAddr = TRACKING_EDGE
) -> None:
    """Stops using a tracking domain for new links (links already sent on it stop working once
    its DNS no longer points at the gateway)."""
    with service_call("removing the domain"), cli_channel(addr) as channel:
        reply = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel).RemoveTrackingDomain(
            tracking_edge_pb2.RemoveTrackingDomainRequest(tenant_id=tenant, domain=domain),
            timeout=DEADLINE_S,
        )
    if as_json:
        print_json({"removed": reply.removed})
    else:
        console.print("removed" if reply.removed else "not registered")
