"""What the gateway reads of a granian RSGI scope's strings: socket addresses (IPv4 and
bracketed IPv6) and the wanted headers' rule for repeated lines."""

from __future__ import annotations

import pytest

from gateway.rsgi_bridge import socket_address
from gateway.tracking.hits import wanted_headers


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:40736", ("127.0.0.1", 40736)),
        ("[::1]:8080", ("::1", 8080)),
        ("[2001:db8::7]:443", ("2001:db8::7", 443)),
        ("unix", ("", 0)),
    ],
)
def test_socket_address(address: str, expected: tuple[str, int]) -> None:
    assert socket_address(address) == expected


def test_wanted_headers_keep_the_first_line_but_join_forwarded_for_and_take_the_last_host() -> None:
    pairs = [
        ("host", "a.example"),
        ("user-agent", "first"),
        ("user-agent", "second"),
        ("x-forwarded-for", "1.1.1.1"),
        ("x-forwarded-for", "2.2.2.2"),
        ("x-forwarded-host", "one.example"),
        ("x-forwarded-host", "two.example"),
        ("cookie", "not read"),
        ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    ]
    assert wanted_headers(pairs) == {
        "host": "a.example",
        "user-agent": "first",
        "x-forwarded-for": "1.1.1.1,2.2.2.2",
        "x-forwarded-host": "two.example",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    }
