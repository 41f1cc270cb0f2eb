"""Analytics benchmark: Kafka → consumer → PostgreSQL ingestion rate, CPU time per event and
consumer peak memory on 1,000,000 events, then the p50/p99 latency of every query over gRPC on
10,000,000 events.

python bench/analytics_bench.py [--events 1000000] [--total-events 10000000] [--runs 200]

PostgreSQL and the broker are started embedded unless --database-url / --kafka are given
(the PostgreSQL CPU time is then not measured). The consumer writes with the service's
EMAILTRACK_ANALYTICS_INGEST_WRITERS. The ingest reference measured in the same run is a bare
COPY of the same rows into an unindexed table (the floor any ingestion pays). The events
beyond the Kafka million are generated server-side (generate_series into the staging table)
and applied with the same statement the consumer uses, so every rollup is built by the real
code.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from kafka import KafkaProducer
from sqlalchemy.engine import make_url

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.credentials import single_key_auth
from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.grpc_server import ServiceRegistration, client_channel, start_server
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, events_pb2
from services.analytics.codec import COLUMNS, decode_event
from services.analytics.config import AnalyticsConfig
from services.analytics.consumer import EventIngestHandler
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore, ingest, partitions

ROOT = Path(__file__).resolve().parent.parent
TENANT = "bench"
CAMPAIGNS = 20
DAYS = 14
START = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(DAYS)
TYPES = [(150, 4), (290, 5), (300, 7), (310, 6), (750, 1), (950, 2), (970, 3), (980, 8), (1000, 9)]
CLIENTS = [
    ("Apple Mail", "mobile", "iOS", "US"),
    ("Gmail", "webmail", "Android", "FR"),
    ("Outlook", "desktop", "Windows", "DE"),
    ("Thunderbird", "desktop", "Linux", ""),
]

SQL_CLIENT = "(ARRAY[{}])[1 + i %% {}]"
GENERATE = f"""
INSERT INTO staging (event_id, event_type, occurred_at, tenant_id, campaign_id, message_id,
                     recipient_id, source, link_url, link_index, email_client, device, os,
                     country, bounce_type)
SELECT 'g-' || i, t, %(start)s::timestamptz + ((i * 7919) %% {DAYS * 86400}) * interval '1 s',
       '{TENANT}', 'camp-' || (i %% {CAMPAIGNS}),
       'm-' || (i %% {CAMPAIGNS}) || '-' || (i / 20 %% 50000),
       'r-' || (i / 20 %% 50000), CASE WHEN t IN (1, 2) THEN (i * 31) %% 5 ELSE 0 END,
       CASE WHEN t = 2 THEN 'https://example.com/l' || (i %% 12) ELSE '' END,
       CASE WHEN t = 2 THEN i %% 12 ELSE -1 END,
       {SQL_CLIENT.format(", ".join(f"'{c[0]}'" for c in CLIENTS), len(CLIENTS))},
       {SQL_CLIENT.format(", ".join(f"'{c[1]}'" for c in CLIENTS), len(CLIENTS))},
       {SQL_CLIENT.format(", ".join(f"'{c[2]}'" for c in CLIENTS), len(CLIENTS))},
       {SQL_CLIENT.format(", ".join(f"'{c[3]}'" for c in CLIENTS), len(CLIENTS))},
       CASE WHEN t = 7 THEN 1 + i %% 2 ELSE 0 END
FROM (SELECT i, CASE {" ".join(f"WHEN (i * 2654435761) %% 1000 < {b} THEN {t}" for b, t in TYPES)}
      END AS t FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i) g
"""

BENCH_KEY = "bench-in-process-key-0123456789abcdef"


def kafka_event(i: int) -> events_pb2.Event:
    kind = cast(
        events_pb2.EventType, next(t for bound, t in TYPES if (i * 2654435761) % 1000 < bound)
    )
    event = events_pb2.Event(
        event_id=f"k-{i}",
        type=kind,
        tenant_id=TENANT,
        campaign_id=f"camp-{i % CAMPAIGNS}",
        message_id=f"m-{i % CAMPAIGNS}-{i // 20 % 50000}",
        recipient_id=f"r-{i // 20 % 50000}",
    )
    event.occurred_at.FromDatetime(START + timedelta(seconds=(i * 7919) % (DAYS * 86400)))
    if kind in (1, 2):
        eng = event.engagement
        eng.classification.source = cast(events_pb2.HitSource, (i * 31) % 5)
        client = CLIENTS[i % len(CLIENTS)]
        eng.client.email_client, eng.client.device, eng.client.os = client[:3]
        eng.client.country = client[3]
        if kind == 2:
            eng.link_url, eng.link_index = f"https://example.com/l{i % 12}", i % 12
    elif kind == 7:
        event.delivery.bounce_type = cast(events_pb2.BounceType, 1 + i % 2)
    return event


def publish(bootstrap: str, topic: str, count: int, per_record: int = 500) -> None:
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, max_request_size=8 * 1024 * 1024
    )
    for first in range(0, count, per_record):
        batch = events_pb2.EventBatch(
            events=[kafka_event(i) for i in range(first, min(first + per_record, count))]
        )
        producer.send(topic, batch.SerializeToString())
    producer.flush()
    producer.close()


def server_cpu_seconds(postmaster: int) -> float:
    """User + system CPU time of the PostgreSQL server: the postmaster with its reaped
    children (backends that ended) and its live children (backends, WAL writer, …)."""
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    ticks = 0
    for pid in [postmaster, *map(int, children)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a backend that ended meanwhile: now in the reaped times
            continue
        ticks += sum(map(int, fields[11:15] if pid == postmaster else fields[11:13]))
    return ticks / os.sysconf("SC_CLK_TCK")


def consume(
    url: str, bootstrap: str, topic: str, count: int, writers: int, out: multiprocessing.Queue
) -> None:
    """Child process: the real consumer loop until ``count`` events are in; reports its rate
    and CPU time (from the first batch written) and its peak resident memory."""
    store = AnalyticsStore(make_engine(url), retention_days=3650, writers=writers)
    handler = EventIngestHandler(store)
    done, first_at, first_cpu = [0], [0.0], [0.0]
    original = handler.handle

    def handle(items: list) -> None:
        if not first_at[0]:
            first_at[0], first_cpu[0] = time.perf_counter(), time.process_time()
        original(items)
        done[0] += len(items)

    handler.handle = handle  # type: ignore[method-assign]  # the test counts calls by wrapping the handler
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    loop = ConsumerLoop(
        KafkaSettings(bootstrap, 6000), "bench", [topic], handler, producer, max_records=40
    )
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    while done[0] < count:
        time.sleep(0.05)
    elapsed = time.perf_counter() - first_at[0]
    cpu = time.process_time() - first_cpu[0]
    stop.set()
    thread.join()
    producer.close()
    out.put((count / elapsed, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def copy_floor(store: AnalyticsStore, count: int) -> float:
    """Events/s of decoding the same events and a bare COPY into an unindexed table."""
    rows = [kafka_event(i) for i in range(count)]
    started = time.perf_counter()
    with store.connection() as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE floor (LIKE events INCLUDING DEFAULTS) ON COMMIT DROP")
        with cur.copy(f"COPY floor ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(ingest.COPY_TYPES)  # the format ingestion uses
            for event in rows:
                copy.write_row(decode_event(event))  # type: ignore[arg-type]  # never None here: every event is known
    return count / (time.perf_counter() - started)


def generate(store: AnalyticsStore, first: int, last: int, chunk: int = 250_000) -> float:
    started = time.perf_counter()
    for lo in range(first, last, chunk):
        hi = min(lo + chunk, last) - 1
        with store.connection() as conn:
            conn.execute(ingest.STAGING)
            conn.execute(GENERATE, {"start": START, "first": lo, "last": hi})
            ingest.apply_staged(conn)
        print(f"  generated {hi + 1:,} events", flush=True)
    rate = (last - first) / (time.perf_counter() - started)
    # Settle the bulk load as autovacuum eventually would, so that it does not run (and
    # show up as outliers) while the queries are measured.
    pooled = store.engine.raw_connection()
    driver = pooled.driver_connection
    assert driver is not None
    try:
        driver.autocommit = True
        driver.execute("VACUUM (ANALYZE)")
    finally:
        driver.autocommit = False
        pooled.close()
    return rate


def latency(call: Callable[[], object], runs: int) -> tuple[float, float]:
    for _ in range(5):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    cut = statistics.quantiles(samples, n=100)
    return cut[49], cut[98]


def timeline(
    stub: analytics_pb2_grpc.AnalyticsServiceStub,
    campaign: dict[str, Any],
    bucket: analytics_pb2.TimeBucket,
    zone: str,
) -> Callable[[], object]:
    """Hour/day buckets over the whole campaign: the hourly rollup serves whole-hour zones
    (Europe/Paris), quarter hours the others (Asia/Kolkata, +5:30)."""
    request = analytics_pb2.GetTimelineRequest(**campaign, bucket=bucket, time_zone=zone)
    return lambda: stub.GetTimeline(request)


def queries(stub: analytics_pb2_grpc.AnalyticsServiceStub) -> dict[str, Callable[[], object]]:
    a = analytics_pb2
    campaign: dict[str, Any] = {"tenant_id": TENANT, "campaign_id": "camp-3"}
    day = START + timedelta(days=DAYS // 2)
    minute_range = a.GetTimelineRequest(**campaign, bucket=a.TIME_BUCKET_MINUTE)
    minute_range.start.FromDatetime(day)
    minute_range.end.FromDatetime(day + timedelta(days=1))
    return {
        "GetCampaignStats": lambda: stub.GetCampaignStats(a.GetCampaignStatsRequest(**campaign)),
        **{
            f"GetTimeline {name} ({zone})": timeline(stub, campaign, bucket, zone)
            for name, bucket in (("hour", a.TIME_BUCKET_HOUR), ("day", a.TIME_BUCKET_DAY))
            for zone in ("Europe/Paris", "Asia/Kolkata")
        },
        "GetTimeline minute (1 day)": lambda: stub.GetTimeline(minute_range),
        "GetTopLinks": lambda: stub.GetTopLinks(a.GetTopLinksRequest(**campaign)),
        "GetBreakdown client": lambda: stub.GetBreakdown(
            a.GetBreakdownRequest(**campaign, dimension=a.BREAKDOWN_DIMENSION_EMAIL_CLIENT)
        ),
        "GetRecipientEngagement": lambda: stub.GetRecipientEngagement(
            a.GetRecipientEngagementRequest(tenant_id=TENANT, recipient_id="r-1234")
        ),
        "ListCampaigns (20/page)": lambda: stub.ListCampaigns(
            a.ListCampaignsRequest(tenant_id=TENANT, page_size=20)
        ),
        "ExportRecipientEvents": lambda: stub.ExportRecipientEvents(
            a.ExportRecipientEventsRequest(tenant_id=TENANT, recipient_id="r-1234")
        ),
    }


def run(
    url: str, bootstrap: str, events: int, total: int, runs: int, postmaster: int | None
) -> None:
    url = str(make_url(url).set(database=f"bench_analytics_{uuid.uuid4().hex[:6]}"))
    ensure_database(url)
    migrate(url, ROOT / "services" / "analytics" / "migrations")
    store = AnalyticsStore(make_engine(url, pool_size=8), retention_days=3650)
    with store.connection() as conn:
        for n in range(DAYS + 1):
            partitions.create_partition(conn, (START + timedelta(n)).date())
    topic = f"bench.analytics.{uuid.uuid4().hex[:6]}"
    ensure_topics(KafkaSettings(bootstrap, 6000), [topic], partitions=4)
    print(f"publishing {events:,} events to {topic} ...", flush=True)
    publish(bootstrap, topic, events)
    writers = AnalyticsConfig.from_env().ingest_writers  # as the service is configured
    out: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    child = multiprocessing.get_context("spawn").Process(
        target=consume, args=(url, bootstrap, topic, events, writers, out)
    )
    db_cpu = server_cpu_seconds(postmaster) if postmaster else 0.0
    child.start()
    rate, consumer_cpu, peak_mb = out.get()
    child.join()
    if postmaster:
        db_cpu = server_cpu_seconds(postmaster) - db_cpu
    floor = copy_floor(store, 200_000)
    print(
        f"ingest: {rate:,.0f} events/s through Kafka (target >= 20,000; {writers} writers); "
        f"bare COPY floor {floor:,.0f} events/s; ratio {rate / floor:.2f}"
    )
    # CPU time moves much less than wall time when other programs share the machine.
    print(
        f"ingest CPU per event: consumer {consumer_cpu / events * 1e6:.1f} us"
        + (f", PostgreSQL (all processes) {db_cpu / events * 1e6:.1f} us" if postmaster else "")
    )
    print(f"consumer peak RSS: {peak_mb:,.0f} MiB")
    print(f"generating {total - events:,} more events server-side ...", flush=True)
    server_rate = generate(store, events, total)
    print(f"server-side apply: {server_rate:,.0f} events/s")
    server = start_server(
        [
            ServiceRegistration(
                AnalyticsServicer(store),
                analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
                "emailtrack.v1.AnalyticsService",
            )
        ],
        0,
        "127.0.0.1",
        auth=single_key_auth(BENCH_KEY),
    )
    with client_channel(f"127.0.0.1:{server.port}", api_key=BENCH_KEY) as channel:
        stub = analytics_pb2_grpc.AnalyticsServiceStub(channel)
        stats = stub.GetCampaignStats(
            analytics_pb2.GetCampaignStatsRequest(tenant_id=TENANT, campaign_id="camp-3")
        ).stats
        print(
            f"queries on {total:,} events ({stats.sent:,} sent, "
            f"{stats.opens.total.total:,} opens in camp-3), {runs} runs each, target p99 < 50 ms"
        )
        for name, call in queries(stub).items():
            p50, p99 = latency(call, runs)
            print(f"  {name:38s} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    server.stop(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--total-events", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--kafka", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pg: EmbeddedPostgres | None = None
        broker: TansuBroker | None = None
        if not args.database_url:
            pg = EmbeddedPostgres(Path(tmp) / "pg", free_port())
            pg.start()
        if not args.kafka:
            broker = TansuBroker(free_port(), Path(tmp) / "tansu.log")
            broker.start()
        try:
            run(
                args.database_url or pg.url,  # type: ignore[union-attr]  # started when no URL is given
                args.kafka or broker.bootstrap_servers,  # type: ignore[union-attr]  # likewise
                args.events,
                max(args.total_events, args.events),
                args.runs,
                pg.process.pid if pg and pg.process else None,
            )
        finally:
            if broker:
                broker.stop()
            if pg:
                pg.stop()


if __name__ == "__main__":
    main()
