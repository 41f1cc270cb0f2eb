"""``emailtrack recipient list|show|suppress|unsuppress|erase``: the tenant's recipients
searched by address, one person's status, engagement and manual suppression, and the GDPR
erasure, through the recipient service."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from emailtrack.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    RECIPIENT,
    AsJson,
    RecipientAddr,
    Tenant,
    cli_channel,
    command_group,
    console,
    counted,
    fail,
    print_json,
    service_call,
)
from emailtrack.presentation import views
from emailtrack.v1 import recipient_pb2, recipient_pb2_grpc

app = command_group("Recipients: search, status, suppression, erasure.")

Email = Annotated[str, typer.Argument(help="The recipient's address.")]
Reason = Annotated[str, typer.Option(help="Why (kept in the suppression audit).")]


def _print(found: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(found)
        return
    table = Table(show_header=False, title=found["email"])
    for name, value in found.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)
        table.add_row(name.replace("_", " "), "—" if value is None else str(value))
    console.print(table)


STATUSES = {name: status for status, name in views.RECIPIENT_STATUSES.items()}


@app.command("list")
def list_recipients(
    tenant: Tenant,
    prefix: Annotated[
        str, typer.Option(help="Addresses starting with this (case-insensitive).")
    ] = "",
    contains: Annotated[
        str, typer.Option(help="Addresses containing this (case-insensitive).")
    ] = "",
    status: Annotated[str, typer.Option(help=f"Only this status: {', '.join(STATUSES)}.")] = "",
    list_id: Annotated[str, typer.Option("--list", help="Only members of this list.")] = "",
    page_size: Annotated[int, typer.Option(min=1, max=1000, help="Recipients per page.")] = 100,
    every_page: Annotated[bool, typer.Option("--all", help="Follow every page.")] = False,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """The tenant's recipients, searched by address (prefix or part) and filtered by status
    or list, ordered by recipient id."""
    if status and status not in STATUSES:
        raise fail(f"--status must be one of {', '.join(STATUSES)}", EXIT_BAD_INPUT)
    found: list[dict[str, Any]] = []
    token = ""
    with service_call("listing recipients"), cli_channel(recipient) as channel:
        stub = recipient_pb2_grpc.RecipientServiceStub(channel)
        while True:
            reply = stub.ListRecipients(
                recipient_pb2.ListRecipientsRequest(
                    tenant_id=tenant,
                    email_prefix=prefix,
                    email_contains=contains,
                    status=STATUSES.get(status, recipient_pb2.RECIPIENT_STATUS_UNSPECIFIED),
                    list_id=list_id,
                    page_size=page_size,
                    page_token=token,
                )
            )
            found.extend(views.recipient(r) for r in reply.recipients)
            token = reply.next_page_token
            if not every_page or not token:
                break
    if as_json:
        print_json({"recipients": found, "next_page_token": token or None})
        return
    table = Table(title=f"{counted(len(found), 'recipient')} of {tenant}")
    for column in ("email", "status", "hard / soft bounces", "last seen (UTC)"):
        table.add_column(column, overflow="fold")
    for r in found:
        bounces = f"{r['hard_bounces']} / {r['soft_bounces']}"
        seen = (r["last_seen_at"] or "")[:19].replace("T", " ")
        table.add_row(r["email"], r["status"], bounces, seen)
    console.print(table)
    if token:
        console.print("more recipients: use --all")


@app.command("show")
def show(
    email: Email, tenant: Tenant, as_json: AsJson = False, recipient: RecipientAddr = RECIPIENT
) -> None:
    """Status, bounce counters and engagement of one recipient. Exit 3 when unknown."""
    with service_call(email), cli_channel(recipient) as channel:
        stub = recipient_pb2_grpc.RecipientServiceStub(channel)
        found = stub.GetRecipient(recipient_pb2.GetRecipientRequest(tenant_id=tenant, email=email))
        summary = stub.GetEngagementSummary(
            recipient_pb2.GetEngagementSummaryRequest(tenant_id=tenant, email=email)
        )
    _print({**views.recipient(found.recipient), "engagement": views.engagement(summary)}, as_json)


@app.command("suppress")
def suppress(
    email: Email,
    tenant: Tenant,
    reason: Reason = "manual (CLI)",
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Stop sending to this recipient (manual override, audited)."""
    with service_call(f"suppressing {email}"), cli_channel(recipient) as channel:
        stub = recipient_pb2_grpc.RecipientServiceStub(channel)
        reply = stub.Suppress(
            recipient_pb2.SuppressRequest(tenant_id=tenant, email=email, reason=reason, actor="cli")
        )
    _print(views.recipient(reply.recipient), as_json)


@app.command("unsuppress")
def unsuppress(
    email: Email,
    tenant: Tenant,
    reason: Reason = "manual (CLI)",
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Lift a suppression (also clears the soft-bounce history). Exit 4 if not allowed."""
    with service_call(f"unsuppressing {email}"), cli_channel(recipient) as channel:
        stub = recipient_pb2_grpc.RecipientServiceStub(channel)
        reply = stub.Unsuppress(
            recipient_pb2.UnsuppressRequest(
                tenant_id=tenant, email=email, reason=reason, actor="cli"
            )
        )
    _print(views.recipient(reply.recipient), as_json)


@app.command("erase")
def erase(
    email: Email,
    tenant: Tenant,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Forget everything about this person (GDPR erasure, cannot be undone)."""
    if not yes and not typer.confirm(f"erase every record of {email} in {tenant}?"):
        raise fail("not confirmed; nothing erased", EXIT_FAILED)
    with service_call(f"erasing {email}"), cli_channel(recipient) as channel:
        stub = recipient_pb2_grpc.RecipientServiceStub(channel)
        reply = stub.EraseRecipient(
            recipient_pb2.EraseRecipientRequest(tenant_id=tenant, email=email)
        )
    if as_json:
        print_json({"email": email, "erased": reply.erased})
    else:
        console.print(f"{email}: {'erased' if reply.erased else 'nothing to erase'}")
