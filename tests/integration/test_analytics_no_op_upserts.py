"""The ingestion statement rewrites no rollup row that an event leaves unchanged (a no-op update
writes a row version all the same): per-recipient totals for a delivery, message attributes
already set, source-mask rows for a pair whose mask is the same. Each row's ``xmin`` (the
transaction that wrote its version) tells whether a later batch rewrote it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emailtrack.common.db import make_engine
from emailtrack.v1 import events_pb2 as E
from services.analytics.codec import EventRow
from services.analytics.domain import HUMAN, PROXY, Metric
from services.analytics.store import AnalyticsStore

pytestmark = pytest.mark.integration

AT = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
LINK = "https://example.com/a"
# (table, the rows of this message's pair that only an engagement of a new kind changes)
WATCHED = {
    "recipient_engagement": "recipient_id = 'r'",
    "message_attributes": "message_id = 'm'",
    "campaign_counters": f"metric IN ({Metric.OPEN_MASK}, {Metric.CLICK_MASK})",
    "campaign_links": f"metric = {Metric.CLICK_MASK}",
}


def event(event_id: str, kind: int, seconds: int, source: int = HUMAN) -> EventRow:
    link = (LINK, 0) if kind == E.EVENT_TYPE_EMAIL_CLICK else ("", -1)
    return EventRow(
        event_id,
        kind,
        AT + timedelta(seconds=seconds),
        "t",
        "c",
        "m",
        "r",
        sequence_step="s1",
        variant="A",
        source=source,
        link_url=link[0],
        link_index=link[1],
        mailbox="from@example.com",
    )


def versions(store: AnalyticsStore) -> dict[str, list[tuple[object, ...]]]:
    """The watched rows with the transaction that wrote each."""
    with store.connection() as conn:
        return {
            table: conn.execute(
                f"SELECT xmin::text, * FROM {table} WHERE {where} ORDER BY 2, 3, 4, 5, 6"
            ).fetchall()
            for table, where in WATCHED.items()
        }


def test_events_that_change_no_rollup_row_write_no_row_version(fresh_database) -> None:
    store = AnalyticsStore(make_engine(fresh_database("analytics")))
    first = [
        event("e1", E.EVENT_TYPE_EMAIL_SENT, 0),
        event("e2", E.EVENT_TYPE_EMAIL_OPEN, 60),
        event("e3", E.EVENT_TYPE_EMAIL_CLICK, 70),
    ]
    assert store.ingest(first) == 3
    before = versions(store)
    assert all(before.values())

    # a delivery (no open, click or new message), a second human open and click (same masks)
    same = [
        event("e4", E.EVENT_TYPE_EMAIL_DELIVERED, 5),
        event("e5", E.EVENT_TYPE_EMAIL_OPEN, 90),
        event("e6", E.EVENT_TYPE_EMAIL_CLICK, 95),
    ]
    assert store.ingest(same) == 3
    after = versions(store)
    assert after["message_attributes"] == before["message_attributes"]
    assert after["campaign_counters"] == before["campaign_counters"]
    assert after["campaign_links"] == before["campaign_links"]
    opens_clicks = [row[3:6] for row in after["recipient_engagement"]]
    assert opens_clicks == [(2, 2, 2)]  # opens, clicks, human opens counted

    store.ingest([event("e7", E.EVENT_TYPE_EMAIL_DELIVERED, 6)])
    assert versions(store)["recipient_engagement"] == after["recipient_engagement"]

    # a proxy open changes the open mask: the mask rows move (old mask -1, new mask +1)
    store.ingest([event("e8", E.EVENT_TYPE_EMAIL_OPEN, 100, source=PROXY)])
    counters = {row[1:]: row[0] for row in versions(store)["campaign_counters"]}
    masks = {key[2:4]: key[4] for key in counters}
    assert masks == {
        (Metric.OPEN_MASK, 1 << HUMAN): 0,
        (Metric.OPEN_MASK, 1 << HUMAN | 1 << PROXY): 1,
        (Metric.CLICK_MASK, 1 << HUMAN): 1,
    }
    store.engine.dispose()
