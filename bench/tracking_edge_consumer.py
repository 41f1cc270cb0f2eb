"""Tracking edge consumer benchmark: CPU per hit of the raw-hit path (decode → history and
opt-outs → classify → store → publish), in the Python process and in PostgreSQL.

python bench/tracking_edge_consumer.py [--batches 60] [--batch-hits 1000] [--profile FILE]

PostgreSQL (with pg_stat_statements, to count the statements) and the broker are started
embedded unless --database-url / --kafka are given. The PostgreSQL CPU is read from /proc, so
only for a server on this machine, and then includes whatever else that server runs; the
handler publishes to the real engagement topic, so point --kafka at a scratch broker only.

The hits come from ``tracking_edge_hits`` (real user agents, readers, Apple MPP, image
proxies, link scanners, crawlers, unsubscribes; messages revisited, so the stored history
matters); 1% of the recipients opted out. The UA cache is warmed with every user agent
first (a long-running consumer has its UAs cached; the cost of a new one is printed
apart). Phase 1 calls the handler on each record (``RawHitHandler.decode`` then
``handle``); phase 2 runs the same records through Kafka and the real ``ConsumerLoop``
(joining its group included). The reference measured in the same run is the bare protobuf
decode + encode of the same records, the floor any consumer of them pays.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaProducer
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from tracking_edge_hits import ROOT, START, build_records, raw_hits

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop, Record, only_items
from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.v1 import events_pb2
from services.tracking_edge.consumer import RawHitHandler
from services.tracking_edge.domain.classify import Classifier, HitFeatures, HitHistory
from services.tracking_edge.domain.classify.user_agents import UserAgentAnalyser
from services.tracking_edge.store import TrackingEdgeStore


def opt_out(engine: Engine, records: list[Record], share: float = 0.01) -> None:
    pairs = sorted({(h.claims.tenant_id, h.claims.recipient_id) for h in raw_hits(records)})
    chosen = random.Random(3).sample(pairs, int(len(pairs) * share))
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO tracking_opt_outs VALUES (:t, :r, now()) ON CONFLICT DO NOTHING"),
            [{"t": t, "r": r} for t, r in chosen],
        )


def postgres_cpu(postmaster: int | None) -> float:
    """CPU seconds of the PostgreSQL server: the postmaster, its live children and the
    children it has reaped (backends, WAL writer, autovacuum workers ...)."""
    if postmaster is None:
        return 0.0
    total = 0
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        elif int(fields[1]) == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def find_postmaster(engine: Engine) -> int | None:
    with engine.connect() as conn:
        backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    try:
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None  # the server runs on another machine


STATEMENTS = text(
    """SELECT query, calls FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"""
)


def statement_counts(engine: Engine) -> Counter[str] | None:
    """Calls per statement in this database so far, or None without pg_stat_statements."""
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            return Counter({row.query: row.calls for row in conn.execute(STATEMENTS)})
    except DBAPIError:
        return None


def counted(engine: Engine, work: Callable[[], Cost]) -> tuple[Cost, Counter[str] | None]:
    """``work``'s cost and the statements it ran (less those of counting them)."""
    base, before = statement_counts(engine), statement_counts(engine)
    cost = work()
    after = statement_counts(engine)
    if base is None or before is None or after is None:
        return cost, None
    return cost, (after - before) - (before - base)


@dataclass
class Cost:
    hits: int
    cpu_s: float
    wall_s: float
    pg_cpu_s: float

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.hits / self.wall_s:,.0f} hits/s wall, "
            f"{self.cpu_s / self.hits * 1e6:.1f} µs CPU/hit in Python, "
            f"{self.pg_cpu_s / self.hits * 1e6:.1f} µs CPU/hit in PostgreSQL"
        )


def measure(postmaster: int | None, work: Callable[[], int]) -> Cost:
    pg, cpu, wall = postgres_cpu(postmaster), time.process_time(), time.perf_counter()
    hits = work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return Cost(hits, cpu, wall, postgres_cpu(postmaster) - pg)


def floor(records: list[Record]) -> int:
    hits = 0
    for record in records:
        batch = events_pb2.RawHitBatch.FromString(record.value)
        batch.SerializeToString()
        hits += len(batch.hits)
    return hits


def direct(
    handler: RawHitHandler,
    records: list[Record],
    profile: str = "",
    per_hit: list[float] | None = None,
) -> int:
    """Decodes and handles each record; appends each record's CPU µs per hit to ``per_hit``."""
    profiler = cProfile.Profile(time.process_time) if profile else None
    if profiler:
        profiler.enable()
    hits = 0
    for record in records:
        started = time.process_time()
        items = only_items(handler.decode(record))
        handler.handle(items)
        hits += len(items)
        if per_hit is not None:
            per_hit.append((time.process_time() - started) / len(items) * 1e6)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return hits


def through_kafka(
    bootstrap: str, handler: RawHitHandler, records: list[Record]
) -> Callable[[], int]:
    """Publishes ``records`` to a fresh topic; the work returned runs the real ConsumerLoop
    over them, one record per poll, until every hit went through ``handle``."""
    topic = f"bench.tracking_edge.{uuid.uuid4().hex[:6]}"
    ensure_topics(KafkaSettings(bootstrap, 6000), [topic], partitions=1)
    producer = KafkaProducer(bootstrap_servers=bootstrap, max_request_size=8 * 1024 * 1024)
    for record in records:
        producer.send(topic, record.value)
    producer.flush()
    producer.close()
    done, expected, handle = [0], len(raw_hits(records)), handler.handle

    def counting(items: list[events_pb2.RawHit]) -> None:
        handle(items)
        done[0] += len(items)

    def work() -> int:
        handler.handle = counting  # type: ignore[method-assign]  # the test counts calls by wrapping the handler
        settings = KafkaSettings(bootstrap, 6000)
        loop = ConsumerLoop(settings, "bench", [topic], handler, handler.producer, max_records=1)
        stop = threading.Event()
        thread = threading.Thread(target=loop.run, args=(stop,))
        thread.start()
        while done[0] < expected:
            time.sleep(0.01)
        stop.set()
        thread.join()
        return done[0]

    return work


def user_agent_costs(classifier: Classifier, agents: list[str]) -> float:
    """Warms the classifier's UA cache with every agent; returns the CPU µs that analysing
    an agent not cached yet costs (on a fresh analyser)."""
    for agent in agents:
        classifier.classify(HitFeatures("open", "GET", agent, "", START, None), HitHistory())
    analyser = UserAgentAnalyser()
    analyser.analyse("warm-up")
    started = time.process_time()
    for agent in agents[:1000]:
        analyser.analyse(agent)
    return (time.process_time() - started) / min(len(agents), 1000) * 1e6


def run(url: str, bootstrap: str, args: argparse.Namespace) -> None:
    url = str(make_url(url).set(database=f"bench_tracking_edge_{uuid.uuid4().hex[:6]}"))
    ensure_database(url)
    migrate(url, ROOT / "services" / "tracking_edge" / "migrations")
    engine = make_engine(url)
    ensure_topics(KafkaSettings(bootstrap, 6000))
    warm, batches = args.warmup, args.batches
    print(f"building {warm + batches} RawHitBatch records of {args.batch_hits} hits ...")
    records = build_records(warm + batches, args.batch_hits)
    opt_out(engine, records)
    producer = make_producer(KafkaSettings(bootstrap, 6000), "bench-tracking-edge")
    classifier = Classifier.load()
    handler = RawHitHandler(TrackingEdgeStore(engine), classifier, producer)
    agents = list(dict.fromkeys(h.user_agent for h in raw_hits(records)))
    new_agent_us = user_agent_costs(classifier, agents)
    postmaster = find_postmaster(engine)
    direct(handler, records[:warm])
    per_batch: list[float] = []
    cost, calls = counted(
        engine,
        lambda: measure(
            postmaster, lambda: direct(handler, records[warm:], args.profile, per_batch)
        ),
    )
    reference = measure(None, lambda: floor(records[warm:]))
    print(f"{cost.hits:,} hits in {batches} batches after {warm} warm-up batches")
    print(cost.line("handler (decode + handle)"))
    print(f"  median of the batches: {statistics.median(per_batch):.1f} µs CPU/hit in Python")
    print(f"floor (protobuf decode + encode): {reference.cpu_s / reference.hits * 1e6:.2f} µs/hit")
    print(f"ratio handler / floor (Python CPU): {cost.cpu_s / reference.cpu_s:.1f}")
    if calls is not None:
        print(f"PostgreSQL statements per batch: {calls.total() / batches:,.1f}")
        for query, n in calls.most_common(6):
            print(f"  {n / batches:8.1f}  {' '.join(query.split())[:80]}")
    print(f"(UAs all cached: {len(agents):,}; a new UA costs {new_agent_us:,.0f} µs once)")
    with engine.begin() as conn:  # the same records again, from Kafka, on the same history
        conn.execute(text("TRUNCATE hits"))
    direct(handler, records[:warm])
    looped = measure(postmaster, through_kafka(bootstrap, handler, records[warm:]))
    print(looped.line("through Kafka (ConsumerLoop)"))
    producer.close()
    engine.dispose()


def start_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Embedded PostgreSQL with pg_stat_statements loaded (it needs a restart)."""
    pg = EmbeddedPostgres(data_dir, free_port())
    pg.start()
    engine = make_engine(pg.url)
    with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"))
    engine.dispose()
    pg.stop()
    pg.start()
    return pg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--batch-hits", type=int, default=1000)
    parser.add_argument("--profile", default="", help="cProfile (CPU time) of phase 1 to FILE")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--kafka", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)
        pg = None if args.database_url else start_postgres(Path(tmp) / "pg")
        broker = None if args.kafka else TansuBroker(free_port(), Path(tmp) / "tansu.log")
        try:
            if broker:
                broker.start()
            url = args.database_url or pg.url  # type: ignore[union-attr]  # started when no URL is given
            run(url, args.kafka or broker.bootstrap_servers, args)  # type: ignore[union-attr]  # likewise
        finally:
            if broker:
                broker.stop()
            if pg:
                pg.stop()


if __name__ == "__main__":
    main()
