"""Tracking domains through the platform `emailtrack up` starts (real processes): a tenant
registers a domain, publishes the TXT record (on a DNS server on loopback the tracking edge is
pointed at), verifies it; its links then name the domain, and the gateway answers them by Host
header on that domain only. Also: a link of 8 KB redirects through the real granian server."""

from __future__ import annotations

import http.client
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from emailtrack.common.grpc_server import client_channel
from emailtrack.platform.supervisor import Platform, PlatformOptions
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from tests.loopback_dns import ZoneResolver, loopback_dns

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform_with_dns(
    scratch_dir: Path,
) -> Iterator[tuple[Platform, ZoneResolver]]:
    with loopback_dns() as (zone, server):
        options = PlatformOptions(
            state_dir=scratch_dir / "platform-domains",
            database_url=os.environ.get("EMAILTRACK_TEST_DATABASE_URL"),
            kafka_bootstrap=os.environ.get("EMAILTRACK_TEST_KAFKA"),
            auto_ports=True,
            extra_env={"EMAILTRACK_DNS_SERVERS": server},
        )
        platform = Platform(options)
        try:
            platform.start(timeout_s=90)
            yield platform, zone
        finally:
            platform.stop()


def _get(port: int, path: str, host: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    return connection.getresponse()


def test_up_serves_a_verified_tenant_domain_by_host(
    platform_with_dns: tuple[Platform, ZoneResolver],
) -> None:
    platform, zone = platform_with_dns
    port = platform.ports["gateway"]
    with client_channel(
        f"127.0.0.1:{platform.ports['tracking-edge']}", api_key=platform.admin_key
    ) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        for tenant, domain in (("acme", "links.acme.test"), ("globex", "t.globex.test")):
            record = stub.RegisterTrackingDomain(
                tracking_edge_pb2.RegisterTrackingDomainRequest(tenant_id=tenant, domain=domain),
                timeout=10,
            ).domain
            zone.publish(record.txt_record_name, record.txt_record_value)
            verified = stub.VerifyTrackingDomain(
                tracking_edge_pb2.VerifyTrackingDomainRequest(tenant_id=tenant, domain=domain),
                timeout=10,
            ).domain
            assert verified.verified
        message = stub.InstrumentMessage(
            tracking_edge_pb2.InstrumentMessageRequest(
                message=tracking_edge_pb2.MessageToInstrument(
                    tenant_id="acme",
                    campaign_id="spring",
                    message_id="m-domains",
                    recipient_id="ada@example.com",
                    html='<body><a href="https://shop.example/sale">Sale</a></body>',
                )
            ),
            timeout=10,
        ).message
    click = urlsplit(message.links[0].tracking_url)
    assert (click.scheme, click.netloc) == ("http", f"links.acme.test:{port}")
    own = _get(port, click.path, click.netloc)
    assert own.status == 302 and own.getheader("Location") == "https://shop.example/sale"
    assert _get(port, click.path, f"t.globex.test:{port}").status == 404
    assert _get(port, click.path, f"127.0.0.1:{port}").status == 404
    pixel = urlsplit(message.pixel_url)
    assert _get(port, pixel.path, pixel.netloc).status == 200


def test_up_redirects_a_link_of_8_kb_through_granian(
    platform_with_dns: tuple[Platform, ZoneResolver],
) -> None:
    platform, _ = platform_with_dns
    long_url = "https://shop.example/search?q=" + "x" * 8192
    with client_channel(
        f"127.0.0.1:{platform.ports['tracking-edge']}", api_key=platform.admin_key
    ) as channel:
        message = (
            tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
            .InstrumentMessage(
                tracking_edge_pb2.InstrumentMessageRequest(
                    message=tracking_edge_pb2.MessageToInstrument(
                        tenant_id="no-domain-tenant",
                        campaign_id="c",
                        message_id="m-long",
                        recipient_id="r",
                        html=f'<body><a href="{long_url}">Search</a></body>',
                    )
                ),
                timeout=10,
            )
            .message
        )
    click = urlsplit(message.links[0].tracking_url)
    response = _get(platform.ports["gateway"], click.path, click.netloc)
    assert response.status == 302 and response.getheader("Location") == long_url
