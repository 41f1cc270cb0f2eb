"""Measures hit classification throughput per CPU-second on the labelled set (cold, then warm
UA and address caches)."""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.tracking_edge.domain.classify import Classifier, HitFeatures, HitHistory

LABELLED = Path(__file__).parents[1] / "tests" / "data" / "hits" / "labelled_hits.tsv"
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def main() -> None:
    started = time.process_time()
    classifier = Classifier.load()
    print(f"load: {time.process_time() - started:.3f} s")
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        hits = [
            HitFeatures(
                kind=row["kind"],  # type: ignore[arg-type]
                http_method=row["method"],
                user_agent=row["user_agent"],
                client_ip=row["ip"],
                received_at=SENT + timedelta(seconds=int(row["after_send_s"])),
                sent_at=SENT,
                headers={"Accept-Language": "en"},
            )
            for row in csv.DictReader(handle, delimiter="\t")
        ]
    history = HitHistory()
    for label in ("cold", "warm"):
        started = time.process_time()
        for hit in hits:
            classifier.classify(hit, history)
        elapsed = time.process_time() - started
        print(f"{label}: {len(hits)} hits, {elapsed:.2f} CPU s = {len(hits) / elapsed:,.0f} hits/s")


if __name__ == "__main__":
    main()
