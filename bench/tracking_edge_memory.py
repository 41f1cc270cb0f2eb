"""Tracking edge memory per polled batch: peak RSS of one process before and after
``RawHitHandler.handle`` of decoded batches of growing size (8,000 to 28,000 hits: what one
poll returns after a backlog, records carrying up to 1,000 hits), on the embedded PostgreSQL
and broker. Each batch is new hits, so its growth is what the handler holds until written.

    python bench/tracking_edge_memory.py                          # as configured
    python bench/tracking_edge_memory.py --hits-per-write 100000  # the whole batch at once

The process's peak RSS (VmHWM) is reset (``/proc/self/clear_refs``) before loading the
classifier and before each batch, so each figure is the peak of that step alone: the
classifier's load, then RSS before a batch -> the peak while it was handled. The setup
(records of every batch, the database and broker clients) is held throughout, so compare
the steps, not the absolute figures, with a service's. Figures: bench/RESULTS.md, "Memory".
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url
from tracking_edge_consumer import start_postgres
from tracking_edge_hits import ROOT, build_records

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import only_items
from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from services.tracking_edge import consumer
from services.tracking_edge.consumer import RawHitHandler
from services.tracking_edge.domain.classify import Classifier
from services.tracking_edge.store import TrackingEdgeStore

BATCH_RECORDS = (1, 2, 4, 8, 16, 28)  # records of 1,000 hits per handled batch


def rss_mb() -> tuple[int, int]:
    """(current, peak since the last reset) RSS in MB."""
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return int(fields["VmRSS"].split()[0]) // 1024, int(fields["VmHWM"].split()[0]) // 1024


def reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # VmHWM := VmRSS


def measure(url: str, bootstrap: str) -> None:
    url = str(make_url(url).set(database=f"bench_te_memory_{uuid.uuid4().hex[:6]}"))
    ensure_database(url)
    migrate(url, ROOT / "services" / "tracking_edge" / "migrations")
    engine = make_engine(url)
    settings = KafkaSettings(bootstrap, 6000)
    ensure_topics(settings)
    records = build_records(sum(BATCH_RECORDS), 1000)
    producer = make_producer(settings, "bench-tracking-edge-memory")
    before, _ = rss_mb()
    reset_peak_rss()
    handler = RawHitHandler(TrackingEdgeStore(engine), Classifier.load(), producer)
    after, peak = rss_mb()
    print(f"hits written {consumer.HITS_PER_WRITE:,} at a time")
    print(f"Classifier.load: RSS {before} -> {after} MB (peak {peak} MB)")
    start = 0
    for count in BATCH_RECORDS:
        items = [
            hit
            for record in records[start : start + count]
            for hit in only_items(handler.decode(record))
        ]
        start += count
        before, _ = rss_mb()
        reset_peak_rss()
        handler.handle(items)
        after, peak = rss_mb()
        print(f"batch of {len(items):,} hits: RSS {before} -> peak {peak} MB (after: {after})")
        del items
    producer.close()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--hits-per-write",
        type=int,
        default=consumer.HITS_PER_WRITE,
        help="overrides services/tracking_edge/consumer.py's HITS_PER_WRITE for this run",
    )
    consumer.HITS_PER_WRITE = parser.parse_args().hits_per_write
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)  # the embedded PostgreSQL may run as another user
        pg = start_postgres(Path(tmp) / "pg")
        broker = TansuBroker(free_port(), Path(tmp) / "tansu.log")
        try:
            broker.start()
            measure(pg.url, broker.bootstrap_servers)
        finally:
            broker.stop()
            pg.stop()


if __name__ == "__main__":
    main()
