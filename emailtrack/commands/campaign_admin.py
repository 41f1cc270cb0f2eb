"""``emailtrack campaign create|status|delete|variants``: campaign definitions and their
lifecycle (CampaignService, served by the recipient process) and the A/B variant comparison
with its significance verdicts (analytics). Registered on ``emailtrack campaign``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import grpc
import typer
from rich.table import Table

from emailtrack.commands.common import (
    ANALYTICS,
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    RECIPIENT,
    AnalyticsAddr,
    AsJson,
    RecipientAddr,
    Tenant,
    cli_channel,
    console,
    fail,
    percent,
    print_json,
    service_call,
)
from emailtrack.presentation import campaign_views
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, campaign_pb2, campaign_pb2_grpc

CampaignId = Annotated[str, typer.Argument(help="Campaign id.")]


class Status(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    sending = "sending"
    paused = "paused"
    completed = "completed"


def parse_spec(kind: str, spec: str) -> tuple[str, int, str]:
    """``id[:number[:name]]`` (a step's delay in hours, a variant's weight) → (id, number,
    name); ValueError with a readable message otherwise."""
    ident, _, rest = spec.partition(":")
    number, _, name = rest.partition(":")
    if not ident.strip():
        raise ValueError(f"--{kind} {spec!r}: the id is empty (expected id[:number[:name]])")
    try:
        value = int(number) if number else (0 if kind == "step" else 1)
    except ValueError as exc:
        raise ValueError(f"--{kind} {spec!r}: {number!r} is not a whole number") from exc
    if value < 0:
        raise ValueError(f"--{kind} {spec!r}: the number must not be negative")
    return ident.strip(), value, name.strip()


def _show(found: dict[str, Any]) -> None:
    table = Table(title=f"campaign {found['campaign_id']} ({found['status']})", show_header=False)
    table.add_row("name", found["name"])
    table.add_row("template", found["template_id"] or "—")
    table.add_row("tags", ", ".join(found["tags"]) or "—")
    steps = (f"{s['step_id']} (+{s['delay_hours']} h) {s['name']}" for s in found["steps"])
    table.add_row("steps", "\n".join(steps) or "—")
    variants = (f"{v['variant_id']} (weight {v['weight']}) {v['name']}" for v in found["variants"])
    table.add_row("variants", "\n".join(variants) or "—")
    console.print(table)


def _print(found: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(found)
    else:
        _show(found)


def create(
    campaign: CampaignId,
    tenant: Tenant,
    name: Annotated[str, typer.Option(help="Display name.")],
    template: Annotated[str, typer.Option(help="Template id.")] = "",
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeatable).")] = None,
    step: Annotated[
        list[str] | None, typer.Option(help="Sequence step id[:delay_hours[:name]] (repeatable).")
    ] = None,
    variant: Annotated[
        list[str] | None, typer.Option(help="A/B variant id[:weight[:name]] (repeatable).")
    ] = None,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Create a campaign (status draft); creating the same id again shows the existing one."""
    try:
        steps = [campaign_pb2.SequenceStep(step_id=i, delay_hours=n, name=t)
                 for i, n, t in (parse_spec("step", s) for s in step or [])]  # fmt: skip
        variants = [campaign_pb2.Variant(variant_id=i, weight=n, name=t)
                    for i, n, t in (parse_spec("variant", v) for v in variant or [])]  # fmt: skip
    except ValueError as exc:
        raise fail(str(exc), EXIT_BAD_INPUT) from exc
    request = campaign_pb2.CreateCampaignRequest(
        tenant_id=tenant,
        campaign_id=campaign,
        name=name,
        template_id=template,
        tags=tag or [],
        steps=steps,
        variants=variants,
    )
    with service_call(f"creating {campaign}"), cli_channel(recipient) as channel:
        reply = campaign_pb2_grpc.CampaignServiceStub(channel).CreateCampaign(request)
    _print(campaign_views.campaign(reply.campaign), as_json)


def status(
    campaign: CampaignId,
    tenant: Tenant,
    new_status: Annotated[
        Status | None, typer.Argument(help="Move the campaign to this status.")
    ] = None,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Show a campaign's definition and status, or change its status (exit 4 when the
    lifecycle does not allow it: draft → scheduled → sending ⇄ paused → completed)."""
    with service_call(f"campaign {campaign}"), cli_channel(recipient) as channel:
        stub = campaign_pb2_grpc.CampaignServiceStub(channel)
        if new_status is None:
            reply = stub.GetCampaign(
                campaign_pb2.GetCampaignRequest(tenant_id=tenant, campaign_id=campaign)
            )
        else:
            reply = stub.UpdateCampaignStatus(
                campaign_pb2.UpdateCampaignStatusRequest(
                    tenant_id=tenant,
                    campaign_id=campaign,
                    status=campaign_views.STATUS_VALUES[new_status.value],
                )
            )
    _print(campaign_views.campaign(reply.campaign), as_json)


def delete(
    campaign: CampaignId,
    tenant: Tenant,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Delete a campaign everywhere: its registrations, statistics and outcomes (cannot be
    undone; the id is never reused)."""
    question = f"delete campaign {campaign} of {tenant} and all its statistics?"
    if not yes and not typer.confirm(question):
        raise fail("not confirmed; nothing deleted", EXIT_FAILED)
    with service_call(f"deleting {campaign}"), cli_channel(recipient) as channel:
        reply = campaign_pb2_grpc.CampaignServiceStub(channel).DeleteCampaign(
            campaign_pb2.DeleteCampaignRequest(tenant_id=tenant, campaign_id=campaign)
        )
    if as_json:
        print_json({"campaign_id": campaign, "messages_deleted": reply.messages_deleted})
    else:
        console.print(f"deleted {campaign} ({reply.messages_deleted} message registrations)")


def _definition(tenant: str, campaign: str, recipient: str) -> campaign_pb2.Campaign | None:
    """The campaign's definition; None when it was never defined."""
    with service_call(f"campaign {campaign}"), cli_channel(recipient) as channel:
        try:
            found = campaign_pb2_grpc.CampaignServiceStub(channel).GetCampaign(
                campaign_pb2.GetCampaignRequest(tenant_id=tenant, campaign_id=campaign)
            )
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return None
    return found.campaign


def is_defined(tenant: str, campaign: str, recipient: str) -> bool:
    """Whether the campaign has a definition (``emailtrack campaign create``)."""
    return _definition(tenant, campaign, recipient) is not None


def existing_stats(
    stub: analytics_pb2_grpc.AnalyticsServiceStub, tenant: str, campaign: str, recipient: str
) -> analytics_pb2.CampaignStats:
    """The campaign's statistics; exits 3 for a campaign with neither a definition nor any
    event (analytics answers zeros for any id)."""
    with service_call(f"campaign {campaign}"):
        stats = stub.GetCampaignStats(
            analytics_pb2.GetCampaignStatsRequest(tenant_id=tenant, campaign_id=campaign)
        ).stats
    if not stats.HasField("first_event_at") and not is_defined(tenant, campaign, recipient):
        raise fail(
            f"no campaign {campaign!r} in tenant {tenant!r} (no definition, no event); "
            f"see `emailtrack campaign list --tenant {tenant}`",
            EXIT_NOT_FOUND,
        )
    return stats


def _control(tenant: str, campaign: str, recipient: str) -> str:
    """The campaign's first defined variant; "" when it was never defined."""
    found = _definition(tenant, campaign, recipient)
    return found.variants[0].variant_id if found is not None and found.variants else ""


def variants(
    campaign: CampaignId,
    tenant: Tenant,
    step: Annotated[str, typer.Option(help="Only this sequence step.")] = "",
    baseline: Annotated[
        str, typer.Option(help="Baseline variant (default: most recipients).")
    ] = "",
    alpha: Annotated[
        float, typer.Option(min=0.0001, max=0.4999, help="Significance level.")
    ] = 0.05,
    as_json: AsJson = False,
    analytics: AnalyticsAddr = ANALYTICS,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Each variant's open, click and reply rates, and the z-test verdict against the
    baseline (without a definition in CampaignService: the variant with most recipients)."""
    request = analytics_pb2.GetVariantComparisonRequest(
        tenant_id=tenant,
        campaign_id=campaign,
        sequence_step=step,
        baseline_variant=baseline or _control(tenant, campaign, recipient),
        alpha=alpha,
    )
    with service_call(f"comparing variants of {campaign}"), cli_channel(analytics) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        existing_stats(stub, tenant, campaign, recipient)
        reply = stub.GetVariantComparison(request)
    found = campaign_views.variant_comparison(reply)
    if as_json:
        print_json(found)
        return
    table = Table(title=f"variants of {campaign}" + (f", step {step}" if step else ""))
    for column in ("variant", "recipients", "opens", "clicks", "replies"):
        table.add_column(column, justify="left" if column == "variant" else "right")
    for metric in campaign_views.METRICS:
        table.add_column(f"{metric} rate", justify="right")
    for v in found["variants"]:
        counts = (v["recipients"], v["opens"], v["clicks"], v["replies"])
        rates = (percent(v["rates"][m]) for m in campaign_views.METRICS)
        table.add_row(v["variant"] or "(none)", *map(str, counts), *rates)
    console.print(table)
    if not found["comparisons"]:
        console.print("no comparison: fewer than two variants with messages")
    for c in found["comparisons"]:
        mark = "[green]✔[/green]" if c["significant"] else "[yellow]…[/yellow]"
        console.print(f"{mark} {c['metric']}: {c['verdict']}")
