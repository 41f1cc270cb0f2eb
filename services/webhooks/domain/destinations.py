"""Which endpoint URLs and resolved addresses may be reached (SSRF safety): only http(s)
URLs without credentials, and only public unicast addresses unless an operator allow-list
names the network. Loopback, private, link-local (including the cloud metadata address
169.254.169.254 and fd00:ec2::254), shared, reserved, multicast and unspecified addresses are
refused; an IPv4-mapped IPv6 address is judged by its IPv4 address."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 2048
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)


class RefusedDestination(ValueError):
    """An endpoint URL or address the service will not connect to."""


@dataclass(frozen=True)
class Destination:
    """A parsed endpoint URL: the scheme, host name (for Host and TLS SNI), port and path."""

    scheme: str
    host: str
    port: int
    target: str  # path and query

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def parse_url(url: str) -> Destination:
    """The destination of an endpoint URL; RefusedDestination for anything but a plain
    http(s) URL with a host."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedDestination(f"URL longer than {MAX_URL_LENGTH} characters")
    try:
        parts: SplitResult = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise RefusedDestination(f"invalid URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise RefusedDestination("URL scheme must be http or https")
    if not parts.hostname:
        raise RefusedDestination("URL has no host")
    if parts.username is not None or parts.password is not None:
        raise RefusedDestination("URL must not carry credentials")
    if parts.fragment:
        raise RefusedDestination("URL must not have a fragment")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    default = 443 if parts.scheme == "https" else 80
    return Destination(parts.scheme, parts.hostname.lower(), port or default, target)


def parse_networks(entries: Sequence[str]) -> tuple[IPNetwork, ...]:
    """The operator allow-list ("10.0.0.0/8", "127.0.0.1", ...); ValueError on a bad entry."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a global unicast address (not metadata, not special-purpose)."""
    plain = _unmapped(address)
    if plain in METADATA_ADDRESSES or plain.is_multicast:
        return False
    return plain.is_global


def check_address(address: IPAddress, allowed: Sequence[IPNetwork]) -> None:
    """Raises RefusedDestination unless ``address`` is public or in the allow-list."""
    plain = _unmapped(address)
    if any(plain.version == net.version and plain in net for net in allowed):
        return
    if not is_public(plain):
        raise RefusedDestination(f"destination address {plain} is not public")
