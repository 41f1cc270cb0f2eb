"""Gateway routes in-process (Starlette TestClient); hits go to a recording sink."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from emailtrack.common import tracking_urls
from emailtrack.common.config import KafkaSettings
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.v1 import events_pb2
from gateway.config import GatewaySettings
from gateway.tracking.app import FIXED_ANSWERS, PIXEL_GIF, Answer, build_app

KEYS = TokenKeys.parse("k1:" + "k" * 43)


@dataclass
class RecordingSink:
    hits: list[events_pb2.RawHit] = field(default_factory=list)

    def start(self) -> None: ...
    def close(self) -> None: ...
    def connected(self) -> bool:
        return True

    def submit(self, hit: events_pb2.RawHit) -> bool:
        self.hits.append(hit)
        return True


def settings(trusted: tuple[str, ...] = ()) -> GatewaySettings:
    import ipaddress

    return GatewaySettings(
        http_port=0,
        http_workers=1,
        bind_host="127.0.0.1",
        kafka=KafkaSettings("127.0.0.1:1", 2000),
        token_keys=KEYS,
        trusted_proxies=tuple(ipaddress.ip_network(c) for c in trusted),
        max_buffered_hits=10,
        flush_interval_ms=10,
        max_batch_hits=10,
    )


def token(kind: events_pb2.HitKind, url: str = "", **extra: object) -> str:
    claims = events_pb2.TokenClaims(
        tenant_id="t", campaign_id="c", message_id="m", recipient_id="r", kind=kind, link_url=url
    )
    claims.sent_at.FromDatetime(datetime.now(UTC))
    for k, v in extra.items():
        setattr(claims, k, v)
    return sign(claims, KEYS)


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def client(sink: RecordingSink) -> TestClient:
    return TestClient(build_app(settings(), sink), follow_redirects=False)


def path(url: str) -> str:
    return url.removeprefix("http://x")


def test_pixel_served_and_recorded(client: TestClient, sink: RecordingSink) -> None:
    url = tracking_urls.pixel_url("http://x", token(events_pb2.HIT_KIND_OPEN))
    response = client.get(path(url), headers={"user-agent": "Mozilla/5.0 test"})
    assert response.status_code == 200
    assert response.content == PIXEL_GIF
    assert response.headers["content-type"] == "image/gif"
    assert "no-store" in response.headers["cache-control"]
    assert len(sink.hits) == 1
    assert sink.hits[0].user_agent == "Mozilla/5.0 test"
    assert sink.hits[0].claims.message_id == "m"


def test_head_pixel_has_no_body_but_is_recorded(client: TestClient, sink: RecordingSink) -> None:
    url = tracking_urls.pixel_url("http://x", token(events_pb2.HIT_KIND_OPEN))
    response = client.head(path(url))
    assert response.status_code == 200
    assert response.content == b""
    assert sink.hits[0].http_method == "HEAD"


def response_of(client: TestClient, method: str, target: str) -> Answer:
    response = client.request(method, target)
    return Answer(response.status_code, list(response.headers.items()), response.content)


@pytest.mark.parametrize(
    ("method", "target"),
    [("GET", "/o/forged.gif"), ("HEAD", "/o/forged.gif"), ("GET", "/c/forged"), ("POST", "/c/x")],
)
def test_fixed_answers_are_sent_whole_every_time(
    client: TestClient, method: str, target: str
) -> None:
    """Pixel, HEAD pixel, 404 and 405 go out over ASGI from messages built once: each
    request gets exactly one of the fixed answers, and sending them changes nothing."""
    first = response_of(client, method, target)
    assert first in FIXED_ANSWERS
    assert response_of(client, method, target) == first


@pytest.mark.parametrize("bad", ["garbage", "v1.k1.AAAA.BBBB", ""])
def test_forged_pixel_still_served_never_recorded(
    client: TestClient, sink: RecordingSink, bad: str
) -> None:
    response = client.get(f"/o/{bad}.gif")
    assert response.status_code == 200
    assert response.content == PIXEL_GIF
    assert sink.hits == []


def test_click_redirects_to_signed_destination(client: TestClient, sink: RecordingSink) -> None:
    t = token(events_pb2.HIT_KIND_CLICK, "https://example.com/p?q=1")
    response = client.get(f"/c/{t}")
    assert response.status_code == 302
    assert response.headers["location"] == "https://example.com/p?q=1"
    assert len(sink.hits) == 1


def test_altered_click_token_is_404_and_not_recorded(
    client: TestClient, sink: RecordingSink
) -> None:
    good = token(events_pb2.HIT_KIND_CLICK, "https://example.com/")
    middle = len(good) // 2
    flipped = "A" if good[middle] != "A" else "B"
    response = client.get("/c/" + good[:middle] + flipped + good[middle + 1 :])
    assert response.status_code == 404
    assert "location" not in response.headers
    v1_keys = TokenKeys.parse("k1:" + "k" * 43, version="v1")
    good_v1, evil_v1 = (
        sign(events_pb2.TokenClaims(kind=events_pb2.HIT_KIND_CLICK, link_url=url), v1_keys)
        for url in ("https://example.com/", "https://evil.example/")
    )
    parts = good_v1.split(".")
    parts[2] = evil_v1.split(".")[2]  # v1 claims are readable: swap them under the old tag
    response = client.get("/c/" + ".".join(parts))
    assert response.status_code == 404
    assert sink.hits == []


def test_open_token_cannot_be_used_as_click(client: TestClient, sink: RecordingSink) -> None:
    response = client.get("/c/" + token(events_pb2.HIT_KIND_OPEN))
    assert response.status_code == 404
    assert sink.hits == []


def test_unsubscribe_get_confirms_without_recording(
    client: TestClient, sink: RecordingSink
) -> None:
    t = token(events_pb2.HIT_KIND_UNSUBSCRIBE)
    response = client.get(f"/u/{t}")
    assert response.status_code == 200
    assert "<form" in response.text
    assert sink.hits == []


def test_one_click_unsubscribe_post(client: TestClient, sink: RecordingSink) -> None:
    t = token(events_pb2.HIT_KIND_UNSUBSCRIBE)
    response = client.post(f"/u/{t}", content=b"List-Unsubscribe=One-Click")
    assert response.status_code == 200
    assert sink.hits[0].one_click


def test_client_ip_from_forwarded_for_only_behind_trusted_proxy(sink: RecordingSink) -> None:
    url = path(tracking_urls.pixel_url("http://x", token(events_pb2.HIT_KIND_OPEN)))
    spoof = {"x-forwarded-for": "203.0.113.9"}
    TestClient(build_app(settings(), sink)).get(url, headers=spoof)
    TestClient(
        build_app(settings(("127.0.0.0/8", "10.0.0.0/8")), sink), client=("10.1.1.1", 1)
    ).get(url, headers={"x-forwarded-for": "198.51.100.7, 10.2.2.2"})
    assert sink.hits[0].client_ip != "203.0.113.9"
    assert sink.hits[1].client_ip == "198.51.100.7"


def test_health_and_metrics(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    client.get("/o/x.gif")
    assert client.get("/metrics").status_code == 404  # its own port (EMAILTRACK_METRICS_PORT)
    local = TestClient(build_app(replace(settings(), metrics_port=0), None))
    body = local.get("/metrics").text  # port 0: on the public port, for local use only
    assert "emailtrack_http_requests_total" in body
