"""One open, end to end through real processes: InstrumentMessage → pixel GET on the
gateway → Kafka → tracking edge → Kafka → analytics → GetCampaignStats."""

from __future__ import annotations

import re
import time
import urllib.request
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from kafka import KafkaConsumer

from emailtrack.common.grpc_server import client_channel
from emailtrack.common.topics import ENGAGEMENT_EVENTS, RAW_HITS
from emailtrack.platform import components
from emailtrack.platform.supervisor import Platform
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    events_pb2,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)

pytestmark = pytest.mark.e2e

HTML = (
    "<html><body><p>Hello</p>"
    '<a href="https://example.com/offer?x=1&amp;y=2">Offer</a></body></html>'
)


def addr(platform: Platform, name: str) -> str:
    return f"127.0.0.1:{platform.ports[name]}"


def instrument(platform: Platform, campaign: str) -> tracking_edge_pb2.InstrumentedMessage:
    with client_channel(addr(platform, "tracking-edge"), api_key=platform.admin_key) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        reply = stub.InstrumentMessage(
            tracking_edge_pb2.InstrumentMessageRequest(
                message=tracking_edge_pb2.MessageToInstrument(
                    tenant_id="acme",
                    campaign_id=campaign,
                    message_id=f"msg-{uuid.uuid4().hex[:8]}",
                    recipient_id="ada@example.com",
                    html=HTML,
                )
            )
        )
    return reply.message


def campaign_stats(platform: Platform, campaign: str) -> analytics_pb2.CampaignStats:
    with client_channel(addr(platform, "analytics"), api_key=platform.admin_key) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        return stub.GetCampaignStats(
            analytics_pb2.GetCampaignStatsRequest(tenant_id="acme", campaign_id=campaign)
        ).stats


def wait_for(predicate, timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not reached within {timeout_s}s")


def test_pixel_open_shows_in_campaign_stats(platform: Platform) -> None:
    campaign = f"welcome-{uuid.uuid4().hex[:6]}"
    message = instrument(platform, campaign)
    assert message.pixel_url in message.html
    assert re.search(r'href="http://127\.0\.0\.1:\d+/c/', message.html)
    request = urllib.request.Request(
        message.pixel_url,
        headers={
            "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/120.0 Safari/537.36"
        },
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/gif"
    took = wait_for(lambda: campaign_stats(platform, campaign).opens.total.total == 1, 10)
    assert took < 5
    stats = campaign_stats(platform, campaign)
    assert stats.opens.unique.total == 1


def test_click_redirects_and_forged_click_does_not(platform: Platform) -> None:
    message = instrument(platform, f"clicks-{uuid.uuid4().hex[:6]}")
    link = message.links[0]
    assert link.original_url == "https://example.com/offer?x=1&y=2"

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(link.tracking_url, timeout=5)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        assert redirect.headers["Location"] == link.original_url
    forged = link.tracking_url[:-3] + ("AAA" if not link.tracking_url.endswith("AAA") else "BBB")
    with pytest.raises(urllib.error.HTTPError) as not_found:
        opener.open(forged, timeout=5)
    assert not_found.value.code == 404


def test_every_server_answers_health_and_reflection(platform: Platform) -> None:
    for component in components.SERVICES:
        with grpc.insecure_channel(addr(platform, component.name)) as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=5
            )
            assert health.status == health_pb2.HealthCheckResponse.SERVING
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)
            replies = stub.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
            )
            names = {s.name for r in replies for s in r.list_services_response.service}
            assert "grpc.health.v1.Health" in names
            assert any(n.startswith("emailtrack.v1.") for n in names), names


def test_raw_hit_and_event_topics_are_readable(platform: Platform) -> None:
    message = instrument(platform, f"topics-{uuid.uuid4().hex[:6]}")
    urllib.request.urlopen(message.pixel_url, timeout=5).read()
    found: dict[str, bool] = {RAW_HITS: False, ENGAGEMENT_EVENTS: False}
    consumer = KafkaConsumer(
        RAW_HITS,
        ENGAGEMENT_EVENTS,
        bootstrap_servers=platform.bootstrap_servers,
        auto_offset_reset="earliest",
        consumer_timeout_ms=8000,
    )
    for record in consumer:
        if record.topic == RAW_HITS:
            hits = events_pb2.RawHitBatch.FromString(record.value).hits
            found[RAW_HITS] |= any(h.claims.message_id == message.message_id for h in hits)
        else:
            events = events_pb2.EventBatch.FromString(record.value).events
            found[ENGAGEMENT_EVENTS] |= any(e.message_id == message.message_id for e in events)
        if all(found.values()):
            break
    consumer.close()
    assert found == {RAW_HITS: True, ENGAGEMENT_EVENTS: True}
