"""Measures hit classification throughput per CPU-second on the labelled set (cold, then warm
UA and address caches), and address lookups in the IP snapshots, each beside a same-run
reference: the UA libraries alone (ua-parser + crawlerdetect) for the cold pass, and parsing
the same addresses with ``ipaddress`` for the lookups."""

from __future__ import annotations

import csv
import ipaddress
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ua_parser
from crawlerdetect import CrawlerDetect
from ua_parser import Domain

from services.tracking_edge.domain.classify import Classifier, HitFeatures, HitHistory
from services.tracking_edge.domain.classify.networks import NetworkIndex, parse_ip

LABELLED = Path(__file__).parents[1] / "tests" / "data" / "hits" / "labelled_hits.tsv"
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def libraries_alone(user_agents: list[str]) -> float:
    """CPU seconds of ua-parser and crawlerdetect over the UAs: the floor of a cold pass."""
    crawlers = CrawlerDetect()
    started = time.process_time()
    for ua in user_agents:
        ua_parser.parser(ua, Domain.USER_AGENT | Domain.OS)
        crawlers.isCrawler(ua)
    return time.process_time() - started


def address_lookups(index: NetworkIndex, count: int = 200_000) -> None:
    rng = random.Random(15)
    texts = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(count // 2)]
    texts += [str(ipaddress.IPv6Address(rng.getrandbits(128))) for _ in range(count // 2)]
    started = time.process_time()
    for text in texts:
        ipaddress.ip_address(text)
    reference = time.process_time() - started
    started = time.process_time()
    for text in texts:
        index.lookup(parse_ip(text))
    ours = time.process_time() - started
    print(
        f"address lookups: {count / ours:,.0f}/s (parse + lookup); reference "
        f"ipaddress.ip_address alone {count / reference:,.0f}/s; ratio {ours / reference:.2f}x"
    )


def main() -> None:
    started = time.process_time()
    classifier = Classifier.load()
    print(f"load: {time.process_time() - started:.3f} s")
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        hits = [
            HitFeatures(
                kind=row["kind"],  # type: ignore[arg-type]  # test data: an enum value as int or str
                http_method=row["method"],
                user_agent=row["user_agent"],
                client_ip=row["ip"],
                received_at=SENT + timedelta(seconds=int(row["after_send_s"])),
                sent_at=SENT,
                headers={"Accept-Language": "en"},
            )
            for row in csv.DictReader(handle, delimiter="\t")
        ]
    reference = libraries_alone(list(dict.fromkeys(hit.user_agent for hit in hits)))
    history = HitHistory()
    for label in ("cold", "warm"):
        started = time.process_time()
        for hit in hits:
            classifier.classify(hit, history)
        elapsed = time.process_time() - started
        print(f"{label}: {len(hits)} hits, {elapsed:.2f} CPU s = {len(hits) / elapsed:,.0f} hits/s")
        if label == "cold":
            print(
                f"  reference (ua-parser + crawlerdetect alone, same UAs): {reference:.2f} CPU s;"
                f" ratio {elapsed / reference:.2f}x"
            )
    address_lookups(NetworkIndex.load())


if __name__ == "__main__":
    main()
