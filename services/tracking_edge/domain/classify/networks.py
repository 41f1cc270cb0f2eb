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


def dotted_quad(text: str) -> bytes | None:
    """The packed IPv4 address of a canonical dotted quad (what ``ipaddress`` accepts, 10x
    cheaper), else None."""
    try:
        packed = socket.inet_pton(socket.AF_INET, text)
    except (OSError, ValueError):
        return None
    return packed if socket.inet_ntoa(packed) == text else None


def _parse_other(text: str) -> IPAddress | None:
    """Any other form through ``ipaddress``, IPv4-mapped IPv6 unwrapped; None if no address."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def parse_ip(text: str) -> IPAddress | None:
    """The address of ``text`` (IPv4-mapped IPv6 unwrapped), or None when it is not one."""
    text = text.strip()
    packed = dotted_quad(text)
    return ipaddress.IPv4Address(packed) if packed is not None else _parse_other(text)


def address_number(text: str) -> tuple[int, int] | None:
    """(IP version, address as an integer) of ``text`` as ``parse_ip`` reads it, without
    building an address object for a dotted quad; None when it is no address."""
    text = text.strip()
    packed = dotted_quad(text)
    if packed is not None:
        return 4, int.from_bytes(packed, "big")
    address = _parse_other(text)
    return None if address is None else (address.version, int(address))


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
        return self.lookup_number(address.version, int(address))

    def lookup_text(self, text: str) -> NetworkOwner | None:
        """``lookup(parse_ip(text))`` without the address object."""
        number = address_number(text)
        return None if number is None else self.lookup_number(*number)

    def lookup_number(self, version: int, value: int) -> NetworkOwner | None:
        for layer in self._layers:
            owner = layer.lookup(version, value)
            if owner is not None:
                return owner
        return None


# Prefix tables are listed per block of addresses of this many leading bits, so a lookup
# tries only the prefix lengths that have a range overlapping the address's block (none for
# most readers' addresses). A range shorter than a block is listed in every block it covers,
# at most 2**MAX_SPREAD of them (the blocks are made larger when a layer needs it).
BLOCK_BITS = {4: 16, 6: 32}
MAX_SPREAD = 8

Candidates = tuple[tuple[int, dict[int, NetworkOwner]], ...]


class _PrefixTables:
    """Longest-prefix match over some snapshots: one dict per (IP version, prefix length),
    and per block of addresses the tables (longest prefix first) that have a range in it."""

    def __init__(self, snapshots: Iterable[Snapshot]) -> None:
        tables: dict[tuple[int, int], dict[int, NetworkOwner]] = {}
        for snapshot in snapshots:
            owner = snapshot.owner
            for cidr in snapshot.networks:
                network = ipaddress.ip_network(cidr)
                bits = network.max_prefixlen
                key = int(network.network_address) >> (bits - network.prefixlen)
                tables.setdefault((network.version, network.prefixlen), {})[key] = owner
        self._blocks: dict[int, tuple[int, dict[int, Candidates]]] = {}
        for version in (4, 6):
            lengths = sorted((plen for v, plen in tables if v == version), reverse=True)
            block_bits = min([BLOCK_BITS[version], *(plen + MAX_SPREAD for plen in lengths)])
            per_block: dict[int, list[tuple[int, dict[int, NetworkOwner]]]] = {}
            for plen in lengths:  # longest first, so each block's list is in that order
                table = tables[(version, plen)]
                entry = (bits_of(version) - plen, table)
                for block in _blocks_of(table, plen, block_bits):
                    per_block.setdefault(block, []).append(entry)
            blocks = {block: tuple(entries) for block, entries in per_block.items()}
            self._blocks[version] = (bits_of(version) - block_bits, blocks)

    def lookup(self, version: int, value: int) -> NetworkOwner | None:
        shift, blocks = self._blocks[version]
        for table_shift, table in blocks.get(value >> shift, ()):
            owner = table.get(value >> table_shift)
            if owner is not None:
                return owner
        return None


def _blocks_of(table: dict[int, NetworkOwner], plen: int, block_bits: int) -> set[int]:
    """The blocks of ``block_bits`` leading bits that the ranges of one prefix table overlap."""
    if plen >= block_bits:
        return {key >> (plen - block_bits) for key in table}
    spread = block_bits - plen
    return {(key << spread) + i for key in table for i in range(1 << spread)}


def bits_of(version: int) -> int:
    return 32 if version == 4 else 128
