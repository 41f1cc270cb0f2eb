"""Fake CampaignService (campaigns, mailboxes, usage; in memory, status rules as documented)
and the segment / variant / mailbox / warmup RPCs of the fake analytics service, answering
from fixed figures for tenant ``acme``: campaign ``spring`` has steps intro and follow-up,
variants A and B, and B's click rate is significantly higher."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import grpc

from emailtrack.v1 import analytics_pb2, campaign_pb2, campaign_pb2_grpc
from tests.unit.cli.fake_base import TENANT, refuse_other_tenants

pb = campaign_pb2
ALLOWED = {
    pb.CAMPAIGN_STATUS_DRAFT: {pb.CAMPAIGN_STATUS_SCHEDULED, pb.CAMPAIGN_STATUS_SENDING},
    pb.CAMPAIGN_STATUS_SCHEDULED: {
        pb.CAMPAIGN_STATUS_DRAFT,
        pb.CAMPAIGN_STATUS_SENDING,
        pb.CAMPAIGN_STATUS_PAUSED,
    },
    pb.CAMPAIGN_STATUS_SENDING: {pb.CAMPAIGN_STATUS_PAUSED, pb.CAMPAIGN_STATUS_COMPLETED},
    pb.CAMPAIGN_STATUS_PAUSED: {
        pb.CAMPAIGN_STATUS_SENDING,
        pb.CAMPAIGN_STATUS_SCHEDULED,
        pb.CAMPAIGN_STATUS_COMPLETED,
    },
}
CLICK_VERDICT = "Variant B's click rate is higher than A's (p=0.000321): significant at 95%"
OPEN_VERDICT = (
    "Variant B's open rate is higher than A's, not significant yet (p=0.41); "
    "need ~1200 more recipients per variant"
)


def spring() -> pb.Campaign:
    return pb.Campaign(
        tenant_id=TENANT,
        campaign_id="spring",
        name="Spring launch",
        template_id="tpl-spring",
        tags=["launch"],
        steps=[
            pb.SequenceStep(step_id="intro", name="Introduction", delay_hours=0),
            pb.SequenceStep(step_id="follow-up", name="Reminder", delay_hours=72),
        ],
        variants=[
            pb.Variant(variant_id="A", name="Subject: Spring is here", weight=50),
            pb.Variant(variant_id="B", name="Subject: 20% off this week", weight=50),
        ],
        status=pb.CAMPAIGN_STATUS_SENDING,
    )


def mailbox(address: str, warmup: bool = False, score: int = -1) -> pb.Mailbox:
    return pb.Mailbox(
        tenant_id=TENANT,
        address=address,
        domain=address.rpartition("@")[2],
        daily_limit=500,
        warmup_enabled=warmup,
        health_score=score,
        health_band="good" if score >= 80 else "",
    )


@dataclass
class FakeCampaigns(campaign_pb2_grpc.CampaignServiceServicer):
    log: list[object]
    campaigns: dict[str, pb.Campaign] = field(default_factory=lambda: {"spring": spring()})
    mailboxes: dict[str, pb.Mailbox] = field(
        default_factory=lambda: {
            "sales@sender.example": mailbox("sales@sender.example", warmup=True, score=90),
            "idle@other.example": mailbox("idle@other.example"),
        }
    )

    def _seen(self, request, context) -> None:
        self.log.append(request)
        refuse_other_tenants(request, context)

    def _campaign(self, request: Any, context: grpc.ServicerContext) -> pb.Campaign:
        self._seen(request, context)
        found = self.campaigns.get(request.campaign_id)
        if found is None or found.status == pb.CAMPAIGN_STATUS_DELETED:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no campaign {request.campaign_id}")
        return found

    def CreateCampaign(self, request, context):
        self._seen(request, context)
        if not request.name.strip():
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "name is required")
        steps = [s.step_id for s in request.steps]
        if len(set(steps)) != len(steps):
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "duplicate step ids")
        found = self.campaigns.get(request.campaign_id)
        if found is not None and found.status == pb.CAMPAIGN_STATUS_DELETED:
            context.abort(grpc.StatusCode.ALREADY_EXISTS, "campaign ids are never reused")
        if found is None:
            fields = {f.name: getattr(request, f.name) for f in request.DESCRIPTOR.fields}
            found = pb.Campaign(**fields, status=pb.CAMPAIGN_STATUS_DRAFT)
            self.campaigns[request.campaign_id] = found
        return pb.CreateCampaignResponse(campaign=found)

    def GetCampaign(self, request, context):
        return pb.GetCampaignResponse(campaign=self._campaign(request, context))

    def FindCampaigns(self, request, context):
        self._seen(request, context)
        found = [
            c
            for _, c in sorted(self.campaigns.items())
            if c.status != pb.CAMPAIGN_STATUS_DELETED
            and (not request.status or c.status == request.status)
        ]
        return pb.FindCampaignsResponse(campaigns=found)

    def UpdateCampaignStatus(self, request, context):
        found = self._campaign(request, context)
        if request.status != found.status and request.status not in ALLOWED.get(found.status, ()):
            old, new = pb.CampaignStatus.Name(found.status), pb.CampaignStatus.Name(request.status)
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"{old} cannot become {new}")
        found.status = request.status
        return pb.UpdateCampaignStatusResponse(campaign=found)

    def DeleteCampaign(self, request, context):
        self._campaign(request, context).status = pb.CAMPAIGN_STATUS_DELETED
        return pb.DeleteCampaignResponse(messages_deleted=3)

    def RegisterMailbox(self, request, context):
        self._seen(request, context)
        if "@" not in request.address or request.daily_limit < 0:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"address: {request.address!r}")
        found = mailbox(request.address.lower(), request.warmup_enabled)
        found.daily_limit = request.daily_limit
        self.mailboxes[found.address] = found
        return pb.RegisterMailboxResponse(mailbox=found)

    def ListMailboxes(self, request, context):
        self._seen(request, context)
        found = [
            m
            for _, m in sorted(self.mailboxes.items())
            if not request.domain or m.domain == request.domain
        ]
        return pb.ListMailboxesResponse(mailboxes=found)

    def GetUsage(self, request, context):
        self._seen(request, context)
        if request.period and len(request.period) != 7:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "period must be YYYY-MM")
        usage = pb.Usage(
            tenant_id=TENANT,
            period=request.period or "2026-11",
            messages_registered=40,
            emails_registered=40,
            emails_sent=38,
            recipients=37,
            campaigns_created=2,
            active_mailboxes=1,
            tracked_events=321,
        )
        return pb.GetUsageResponse(usage=usage)


def segment_stats(sent: int, clicks: int, replies: int) -> analytics_pb2.CampaignStats:
    return analytics_pb2.CampaignStats(
        tenant_id=TENANT,
        sent=sent,
        delivered=sent,
        rate_base=sent,
        filtered_unique_clicks=clicks,
        click_rate=clicks / sent,
        unique_replies=replies,
        replies=replies,
        reply_rate=replies / sent,
    )


SEGMENTS = {
    analytics_pb2.SEGMENT_DIMENSION_SEQUENCE_STEP: [
        ("intro", "", 30, 10, 2),
        ("follow-up", "", 10, 4, 1),
    ],
    analytics_pb2.SEGMENT_DIMENSION_VARIANT: [("", "A", 20, 2, 1), ("", "B", 20, 12, 2)],
}


class CampaignAnalyticsRpcs:
    """Mixed into the fake AnalyticsService."""

    log: list[object]

    def _seen(self, request, context) -> None:
        self.log.append(request)
        refuse_other_tenants(request, context)

    def GetSegmentStats(self, request, context):
        self._seen(request, context)
        if request.dimension not in SEGMENTS:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "dimension is required")
        segments = [
            analytics_pb2.SegmentStats(
                sequence_step=step, variant=variant, stats=segment_stats(*figures)
            )
            for step, variant, *figures in SEGMENTS[request.dimension]
        ]
        return analytics_pb2.GetSegmentStatsResponse(segments=segments)

    def GetVariantComparison(self, request, context):
        self._seen(request, context)
        if request.alpha and not 0 < request.alpha < 0.5:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "alpha must be in (0, 0.5)")
        rates = [
            analytics_pb2.VariantRates(
                variant=v, recipients=20, opens=o, clicks=c, open_rate=o / 20, click_rate=c / 20
            )
            for v, o, c in (("A", 8, 2), ("B", 10, 12))
        ]
        comparisons = [
            analytics_pb2.MetricComparison(
                metric="open", baseline_variant="A", variant="B", baseline_rate=0.4, rate=0.5,
                z=0.82, p_value=0.41, verdict=OPEN_VERDICT, more_recipients_needed=1200,
            ),
            analytics_pb2.MetricComparison(
                metric="click", baseline_variant="A", variant="B", baseline_rate=0.1, rate=0.6,
                z=3.59, p_value=0.000321, significant=True, verdict=CLICK_VERDICT,
            ),
        ]  # fmt: skip
        return analytics_pb2.GetVariantComparisonResponse(variants=rates, comparisons=comparisons)

    def ListMailboxStats(self, request, context):
        self._seen(request, context)
        found = [
            analytics_pb2.MailboxStats(
                mailbox="sales@sender.example", sent=40, delivered=39, bounced=1, opens=20,
                clicks=9, replies=3, bounce_rate=0.025, open_rate=20 / 39, reply_rate=3 / 39,
                health_score=88, health_band="good",
            ),
            analytics_pb2.MailboxStats(
                mailbox="old@sender.example", sent=10, delivered=7, bounced=3, bounce_rate=0.3,
                health_score=40, health_band="critical",
            ),
        ]  # fmt: skip
        wanted = set(request.mailboxes)
        return analytics_pb2.ListMailboxStatsResponse(
            mailboxes=[m for m in found if not wanted or m.mailbox in wanted]
        )

    def GetWarmupStats(self, request, context):
        self._seen(request, context)
        days = [
            analytics_pb2.WarmupDay(day="2026-11-01", sent=5, opens=3, replies=1),
            analytics_pb2.WarmupDay(day="2026-11-02", sent=6, opens=4, replies=2),
        ]
        return analytics_pb2.GetWarmupStatsResponse(days=days)
