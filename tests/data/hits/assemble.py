"""Rebuild labelled_hits.tsv from the unpacked public packages named in README.md.

Usage: python tests/data/hits/assemble.py CRAWLERDETECT_SDIST_DIR CRAWLER_USER_AGENTS_DIR
DEVICE_DETECTOR_SDIST_DIR

Every row gets a ``split``: ``holdout`` for a quarter of the user agents chosen by hash
(never used to write rules), ``tune`` for the rest.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
# Mail clients that crawler lists carry: in email they are the reader's client (see README.md).
MAIL_CLIENT = re.compile(
    r"Microsoft Outlook|MacOutlook|Outlook-iOS|Outlook-Express|ms-office|Thunderbird/|"
    r"^Airmail |^Mail/\d[\d.]* CFNetwork/|Postbox|The Bat!|eM Client|Evolution/|Barca|"
    r"^Canary/|^Canary%20Mail/|Polymail|SeaMonkey/"
)
OPEN_UA = re.compile(
    r"Microsoft Outlook|MacOutlook|Outlook-|ms-office|MSOffice|Thunderbird/|GoogleImageProxy|"
    r"YahooMailProxy|^Mozilla/5\.0 \((iPhone|iPad|iPod|Macintosh)[^)]*\) AppleWebKit/[\d.]+ "
    r"\(KHTML, like Gecko\)(?: Mobile/\w+)?$"
)
APPLE_MAIL = re.compile(
    r"^Mozilla/5\.0 \((iPhone|iPad|iPod|Macintosh)[^)]*\) AppleWebKit/[\d.]+ "
    r"\(KHTML, like Gecko\)(?: Mobile/\w+)?$"
)
BROWSER = re.compile(r"(Chrome|Firefox|Safari|Edg)/[\d.]+$")
NEUTRAL_IP = "192.0.2.10"  # RFC 5737 documentation address: no geo, no provider range
SCANNER_IPS = (  # one address inside each shipped scanner snapshot
    ("40.107.1.10", "microsoft_safe_links"),
    ("205.139.110.10", "mimecast"),
    ("148.163.130.10", "proofpoint"),
    ("64.235.150.10", "barracuda"),
)
FIELDS = (
    "group",
    "split",
    "label",
    "source",
    "agent",
    "kind",
    "method",
    "ip",
    "after_send_s",
    "history",
)
HUMAN_CLIENT_TYPES = ("browser", "pim", "mobile app")


def row(group: str, label: str, ua: str, **kw: str) -> dict[str, str]:
    base = {"source": "", "agent": "", "method": "GET", "ip": NEUTRAL_IP, "after_send_s": "3600"}
    base |= {"kind": "open" if OPEN_UA.search(ua) else "click", "history": "none"}
    split = "holdout" if hashlib.sha256(ua.encode()).digest()[0] % 4 == 0 else "tune"
    return {"group": group, "split": split, "label": label, **base, **kw, "user_agent": ua}


def proxy_fields(ua: str) -> dict[str, str]:
    if "GoogleImageProxy" in ua:
        return {"source": "privacy_proxy", "agent": "gmail_image_proxy"}
    if "YahooMailProxy" in ua:
        return {"source": "privacy_proxy", "agent": "yahoo_mail_proxy"}
    return {}


def device_detector_rows(root: Path, seen: set[str]) -> list[dict[str, str]]:
    """Matomo device-detector fixtures: mail clients (pim), bots, a sample of the rest."""
    import yaml  # only this script needs it

    rows: list[dict[str, str]] = []
    fixtures = root / "device_detector" / "tests" / "fixtures" / "upstream"
    sample = 0
    for path in sorted(fixtures.glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            ua = str(entry.get("user_agent", "")).strip()
            if not ua or ua in seen:
                continue
            client = entry.get("client") if isinstance(entry.get("client"), dict) else {}
            kind = str(client.get("type", ""))
            if "bot" in entry:
                rows.append(row("device_detector_bots", "machine", ua))
            elif kind == "pim" or MAIL_CLIENT.search(ua):
                rows.append(row("device_detector_mail_clients", "human", ua, kind="open"))
            elif kind == "library":
                rows.append(row("device_detector_libraries", "machine", ua))
            elif kind in HUMAN_CLIENT_TYPES:
                sample += 1
                if sample % 40:
                    continue
                rows.append(row("device_detector_devices", "human", ua))
            else:
                continue
            seen.add(ua)
    return rows


def main(crawlerdetect_dir: Path, crawler_user_agents_dir: Path, device_dir: Path) -> None:
    fixtures = crawlerdetect_dir / "tests" / "fixtures" / "user_agent"
    crawlers = [u.strip() for u in (fixtures / "crawlers.txt").read_text().splitlines()]
    devices = [u.strip() for u in (fixtures / "devices.txt").read_text().splitlines()]
    entries = json.loads((crawler_user_agents_dir / "crawler-user-agents.json").read_text())
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for group, uas in (
        ("crawlerdetect_crawlers", crawlers),
        ("crawler_user_agents", [i.strip() for e in entries for i in e.get("instances", [])]),
    ):
        for ua in uas:
            if ua and ua not in seen:
                seen.add(ua)
                label = "human" if MAIL_CLIENT.search(ua) else "machine"
                rows.append(row(group, label, ua, **proxy_fields(ua)))
    picked = [u for i, u in enumerate(devices) if i % 100 == 0 or OPEN_UA.search(u)]
    for ua in dict.fromkeys(picked):
        if ua and ua not in seen:
            seen.add(ua)
            rows.append(row("crawlerdetect_devices", "human", ua))
    rows.extend(device_detector_rows(device_dir, seen))
    apple = [u for u in dict.fromkeys(devices) if APPLE_MAIL.match(u)]
    for i, ua in enumerate(apple):
        ip = f"17.58.{i % 250}.{i // 250 + 10}"
        rows.append(
            row("scenario_apple_mpp", "machine", ua, ip=ip, after_send_s="4", agent="apple_mpp")
        )
        rows[-1]["source"] = "privacy_proxy"
    browsers = [u for u in dict.fromkeys(devices) if BROWSER.search(u)][::97][:300]
    for i, ua in enumerate(browsers):
        ip, agent = SCANNER_IPS[i % len(SCANNER_IPS)]
        scenarios = (
            ("scenario_head", "machine", {"method": "HEAD"}),
            ("scenario_instant_click", "machine", {"after_send_s": "3"}),
            ("scenario_scanner_ip", "machine", {"ip": ip, "after_send_s": "40", "agent": agent}),
            ("scenario_burst", "machine", {"history": "burst3", "after_send_s": "900"}),
            ("scenario_honeypot", "machine", {"history": "honeypot_hit"}),
            ("scenario_after_honeypot", "machine", {"history": "honeypot_before"}),
            ("scenario_read_then_click", "human", {"history": "opened"}),
        )
        for group, label, extra in scenarios:
            rows.append(row(group, label, ua, **extra))
    with (HERE / "labelled_hits.tsv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(
            out, fieldnames=[*FIELDS, "user_agent"], delimiter="\t", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
