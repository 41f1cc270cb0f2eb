"""SSRF rules: URL shapes, special-purpose addresses refused, the allow-list, and a
resolver answering a private address (DNS rebinding) refused before any connection."""

from __future__ import annotations

import ipaddress

import pytest

from services.webhooks.domain.destinations import (
    RefusedDestination,
    check_address,
    parse_networks,
    parse_url,
)
from services.webhooks.poster import Poster

REFUSED = [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1",
    "::ffff:169.254.169.254", "198.18.0.1", "240.0.0.1",
]  # fmt: skip


@pytest.mark.parametrize("literal", REFUSED)
def test_special_addresses_are_refused(literal: str) -> None:
    with pytest.raises(RefusedDestination):
        check_address(ipaddress.ip_address(literal), ())


def test_public_addresses_pass_and_the_allow_list_admits_private_ones() -> None:
    check_address(ipaddress.ip_address("93.184.216.34"), ())
    check_address(ipaddress.ip_address("2606:4700::1111"), ())
    allowed = parse_networks(["127.0.0.0/8", "10.0.0.0/8"])
    check_address(ipaddress.ip_address("127.0.0.1"), allowed)
    check_address(ipaddress.ip_address("::ffff:10.0.0.5"), allowed)
    with pytest.raises(RefusedDestination):
        check_address(ipaddress.ip_address("169.254.169.254"), allowed)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/", "http://user:pw@example.com/", "https:///x", "file:///etc/passwd",
     "http://example.com:99999/", "https://example.com/#frag", "https://e.com/" + "a" * 3000],
)  # fmt: skip
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(RefusedDestination):
        parse_url(url)


def test_url_parts() -> None:
    destination = parse_url("https://Hooks.Example.com:8443/in?x=1")
    assert (destination.host, destination.port, destination.target) == (
        "hooks.example.com", 8443, "/in?x=1",
    )  # fmt: skip
    assert destination.host_header == "hooks.example.com:8443"


def test_a_name_resolving_to_a_private_address_is_refused_without_connecting() -> None:
    answers = {"rebind.example": [ipaddress.ip_address("93.184.216.34"),
                                  ipaddress.ip_address("127.0.0.1")]}  # fmt: skip
    poster = Poster((), 2.0, resolver=lambda host, port: answers[host])
    result = poster.post("http://rebind.example/hook", b"{}", {})
    assert result.status_code == 0
    assert result.error.startswith("refused: destination address 127.0.0.1")
