"""Pure helpers: address masking, activity lines, parameter checks, CSV export windows."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emailtrack.presentation.export import export_windows
from emailtrack.presentation.views import event_summary, mask_email
from emailtrack.v1 import events_pb2
from gateway.config import ConfigError, parse_api_tokens, parse_dashboard_users
from gateway.operator.api import params


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("ada@example.com", "a••@e••••••.com"),
        ("x@y.io", "x••@y••.io"),
        ("someone.long@localhost", "s••••••••@l••••••••"),
        ("not an address", "••••••••"),
    ],
)
def test_mask_email(address: str, masked: str) -> None:
    assert mask_email(address) == masked


def test_engagement_line_names_source_and_client_but_no_address_or_ip() -> None:
    event = events_pb2.Event(
        event_id="e",
        type=events_pb2.EVENT_TYPE_EMAIL_OPEN,
        recipient_id="r_0123456789abcdef",
        engagement=events_pb2.EngagementPayload(
            classification=events_pb2.Classification(source=events_pb2.HIT_SOURCE_PRIVACY_PROXY),
            client=events_pb2.ClientInfo(email_client="Apple Mail", device="mobile"),
            client_ip="203.0.113.9",
            user_agent="Mozilla/5.0",
        ),
    )
    line = event_summary(event)
    assert (line["type"], line["source"], line["recipient"]) == (
        "open",
        "privacy_proxy",
        "r_01234567",
    )
    assert line["detail"] == "Apple Mail · mobile"
    assert "203.0.113.9" not in str(line)


def test_a_bot_hit_says_why() -> None:
    event = events_pb2.Event(
        event_id="e",
        type=events_pb2.EVENT_TYPE_EMAIL_CLICK,
        recipient_id="r_0123456789abcdef",
        engagement=events_pb2.EngagementPayload(
            classification=events_pb2.Classification(
                source=events_pb2.HIT_SOURCE_BOT,
                agent="http_library",
                reasons=["ua_non_browser", "no_accept_language"],
            ),
            user_agent="curl/8.5.0",
        ),
    )
    line = event_summary(event)
    assert (line["source"], line["why"]) == ("bot", "ua_non_browser, no_accept_language")


def test_export_windows_start_at_local_midnights_and_cover_the_span() -> None:
    zone = ZoneInfo("Asia/Kolkata")  # +05:30: hour buckets start at half past in UTC
    first = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 2 March 01:30 local
    last = first + timedelta(days=2)
    windows = export_windows(first, last, "minute", zone)
    assert len(windows) == 3
    assert all(start.hour == 0 and start.minute == 0 for start, _ in windows)
    assert windows[0][0] <= first and windows[-1][1] > last
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert len(export_windows(first, last + timedelta(days=60), "hour", zone)) == 3
    assert export_windows(last, first, "day", zone) == []


def test_export_windows_across_a_dst_change_stay_on_midnight() -> None:
    zone = ZoneInfo("Europe/Paris")
    first = datetime(2026, 3, 28, 12, tzinfo=UTC)
    windows = export_windows(first, first + timedelta(days=2), "minute", zone)
    assert [w[1].astimezone(UTC) - w[0].astimezone(UTC) for w in windows] == [
        timedelta(hours=24),
        timedelta(hours=23),
        timedelta(hours=24),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: params.identifier("c", " "), "is required"),
        (lambda: params.identifier("c", "x" * 201), "at most 200"),
        (lambda: params.identifier("c", "a\x00b"), "control characters"),
        (lambda: params.identifier("c", "\ud800"), "UTF-8"),
        (lambda: params.email("e", "a b@c"), "e-mail"),
        (lambda: params.integer({"n": "3"}, "n", 1, 5, 9), "between 5 and 9"),
        (lambda: params.only({"x": "1"}, ("y",)), "unknown parameter"),
    ],
)
def test_parameter_errors_say_what_is_wrong(call, message: str) -> None:
    with pytest.raises(params.ParameterError, match=message):
        call()


def test_credentials_parsing() -> None:
    users = parse_dashboard_users(["ops:pa:ss:acme", "bob:pw:beta"])
    assert [(u.name, u.password, u.tenant_id) for u in users] == [
        ("ops", "pa:ss", "acme"),
        ("bob", "pw", "beta"),
    ]
    assert parse_api_tokens(["a" * 16 + ":acme"]) == (("a" * 16, "acme"),)
    for bad in (["ops:acme"], ["ops::acme"]):
        with pytest.raises(ConfigError):
            parse_dashboard_users(bad)
    with pytest.raises(ConfigError):
        parse_api_tokens(["short:acme"])
