"""CPU per event of the consumers that need only a few engagement events (recipient: the
unsubscribes; webhooks: what its tenants' endpoints subscribe to), through their real
ConsumerLoop and handler against the embedded broker and PostgreSQL, before/after in one run.

    mkdir /tmp/side-ref && git archive main | tar -x -C /tmp/side-ref
    python bench/side_consumers.py --reference-tree /tmp/side-ref
    python bench/side_consumers.py --rate 3000 --duration 10 --rounds 3 \
        --events-per-record 300 --unsubscribe-every 10    # the defaults

EventBatch records like the tracking edge's (opens and clicks 3:1, five tenants mixed in each
record, one unsubscribe in every ``--unsubscribe-every``-th record) are produced at ``--rate``
events/s for ``--duration`` s onto a 4-partition topic with this tree's ``publish_events``
(which declares each record's event types and tenants in headers), and the same record
values without those headers onto a second topic (what an older producer or a redrive
sends). Every consumer runs in a process of its own, all at the same time, each with its own
group and database: this tree's recipient and webhooks on both topics, and with
``--reference-tree`` the other checkout's on the headed topic (the same-run reference; it
ignores the headers). Tenant t0 has an endpoint for unsubscribes, bounces and complaints;
the others none (most tenants subscribe to few event types or none).

Printed per consumer, medians over ``--rounds`` rounds of production: CPU µs per produced
event (process CPU from the start of the round to the last commit, so Kafka polling is
included), the ratio to the reference of the same service (within each round), the records
it decoded, its database's transactions per 1,000 events
(pg_stat_database), and its CPU ms per second over ``--idle`` s without traffic measured
first (what polling alone costs). Exit status 1 if any consumer missed an unsubscribe
(recipient: applied event ids; webhooks: delivery rows).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import text

from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.kafka_io import (
    context_from_trace,
    ensure_topics,
    event_records,
    make_producer,
    trace_headers,
)
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.v1 import events_pb2
from services.webhooks.signing import SecretBox
from services.webhooks.store.endpoints import EndpointStore

ROOT = Path(__file__).resolve().parent.parent
TENANTS = [f"t{n}" for n in range(5)]
SUBSCRIBED = ["unsubscribed", "bounced", "complained"]  # tenant t0's endpoint
PARTITIONS = 4
OPEN, CLICK = events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK
CHILD = """
import sys, threading, time
from kafka import KafkaProducer
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine

service, bootstrap, url, topic, group, secrets_key = sys.argv[1:]
engine = make_engine(url)
if service == "recipient":
    from services.recipient.__main__ import stores
    from services.recipient.config import RecipientSettings
    from services.recipient.consumer import RecipientEventHandler
    from services.recipient.store.rows import Database
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    handler = RecipientEventHandler(parts.suppression)
else:
    from services.webhooks.consumer import EventHandler
    from services.webhooks.signing import SecretBox
    from services.webhooks.store.deliveries import DeliveryStore
    from services.webhooks.store.endpoints import EndpointStore
    box = SecretBox(bytes.fromhex(secrets_key))
    handler = EventHandler(EndpointStore(engine, box), DeliveryStore(engine))
decoded = [0]
decode = handler.decode
def counted(record):
    decoded[0] += 1
    return decode(record)
handler.decode = counted
producer = KafkaProducer(bootstrap_servers=bootstrap)
loop = ConsumerLoop(KafkaSettings(bootstrap, 10000), group, [topic], handler, producer)
stop = threading.Event()
thread = threading.Thread(target=loop.run, args=(stop,))
thread.start()
loop.ready.wait(60)
print("ready", flush=True)
started, decoded_before = time.process_time(), 0
for line in sys.stdin:  # "mark": CPU seconds and records decoded since the previous mark
    if line.strip() == "stop":
        break
    now = time.process_time()
    print(now - started, decoded[0] - decoded_before, flush=True)
    started, decoded_before = now, decoded[0]
stop.set()
thread.join(30)
producer.close()
"""


@dataclass
class Consumer:
    name: str
    service: str
    tree: Path
    topic: str
    database: str
    process: subprocess.Popen[str] | None = field(default=None, init=False)

    @property
    def group(self) -> str:
        return self.name.replace(" ", "-")


def engagement_event(n: int, tenant: str, kind: events_pb2.EventType) -> events_pb2.Event:
    """An event as the tracking edge publishes it (trace, classification, client, hit)."""
    event = events_pb2.Event(
        event_id=f"00000000-0000-5000-8000-{n:012d}",
        type=kind,
        tenant_id=tenant,
        campaign_id="camp-bench",
        message_id=f"msg-{n % 2000}",
        recipient_id=f"r_{n % 2000:024d}",
    )
    event.occurred_at.FromDatetime(datetime.now(UTC))
    event.trace.traceparent = f"00-{n:032x}-{n:016x}-01"
    if kind == events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE:
        event.unsubscribe.address = event.recipient_id
        event.unsubscribe.one_click = True
        return event
    engagement = event.engagement
    engagement.classification.source = events_pb2.HIT_SOURCE_HUMAN
    engagement.classification.machine_probability = 0.05
    engagement.classification.reasons.append("ua_mail_client")
    client = engagement.client
    client.email_client, client.device, client.os = "Apple Mail", "mobile", "iOS"
    client.browser, client.country = "Mobile Safari", "US"
    engagement.first = n % 7 == 0
    engagement.hit_id = f"h{n:020d}"
    engagement.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605"
    engagement.client_ip = "203.0.113.0"
    if kind == CLICK:
        engagement.link_url, engagement.link_index = "https://shop.example.com/sale?x=1", 0
    return event


def record_events(args: argparse.Namespace, first: int) -> list[list[events_pb2.Event]]:
    """The events of each record: opens and clicks of every tenant, and in every
    ``--unsubscribe-every``-th record one unsubscribe of tenant t0 (the subscribed one)."""
    records = []
    n = first
    for index in range(int(args.rate * args.duration / args.events_per_record)):
        events = []
        for slot in range(args.events_per_record):
            kind = CLICK if n % 4 == 3 else OPEN
            events.append(engagement_event(n, TENANTS[slot % len(TENANTS)], kind))
            n += 1
        if index % args.unsubscribe_every == 0:
            events[0] = engagement_event(n, TENANTS[0], events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE)
            n += 1
        records.append(events)
    return records


def produce(settings: KafkaSettings, headed: str, bare: str, records: list, rate: float) -> None:
    """Sends each record to both topics (with and without the contents headers), paced so
    that events arrive at ``rate`` per second."""
    producer = make_producer(settings, "bench")
    started = time.monotonic()
    sent = 0
    for events in records:
        (record,) = event_records(events)
        trace = trace_headers(context_from_trace(record.first_trace))
        producer.send(headed, value=record.value, headers=trace + record.contents)
        producer.send(bare, value=record.value, headers=trace)
        sent += len(events)
        time.sleep(max(0.0, started + sent / rate - time.monotonic()))
    producer.flush()
    producer.close()


def wait_committed(bootstrap: str, consumers: list[Consumer], timeout_s: float = 180) -> None:
    """Until every consumer's group has committed the end of its topic."""
    deadline = time.monotonic() + timeout_s
    for consumer in consumers:
        reader = KafkaConsumer(bootstrap_servers=bootstrap, group_id=consumer.group)
        try:
            parts = [TopicPartition(consumer.topic, p) for p in range(PARTITIONS)]
            ends = reader.end_offsets(parts)
            while any((reader.committed(tp) or 0) < ends[tp] for tp in parts):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{consumer.name} did not catch up")
                time.sleep(0.1)
        finally:
            reader.close()


def scalar(postgres: EmbeddedPostgres, database: str, query: str) -> int:
    engine = make_engine(postgres.database_url(database))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def transactions(postgres: EmbeddedPostgres, database: str) -> int:
    query = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{}'"
    return scalar(postgres, "postgres", query.format(database))


UNSUBSCRIBES_DONE = {  # the unsubscribes a consumer applied (recipient) or delivered (webhooks)
    "recipient": "SELECT count(*) FROM processed_events",
    "webhooks": "SELECT count(*) FROM deliveries",
}


def prepare_database(postgres: EmbeddedPostgres, consumer: Consumer, secrets_key: bytes) -> None:
    url = postgres.database_url(consumer.database)
    ensure_database(url)
    migrate(url, consumer.tree / "services" / consumer.service / "migrations")
    if consumer.service == "webhooks":
        engine = make_engine(url)
        EndpointStore(engine, SecretBox(secrets_key)).create(
            TENANTS[0], "https://hooks.example.com/in", SUBSCRIBED, False, "bench"
        )
        engine.dispose()


def start(consumer: Consumer, bootstrap: str, postgres: EmbeddedPostgres, key: bytes) -> None:
    consumer.process = subprocess.Popen(
        [sys.executable, "-c", CHILD, consumer.service, bootstrap,
         postgres.database_url(consumer.database), consumer.topic, consumer.group, key.hex()],
        cwd=consumer.tree,
        env={**os.environ, "PYTHONPATH": str(consumer.tree), "EMAILTRACK_LOG_LEVEL": "WARNING"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert consumer.process.stdout is not None
    if consumer.process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"{consumer.name} did not start")


def tell(consumer: Consumer, line: str) -> None:
    assert consumer.process is not None and consumer.process.stdin is not None
    consumer.process.stdin.write(line + "\n")
    consumer.process.stdin.flush()


def marks(consumers: list[Consumer]) -> dict[str, tuple[float, int]]:
    """Every consumer's CPU seconds and records decoded since its previous mark."""
    for consumer in consumers:
        tell(consumer, "mark")
    figures = {}
    for consumer in consumers:
        assert consumer.process is not None and consumer.process.stdout is not None
        cpu, decoded = consumer.process.stdout.readline().split()
        figures[consumer.name] = (float(cpu), int(decoded))
    return figures


def consumers_of(args: argparse.Namespace, headed: str, bare: str) -> list[Consumer]:
    chosen = []
    for service in ("recipient", "webhooks"):
        if args.reference_tree:
            tree = args.reference_tree.resolve()
            chosen.append(Consumer(f"{service} reference", service, tree, headed, f"{service}_ref"))
        chosen.append(Consumer(f"{service} this tree", service, ROOT, headed, f"{service}_new"))
        name = f"{service} this tree, no headers"
        chosen.append(Consumer(name, service, ROOT, bare, f"{service}_bare"))
    return chosen


@dataclass
class Figures:
    """One consumer's measures: per round CPU seconds, records decoded, transactions."""

    idle_cpu_s: float
    rounds: list[tuple[float, int, int]] = field(default_factory=list)


def report(
    consumers: list[Consumer], figures: dict[str, Figures], events: int, idle_s: float
) -> None:
    """One line per consumer, medians over the rounds: CPU µs per event under load, its
    ratio to the reference of the same service (taken within each round), records decoded
    and transactions per 1,000 events; and idle CPU ms per second."""
    print(
        f"\n{'consumer':<34}{'CPU µs/event':>13}{'vs reference':>13}{'decoded':>9}"
        f"{'tx/1k ev':>9}{'idle ms/s':>10}"
    )
    for consumer in consumers:
        mine = figures[consumer.name]
        reference = figures.get(f"{consumer.service} reference")
        ratio = "-"
        if reference:
            pairs = zip(mine.rounds, reference.rounds, strict=True)
            ratio = f"{statistics.median(m[0] / r[0] for m, r in pairs):.2f}"
        cpu = statistics.median(r[0] for r in mine.rounds) / events * 1e6
        decoded = statistics.median(r[1] for r in mine.rounds)
        xacts = statistics.median(r[2] for r in mine.rounds) / events * 1000
        idle_ms = mine.idle_cpu_s / idle_s * 1000
        print(
            f"{consumer.name:<34}{cpu:>13.1f}{ratio:>13}{decoded:>9,.0f}{xacts:>9.1f}"
            f"{idle_ms:>10.1f}"
        )
    print("(medians over the rounds; the ratio is taken within each round)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=3000, help="events/s produced")
    parser.add_argument("--duration", type=float, default=10, help="seconds of production")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events-per-record", type=int, default=300)
    parser.add_argument("--unsubscribe-every", type=int, default=10, help="records per unsubscribe")
    parser.add_argument("--idle", type=float, default=5, help="seconds without traffic first")
    parser.add_argument("--reference-tree", type=Path, help="another checkout, e.g. main's")
    args = parser.parse_args()
    rounds = [record_events(args, first=round_no * 10**8) for round_no in range(args.rounds)]
    events = sum(len(r) for r in rounds[0])
    unsubscribes = len(range(0, len(rounds[0]), args.unsubscribe_every))
    print(
        f"{args.rounds} rounds of {events:,} events in {len(rounds[0])} records of "
        f"{args.events_per_record} at {args.rate:,.0f}/s, {unsubscribes} unsubscribes each; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    secrets_key = os.urandom(32)
    figures: dict[str, Figures] = {}
    missed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="emailtrack-bench-side-") as tmp:
        work = Path(tmp)
        broker = TansuBroker(free_port(), work / "broker.log")
        postgres = EmbeddedPostgres(work / "pg", free_port())
        broker.start()
        postgres.start()
        consumers: list[Consumer] = []
        try:
            settings = KafkaSettings(broker.bootstrap_servers, 10000)
            headed, bare = "bench.engagement.headed", "bench.engagement.bare"
            ensure_topics(settings, [headed, bare], partitions=PARTITIONS)
            consumers = consumers_of(args, headed, bare)
            for consumer in consumers:
                prepare_database(postgres, consumer, secrets_key)
            for consumer in consumers:
                start(consumer, broker.bootstrap_servers, postgres, secrets_key)
            marks(consumers)
            time.sleep(args.idle)
            figures = {name: Figures(cpu) for name, (cpu, _) in marks(consumers).items()}
            for round_no, records in enumerate(rounds, start=1):
                before = {c.name: transactions(postgres, c.database) for c in consumers}
                produce(settings, headed, bare, records, args.rate)
                wait_committed(broker.bootstrap_servers, consumers)
                for name, (cpu, decoded) in marks(consumers).items():
                    consumer = next(c for c in consumers if c.name == name)
                    xacts = transactions(postgres, consumer.database) - before[name]
                    figures[name].rounds.append((cpu, decoded, xacts))
                print(f"round {round_no} done, load average {os.getloadavg()[0]:.1f}", flush=True)
            for consumer in consumers:
                tell(consumer, "stop")
                assert consumer.process is not None
                consumer.process.wait(30)
            expected = unsubscribes * args.rounds
            for consumer in consumers:
                done = scalar(postgres, consumer.database, UNSUBSCRIBES_DONE[consumer.service])
                if done != expected:
                    missed.append(consumer.name)
        finally:
            for consumer in consumers:
                if consumer.process is not None and consumer.process.poll() is None:
                    consumer.process.kill()
                    consumer.process.wait()
            postgres.stop()
            broker.stop()
    report(consumers, figures, events, args.idle)
    verdict = "no: " + ", ".join(missed) if missed else "yes"
    print(f"every unsubscribe applied / delivered by every consumer: {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
