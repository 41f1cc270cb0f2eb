"""IP range snapshots, longest-prefix lookups and country lookups."""

from __future__ import annotations

import pytest

from services.tracking_edge.domain.classify.geo import CountryLookup
from services.tracking_edge.domain.classify.networks import (
    NetworkIndex,
    load_snapshots,
    parse_ip,
    parse_snapshot,
)


@pytest.fixture(scope="module")
def shipped() -> NetworkIndex:
    return NetworkIndex.load()


def test_shipped_snapshots_are_dated_and_none_is_empty() -> None:
    snapshots = {s.name: s for s in load_snapshots()}
    assert {
        "apple_network",
        "apple_private_relay",
        "google_goog",
        "googlebot",
        "microsoft_exchange_online",
        "microsoft_azure",
        "aws",
        "google_cloud",
        "oracle_cloud",
    } <= snapshots.keys()
    for snapshot in snapshots.values():
        assert snapshot.header["provenance"], snapshot.name
        assert snapshot.networks, f"snapshot {snapshot.name} is empty"
        if "iporigin_labels" in snapshot.header:
            assert "dataset built 20" in snapshot.header["provenance"], snapshot.name


@pytest.mark.parametrize(
    ("ip", "agent"),
    [
        ("17.58.20.11", "apple_mpp"),
        ("::ffff:17.58.20.11", "apple_mpp"),
        ("2620:149:a::1", "apple_mpp"),
        ("66.102.8.20", "google_safe_browsing"),
        ("66.249.66.1", "googlebot"),
        ("104.47.10.1", "microsoft_safe_links"),  # EOP inside Azure: the vendor layer wins
        ("20.42.65.92", "microsoft_defender"),  # Azure
        ("52.95.110.1", "aws_datacentre"),
        ("34.82.1.5", "google_cloud_datacentre"),
        ("172.224.226.5", "apple_mpp"),  # iCloud Private Relay egress
        ("148.163.130.10", "proofpoint"),
    ],
)
def test_shipped_ranges(ip: str, agent: str, shipped: NetworkIndex) -> None:
    owner = shipped.lookup(parse_ip(ip))
    assert owner is not None and owner.agent == agent


def test_longest_prefix_wins_and_misses_are_none() -> None:
    wide = parse_snapshot("wide", "# agent: wide\n# source: bot\n10.0.0.0/8\n")
    narrow = parse_snapshot("narrow", "# agent: narrow\n# source: security_scanner\n10.1.2.0/24\n")
    index = NetworkIndex([wide, narrow])
    assert index.lookup(parse_ip("10.1.2.3")).agent == "narrow"  # type: ignore[union-attr]  # set up by the test itself
    assert index.lookup(parse_ip("10.9.9.9")).agent == "wide"  # type: ignore[union-attr]  # set up by the test itself
    assert index.lookup(parse_ip("11.0.0.1")) is None
    assert index.lookup(parse_ip("not an ip")) is None


def test_ranges_shorter_than_an_index_block_and_range_edges() -> None:
    """A /8 and a /20 span many of the index's address blocks; every block still finds them,
    and an address one past a range's edge does not."""
    wide = parse_snapshot("wide", "# agent: wide\n# source: bot\n10.0.0.0/8\n2001:db8::/20\n")
    narrow = parse_snapshot("narrow", "# agent: narrow\n# source: bot\n10.200.16.0/20\n")
    index = NetworkIndex([wide, narrow])
    expected = {
        "10.0.0.0": "wide",
        "10.255.255.255": "wide",
        "10.200.15.255": "wide",
        "10.200.16.0": "narrow",
        "10.200.31.255": "narrow",
        "10.200.32.0": "wide",
        "9.255.255.255": None,
        "11.0.0.0": None,
        "2001:db8::1": "wide",
        "2001:fff:ffff::": "wide",
        "2001:1000::": None,
        "::ffff:10.200.20.1": "narrow",
    }
    for text, agent in expected.items():
        owner = index.lookup(parse_ip(text))
        assert (owner.agent if owner else None) == agent, text
        assert index.lookup_text(text) == owner, text
    assert index.lookup_text("not an ip") is None


def test_a_higher_priority_layer_wins_over_a_longer_prefix() -> None:
    cloud = parse_snapshot("cloud", "# agent: cloud\n# source: bot\n# priority: 0\n10.1.2.0/24\n")
    vendor = parse_snapshot("vendor", "# agent: vendor\n# source: bot\n10.0.0.0/8\n")
    index = NetworkIndex([cloud, vendor])
    assert index.lookup(parse_ip("10.1.2.3")).agent == "vendor"  # type: ignore[union-attr]  # set up by the test itself


def test_open_overrides_in_header() -> None:
    snap = parse_snapshot(
        "ms",
        "# agent: a\n# source: security_scanner\n# open_agent: p\n# open_source: privacy_proxy\n",
    )
    assert snap.owner.for_kind("open") == ("p", "privacy_proxy")
    assert snap.owner.for_kind("click") == ("a", "security_scanner")


@pytest.mark.parametrize(
    "text",
    [
        "# source: bot\n1.2.3.0/24\n",
        "# agent: x\n# source: human\n",
        "# agent: x\n# source: bot\nnope\n",
    ],
)
def test_bad_snapshots_fail_at_load(text: str) -> None:
    with pytest.raises(ValueError):
        parse_snapshot("bad", text)


def test_country_lookup_offline() -> None:
    countries = CountryLookup.load()
    assert countries.country("81.2.69.142") == "GB"
    assert countries.country("192.168.1.10") == ""
    assert countries.country("192.0.2.10") == ""
    assert countries.country("garbage") == ""
    assert countries.country("") == ""


def test_asn_names_from_the_offline_database() -> None:
    countries = CountryLookup.load()
    facts = countries.facts("148.163.130.10")
    assert facts.country == "US" and "PROOFPOINT" in facts.asn_name
    assert countries.facts("192.168.1.10") == ("", "")
