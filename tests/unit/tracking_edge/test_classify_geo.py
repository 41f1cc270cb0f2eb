"""The compact country + ASN lookup gives GeoIP2Fast's answers, and loads only what it knows."""

from __future__ import annotations

import random
import socket
from pathlib import Path

import pytest
from geoip2fast import GeoIP2Fast

from services.tracking_edge.domain.classify.geo import (
    AddressFacts,
    CountryLookup,
    compact_tables,
    default_data_file,
)

UNKNOWN_CODES = {"", "--", "ZZ"}
ODD_INPUTS = [
    "",
    "garbage",
    "1",  # inet_aton's short forms: 0.0.0.1, 127.0.0.1, 8.0.0.8
    "127.1",
    "8.8",
    "0.0.0.0",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:8.8.8.8",
    "2001:db8::1",
    "fe80::1%eth0",
    "1.2.3.4\x00",
    " 8.8.8.8",
]


@pytest.fixture(scope="module")
def lookup() -> CountryLookup:
    return CountryLookup.load()


@pytest.fixture(scope="module")
def library() -> GeoIP2Fast:
    return GeoIP2Fast(geoip2fast_data_file=str(default_data_file()), verbose=False)


def library_facts(library: GeoIP2Fast, ip: str) -> AddressFacts:
    """What the service read from the library before the compact form."""
    result = library.lookup(ip)
    if result.is_private:
        return AddressFacts("", "")
    code = result.country_code or ""
    return AddressFacts("" if code in UNKNOWN_CODES else code, result.asn_name or "")


def addresses_around_networks(tables_file: Path, every: int) -> list[str]:
    """Both sides of every ``every``-th network start, for the country and the ASN ranges."""
    countries, _codes, networks, _names = compact_tables(tables_file)
    starts = [start for ranges in (countries, networks) for chunk in ranges[1] for start in chunk]
    around = {value for start in starts[::every] for value in (start - 1, start, start + 1)}
    return [socket.inet_ntoa(value.to_bytes(4, "big")) for value in around if 0 <= value < 2**32]


def test_same_answers_as_the_library(lookup: CountryLookup, library: GeoIP2Fast) -> None:
    rng = random.Random(22)
    addresses = addresses_around_networks(default_data_file(), every=50)
    addresses += [socket.inet_ntoa(rng.getrandbits(32).to_bytes(4, "big")) for _ in range(20_000)]
    addresses += [
        socket.inet_ntop(socket.AF_INET6, rng.getrandbits(128).to_bytes(16, "big"))
        for _ in range(2_000)
    ]
    addresses += ODD_INPUTS
    differing = [ip for ip in addresses if lookup.facts(ip) != library_facts(library, ip)]
    assert differing == []
    known = [ip for ip in addresses if lookup.facts(ip).asn_name]
    assert len(known) > len(addresses) // 2  # the comparison is not between empty answers


def test_known_addresses(lookup: CountryLookup) -> None:
    assert lookup.facts("81.2.69.142") == ("GB", "Andrews & Arnold Ltd")
    assert lookup.facts("148.163.130.10") == ("US", "PROOFPOINT-UT7")
    assert lookup.facts("10.1.2.3") == ("", "")


def test_a_database_without_asn_fails_to_load() -> None:
    country_only = default_data_file().with_name("geoip2fast.dat.gz")
    with pytest.raises(RuntimeError, match="compacting"):
        CountryLookup.load(country_only)
