"""SSRF through outbound webhooks, against a real listening receiver on loopback: without the
operator allow-list no request reaches it, whatever form the address takes (IP literal, a
name resolving to it, IPv4-mapped IPv6, decimal and hex forms); with the allow-list it does.
The decision is made before any connection, so the receiver counts zero requests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.webhooks.domain.destinations import parse_networks
from services.webhooks.poster import Poster
from services.webhooks.signing import new_secret, signature_headers
from tests.webhook_receiver import running_receiver

FORMS = ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433", "0x7f000001", "127.1"]


@pytest.mark.parametrize("host", FORMS)
def test_loopback_in_any_form_is_refused_without_a_request(host: str) -> None:
    secret = new_secret()
    with running_receiver([secret]) as (receiver, url):
        port = url.split(":")[2].split("/")[0]
        target = f"http://{host}:{port}/hooks"
        headers = signature_headers("ev-1", datetime.now(UTC), "{}", [secret])
        result = Poster((), 2.0).post(target, b"{}", headers)
        assert result.status_code == 0
        assert result.error.startswith("refused:"), result.error
        assert receiver.requests == 0


def test_the_allow_list_lets_the_operator_reach_loopback() -> None:
    secret = new_secret()
    body = '{"data": {"event_id": "ev-1"}}'
    with running_receiver([secret]) as (receiver, url):
        headers = signature_headers("ev-1", datetime.now(UTC), body, [secret])
        result = Poster(parse_networks(["127.0.0.0/8"]), 2.0).post(url, body.encode(), headers)
        assert (result.status_code, receiver.requests, list(receiver.events)) == (200, 1, ["ev-1"])
