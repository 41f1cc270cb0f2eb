"""The gateway's HTTP endpoints on random paths, methods, headers and bodies (in-process,
Starlette TestClient; webhooks reach a real BounceService servicer on a local port with a
recorder that only counts): never a 5xx, and oversized bodies are refused with 413."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emailtrack.common.config import KafkaSettings
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.v1 import bounce_pb2, bounce_pb2_grpc, events_pb2
from gateway.asgi import build_gateway
from gateway.config import GatewaySettings, OperatorSettings
from gateway.operator.webhooks import MAX_BODY_BYTES
from gateway.tracking.app import MAX_FORM_BYTES, TrackingApp
from services.bounce.server import BounceServicer
from services.bounce.store import Recorded
from tests.fuzz.strategies import header_maps
from tests.fuzz.test_fuzz_webhooks import HANDLER
from tests.grpc_credentials import TEST_AUTH, TEST_KEY

KEYS = TokenKeys.parse("k1:" + "k" * 43)
PREFIXES = ["/o/", "/c/", "/u/", "/webhooks/", "/", "/readyz", "/healthz", "/metrics"]
PROVIDER_NAMES = ["sendgrid", "mailgun", "postmark", "ses", "mandrill", "other"]


class CountingSink:
    def __init__(self) -> None:
        self.hits: list[events_pb2.RawHit] = []

    def start(self) -> None: ...
    def close(self) -> None: ...
    def connected(self) -> bool:
        return True

    def submit(self, hit: events_pb2.RawHit) -> bool:
        self.hits.append(hit)
        return True


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    registration = ServiceRegistration(
        BounceServicer(lambda outcomes, *_, **__: Recorded(len(outcomes), 0), HANDLER),
        bounce_pb2_grpc.add_BounceServiceServicer_to_server,
        bounce_pb2.DESCRIPTOR.services_by_name["BounceService"].full_name,
    )
    server = start_server([registration], 0, "127.0.0.1", auth=TEST_AUTH)
    settings_ = GatewaySettings(
        http_port=0,
        http_workers=1,
        bind_host="127.0.0.1",
        kafka=KafkaSettings("127.0.0.1:1", 2000),
        token_keys=KEYS,
        trusted_proxies=(ipaddress.ip_network("10.0.0.0/8"),),
        max_buffered_hits=10,
        flush_interval_ms=10,
        max_batch_hits=10,
        operators=OperatorSettings(bounce_addr=f"127.0.0.1:{server.port}", service_key=TEST_KEY),
    )
    app: TrackingApp = build_gateway(settings_, CountingSink())
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    server.stop(0)


path_tail = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="?#"), max_size=80
) | st.sampled_from(["v1.k1.AAAA.BBBB", "v1.k1..", "x.gif", ".gif", "%00", "a/b", "%2F"])
webhook_tail = st.tuples(st.sampled_from(PROVIDER_NAMES), st.text(max_size=10)).map(
    lambda pair: "/".join(pair)
)
paths = st.tuples(st.sampled_from(PREFIXES), path_tail | webhook_tail).map("".join)
methods = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
byte_headers = header_maps.map(
    lambda h: [(k.lower().encode(), v.encode()) for k, v in h.items()]  # UTF-8 bytes as obs-text
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(methods, paths, byte_headers, st.binary(max_size=2000))
def test_no_request_gets_a_5xx(
    client: TestClient, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [(k, v) for k, v in headers if k not in (b"content-length", b"transfer-encoding")]
    url = quote(path, safe="/%:@!$&'()*+,;=~")  # the client sends ASCII request targets
    response = client.request(method, url, headers=headers, content=body or None)
    assert response.status_code < 500, (method, path, response.status_code, response.text[:200])


def unsubscribe_path() -> str:
    claims = events_pb2.TokenClaims(
        tenant_id="t",
        campaign_id="c",
        message_id="m",
        recipient_id="r",
        kind=events_pb2.HIT_KIND_UNSUBSCRIBE,
    )
    claims.sent_at.FromDatetime(datetime.now(UTC))
    return "/u/" + sign(claims, KEYS)


@pytest.mark.parametrize(
    ("path", "limit"),
    [(unsubscribe_path(), MAX_FORM_BYTES), ("/webhooks/sendgrid/t1", MAX_BODY_BYTES)],
)
def test_oversized_bodies_are_refused(client: TestClient, path: str, limit: int) -> None:
    assert client.post(path, content=b"x" * (limit + 1)).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    assert client.post(path, content=chunks()).status_code == 413
    assert client.post(path, content=b"List-Unsubscribe=One-Click").status_code < 500
