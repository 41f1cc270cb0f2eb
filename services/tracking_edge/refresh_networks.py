"""Command that refreshes the IP range snapshots from the providers' published lists.

``python -m services.tracking_edge.refresh_networks [--data-dir DIR] [--only NAME]
[--url NAME=URL ...]`` rewrites every snapshot whose header has ``refresh_url`` and
``refresh_format``. ``--url`` replaces a snapshot's URLs (several allowed, e.g. ``file://``
paths for offline use). A snapshot is only rewritten when every download and parse succeeded
and produced at least one network.
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


PARSERS: dict[str, Callable[[str], list[str]]] = {
    "apple_egress_csv": parse_apple_egress_csv,
    "google_ipranges_json": parse_google_ipranges_json,
    "microsoft_endpoints_json": parse_microsoft_endpoints_json,
}


def render_snapshot(snapshot: Snapshot, networks: Sequence[str], urls: Sequence[str]) -> str:
    """Snapshot text with the old header (provenance replaced) and collapsed, sorted networks."""
    parsed = [ipaddress.ip_network(n.strip(), strict=False) for n in networks]
    v4 = ipaddress.collapse_addresses(n for n in parsed if isinstance(n, ipaddress.IPv4Network))
    v6 = ipaddress.collapse_addresses(n for n in parsed if isinstance(n, ipaddress.IPv6Network))
    collapsed = [str(net) for net in (*v4, *v6)]
    lines = [f"# {k}: {v}" for k, v in snapshot.header.items() if k != "provenance"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines.append(f"# provenance: downloaded {stamp} from {' '.join(urls)}")
    return "\n".join([*lines, *collapsed]) + "\n"


def fetch(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def refresh(
    data_dir: Path,
    overrides: dict[str, list[str]],
    timeout: float,
    only: set[str] | None = None,
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
        if not fmt or not urls:
            continue
        try:
            networks = [net for url in urls for net in PARSERS[fmt](fetch(url, timeout))]
            if not networks:
                raise ValueError("no networks in the downloaded list")
            text = render_snapshot(snapshot, networks, urls)
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
    args = parser.parse_args(argv)
    overrides: dict[str, list[str]] = {}
    for item in args.url:
        name, sep, url = item.partition("=")
        if not sep:
            parser.error(f"--url expects NAME=URL, got {item!r}")
        overrides.setdefault(name, []).append(url)
    only = set(args.only) if args.only else None
    results = refresh(args.data_dir, overrides, args.timeout, only)
    for name, outcome in results.items():
        print(f"{name}: {outcome}")
    return 1 if any(isinstance(v, str) for v in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
