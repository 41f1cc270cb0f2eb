"""Two analytics writers of one campaign at the same time (two replicas, or the live consumer
and a replay) on a real PostgreSQL: they update the same rollup rows (firsts, counters,
minutes, hours, links, breakdowns, activity) and must never deadlock (each upsert locks its
rows in key order), and together they write exactly what one writer writes."""

from __future__ import annotations

import random
import threading

import psycopg
import pytest

from emailtrack.common.db import make_engine
from services.analytics.codec import EventRow, decode_event
from services.analytics.store import AnalyticsStore
from tests.integration.test_analytics_truth import generate_campaign, snapshot

pytestmark = pytest.mark.integration


def rows_of(seed: int) -> list[EventRow]:
    """One campaign's events: every seed sends to the same messages and recipients (so the
    rollup rows are shared) with event ids of its own."""
    events = generate_campaign("shared", 3000, seed=seed)
    rows = [row for row in map(decode_event, events) if isinstance(row, EventRow)]
    random.Random(seed).shuffle(rows)
    return rows


def batches(rows: list[EventRow], size: int) -> list[list[EventRow]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def deadlocks(store: AnalyticsStore) -> int:
    with store.connection() as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        row = conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def test_two_writers_of_one_campaign_never_deadlock(fresh_database) -> None:
    url = fresh_database("analytics")
    writers = [AnalyticsStore(make_engine(url)) for _ in range(2)]
    # Small batches against large ones: hash aggregates of different sizes emit the shared
    # groups in different orders (what made two writers lock rows in opposite orders).
    work = [batches(rows_of(1), 40), batches(rows_of(2), 2500)]
    before = deadlocks(writers[0])
    failures: list[BaseException] = []

    def write(store: AnalyticsStore, own: list[list[EventRow]]) -> None:
        for batch in own:
            try:
                store.ingest(batch)
            except psycopg.errors.DeadlockDetected as exc:
                failures.append(exc)

    threads = [
        threading.Thread(target=write, args=pair) for pair in zip(writers, work, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert failures == []
    assert deadlocks(writers[0]) == before

    one = AnalyticsStore(make_engine(fresh_database("analytics")))
    one.ingest([row for own in work for batch in own for row in batch])
    assert snapshot(writers[0]) == snapshot(one)
    for store in (*writers, one):
        store.engine.dispose()
