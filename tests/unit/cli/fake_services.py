"""In-process gRPC servers (port 0, real generated stubs) standing in for analytics,
recipient, tracking-edge and bounce in the CLI, API and dashboard tests. They answer from
small fixed data for tenant ``acme`` and record every request they receive. CampaignService
runs next to RecipientService, on the same server, as in the recipient process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc

from emailtrack.common.grpc_server import RunningServer, ServiceRegistration, start_server
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    bounce_pb2,
    bounce_pb2_grpc,
    campaign_pb2_grpc,
    events_pb2,
    recipient_pb2,
    recipient_pb2_grpc,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)
from tests.grpc_credentials import TEST_AUTH
from tests.unit.cli.fake_base import TENANT, refuse_other_tenants
from tests.unit.cli.fake_campaigns import CampaignAnalyticsRpcs, FakeCampaigns

STARTED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def counts(human: int = 0, proxy: int = 0, scanner: int = 0) -> analytics_pb2.SourceCounts:
    return analytics_pb2.SourceCounts(
        human=human, privacy_proxy=proxy, security_scanner=scanner, total=human + proxy + scanner
    )


def stats(campaign_id: str, opens: int = 3) -> analytics_pb2.CampaignStats:
    found = analytics_pb2.CampaignStats(
        tenant_id=TENANT,
        campaign_id=campaign_id,
        sent=10,
        delivered=9,
        hard_bounced=1,
        opens=analytics_pb2.EngagementCounts(unique=counts(2, 1), total=counts(opens, 1, 1)),
        clicks=analytics_pb2.EngagementCounts(unique=counts(1), total=counts(1, 0, 2)),
        unsubscribes=1,
        open_rate=0.3333,
        click_rate=0.1111,
        bounce_rate=0.1,
        mpp_adjusted_open_rate=0.25,
        rate_base=9,
    )
    found.first_event_at.FromDatetime(STARTED)
    found.last_event_at.FromDatetime(STARTED + timedelta(hours=2))
    return found


class FakeAnalytics(CampaignAnalyticsRpcs, analytics_pb2_grpc.AnalyticsServiceServicer):
    def __init__(self, log: list[object]) -> None:
        self.log = log
        self.watch_events: list[events_pb2.Event] = []

    def GetCampaignStats(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        if request.campaign_id.startswith("never-"):  # what the service answers for no event
            return analytics_pb2.GetCampaignStatsResponse(
                stats=analytics_pb2.CampaignStats(tenant_id=TENANT, campaign_id=request.campaign_id)
            )
        return analytics_pb2.GetCampaignStatsResponse(stats=stats(request.campaign_id))

    def ListCampaigns(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        if request.page_token == "bad":
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid page token")
        if request.page_token == "p2":
            return analytics_pb2.ListCampaignsResponse(campaigns=[stats("zeta")])
        return analytics_pb2.ListCampaignsResponse(
            campaigns=[stats("spring"), stats("summer")], next_page_token="p2"
        )

    def GetTimeline(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        points = []
        for hour in range(3):
            point = analytics_pb2.TimelinePoint(opens=counts(hour + 1, 1), clicks=counts(hour))
            point.bucket_start.FromDatetime(STARTED + timedelta(hours=hour))
            at = point.bucket_start.ToDatetime(UTC)
            after_start = not request.HasField("start") or request.start.ToDatetime(UTC) <= at
            before_end = not request.HasField("end") or at < request.end.ToDatetime(UTC)
            in_range = after_start and before_end
            if in_range:
                points.append(point)
        return analytics_pb2.GetTimelineResponse(points=points)

    def GetTopLinks(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        link = analytics_pb2.LinkStats(
            url="https://example.com/offer", unique_clicks=counts(1), total_clicks=counts(1, 0, 2)
        )
        return analytics_pb2.GetTopLinksResponse(links=[link])

    def GetBreakdown(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        rows = [
            analytics_pb2.BreakdownRow(value="Apple Mail", count=3, share=0.75),
            analytics_pb2.BreakdownRow(value="Gmail", count=1, share=0.25),
        ]
        return analytics_pb2.GetBreakdownResponse(rows=rows)

    def GetTenantSummary(self, request, context):
        """Three campaigns added up (fixed figures); the range is only recorded."""
        self.log.append(request)
        refuse_other_tenants(request, context)
        found = analytics_pb2.CampaignStats(
            tenant_id=TENANT, sent=30, delivered=27, hard_bounced=3, bounce_rate=0.1, rate_base=27
        )
        found.replies, found.unique_replies, found.reply_rate = 4, 3, 3 / 27
        return analytics_pb2.GetTenantSummaryResponse(campaigns=3, stats=found)

    def GetMessageEngagement(self, request, context):
        """m1 to ada: sent, delivered, opened by MPP then a person, clicked by a scanner."""
        self.log.append(request)
        refuse_other_tenants(request, context)
        found = []
        for key in request.keys:
            if key.message_id != "m1":
                continue
            facts = analytics_pb2.MessageEngagement(
                message_id=key.message_id,
                recipient_id=key.recipient_id,
                opens=analytics_pb2.PairHits(hits=2, human=True, machine=True),
                clicks=analytics_pb2.PairHits(hits=1, machine=True),
            )
            facts.sent_at.FromDatetime(STARTED)
            facts.delivered_at.FromDatetime(STARTED + timedelta(seconds=5))
            facts.opens.first_at.FromDatetime(STARTED + timedelta(minutes=1))
            facts.clicks.first_at.FromDatetime(STARTED + timedelta(minutes=2))
            found.append(facts)
        return analytics_pb2.GetMessageEngagementResponse(messages=found)

    def WatchCampaignList(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        yield analytics_pb2.WatchCampaignListResponse(campaigns=[stats("spring")])
        yield analytics_pb2.WatchCampaignListResponse(
            campaigns=[stats("spring", opens=4), stats("<new>")]
        )

    def WatchCampaign(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        yield analytics_pb2.WatchCampaignResponse(stats=stats(request.campaign_id))
        yield analytics_pb2.WatchCampaignResponse(
            stats=stats(request.campaign_id, opens=4), new_events=self.watch_events
        )


@dataclass
class FakeRecipients(recipient_pb2_grpc.RecipientServiceServicer):
    log: list[object]
    people: dict[str, recipient_pb2.Recipient] = field(default_factory=dict)

    def _find(self, request, context) -> recipient_pb2.Recipient:
        self.log.append(request)
        refuse_other_tenants(request, context)
        if "@" not in request.email:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"email: {request.email!r} is invalid")
        if request.email not in self.people:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no recipient {request.email}")
        return self.people[request.email]

    def ListRecipients(self, request, context):
        self.log.append(request)
        refuse_other_tenants(request, context)
        found = [
            r
            for r in self.people.values()
            if request.status in (recipient_pb2.RECIPIENT_STATUS_UNSPECIFIED, r.status)
            and r.email.lower().startswith(request.email_prefix.lower())
            and request.email_contains.lower() in r.email.lower()
        ]
        return recipient_pb2.ListRecipientsResponse(recipients=found)

    def GetRecipient(self, request, context):
        return recipient_pb2.GetRecipientResponse(recipient=self._find(request, context))

    def GetEngagementSummary(self, request, context):
        self._find(request, context)
        return recipient_pb2.GetEngagementSummaryResponse(opens=4, clicks=1, human_opens=2)

    def Suppress(self, request, context):
        found = self._find(request, context)
        found.status = recipient_pb2.RECIPIENT_STATUS_SUPPRESSED
        return recipient_pb2.SuppressResponse(recipient=found)

    def Unsuppress(self, request, context):
        found = self._find(request, context)
        if found.status != recipient_pb2.RECIPIENT_STATUS_SUPPRESSED:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "recipient is not suppressed")
        found.status = recipient_pb2.RECIPIENT_STATUS_ACTIVE
        return recipient_pb2.UnsuppressResponse(recipient=found)

    def Unsubscribe(self, request, context):
        found = self._find(request, context)
        found.status = recipient_pb2.RECIPIENT_STATUS_UNSUBSCRIBED
        return recipient_pb2.UnsubscribeResponse(recipient=found)

    def ListCampaignMessages(self, request, context):
        """Campaign spring (and never-defined-registered, registered under a plain id): m1 to
        ada (delivered), m2 to bob (failed), m3 to cy (pending); the page token is the index
        of the next row."""
        self.log.append(request)
        refuse_other_tenants(request, context)
        delivery = recipient_pb2.DeliveryStatus
        rows = [
            recipient_pb2.CampaignMessage(
                message_id=message,
                recipient_id=f"r_{name}",
                email=f"{name}@example.com",
                delivery_status=status,
                delivery_reason=reason,
                recipient_status=recipient_pb2.RECIPIENT_STATUS_ACTIVE,
                variant="A",
            )
            for message, name, status, reason in (
                ("m1", "ada", delivery.DELIVERY_STATUS_DELIVERED, ""),
                ("m2", "bob", delivery.DELIVERY_STATUS_FAILED, "=550 user unknown"),
                ("m3", "cy", delivery.DELIVERY_STATUS_PENDING, ""),
            )
        ]
        if request.campaign_id not in ("spring", "never-defined-registered"):
            rows = []
        start = int(request.page_token or 0)
        end = start + (request.page_size or 100)
        following = str(end) if end < len(rows) else ""
        return recipient_pb2.ListCampaignMessagesResponse(
            messages=rows[start:end], next_page_token=following
        )

    def EraseRecipient(self, request, context):
        self._find(request, context)
        del self.people[request.email]
        return recipient_pb2.EraseRecipientResponse(erased=True)


class FakeTrackingEdge(tracking_edge_pb2_grpc.TrackingEdgeServiceServicer):
    def __init__(self, log: list[object]) -> None:
        self.log = log

    def InstrumentMessage(self, request, context):
        self.log.append(request)
        message = request.message
        refuse_other_tenants(message, context)
        if not message.html and not message.text:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "html or text required")
        pixel = "http://gw/o/v1.tok.gif"
        return tracking_edge_pb2.InstrumentMessageResponse(
            message=tracking_edge_pb2.InstrumentedMessage(
                message_id=message.message_id,
                html=message.html.replace("</body>", f'<img src="{pixel}"></body>'),
                pixel_url=pixel,
                unsubscribe_url="http://gw/u/v1.unsub",
                headers=[tracking_edge_pb2.Header(name="List-Unsubscribe", value="<x>")],
                links=[
                    tracking_edge_pb2.InstrumentedLink(
                        index=0, original_url="https://example.com", tracking_url="http://gw/c/v1"
                    )
                ],
            )
        )

    def VerifyToken(self, request, context):
        self.log.append(request)
        if request.token != "v1.good":
            return tracking_edge_pb2.VerifyTokenResponse(valid=False, error="bad tag")
        return tracking_edge_pb2.VerifyTokenResponse(
            valid=True, key_id="k1", tenant_id=TENANT, campaign_id="spring", message_id="m1"
        )


class FakeBounce(bounce_pb2_grpc.BounceServiceServicer):
    def IngestInboundMessages(self, request_iterator, context):
        messages = sum(1 for _ in request_iterator)
        return bounce_pb2.IngestInboundMessagesResponse(messages=messages, bounces=messages)


@dataclass
class FakeStack:
    servers: dict[str, RunningServer]
    log: list[object]
    analytics: FakeAnalytics
    recipients: FakeRecipients
    campaigns: FakeCampaigns

    def address(self, name: str) -> str:
        return f"127.0.0.1:{self.servers[name].port}"

    def requests_of(self, kind: type) -> list:
        return [r for r in self.log if isinstance(r, kind)]


def _registration(servicer: object, module: object, service: str) -> ServiceRegistration:
    adder = getattr(module, f"add_{service}Servicer_to_server")
    return ServiceRegistration(servicer, adder, f"emailtrack.v1.{service}")


def ada() -> recipient_pb2.Recipient:
    return recipient_pb2.Recipient(
        tenant_id=TENANT,
        recipient_id="r_ada",
        email="ada@example.com",
        status=recipient_pb2.RECIPIENT_STATUS_ACTIVE,
        hard_bounces=0,
        soft_bounces=1,
    )


def start_fake_stack() -> Iterator[FakeStack]:
    """Generator for a fixture: starts the fakes on free ports, stops them after."""
    log: list[object] = []
    analytics = FakeAnalytics(log)
    recipients = FakeRecipients(log, {"ada@example.com": ada()})
    campaigns = FakeCampaigns(log)
    parts: dict[str, list[tuple[Any, Any, str]]] = {
        "analytics": [(analytics, analytics_pb2_grpc, "AnalyticsService")],
        "recipient": [
            (recipients, recipient_pb2_grpc, "RecipientService"),
            (campaigns, campaign_pb2_grpc, "CampaignService"),
        ],
        "tracking_edge": [(FakeTrackingEdge(log), tracking_edge_pb2_grpc, "TrackingEdgeService")],
        "bounce": [(FakeBounce(), bounce_pb2_grpc, "BounceService")],
        # health only: the webhooks pages are tested against the real service
        # (tests/integration/test_webhooks_management.py); here the notice is left out
        "webhooks": [],
    }
    servers = {
        name: start_server(
            [_registration(*part) for part in served],
            0,
            host="127.0.0.1",
            max_workers=8,
            auth=TEST_AUTH,
        )
        for name, served in parts.items()
    }
    try:
        yield FakeStack(servers, log, analytics, recipients, campaigns)
    finally:
        for server in servers.values():
            server.stop(0)
