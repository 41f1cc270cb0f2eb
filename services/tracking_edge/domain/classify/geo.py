"""Country and network operator (ASN name) of a client IP, from the offline GeoIP2Fast
database shipped in its wheel: ``geoip2fast-asn.dat.gz`` (MaxMind GeoLite2 Country + ASN,
IPv4, 2024-06-18, as packaged in PyPI geoip2fast 1.2.2), held compactly.

The file is a pickle of ~1 million Python ints in lists (network starts, country and ASN ids,
prefix lengths): unpickled, it costs ~70 MB, a third of the tracking edge's idle memory. Here
the same tables are typed arrays (4 bytes per start, 1 to 4 per id): ~17 MB with the ASN names.
So that the service never holds the unpickled form, not even while loading (its peak RSS
would keep it), a child process unpickles the file and hands back the arrays: this file run
as a script (``python geo.py DATA_FILE`` writes them to stdout) imports only the standard
library.

``CountryLookup.facts`` follows ``GeoIP2Fast.lookup`` step by step (same bisections, same
negative-index fall-backs, network sizes and private-range rule) so that it gives the
library's answers (tests/unit/tracking_edge/test_classify_geo.py compares the two).
"""

from __future__ import annotations

import gzip
import pickle
import socket
import subprocess
import sys
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import NamedTuple

ASN_DATABASE = "geoip2fast-asn.dat.gz"
IPV4_SPACE = 2**32
_UNKNOWN_CODES = frozenset({"", "--", "ZZ"})
_PRIVATE_IDS = 16  # the library's first 16 country entries are reserved and private ranges


class AddressFacts(NamedTuple):
    """ISO 3166 country code and ASN organisation name; "" when not known."""

    country: str
    asn_name: str


UNKNOWN = AddressFacts("", "")


class Ranges(NamedTuple):
    """Networks sorted by start, split in chunks as the library splits them: ``heads`` holds
    each chunk's first start; per chunk, the starts, the id of what each network maps to and
    its prefix length."""

    heads: list[int]
    starts: list[array[int]]
    ids: list[array[int]]
    prefix_lengths: list[array[int]]

    def find(self, address: int) -> tuple[int, int, int]:
        """(start, id, prefix length) of the last network starting at or before ``address``;
        raises IndexError on an empty chunk, as the library's lookup would."""
        root = bisect_right(self.heads, address) - 1
        chunk = bisect_right(self.starts[root], address) - 1
        return (
            self.starts[root][chunk],
            self.ids[root][chunk],
            self.prefix_lengths[root][chunk],
        )


def _size(prefix_length: int, *, ipv6: bool) -> int:
    """Addresses in a network; the library counts an IPv6 address's country network in
    IPv6 sizes (with this IPv4 database, that only ever finds its last, reserved range)."""
    return 2 ** ((128 if ipv6 else 32) - prefix_length)


# What the child process hands back: country ranges and codes, ASN ranges and names (plain
# tuples: the child runs this file as __main__).
RangeTables = tuple[list[int], list["array[int]"], list["array[int]"], list["array[int]"]]
Tables = tuple[RangeTables, list[str | None], RangeTables, list[str]]


@dataclass(frozen=True)
class CountryLookup:
    """Country and ASN name of an IP ("" for private, reserved, unknown or invalid ones).
    ``country_codes`` holds None where the library's entry does not split into code and
    name (its lookup then fails: nothing known)."""

    countries: Ranges
    country_codes: list[str | None]
    networks: Ranges
    asn_names: list[str]

    @classmethod
    def load(cls, data_file: Path | None = None) -> CountryLookup:
        """Compacted in a child process (see the module docstring)."""
        path = data_file or default_data_file()
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", __file__, str(path)], stdout=subprocess.PIPE
        )
        assert child.stdout is not None
        with child.stdout:
            try:
                tables: Tables | None = pickle.load(child.stdout)
            except (EOFError, pickle.UnpicklingError):  # the child failed: it says why
                tables = None
        if child.wait() != 0 or tables is None:
            raise RuntimeError(f"compacting {path} failed (exit status {child.returncode})")
        return cls.from_tables(tables)

    @classmethod
    def from_tables(cls, tables: Tables) -> CountryLookup:
        countries, codes, networks, asn_names = tables
        return cls(Ranges(*countries), codes, Ranges(*networks), asn_names)

    def facts(self, ip: str) -> AddressFacts:
        """Country and ASN name of an IP (UNKNOWN for private, reserved, unknown or invalid
        ones), as ``GeoIP2Fast.lookup`` finds them."""
        try:
            address = _to_int(ip)
        except (OSError, ValueError, TypeError):
            return UNKNOWN
        try:
            start, country_id, prefix_length = self.countries.find(address)
            if address > start + _size(prefix_length, ipv6=address > IPV4_SPACE) - 1:
                return UNKNOWN
            code = self.country_codes[country_id]
        except IndexError:
            return UNKNOWN
        if code is None or country_id < _PRIVATE_IDS:
            return UNKNOWN
        return AddressFacts("" if code in _UNKNOWN_CODES else code, self._asn_name(address))

    def country(self, ip: str) -> str:
        return self.facts(ip).country

    def _asn_name(self, address: int) -> str:
        try:
            start, asn_id, prefix_length = self.networks.find(address)
            if address > start + _size(prefix_length, ipv6=False) - 1:  # an IPv4 database
                return ""
            return self.asn_names[asn_id]
        except IndexError:
            return ""


def _to_int(ip: str) -> int:
    try:
        return int.from_bytes(socket.inet_aton(ip), "big")
    except (OSError, ValueError, TypeError):
        return int.from_bytes(socket.inet_pton(socket.AF_INET6, ip), "big")


def default_data_file() -> Path:
    spec = find_spec("geoip2fast")
    assert spec is not None and spec.origin is not None, "geoip2fast is not installed"
    return Path(spec.origin).parent / ASN_DATABASE


def compact_tables(data_file: Path) -> Tables:
    """The library's pickled tables as typed arrays (what ``CountryLookup.from_tables`` takes)."""
    with gzip.open(data_file) as source:
        version, info, _count, tables = pickle.load(source)
    if version != 120 or not (info["country"] and info["asn"]) or info["city"] or info["ipv6"]:
        raise ValueError(f"{data_file}: not an IPv4 country + ASN GeoIP2Fast database (v120)")
    (heads, heads_asn, country_names, asn_names) = tables[:4]
    (starts, starts_asn, ids, ids_asn, lengths, lengths_asn) = tables[4:]
    codes = [name.split(":")[0] if name.count(":") == 1 else None for name in country_names]
    return (
        (heads, _arrays("I", starts), _arrays("H", ids), _arrays("B", lengths)),
        codes,
        (heads_asn, _arrays("I", starts_asn), _arrays("I", ids_asn), _arrays("B", lengths_asn)),
        asn_names,
    )


def _arrays(typecode: str, chunks: list[list[int]]) -> list[array[int]]:
    """Each chunk as an array, releasing the lists one by one."""
    compacted = []
    for position, chunk in enumerate(chunks):
        compacted.append(array(typecode, chunk))
        chunks[position] = []
    return compacted


if __name__ == "__main__":
    pickle.dump(compact_tables(Path(sys.argv[1])), sys.stdout.buffer, pickle.HIGHEST_PROTOCOL)
