"""The demo campaign's life in CampaignService (recipient process): its definition (two
sequence steps, variants A and B), the sending mailboxes, the status path draft → scheduled →
sending → completed, and a few warmup interactions of the warmup mailbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from emailtrack.demo.plan import (
    MAILBOXES,
    STEPS,
    TEMPLATES,
    VARIANTS,
    WARMUP_MAILBOX,
    Plan,
)
from emailtrack.v1 import campaign_pb2

pb = campaign_pb2
PATH = (
    pb.CAMPAIGN_STATUS_DRAFT,
    pb.CAMPAIGN_STATUS_SCHEDULED,
    pb.CAMPAIGN_STATUS_SENDING,
    pb.CAMPAIGN_STATUS_COMPLETED,
)
DAILY_LIMIT = 500
# (kind, partner) of the warmup mailbox's exchanges with a warmup network's partners
WARMUP = (
    (pb.WARMUP_KIND_SENT, "partner1@warmup.example"),
    (pb.WARMUP_KIND_SENT, "partner2@warmup.example"),
    (pb.WARMUP_KIND_SENT, "partner3@warmup.example"),
    (pb.WARMUP_KIND_OPEN, "partner1@warmup.example"),
    (pb.WARMUP_KIND_OPEN, "partner2@warmup.example"),
    (pb.WARMUP_KIND_REPLY, "partner1@warmup.example"),
)


def create_request(plan: Plan, tenant_id: str) -> pb.CreateCampaignRequest:
    return pb.CreateCampaignRequest(
        tenant_id=tenant_id,
        campaign_id=plan.campaign_id,
        name=f"Autumn sale ({plan.campaign_id})",
        template_id="/".join(TEMPLATES.values()),
        tags=["demo", "autumn"],
        steps=[pb.SequenceStep(step_id=i, name=n, delay_hours=d) for i, n, d in STEPS],
        variants=[pb.Variant(variant_id=i, name=n, weight=w) for i, n, w in VARIANTS],
    )


def mailbox_requests(tenant_id: str) -> list[pb.RegisterMailboxRequest]:
    return [
        pb.RegisterMailboxRequest(
            tenant_id=tenant_id,
            address=address,
            daily_limit=DAILY_LIMIT,
            warmup_enabled=address == WARMUP_MAILBOX,
        )
        for address in MAILBOXES
    ]


def status_steps(current: pb.CampaignStatus, target: pb.CampaignStatus) -> list[pb.CampaignStatus]:
    """The statuses to pass through, in order, from ``current`` to ``target`` along
    draft → scheduled → sending → completed (none when already there or beyond)."""
    if current not in PATH or target not in PATH:
        return []
    return list(PATH[PATH.index(current) + 1 : PATH.index(target) + 1])


def warmup_request(plan: Plan, tenant_id: str, now: datetime) -> pb.RecordWarmupInteractionsRequest:
    """Interaction ids derive from the campaign: running the same demo again records nothing."""
    interactions = []
    for i, (kind, partner) in enumerate(WARMUP):
        interaction = pb.WarmupInteraction(
            interaction_id=f"{plan.campaign_id}-warmup-{i}",
            mailbox=WARMUP_MAILBOX,
            partner_address=partner,
            kind=kind,
        )
        interaction.occurred_at.FromDatetime(now - timedelta(minutes=len(WARMUP) - i))
        interactions.append(interaction)
    return pb.RecordWarmupInteractionsRequest(tenant_id=tenant_id, interactions=interactions)
