"""The gateway process served through granian's RSGI interface (EMAILTRACK_GATEWAY_INTERFACE
=rsgi) against a real broker: pixel and click answered natively with their hits' fields read
from the RSGI scope, the Starlette routes reached through the bridge (unsubscribe with its
body limit, 404, health), and every acknowledged hit in Kafka after SIGTERM (the lifespan's
drain)."""

from __future__ import annotations

import base64
import http.client
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.common.tracking_urls import CLICK_PREFIX, PIXEL_PREFIX, PIXEL_SUFFIX
from emailtrack.platform.ports import free_port, wait_for_port
from emailtrack.v1 import events_pb2
from gateway.tracking.app import PIXEL_GIF
from tests.faults.load import raw_hits

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
KEYS_SPEC = "k1:" + base64.urlsafe_b64encode(b"r" * 32).rstrip(b"=").decode()
KEYS = TokenKeys.parse(KEYS_SPEC)
PIXELS, HEADS, CLICKS = 30, 5, 10


def token(kind: events_pb2.HitKind, campaign: str, number: int) -> str:
    claims = events_pb2.TokenClaims(
        tenant_id="t",
        campaign_id=campaign,
        message_id=f"m{number}",
        recipient_id=f"r{number}",
        kind=kind,
        tracking_host="127.0.0.1",  # the deployment's own host: checked against Host
        link_url="https://example.com/landing" if kind == events_pb2.HIT_KIND_CLICK else "",
    )
    claims.sent_at.FromDatetime(datetime.now(UTC))
    return sign(claims, KEYS)


@pytest.fixture
def gateway(kafka_bootstrap: str, tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    ensure_topics(KafkaSettings(kafka_bootstrap, 2000))
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "EMAILTRACK_GATEWAY_INTERFACE": "rsgi",
        "EMAILTRACK_HTTP_WORKERS": "1",
        "EMAILTRACK_HTTP_PORT": str(port),
        "EMAILTRACK_METRICS_PORT": str(free_port()),
        "EMAILTRACK_BIND_HOST": "127.0.0.1",
        "EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "EMAILTRACK_TOKEN_KEYS": KEYS_SPEC,
        "EMAILTRACK_GATEWAY_SPOOL_DIR": str(tmp_path / "spool"),
        # one round (Kafka reached: ready) 10 s after the start, the next 10 s later: the
        # test's hits, sent and followed by SIGTERM in between, reach Kafka by the drain
        "EMAILTRACK_GATEWAY_FLUSH_INTERVAL_MS": "10000",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    with open(tmp_path / "gateway.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    try:
        wait_for_port(port, 60)
        deadline = time.monotonic() + 60
        while get(port, "GET", "/readyz")[0] != 200:
            assert time.monotonic() < deadline, (tmp_path / "gateway.log").read_text()
            time.sleep(0.2)
        yield port, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def get(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_hot_path_bridge_and_drain_on_sigterm(
    gateway: tuple[int, subprocess.Popen[bytes]], kafka_bootstrap: str
) -> None:
    port, process = gateway
    campaign = f"rsgi-{uuid.uuid4().hex[:8]}"
    browser = {"User-Agent": "Mozilla/5.0 rsgi", "X-Forwarded-For": "203.0.113.9"}
    for number in range(PIXELS + HEADS):
        method = "GET" if number < PIXELS else "HEAD"
        path = PIXEL_PREFIX + token(events_pb2.HIT_KIND_OPEN, campaign, number) + PIXEL_SUFFIX
        status, headers, body = get(port, method, path, headers=browser)
        assert (status, headers["content-type"]) == (200, "image/gif")
        assert "no-store" in headers["cache-control"]
        assert body == (PIXEL_GIF if method == "GET" else b"")
    for number in range(CLICKS):
        path = CLICK_PREFIX + token(events_pb2.HIT_KIND_CLICK, campaign, number)
        status, headers, _ = get(port, "GET", path, headers=browser)
        assert (status, headers["location"]) == (302, "https://example.com/landing")
    assert get(port, "GET", CLICK_PREFIX + "v1.k1.AAAA.BBBB")[0] == 404
    assert get(port, "POST", PIXEL_PREFIX + "x.gif")[0] == 405

    unsubscribe = "/u/" + token(events_pb2.HIT_KIND_UNSUBSCRIBE, campaign, 0)
    status, _, page = get(port, "GET", unsubscribe)
    assert status == 200 and b"Unsubscribe from these emails?" in page
    assert get(port, "POST", unsubscribe, body=b"x" * 100_000)[0] == 413
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    one_click = get(port, "POST", unsubscribe, b"List-Unsubscribe=One-Click", form)
    assert one_click[0] == 200 and one_click[2] == b"unsubscribed"
    assert get(port, "GET", "/no/such/page")[0] == 404
    assert get(port, "GET", "/healthz")[2] == b"ok"

    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    hits = raw_hits(kafka_bootstrap, campaign)
    kinds = [hit.claims.kind for hit in hits]
    assert kinds.count(events_pb2.HIT_KIND_OPEN) == PIXELS + HEADS
    assert kinds.count(events_pb2.HIT_KIND_CLICK) == CLICKS
    assert kinds.count(events_pb2.HIT_KIND_UNSUBSCRIBE) == 1
    assert len({hit.hit_id for hit in hits}) == len(hits)
    opened = next(hit for hit in hits if hit.claims.kind == events_pb2.HIT_KIND_OPEN)
    assert (opened.user_agent, opened.client_ip) == ("Mozilla/5.0 rsgi", "127.0.0.1")
    assert sum(hit.http_method == "HEAD" for hit in hits) == HEADS
