"""Concurrent ingestion writers on a real PostgreSQL: a large batch split by campaign between
transactions writes exactly what one transaction writes, shared per-recipient and per-tenant
rows included; a redelivered batch adds nothing, and a batch retried after one of its
transactions failed adds exactly what that transaction would have."""

from __future__ import annotations

import random

import psycopg
import pytest

from emailtrack.common.db import make_engine
from emailtrack.v1 import events_pb2
from services.analytics.codec import EventRow, decode_event
from services.analytics.store import AnalyticsStore, campaign_groups
from tests.integration.test_analytics_truth import generate_campaign, snapshot

pytestmark = pytest.mark.integration


def state(store: AnalyticsStore) -> dict[str, list[tuple]]:
    tables = snapshot(store)
    with store.connection() as conn:
        for table in ("tenant_usage_days", "message_attributes"):
            tables[table] = sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
    return tables


def test_writers_split_by_campaign_write_what_one_writer_writes(fresh_database) -> None:
    # Three campaigns sent to the same recipients: per-recipient totals are shared rows.
    campaigns = ("w-a", "w-b", "w-c")
    events = [e for n, c in enumerate(campaigns) for e in generate_campaign(c, 400, seed=n)]
    rows = [row for row in map(decode_event, events) if isinstance(row, EventRow)]
    random.Random(5).shuffle(rows)
    assert len(campaign_groups(rows, 2)) == 2
    one = AnalyticsStore(make_engine(fresh_database("analytics")))
    two = AnalyticsStore(make_engine(fresh_database("analytics")), writers=2)

    # One campaign's transaction fails (PostgreSQL rejects a NUL character), the others commit.
    poisoned = [
        row._replace(agent="\x00") if row.campaign_id == "w-c" and row.event_type == 1 else row
        for row in rows
    ]
    with pytest.raises(psycopg.DataError):
        two.ingest(poisoned)
    assert one.ingest(rows) == len(rows)
    failed = next(g for g in campaign_groups(rows, 2) if any(r.campaign_id == "w-c" for r in g))
    assert two.ingest(rows) == len(failed) < len(rows)
    assert two.ingest(rows[::-1]) == 0
    assert state(two) == state(one)
    with two.connection() as conn:
        shared = conn.execute(
            "SELECT count(*) FROM recipient_engagement WHERE messages = 3"
        ).fetchone()
    assert shared == (400,)
    one.engine.dispose()
    two.engine.dispose()


def test_a_nul_character_is_stored_replaced_not_failing_the_batch(fresh_database) -> None:
    event = events_pb2.Event(
        event_id="nul-1",
        type=events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        tenant_id="t-nul",
        campaign_id="camp\x00aign",
        message_id="m1",
        recipient_id="r1",
    )
    event.occurred_at.GetCurrentTime()
    event.delivery.reason = "550 5.1.1 user\x00unknown"
    row = decode_event(event)
    assert isinstance(row, EventRow)
    assert (row.campaign_id, row.reason) == ("camp\ufffdaign", "550 5.1.1 user\ufffdunknown")
    store = AnalyticsStore(make_engine(fresh_database("analytics")))
    assert store.ingest([row]) == 1
    store.engine.dispose()
