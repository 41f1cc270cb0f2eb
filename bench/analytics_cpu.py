"""CPU per event of analytics' decoding and ingestion, and of PostgreSQL, on a realistic mixed
event stream, for this tree and (with ``--reference-tree``) another checkout in the same run;
then every table the two ingested compared row by row, all columns.

    mkdir /tmp/anl-ref && git archive main | tar -x -C /tmp/anl-ref
    python bench/analytics_cpu.py --reference-tree /tmp/anl-ref [--events 60000] [--rounds 3]

The stream (``mixed_records``): EventBatch records of 300 events as the producers publish them
(tracking-edge opens and clicks with trace, classification, client, hit id, user agent and IP;
sends with sequence step, variant and mailbox; deliveries, deferrals, bounces with their
diagnostics, complaints, replies, unsubscribes), over 5 tenants and 40 campaigns, with a few
of everything else analytics meets: warmup events, an erasure, a campaign deletion, ignored
types, events without a campaign, a NUL in a bounce reason, one event per record that
violates the contract (dead-lettered alone), and every tenth record delivered twice.

Each tree runs in a process of its own (``PYTHONPATH`` = the tree), one after the other, each
round alternating which goes first, each into a fresh database of one embedded PostgreSQL:
decoding is ``services.analytics.consumer.decode_record`` over every record (process CPU, best
of 3 passes), ingestion ``EventIngestHandler.handle`` per poll of ``--records-per-poll``
records (process CPU, with the service's EMAILTRACK_ANALYTICS_INGEST_WRITERS), PostgreSQL
the server's CPU (all its processes) during that ingestion, and the WAL it wrote meanwhile
(bytes per event: the volume of row versions and index entries, nearly deterministic where the
CPU figures move with the machine's load). Printed: medians over rounds, µs per event, and the
ratio to the reference within each round (median). Exit status 1 when a
table differs between the trees (columns set by the clock, ``CLOCK``, left out).
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import psycopg
from analytics_bench import server_cpu_seconds

from emailtrack.common.db import ensure_database, migrate
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.v1 import events_pb2

ROOT = Path(__file__).resolve().parent.parent
E = events_pb2
PER_RECORD = 300
TENANTS = [f"tenant-{n}" for n in range(5)]
SOURCES = [(E.HIT_SOURCE_HUMAN, ""), (E.HIT_SOURCE_PRIVACY_PROXY, "apple_mpp"),
           (E.HIT_SOURCE_SECURITY_SCANNER, "microsoft_safe_links"), (E.HIT_SOURCE_BOT, "crawler"),
           (E.HIT_SOURCE_PRIVACY_PROXY, "gmail_image_proxy")]  # fmt: skip
CLIENTS = [("Apple Mail", "mobile", "iOS", "Mobile Safari", "us"),
           ("Gmail", "webmail", "Android", "Chrome", "FR"),
           ("Outlook", "desktop", "Windows", "Edge", "de"), ("Thunderbird", "desktop", "Linux",
           "Firefox", ""), ("Yahoo Mail", "tablet", "iPadOS", "Safari", "BR")]  # fmt: skip
REASONS = ["user_unknown", "mailbox_full", "policy", "spam_block", "over\x00quota"]
# (bound out of 1000, type): mostly engagement, as in production
MIX = [(430, E.EVENT_TYPE_EMAIL_OPEN), (560, E.EVENT_TYPE_EMAIL_CLICK),
       (700, E.EVENT_TYPE_EMAIL_SENT), (820, E.EVENT_TYPE_EMAIL_DELIVERED),
       (850, E.EVENT_TYPE_EMAIL_DEFERRED), (900, E.EVENT_TYPE_EMAIL_BOUNCE),
       (915, E.EVENT_TYPE_EMAIL_COMPLAINT), (945, E.EVENT_TYPE_EMAIL_REPLY),
       (975, E.EVENT_TYPE_EMAIL_UNSUBSCRIBE), (985, E.EVENT_TYPE_ACCOUNT_HEALTH_UPDATE),
       (1000, E.EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE)]  # fmt: skip
# Columns the clock sets, not the events.
CLOCK = ["updated_at", "ingested_at"]
START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
CHILD = """
import gc, pickle, sys, time
from emailtrack.common.consuming import PoisonPart
from emailtrack.common.db import make_engine
from services.analytics.config import AnalyticsConfig
from services.analytics.consumer import EventIngestHandler, decode_record
from services.analytics.store import AnalyticsStore

url, path, per_poll = sys.argv[1], sys.argv[2], int(sys.argv[3])
values = pickle.loads(open(path, "rb").read())
best = None
for _ in range(3):
    started = time.process_time()
    decoded = [decode_record(value) for value in values]
    spent = time.process_time() - started
    best = spent if best is None else min(best, spent)
items = [[i for i in d if not isinstance(i, PoisonPart)] for d in decoded]
writers = AnalyticsConfig.from_env().ingest_writers
handler = EventIngestHandler(AnalyticsStore(make_engine(url), retention_days=3650, writers=writers))
handler.handle([])  # connects
gc.freeze()  # as the service does once built
print(best, flush=True)
sys.stdin.readline()
started = time.process_time()
for first in range(0, len(items), per_poll):
    handler.handle([item for record in items[first:first + per_poll] for item in record])
print(time.process_time() - started, flush=True)
"""


def engagement(event: E.Event, n: int) -> None:
    eng = event.engagement
    source, agent = SOURCES[n * 7 % len(SOURCES)]
    eng.classification.source, eng.classification.agent = source, agent
    eng.classification.machine_probability = (n % 20) / 20
    eng.classification.reasons.extend(["ua_mail_client", "asn_residential"][: n % 3])
    client = eng.client
    client.email_client, client.device, client.os, client.browser, client.country = CLIENTS[
        n % len(CLIENTS)
    ]
    eng.first, eng.duplicate = n % 7 == 0, n % 23 == 0
    eng.hit_id, eng.client_ip = f"h{n:020d}", f"198.51.100.{n % 250}"
    eng.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605"
    if event.type == E.EVENT_TYPE_EMAIL_CLICK:
        eng.link_url, eng.link_index = f"https://shop.example.com/p/{n % 9}?utm=x", n % 9


def delivery(event: E.Event, n: int) -> None:
    d = event.delivery
    d.address, d.source = f"r{n % 5000}@example.org", "smtp"
    if event.type == E.EVENT_TYPE_EMAIL_BOUNCE:
        d.bounce_type = cast(E.BounceType, 1 + n % 2)
        d.reason, d.smtp_code, d.enhanced_status = REASONS[n % len(REASONS)], "550", "5.1.1"
        d.diagnostic = "550 5.1.1 <r@example.org>: Recipient address rejected: User unknown"
    elif event.type == E.EVENT_TYPE_EMAIL_COMPLAINT:
        d.feedback_type = "abuse"


def mixed_event(n: int) -> E.Event:
    """Event ``n`` of the stream; the same ``n`` always gives the same event."""
    kind = next(t for bound, t in MIX if (n * 2654435761) % 1000 < bound)
    tenant, campaign = TENANTS[n % 5], f"camp-{n % 40}"
    recipient = f"r_{n // 3 % 5000:024d}"
    event = E.Event(event_id=f"0000-{n:012d}", type=kind, tenant_id=tenant, campaign_id=campaign,
                    message_id=f"<{campaign}.{recipient}@mail.example.com>",
                    recipient_id=recipient)  # fmt: skip
    # arriving at 3,000 events/s, one in ten about an earlier message (up to two days back)
    late = timedelta(seconds=(n * 7919) % 172_800) if n % 10 == 0 else timedelta(0)
    stamp = START + timedelta(microseconds=n * 333 + n * 4099 % 333) - late
    event.occurred_at.FromDatetime(stamp)
    event.trace.traceparent = f"00-{n:032x}-{n:016x}-01"
    if n % 4 == 0:
        event.sequence_step, event.variant = f"step-{n % 3}", "AB"[n % 2]
        event.mailbox = f"sender{n % 6}@brand.example.com"
    if kind in (E.EVENT_TYPE_EMAIL_OPEN, E.EVENT_TYPE_EMAIL_CLICK):
        engagement(event, n)
    elif kind == E.EVENT_TYPE_EMAIL_REPLY:
        event.reply.address, event.reply.matched_by = f"r{n}@example.org", "in_reply_to"
    elif kind == E.EVENT_TYPE_EMAIL_UNSUBSCRIBE:
        event.unsubscribe.address, event.unsubscribe.one_click = f"r{n}@example.org", True
    elif kind in (E.EVENT_TYPE_ACCOUNT_HEALTH_UPDATE, E.EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE):
        pass
    else:
        delivery(event, n)
    return event


def rare_events(index: int, n: int) -> list[E.Event]:
    """What a record carries now and then: a warmup, an event without a campaign, one that
    violates the contract (no tenant), and in some records an erasure or a campaign deletion."""
    warmup = mixed_event(n)
    warmup.type, warmup.warmup, warmup.mailbox = E.EVENT_TYPE_EMAIL_OPEN, True, "warm@x.example"
    unattributed = mixed_event(n + 1)
    unattributed.type, unattributed.campaign_id = E.EVENT_TYPE_EMAIL_BOUNCE, ""
    invalid = mixed_event(n + 2)
    invalid.tenant_id = ""
    rare = [warmup, unattributed, invalid]
    if index % 50 == 7:
        erase = E.Event(event_id=f"erase-{n}", type=E.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED,
                        tenant_id=TENANTS[1], recipient_id=f"r_{index:024d}")  # fmt: skip
        erase.occurred_at.FromDatetime(START)
        rare.append(erase)
    if index % 50 == 31:
        deletion = E.Event(event_id=f"del-{n}", type=E.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE,
                           tenant_id=TENANTS[2], campaign_id="camp-37")  # fmt: skip
        deletion.campaign_status.status = "deleted"
        deletion.occurred_at.FromDatetime(START + timedelta(minutes=1))
        rare.append(deletion)
    return rare


def mixed_records(events: int) -> list[bytes]:
    """The record values of the stream; every tenth record is delivered a second time."""
    values: list[bytes] = []
    for index, first in enumerate(range(0, events, PER_RECORD)):
        batch = [mixed_event(n) for n in range(first, min(first + PER_RECORD, events))]
        batch[-3:] = rare_events(index, events + 10 * index)
        values.append(E.EventBatch(events=batch).SerializeToString())
        if index % 10 == 9:
            values.append(values[index - 4])
    return values


def wal_position(url: str) -> int:
    """Where PostgreSQL inserts its next WAL record (bytes since the cluster's first)."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        row = conn.execute("SELECT pg_current_wal_insert_lsn() - '0/0'").fetchone()
    assert row is not None
    return int(row[0])


def run_tree(tree: Path, url: str, stream: Path, per_poll: int, postmaster: int) -> list[float]:
    """Decode and ingest CPU seconds of the tree's code, PostgreSQL's during ingestion, and
    the WAL bytes written meanwhile."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(stream), str(per_poll)],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree), "EMAILTRACK_LOG_LEVEL": "WARNING"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    decode = float(child.stdout.readline())
    wal_before = wal_position(url)
    db_before = server_cpu_seconds(postmaster)
    child.stdin.write("go\n")
    child.stdin.flush()
    ingest = float(child.stdout.readline())
    db = server_cpu_seconds(postmaster) - db_before
    wal = wal_position(url) - wal_before
    if child.wait() != 0:
        raise RuntimeError(f"the consumer of {tree} failed")
    return [decode, ingest, db, wal]


def table_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows (partitions through their parent), all columns but the clock's."""
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "AND c.relname <> 'alembic_version' ORDER BY 1")]  # fmt: skip
        dumped = {}
        for table in tables:
            columns = [name for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND column_name <> ALL(%s) ORDER BY ordinal_position", (table, CLOCK)
            )]  # fmt: skip
            listed = ", ".join(f'"{c}"' for c in columns)
            query = f"SELECT {listed} FROM {table} ORDER BY {listed}"
            dumped[table] = conn.execute(query).fetchall()
    return dumped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--records-per-poll", type=int, default=10)
    parser.add_argument("--reference-tree", type=Path, help="another checkout, e.g. main's")
    args = parser.parse_args()
    trees = {"this tree": ROOT}
    if args.reference_tree:
        trees["reference"] = args.reference_tree.resolve()
    values = mixed_records(args.events)
    events = sum(len(E.EventBatch.FromString(v).events) for v in values)
    figures: dict[str, list[list[float]]] = {name: [] for name in trees}
    differences = 0
    with tempfile.TemporaryDirectory() as tmp:
        stream = Path(tmp) / "stream.pickle"
        stream.write_bytes(pickle.dumps(values))
        pg = EmbeddedPostgres(Path(tmp) / "pg", free_port())
        pg.start()
        try:
            assert pg.process is not None
            for round_ in range(args.rounds):
                urls = {}
                names = list(trees) if round_ % 2 == 0 else list(reversed(trees))
                for name in names:
                    urls[name] = pg.database_url(f"anl_cpu_{uuid.uuid4().hex[:8]}")
                    ensure_database(urls[name])
                    migrate(urls[name], trees[name] / "services" / "analytics" / "migrations")
                    measured = run_tree(
                        trees[name], urls[name], stream, args.records_per_poll, pg.process.pid
                    )
                    *seconds, wal = measured
                    figures[name].append([s / events * 1e6 for s in seconds] + [wal / events])
                if len(urls) == 2:
                    mine, theirs = table_rows(urls["this tree"]), table_rows(urls["reference"])
                    for table in sorted(mine.keys() | theirs.keys()):
                        if mine.get(table) != theirs.get(table):
                            differences += 1
                            print(f"round {round_}: table {table} differs")
                    rows = sum(map(len, mine.values()))
                    print(f"round {round_}: {len(mine)} tables, {rows:,} rows compared")
        finally:
            pg.stop()
    print(f"\n{events:,} events in {len(values)} records; µs CPU per event, median of rounds")
    print(f"{'tree':<12}{'decode':>10}{'ingest':>10}{'PostgreSQL':>12}{'WAL bytes':>11}")
    for name, rounds in figures.items():
        medians = [statistics.median(r[i] for r in rounds) for i in range(4)]
        print(
            f"{name:<12}"
            + "".join(f"{m:>10.2f}" for m in medians[:2])
            + f"{medians[2]:>12.2f}{medians[3]:>11.0f}"
        )
    if "reference" in figures:
        ratios = [
            statistics.median(
                m[i] / r[i] for m, r in zip(figures["this tree"], figures["reference"], strict=True)
            )
            for i in range(4)
        ]
        print(
            "this/ref    "
            + "".join(f"{r:>10.2f}" for r in ratios[:2])
            + f"{ratios[2]:>12.2f}{ratios[3]:>11.2f}"
        )
        print("stored rows identical" if not differences else f"{differences} table(s) differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
