"""Reads that combine several calls, shared by the JSON API and the dashboard: a campaign's
definition (None for a campaign never created through CampaignService), whether the campaign
exists at all, its segments and variant comparison, and the sending mailboxes with their
figures and health."""

from __future__ import annotations

from typing import Any

from emailtrack.presentation import campaign_views
from emailtrack.v1 import analytics_pb2, campaign_pb2
from gateway.operator.api.backend import Backend, ServiceError


async def definition(backend: Backend, tenant_id: str, campaign_id: str) -> dict[str, Any] | None:
    try:
        reply = await backend.call(
            backend.campaigns.GetCampaign,
            campaign_pb2.GetCampaignRequest(tenant_id=tenant_id, campaign_id=campaign_id),
        )
    except ServiceError as exc:
        if exc.status == 404:
            return None
        raise
    return campaign_views.campaign(reply.campaign)


async def existing_stats(
    backend: Backend, tenant_id: str, campaign_id: str
) -> analytics_pb2.CampaignStats:
    """The campaign's statistics; ServiceError 404 for a campaign with neither a definition
    nor any event (analytics answers zeros for any id, so zeros alone cannot tell)."""
    stats = (
        await backend.call(
            backend.analytics.GetCampaignStats,
            analytics_pb2.GetCampaignStatsRequest(tenant_id=tenant_id, campaign_id=campaign_id),
        )
    ).stats
    if (
        not stats.HasField("first_event_at")
        and await definition(backend, tenant_id, campaign_id) is None
    ):
        raise ServiceError(
            404, "not_found", f"no campaign {campaign_id!r} (no definition, no event)"
        )
    return stats


async def segments(
    backend: Backend, tenant_id: str, campaign_id: str, dimension: analytics_pb2.SegmentDimension
) -> list[dict[str, Any]]:
    reply = await backend.call(
        backend.analytics.GetSegmentStats,
        analytics_pb2.GetSegmentStatsRequest(
            tenant_id=tenant_id, campaign_id=campaign_id, dimension=dimension
        ),
    )
    return [campaign_views.segment(s) for s in reply.segments]


async def variants(
    backend: Backend,
    tenant_id: str,
    campaign_id: str,
    sequence_step: str = "",
    baseline: str = "",
    alpha: float = 0.05,
) -> dict[str, Any]:
    reply = await backend.call(
        backend.analytics.GetVariantComparison,
        analytics_pb2.GetVariantComparisonRequest(
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            sequence_step=sequence_step,
            baseline_variant=baseline,
            alpha=alpha,
        ),
    )
    return campaign_views.variant_comparison(reply)


async def mailboxes(backend: Backend, tenant_id: str, domain: str = "") -> list[dict[str, Any]]:
    """Registered mailboxes (of ``domain`` when given) merged with analytics' figures; without
    a domain, mailboxes seen only in events are listed too."""
    registered = (
        await backend.call(
            backend.campaigns.ListMailboxes,
            campaign_pb2.ListMailboxesRequest(tenant_id=tenant_id, domain=domain),
        )
    ).mailboxes
    addresses = [m.address for m in registered]
    figures: list[analytics_pb2.MailboxStats] = []
    if addresses or not domain:
        figures = list(
            (
                await backend.call(
                    backend.analytics.ListMailboxStats,
                    analytics_pb2.ListMailboxStatsRequest(
                        tenant_id=tenant_id, mailboxes=addresses if domain else []
                    ),
                )
            ).mailboxes
        )
    return campaign_views.mailbox_rows(registered, figures)


async def warmup(backend: Backend, tenant_id: str, address: str, days: int) -> dict[str, Any]:
    reply = await backend.call(
        backend.analytics.GetWarmupStats,
        analytics_pb2.GetWarmupStatsRequest(tenant_id=tenant_id, mailbox=address, days=days),
    )
    return campaign_views.warmup_days(reply)
