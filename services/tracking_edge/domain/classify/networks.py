"""IP range snapshots of mail proxies, security gateways and fetchers, and lookups in them.

Each snapshot under ``data/networks/*.txt`` starts with ``# key: value`` header lines (at least
``agent`` and ``source``; ``refresh_url`` and ``refresh_format`` when the provider publishes a
machine-readable list; a repeated key continues its value) followed by one CIDR per line.
Lookups return the most specific match among the snapshots of the highest ``priority`` that
has one (default 1). Broad cloud and hosting snapshots say ``priority: 0``, so a vendor's
own range inside a cloud (Exchange Online inside Azure) names the vendor however the cloud's
list happens to be cut.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from services.tracking_edge.domain.classify.types import MACHINE_SOURCES

DEFAULT_DATA_DIR = Path(__file__).parent / "data" / "networks"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class NetworkOwner:
    """Who operates a range and what a hit from it usually is."""

    agent: str
    source: str
    snapshot: str
    open_agent: str
    open_source: str
    broad: bool = False  # a cloud or hosting provider's whole range (priority 0)

    def for_kind(self, kind: str) -> tuple[str, str]:
        """(agent, source) of a hit of ``kind`` from this range."""
        return (self.open_agent, self.open_source) if kind == "open" else (self.agent, self.source)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One parsed snapshot file: its header fields and its networks."""

    name: str
    header: Mapping[str, str]
    networks: tuple[str, ...]

    @property
    def owner(self) -> NetworkOwner:
        agent, source = self.header["agent"], self.header["source"]
        return NetworkOwner(
            agent,
            source,
            self.name,
            self.header.get("open_agent", agent),
            self.header.get("open_source", source),
            broad=int(self.header.get("priority", "1")) == 0,
        )


def parse_snapshot(name: str, text: str) -> Snapshot:
    """Parse a snapshot's text; invalid CIDRs raise ValueError so bad data fails at load."""
    header: dict[str, str] = {}
    networks: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep and key.strip() and " " not in key.strip():
                key = key.strip()
                header[key] = f"{header[key]} {value.strip()}" if key in header else value.strip()
        elif line:
            networks.append(str(ipaddress.ip_network(line, strict=False)))
    for required in ("agent", "source"):
        if required not in header:
            raise ValueError(f"snapshot {name} lacks the '# {required}:' header")
    for key in ("source", "open_source"):
        if header.get(key, "bot") not in MACHINE_SOURCES:
            raise ValueError(f"snapshot {name}: {key} must be one of {sorted(MACHINE_SOURCES)}")
    return Snapshot(name, header, tuple(networks))


def load_snapshots(data_dir: Path = DEFAULT_DATA_DIR) -> list[Snapshot]:
    return [
        parse_snapshot(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(data_dir.glob("*.txt"))
    ]


def parse_ip(text: str) -> IPAddress | None:
    """The address of ``text`` (IPv4-mapped IPv6 unwrapped), or None when it is not one."""
    text = text.strip()
    try:  # a dotted quad that reads back the same is what ipaddress accepts, 10x cheaper
        packed = socket.inet_pton(socket.AF_INET, text)
        if socket.inet_ntoa(packed) == text:
            return ipaddress.IPv4Address(packed)
    except (OSError, ValueError):
        pass
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class NetworkIndex:
    """Longest-prefix match by priority layer over all snapshots."""

    def __init__(self, snapshots: Iterable[Snapshot]) -> None:
        layers: dict[int, list[Snapshot]] = {}
        for snapshot in snapshots:
            layers.setdefault(int(snapshot.header.get("priority", "1")), []).append(snapshot)
        self._layers = tuple(_PrefixTables(layers[p]) for p in sorted(layers, reverse=True))

    @classmethod
    def load(cls, data_dir: Path = DEFAULT_DATA_DIR) -> NetworkIndex:
        return cls(load_snapshots(data_dir))

    def lookup(self, address: IPAddress | None) -> NetworkOwner | None:
        if address is None:
            return None
        for layer in self._layers:
            owner = layer.lookup(address)
            if owner is not None:
                return owner
        return None


class _PrefixTables:
    """Longest-prefix match over some snapshots: one dict per (IP version, prefix length)."""

    def __init__(self, snapshots: Iterable[Snapshot]) -> None:
        tables: dict[tuple[int, int], dict[int, NetworkOwner]] = {}
        for snapshot in snapshots:
            owner = snapshot.owner
            for cidr in snapshot.networks:
                network = ipaddress.ip_network(cidr)
                bits = network.max_prefixlen
                key = int(network.network_address) >> (bits - network.prefixlen)
                tables.setdefault((network.version, network.prefixlen), {})[key] = owner
        self._tables = {
            version: [
                (bits_of(version) - plen, tables[(v, plen)])
                for (v, plen) in sorted(tables, key=lambda vp: -vp[1])
                if v == version
            ]
            for version in (4, 6)
        }

    def lookup(self, address: IPAddress) -> NetworkOwner | None:
        value = int(address)
        for shift, table in self._tables[address.version]:
            owner = table.get(value >> shift)
            if owner is not None:
                return owner
        return None


def bits_of(version: int) -> int:
    return 32 if version == 4 else 128
