"""Client-address truncation applied before a hit leaves the tracking edge.

The classifier reads the full address in memory (ranges, velocity); the engagement event
published to other services carries only the network prefix. Profiles: ``none`` keeps the
address, ``eu`` keeps /24 of IPv4 and /48 of IPv6 (the prefixes commonly accepted as no longer
identifying a subscriber line, as in Google Analytics' IP anonymisation and Matomo's default).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from services.tracking_edge.domain.classify.networks import dotted_quad

PROFILES: dict[str, tuple[int, int]] = {"none": (32, 128), "eu": (24, 48)}


@dataclass(frozen=True, slots=True)
class IpTruncation:
    """Prefix lengths kept of IPv4 and IPv6 client addresses."""

    v4_prefix: int = 32
    v6_prefix: int = 128

    def __post_init__(self) -> None:
        if not (0 <= self.v4_prefix <= 32 and 0 <= self.v6_prefix <= 128):
            raise ValueError("IP prefixes must be 0-32 (IPv4) and 0-128 (IPv6)")

    @classmethod
    def profile(cls, name: str) -> IpTruncation:
        if name not in PROFILES:
            raise ValueError(f"unknown privacy profile {name!r}: one of {sorted(PROFILES)}")
        return cls(*PROFILES[name])

    def apply(self, address: str) -> str:
        """The address with its host bits zeroed; "" for text that is no address."""
        text = address.strip()
        packed = dotted_quad(text)  # most hits: no address object built
        if packed is not None:
            if self.v4_prefix == 32:
                return text
            host_bits = 32 - self.v4_prefix
            network = int.from_bytes(packed, "big") >> host_bits << host_bits
            return socket.inet_ntoa(network.to_bytes(4, "big"))
        try:
            parsed = ipaddress.ip_address(text)
        except ValueError:
            return ""
        if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
            parsed = parsed.ipv4_mapped
        prefix = self.v4_prefix if parsed.version == 4 else self.v6_prefix
        if prefix == parsed.max_prefixlen:
            return str(parsed)
        return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False).network_address)
