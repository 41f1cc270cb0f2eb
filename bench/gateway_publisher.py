"""The CPU a gateway worker spends handing hits to Kafka, per hit, at steady hit rates:
the real ``HitPublisher`` (many hits per RawHitBatch record, one record per flush interval)
against the reference measured in the same run, one kafka-python ``send()`` per hit.

    python bench/gateway_publisher.py                      # rates 500,2000,8000; 5 s each
    python bench/gateway_publisher.py --rates 1000 --flush-ms 20,50,100

Starts a tansu broker (free port). Hits are submitted from the main thread in slices every
10 ms, as the event loop would; the figure is the whole process's CPU time (the publisher
thread and kafka-python's sender thread included) over the run, divided by the hits.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.topics import RAW_HITS
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.v1 import events_pb2
from gateway.tracking.publisher import HitPublisher, make_hit_producer
from gateway.tracking.spool import Spool

SLICE_S = 0.01
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sample_hit(n: int) -> events_pb2.RawHit:
    hit = events_pb2.RawHit(
        hit_id=f"{n:032x}", http_method="GET", user_agent=CHROME, client_ip="81.2.69.142"
    )
    claims = hit.claims
    claims.tenant_id, claims.campaign_id = "bench-tenant", "bench-campaign"
    claims.message_id, claims.recipient_id = f"m{n}", f"r{n}"
    claims.kind = events_pb2.HIT_KIND_OPEN
    hit.received_at.GetCurrentTime()
    return hit


def steady(submit: Callable[[events_pb2.RawHit], object], rate: int, seconds: float) -> float:
    """Submits ``rate`` hits/s for ``seconds``; returns the process CPU µs per hit."""
    per_slice = max(1, round(rate * SLICE_S))
    started_cpu, started = cpu_s(), time.monotonic()
    sent = 0
    while (elapsed := time.monotonic() - started) < seconds:
        due = min(round(elapsed * rate) + per_slice, round(seconds * rate))
        while sent < due:
            submit(sample_hit(sent))
            sent += 1
        time.sleep(SLICE_S)
    return (cpu_s() - started_cpu) / max(sent, 1) * 1e6


def publisher_cost(
    settings: KafkaSettings, work: Path, flush_ms: int, rate: int, s: float
) -> float:
    spool = Spool(work / f"spool-{flush_ms}-{rate}", max_bytes=1 << 30, fsync_interval_s=0.2)
    publisher = HitPublisher(
        make_hit_producer(settings),
        spool,
        max_buffered=100_000,
        flush_interval_s=flush_ms / 1000,
        max_batch=1000,
    )
    publisher.start()
    try:
        time.sleep(0.5)  # metadata fetched, connection up
        return steady(publisher.submit, rate, s)
    finally:
        publisher.close()


def send_per_hit_cost(settings: KafkaSettings, rate: int, seconds: float) -> float:
    producer = make_hit_producer(settings)
    producer.send(RAW_HITS, value=b"warm-up").get(timeout=10)
    try:
        return steady(
            lambda hit: producer.send(RAW_HITS, value=hit.SerializeToString()), rate, seconds
        )
    finally:
        producer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="500,2000,8000", help="hits/s per worker")
    parser.add_argument("--flush-ms", default="20,50,100", help="publisher flush intervals")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    flushes = [int(f) for f in args.flush_ms.split(",")]
    with tempfile.TemporaryDirectory(prefix="emailtrack-bench-pub-") as tmp:
        work = Path(tmp)
        broker = TansuBroker(free_port(), work / "broker.log")
        broker.start()
        try:
            settings = KafkaSettings(broker.bootstrap_servers, 2000)
            ensure_topics(settings)
            print(
                f"{'hits/s':>8}  {'send() per hit':>15}"
                + "".join(f"{f'flush {f} ms':>14}{'ratio':>7}" for f in flushes)
            )
            print(
                f"{'':>8}  {'CPU us/hit':>15}"
                + "".join(f"{'CPU us/hit':>14}{'':>7}" for _ in flushes)
            )
            for rate in rates:
                reference = send_per_hit_cost(settings, rate, args.seconds)
                line = f"{rate:>8,}  {reference:>15.1f}"
                for flush in flushes:
                    cost = publisher_cost(settings, work, flush, rate, args.seconds)
                    line += f"{cost:>14.1f}{reference / cost:>6.1f}x"
                print(line, flush=True)
        finally:
            broker.stop()
    print("ratio: CPU per hit of one send() per hit / that of the publisher")
    return 0


if __name__ == "__main__":
    sys.exit(main())
