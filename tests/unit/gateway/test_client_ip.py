"""The client address of a hit behind trusted proxies (client_ip): the right-most
X-Forwarded-For entry that is not a trusted proxy, the same on every call (addresses are
parsed once and cached)."""

from __future__ import annotations

import ipaddress

import pytest

from gateway.tracking.hits import client_ip, in_networks

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8"))


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "proxies", "expected"),
    [
        ("203.0.113.9", "198.51.100.7", (), "203.0.113.9"),  # no proxies trusted
        ("203.0.113.9", "198.51.100.7", PROXIES, "203.0.113.9"),  # untrusted peer: XFF ignored
        ("10.1.2.3", "198.51.100.7", PROXIES, "198.51.100.7"),
        ("10.1.2.3", "198.51.100.7, 10.9.9.9", PROXIES, "198.51.100.7"),  # two proxies
        ("10.1.2.3", "203.0.113.1, 198.51.100.7", PROXIES, "198.51.100.7"),  # spoofed left part
        ("fd00::1", "2001:db8::5", PROXIES, "2001:db8::5"),
        ("10.1.2.3", "not-an-address", PROXIES, "not-an-address"),
        ("10.1.2.3", "10.4.4.4", PROXIES, "10.4.4.4"),  # every hop trusted: the left-most
        ("10.1.2.3", "", PROXIES, "10.1.2.3"),
    ],
)
def test_client_ip(peer: str, forwarded_for: str, proxies: tuple, expected: str) -> None:
    assert client_ip(peer, forwarded_for, proxies) == expected
    assert client_ip(peer, forwarded_for, proxies) == expected  # from the cache


def test_in_networks_tells_no_address_from_an_untrusted_one() -> None:
    assert in_networks("10.0.0.1", PROXIES) is True
    assert in_networks("192.0.2.1", PROXIES) is False
    assert in_networks("", PROXIES) is None
    assert in_networks("10.0.0.1:80", PROXIES) is None
