"""Every component exposes Prometheus /metrics with the series operators alert on."""

from __future__ import annotations

import urllib.request

import pytest

from emailtrack.platform import components
from emailtrack.platform.supervisor import Platform

pytestmark = pytest.mark.e2e

SERVICE_SERIES = (
    "emailtrack_grpc_requests_total",
    "emailtrack_grpc_request_duration_seconds",
    "emailtrack_kafka_consumer_lag",
    "emailtrack_consumer_batch_size",
    "emailtrack_deadletter_total",
    "emailtrack_kafka_produce_errors_total",
)
GATEWAY_SERIES = (
    "emailtrack_http_requests_total",
    "emailtrack_http_request_duration_seconds",
    "emailtrack_kafka_produce_errors_total",
    "emailtrack_kafka_produced_total",
)


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        return response.read().decode()


@pytest.mark.parametrize("service", [c.name for c in components.SERVICES])
def test_service_metrics(platform: Platform, service: str) -> None:
    body = scrape(f"http://127.0.0.1:{platform.ports[f'{service}-metrics']}/metrics")
    missing = [s for s in SERVICE_SERIES if f"# TYPE {s} " not in body]
    assert not missing, f"{service} lacks {missing}"


def test_grpc_calls_are_counted_with_their_code(platform: Platform) -> None:
    import grpc

    from emailtrack.common.grpc_server import client_channel
    from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc

    with client_channel(
        f"127.0.0.1:{platform.ports['analytics']}", api_key=platform.admin_key
    ) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        with pytest.raises(grpc.RpcError):
            stub.GetCampaignStats(analytics_pb2.GetCampaignStatsRequest())
    body = scrape(f"http://127.0.0.1:{platform.ports['analytics-metrics']}/metrics")
    assert (
        'emailtrack_grpc_requests_total{code="INVALID_ARGUMENT",'
        'method="/emailtrack.v1.AnalyticsService/GetCampaignStats"}' in body
    )


def gateway_metrics_url(platform: Platform) -> str:
    """The gateway's own metrics port: /metrics is not served on the public port."""
    return f"http://127.0.0.1:{platform.ports['gateway-metrics']}/metrics"


def test_gateway_metrics(platform: Platform) -> None:
    urllib.request.urlopen(f"{platform.gateway_url}/o/not-a-token.gif", timeout=5).read()
    body = scrape(gateway_metrics_url(platform))
    missing = [s for s in GATEWAY_SERIES if f"# TYPE {s} " not in body]
    assert not missing, f"gateway lacks {missing}"


def pixel_count(body: str) -> float:
    for line in body.splitlines():
        labels = ('route="pixel"', 'status="200"')
        if line.startswith("emailtrack_http_requests_total{") and all(x in line for x in labels):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_gateway_metrics_sum_every_worker(platform: Platform) -> None:
    """Each request lands on one of the granian workers; /metrics must count all of them."""
    before = pixel_count(scrape(gateway_metrics_url(platform)))
    for _ in range(20):
        urllib.request.urlopen(f"{platform.gateway_url}/o/not-a-token.gif", timeout=5).read()
    after = pixel_count(scrape(gateway_metrics_url(platform)))
    assert after - before == 20
