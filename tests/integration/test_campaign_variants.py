"""Step and variant statistics and the variant significance test, from events ingested into a
real analytics database (attributes learnt from any event, whatever the arrival order)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc, events_pb2
from services.analytics.codec import EventRow
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from tests.grpc_credentials import TEST_AUTH, keyed_channel

pytestmark = pytest.mark.integration
SENT, OPEN, CLICK = (
    events_pb2.EVENT_TYPE_EMAIL_SENT,
    events_pb2.EVENT_TYPE_EMAIL_OPEN,
    events_pb2.EVENT_TYPE_EMAIL_CLICK,
)
HUMAN = events_pb2.HIT_SOURCE_HUMAN


@pytest.fixture
def service(fresh_database) -> Iterator[tuple]:
    engine = make_engine(fresh_database("analytics"))
    store = AnalyticsStore(engine, retention_days=30)
    server = start_server(
        [ServiceRegistration(AnalyticsServicer(store),
                             analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server, "a")],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )  # fmt: skip
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    yield store, analytics_pb2_grpc.AnalyticsServiceStub(channel)
    channel.close()
    server.stop(0)
    engine.dispose()


def rows_for(variant: str, step: str, recipients: int, clicks: int) -> list[EventRow]:
    """Every recipient is sent one message and opens; ``clicks`` of them click. The open
    carries no step/variant (as when the sender did not instrument them): attributes come
    from the sent event; the opens are ingested before the sends."""
    now = datetime.now(UTC)
    rows = []
    for n in range(recipients):
        message, recipient = f"{step}-{variant}-{n}", f"r-{variant}-{n}"
        rows.append(EventRow(f"o-{message}", OPEN, now, "acme", "c", message, recipient,
                             source=HUMAN))  # fmt: skip
        if n < clicks:
            click = EventRow(f"k-{message}", CLICK, now, "acme", "c", message, recipient)
            rows.append(click._replace(source=HUMAN, link_url="https://x.example", link_index=0))
        rows.append(EventRow(f"s-{message}", SENT, now - timedelta(minutes=5), "acme", "c",
                             message, recipient, sequence_step=step, variant=variant))  # fmt: skip
    return rows


def test_segments_and_significance(service) -> None:
    store, stub = service
    rows = rows_for("A", "s1", 400, 40) + rows_for("B", "s1", 400, 80) + rows_for("A", "s2", 50, 5)
    engagement = [r for r in rows if r.event_type != SENT]
    store.ingest(engagement)
    store.ingest([r for r in rows if r.event_type == SENT])
    store.ingest(rows)  # a replay changes nothing
    segments = stub.GetSegmentStats(analytics_pb2.GetSegmentStatsRequest(
        tenant_id="acme", campaign_id="c",
        dimension=analytics_pb2.SEGMENT_DIMENSION_STEP_AND_VARIANT)).segments  # fmt: skip
    found = {(s.sequence_step, s.variant): s.stats for s in segments}
    assert set(found) == {("s1", "A"), ("s1", "B"), ("s2", "A")}
    b = found[("s1", "B")]
    assert (b.sent, b.filtered_unique_clicks, b.opens.total.total) == (400, 80, 400)
    assert b.click_rate == pytest.approx(0.2)
    by_step = stub.GetSegmentStats(analytics_pb2.GetSegmentStatsRequest(
        tenant_id="acme", campaign_id="c",
        dimension=analytics_pb2.SEGMENT_DIMENSION_SEQUENCE_STEP)).segments  # fmt: skip
    assert {s.sequence_step: s.stats.sent for s in by_step} == {"s1": 800, "s2": 50}

    comparison = stub.GetVariantComparison(analytics_pb2.GetVariantComparisonRequest(
        tenant_id="acme", campaign_id="c", sequence_step="s1", baseline_variant="A"))  # fmt: skip
    assert [(v.variant, v.recipients, v.clicks) for v in comparison.variants] == [
        ("A", 400, 40), ("B", 400, 80)]  # fmt: skip
    by_metric = {c.metric: c for c in comparison.comparisons}
    click = by_metric["click"]
    assert click.significant and click.p_value < 0.001
    assert click.verdict.startswith("Variant B's click rate is higher than A's (p=")
    assert click.verdict.endswith("significant at 95%")
    opened = by_metric["open"]
    assert not opened.significant and "same open rate" in opened.verdict


def test_not_significant_yet_says_how_many_more(service) -> None:
    store, stub = service
    store.ingest(rows_for("A", "s1", 100, 10) + rows_for("B", "s1", 100, 14))
    comparison = stub.GetVariantComparison(
        analytics_pb2.GetVariantComparisonRequest(tenant_id="acme", campaign_id="c")
    )
    click = next(c for c in comparison.comparisons if c.metric == "click")
    assert not click.significant and click.more_recipients_needed > 500
    assert f"need ~{click.more_recipients_needed} more recipients" in click.verdict
