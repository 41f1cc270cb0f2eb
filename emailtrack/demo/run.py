"""Runs a demo plan through the real stack: defines the campaign and its sending mailboxes
(CampaignService), registers and instruments every message (gRPC), marks them sent and
delivered (recipient service), returns a bounce report for the bounced ones (bounce service),
fires each planned hit at the gateway's tracking URLs on time, then feeds the replies and an
auto-reply (bounce service), records warmup interactions and completes the campaign."""

from __future__ import annotations

import functools
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import grpc

from emailtrack.common.grpc_server import client_channel
from emailtrack.common.identity import recipient_id_for
from emailtrack.demo import lifecycle
from emailtrack.demo.plan import Hit, Plan, bounce_report, message_html
from emailtrack.demo.replies import auto_reply, human_reply
from emailtrack.v1 import (
    bounce_pb2,
    bounce_pb2_grpc,
    campaign_pb2,
    campaign_pb2_grpc,
    recipient_pb2,
    recipient_pb2_grpc,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)

SENT_AGO = timedelta(minutes=5)


class DemoError(Exception):
    """A service or the gateway could not be reached or refused the demo."""


@dataclass(frozen=True)
class Targets:
    tracking_edge: str
    recipient: str
    bounce: str
    gateway_url: str | None = None  # rewrite tracking URLs to this origin when set
    api_key: str | None = None  # carried by every gRPC call


@dataclass(frozen=True)
class Instrumented:
    pixel_url: str
    unsubscribe_url: str
    links: tuple[str, ...]
    headers: dict[str, str]
    host: str  # the tracking URLs' own host: the gateway answers tokens on it only


Reply = TypeVar("Reply")


def _rpc(what: str, call: Callable[[], Reply]) -> Reply:
    try:
        return call()
    except grpc.RpcError as exc:
        code = exc.code().name
        raise DemoError(f"{what}: {code}: {exc.details()}") from exc


class DemoRunner:
    def __init__(
        self,
        plan: Plan,
        tenant_id: str,
        targets: Targets,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.plan = plan
        self.tenant_id = tenant_id
        self.targets = targets
        self.sleep = sleep
        self.clock = clock
        self.messages: dict[str, Instrumented] = {}
        self.counts: Counter[str] = Counter()
        self.status = ""

    def _url(self, url: str) -> str:
        if not self.targets.gateway_url:
            return url
        origin = urlsplit(self.targets.gateway_url)
        return urlunsplit(urlsplit(url)._replace(scheme=origin.scheme, netloc=origin.netloc))

    def dashboard_url(self) -> str:
        first = next(iter(self.messages.values()), None)
        base = self.targets.gateway_url or (
            f"{urlsplit(first.pixel_url).scheme}://{urlsplit(first.pixel_url).netloc}"
            if first
            else "http://127.0.0.1:8080"
        )
        return f"{base.rstrip('/')}/dashboard/campaigns/{quote(self.plan.campaign_id, safe='')}"

    def _advance(
        self, campaigns: campaign_pb2_grpc.CampaignServiceStub, target: campaign_pb2.CampaignStatus
    ) -> None:
        key = {"tenant_id": self.tenant_id, "campaign_id": self.plan.campaign_id}
        read = campaign_pb2.GetCampaignRequest(**key)
        found = _rpc("reading the campaign", lambda: campaigns.GetCampaign(read)).campaign
        status = found.status
        for status in lifecycle.status_steps(found.status, target):
            change = campaign_pb2.UpdateCampaignStatusRequest(**key, status=status)
            _rpc("changing its status", functools.partial(campaigns.UpdateCampaignStatus, change))
        self.status = campaign_pb2.CampaignStatus.Name(status).removeprefix("CAMPAIGN_STATUS_")
        self.status = self.status.lower()

    def _define(self, campaigns: campaign_pb2_grpc.CampaignServiceStub) -> None:
        """The campaign (draft, then scheduled) and its sending mailboxes."""
        request = lifecycle.create_request(self.plan, self.tenant_id)
        _rpc("creating the campaign", lambda: campaigns.CreateCampaign(request))
        for mailbox in lifecycle.mailbox_requests(self.tenant_id):
            _rpc("registering a mailbox", functools.partial(campaigns.RegisterMailbox, mailbox))
        self._advance(campaigns, campaign_pb2.CAMPAIGN_STATUS_SCHEDULED)

    def send(self) -> None:
        """Define the campaign, then register, instrument, mark sent/delivered and bounce
        every message; the campaign is then sending."""
        plan, tenant = self.plan, self.tenant_id
        with client_channel(self.targets.recipient, api_key=self.targets.api_key) as channel:
            campaigns = campaign_pb2_grpc.CampaignServiceStub(channel)
            self._define(campaigns)
            recipients = recipient_pb2_grpc.RecipientServiceStub(channel)
            registrations = [
                recipient_pb2.MessageRegistration(
                    message_id=r.message_id,
                    campaign_id=plan.campaign_id,
                    recipients=[
                        recipient_pb2.MessageRecipient(
                            email=r.email, role=recipient_pb2.RECIPIENT_ROLE_TO
                        )
                    ],
                    sequence_step=r.step,
                    variant=r.variant,
                    mailbox=r.mailbox,
                    smtp_message_id=r.smtp_message_id,
                )
                for r in plan.recipients
            ]
            _rpc(
                "registering messages",
                lambda: recipients.RegisterMessages(
                    recipient_pb2.RegisterMessagesRequest(tenant_id=tenant, messages=registrations)
                ),
            )
            self._instrument()
            for r in plan.recipients:
                fields: dict[str, Any] = {
                    "tenant_id": tenant,
                    "message_id": r.message_id,
                    "emails": [r.email],
                }
                sent = recipient_pb2.MarkSentRequest(**fields)
                _rpc(f"marking {r.message_id} sent", functools.partial(recipients.MarkSent, sent))
                if r.persona != "bounced":
                    delivered = recipient_pb2.MarkDeliveredRequest(**fields)
                    _rpc(
                        f"marking {r.message_id} delivered",
                        functools.partial(recipients.MarkDelivered, delivered),
                    )
                self.counts["messages"] += 1
            self._advance(campaigns, campaign_pb2.CAMPAIGN_STATUS_SENDING)
        self._bounce()

    def _instrument(self) -> None:
        sent_at = datetime.now(UTC) - SENT_AGO
        with client_channel(self.targets.tracking_edge, api_key=self.targets.api_key) as channel:
            stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
            for r in self.plan.recipients:
                message = tracking_edge_pb2.MessageToInstrument(
                    tenant_id=self.tenant_id,
                    campaign_id=self.plan.campaign_id,
                    message_id=r.message_id,
                    recipient_id=recipient_id_for(self.tenant_id, r.email),
                    html=message_html(
                        r.email.split("@")[0].rstrip("0123456789").title(), r.variant
                    ),
                    sequence_step=r.step,
                    variant=r.variant,
                )
                message.sent_at.FromDatetime(sent_at)
                request = tracking_edge_pb2.InstrumentMessageRequest(message=message)
                done = _rpc(
                    "instrumenting", functools.partial(stub.InstrumentMessage, request)
                ).message
                self.messages[r.email] = Instrumented(
                    pixel_url=self._url(done.pixel_url),
                    unsubscribe_url=self._url(done.unsubscribe_url),
                    links=tuple(self._url(link.tracking_url) for link in done.links),
                    headers={h.name: h.value for h in done.headers if h.name.startswith("X-")},
                    host=urlsplit(done.pixel_url).netloc,
                )

    def _bounce(self) -> None:
        bounced = self.plan.by_persona("bounced")
        if not bounced:
            return
        reports = [
            bounce_pb2.IngestInboundMessagesRequest(
                tenant_id=self.tenant_id,
                raw_message=bounce_report(r.email, self.messages[r.email].headers, r.message_id),
            )
            for r in bounced
        ]
        with client_channel(self.targets.bounce, api_key=self.targets.api_key) as channel:
            stub = bounce_pb2_grpc.BounceServiceStub(channel)
            reply = _rpc("returning bounces", lambda: stub.IngestInboundMessages(iter(reports)))
        self.counts["bounces"] += reply.bounces

    def finish(self) -> None:
        """Replies (and one out-of-office auto-reply) come back, the warmup mailbox exchanges
        with its partners, and the campaign is completed."""
        now = datetime.now(UTC)
        inbound = [human_reply(r, now) for r in self.plan.repliers()]
        replier = self.plan.auto_replier()
        if replier is not None:
            inbound.append(auto_reply(replier, now))
        requests = [
            bounce_pb2.IngestInboundMessagesRequest(tenant_id=self.tenant_id, raw_message=raw)
            for raw in inbound
        ]
        with client_channel(self.targets.bounce, api_key=self.targets.api_key) as channel:
            stub = bounce_pb2_grpc.BounceServiceStub(channel)
            reply = _rpc("feeding replies", lambda: stub.IngestInboundMessages(iter(requests)))
        self.counts["replies"] += reply.replies
        self.counts["auto_replies"] += reply.auto_replies
        with client_channel(self.targets.recipient, api_key=self.targets.api_key) as channel:
            campaigns = campaign_pb2_grpc.CampaignServiceStub(channel)
            warmup = lifecycle.warmup_request(self.plan, self.tenant_id, now)
            done = _rpc("recording warmup", lambda: campaigns.RecordWarmupInteractions(warmup))
            self.counts["warmup_interactions"] += done.recorded
            self._advance(campaigns, campaign_pb2.CAMPAIGN_STATUS_COMPLETED)

    def fire(self, on_hit: Callable[[Hit], None] = lambda hit: None) -> None:
        """Sends every planned hit at its time (relative to now)."""
        started = self.clock()
        for hit in self.plan.hits:
            wait = hit.at_s - (self.clock() - started)
            if wait > 0:
                self.sleep(wait)
            self._hit(hit)
            on_hit(hit)

    def _hit(self, hit: Hit) -> None:
        message = self.messages[hit.email]
        headers = {
            "User-Agent": hit.user_agent,
            "X-Forwarded-For": hit.client_ip,
            "Host": message.host,  # kept when the URL is rewritten to reach the gateway
        }
        if hit.accept_language:
            headers["Accept-Language"] = "en-GB,en;q=0.9"
        data = None
        if hit.kind == "open":
            url = message.pixel_url
        elif hit.kind == "click":
            url = message.links[hit.link_index]
        else:
            url = message.unsubscribe_url
            data = b"List-Unsubscribe=One-Click"
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, headers=headers, method=hit.method)
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=5) as reply:
                reply.read()
        except urllib.error.HTTPError as exc:
            if exc.code != 302:
                raise DemoError(f"gateway answered {exc.code} to a {hit.kind}") from exc
        except OSError as exc:
            raise DemoError(f"gateway unreachable at {url.split('/', 3)[2]}: {exc}") from exc
        self.counts[f"{hit.kind}s"] += 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Clicks stop at the gateway's 302: the demo must not fetch the shop's pages."""

    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]  # urllib's handler signature
        return None
