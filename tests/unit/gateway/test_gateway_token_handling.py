"""Gateway token handling: v1 tokens in mail already sent, destinations cleaned up as browsers
do, links of 8 KB, tokens past the maximum age (they still work, unrecorded), and the host a
token is checked against behind proxies (X-Forwarded-Host from trusted proxies, when enabled)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from emailtrack.common.config import ConfigError
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.v1 import events_pb2
from gateway.config import GatewaySettings
from gateway.tracking.app import PIXEL_GIF, build_app
from tests.unit.gateway.test_gateway_routes import RecordingSink, settings

SECRET = "k" * 43


def _token(
    kind: events_pb2.HitKind,
    url: str = "",
    *,
    age: timedelta = timedelta(0),
    version: str = "v2",
    host: str = "",
) -> str:
    claims = events_pb2.TokenClaims(
        tenant_id="t",
        campaign_id="c",
        message_id="m",
        recipient_id="r",
        kind=kind,
        link_url=url,
        tracking_host=host,
    )
    claims.sent_at.FromDatetime((datetime.now(UTC) - age).replace(microsecond=0))
    return sign(claims, TokenKeys.parse(f"k1:{SECRET}", version=version))


def _client(sink: RecordingSink) -> TestClient:
    return TestClient(build_app(settings(), sink), follow_redirects=False)


def test_v1_destinations_with_upper_case_schemes_or_line_breaks_redirect_cleaned_up() -> None:
    sink = RecordingSink()
    client = _client(sink)
    for stored, expected in [
        ("HTTPS://Example.com/a", "https://example.com/a"),
        ("HTTP://example.com/", "http://example.com/"),
        ("https://example.com/?a=1\r\n&b=2", "https://example.com/?a=1&b=2"),
        ("https://example.com/caf\u00e9 x", "https://example.com/caf%C3%A9%20x"),
    ]:
        response = client.get("/c/" + _token(events_pb2.HIT_KIND_CLICK, stored, version="v1"))
        assert response.status_code == 302
        assert response.headers["location"] == expected
    assert len(sink.hits) == 4


def test_not_a_web_url_is_never_redirected_to() -> None:
    client = _client(RecordingSink())
    for stored in ("javascript:alert(1)", "//evil.example/", "data:text/html,x"):
        response = client.get("/c/" + _token(events_pb2.HIT_KIND_CLICK, stored, version="v1"))
        assert response.status_code == 404


def test_a_link_of_8_kb_redirects() -> None:
    sink = RecordingSink()
    url = "https://example.com/?q=" + "x" * 8192
    response = _client(sink).get("/c/" + _token(events_pb2.HIT_KIND_CLICK, url))
    assert response.status_code == 302
    assert response.headers["location"] == url
    assert sink.hits[0].claims.link_url == url


def test_past_the_maximum_age_links_work_and_nothing_is_recorded() -> None:
    sink = RecordingSink()
    client = _client(sink)
    years = timedelta(days=3 * 365)
    click = client.get("/c/" + _token(events_pb2.HIT_KIND_CLICK, "https://example.com/", age=years))
    assert click.status_code == 302
    assert click.headers["location"] == "https://example.com/"
    pixel = client.get("/o/" + _token(events_pb2.HIT_KIND_OPEN, age=years) + ".gif")
    assert pixel.content == PIXEL_GIF
    assert sink.hits == []
    recent = client.get("/c/" + _token(events_pb2.HIT_KIND_CLICK, "https://example.com/"))
    assert recent.status_code == 302
    assert len(sink.hits) == 1


def test_past_the_maximum_age_an_unsubscribe_is_still_recorded() -> None:
    sink = RecordingSink()
    token = _token(events_pb2.HIT_KIND_UNSUBSCRIBE, age=timedelta(days=3 * 365))
    response = _client(sink).post("/u/" + token, content=b"List-Unsubscribe=One-Click")
    assert response.status_code == 200
    assert [hit.one_click for hit in sink.hits] == [True]


def test_forged_or_altered_old_tokens_never_redirect() -> None:
    sink = RecordingSink()
    client = _client(sink)
    good = _token(events_pb2.HIT_KIND_CLICK, "https://example.com/", age=timedelta(days=900))
    forged = sign(
        events_pb2.TokenClaims(kind=events_pb2.HIT_KIND_CLICK, link_url="https://evil.example/"),
        TokenKeys.parse("k1:" + "z" * 43),
    )
    flipped = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    for token in (forged, flipped):
        assert client.get("/c/" + token).status_code == 404
    assert sink.hits == []


def test_the_token_host_is_from_x_forwarded_host_only_from_trusted_proxies_when_enabled() -> None:
    # the token names the deployment's own host (EMAILTRACK_PUBLIC_BASE_URL's, 127.0.0.1 here)
    click = "/c/" + _token(events_pb2.HIT_KIND_CLICK, "https://shop.example/", host="127.0.0.1")
    proxied = {"Host": "gateway.internal:8080", "X-Forwarded-Host": "127.0.0.1"}
    behind_proxies = settings(("10.0.0.0/8",))

    def status(trust: bool, peer: str, headers: dict[str, str]) -> int:
        app = build_app(replace(behind_proxies, trust_forwarded_host=trust), RecordingSink())
        client = TestClient(app, follow_redirects=False, client=(peer, 1))
        return client.get(click, headers=headers).status_code

    assert status(True, "10.1.1.1", proxied) == 302
    assert status(True, "10.1.1.1", {**proxied, "X-Forwarded-Host": "t.evil, 127.0.0.1"}) == 302
    assert status(True, "10.1.1.1", {"Host": "127.0.0.1:8080"}) == 302  # no header: Host
    assert status(False, "10.1.1.1", proxied) == 404  # off by default: Host only
    assert status(True, "203.0.113.5", proxied) == 404  # not a trusted proxy
    assert status(True, "203.0.113.5", {**proxied, "Host": "127.0.0.1"}) == 302


def test_trusting_x_forwarded_host_needs_trusted_proxies() -> None:
    env = {"EMAILTRACK_TOKEN_KEYS": f"k1:{SECRET}", "EMAILTRACK_TRUST_FORWARDED_HOST": "true"}
    with pytest.raises(ConfigError, match="EMAILTRACK_TRUSTED_PROXIES"):
        GatewaySettings.from_env(env)
    with pytest.raises(ConfigError, match="true or false"):
        GatewaySettings.from_env({**env, "EMAILTRACK_TRUST_FORWARDED_HOST": "yes"})
    trusted = GatewaySettings.from_env({**env, "EMAILTRACK_TRUSTED_PROXIES": "10.0.0.0/8"})
    assert trusted.trust_forwarded_host
    default = GatewaySettings.from_env({"EMAILTRACK_TOKEN_KEYS": f"k1:{SECRET}"})
    assert not default.trust_forwarded_host
