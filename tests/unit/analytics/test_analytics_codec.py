"""Kafka events to stored rows and back; what analytics ignores or rejects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from emailtrack.common.consuming import InvalidMessage, PoisonPart, only_items
from emailtrack.v1 import events_pb2
from services.analytics.codec import Erasure, EventRow, InvalidEvent, decode_event, event_from_row
from services.analytics.consumer import decode_record

AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def event(kind: events_pb2.EventType, **fields: Any) -> events_pb2.Event:
    e = events_pb2.Event(
        event_id="e1",
        type=kind,
        tenant_id="t",
        campaign_id="c",
        message_id="m",
        recipient_id="r",
        **fields,
    )
    e.occurred_at.FromDatetime(AT)
    return e


def test_click_keeps_classification_client_and_link_but_no_ip_or_agent() -> None:
    click = event(events_pb2.EVENT_TYPE_EMAIL_CLICK)
    eng = click.engagement
    eng.classification.source = events_pb2.HIT_SOURCE_SECURITY_SCANNER
    eng.classification.agent = "microsoft_safe_links"
    eng.link_url, eng.link_index = "https://example.com", 2
    eng.client.country, eng.client.email_client = "fr", "Outlook"
    eng.client_ip, eng.user_agent = "192.0.2.1", "Mozilla"
    row = decode_event(click)
    assert isinstance(row, EventRow)
    assert (row.source, row.agent, row.link_url, row.link_index) == (
        events_pb2.HIT_SOURCE_SECURITY_SCANNER,
        "microsoft_safe_links",
        "https://example.com",
        2,
    )
    assert row.country == "FR" and row.occurred_at == AT
    assert "192.0.2.1" not in row and "Mozilla" not in row
    back = event_from_row(row)
    assert back.engagement.link_url == "https://example.com"
    assert back.engagement.classification.agent == "microsoft_safe_links"
    assert back.occurred_at == click.occurred_at and back.event_id == "e1"


def test_open_has_no_link_and_bounce_keeps_its_type() -> None:
    opened = event(events_pb2.EVENT_TYPE_EMAIL_OPEN)
    opened.engagement.link_url = "https://ignored.example"
    row = decode_event(opened)
    assert isinstance(row, EventRow) and row.link_url == "" and row.link_index == -1
    bounce = event(events_pb2.EVENT_TYPE_EMAIL_BOUNCE)
    bounce.delivery.bounce_type = events_pb2.BOUNCE_TYPE_HARD
    bounce.delivery.reason = "user_unknown"
    row = decode_event(bounce)
    assert isinstance(row, EventRow) and row.bounce_type == events_pb2.BOUNCE_TYPE_HARD
    assert event_from_row(row).delivery.reason == "user_unknown"


def test_erasure_and_ignored_types() -> None:
    erase = event(events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED)
    assert decode_event(erase) == Erasure("t", "r", AT)
    assert decode_event(event(events_pb2.EVENT_TYPE_ACCOUNT_HEALTH_UPDATE)) is None


@pytest.mark.parametrize("field", ["event_id", "tenant_id"])
def test_events_without_identifiers_are_invalid(field: str) -> None:
    e = event(events_pb2.EVENT_TYPE_EMAIL_SENT)
    e.ClearField(field)
    with pytest.raises(InvalidEvent):
        decode_event(e)


def test_events_without_a_campaign_are_skipped_not_dead_lettered() -> None:
    bounce = event(events_pb2.EVENT_TYPE_EMAIL_BOUNCE)
    bounce.ClearField("campaign_id")
    assert decode_event(bounce) is None


def test_poison_records() -> None:
    with pytest.raises(InvalidMessage):
        decode_record(b"\xff\xff not protobuf")
    good = events_pb2.EventBatch(events=[event(events_pb2.EVENT_TYPE_EMAIL_SENT)])
    assert len(decode_record(good.SerializeToString())) == 1


def test_an_invalid_event_is_poison_alone_and_its_batch_goes_on() -> None:
    bad = events_pb2.Event(event_id="x")  # no tenant
    sent, opened = event(events_pb2.EVENT_TYPE_EMAIL_SENT), event(events_pb2.EVENT_TYPE_EMAIL_OPEN)
    batch = events_pb2.EventBatch(events=[sent, bad, opened])
    decoded = decode_record(batch.SerializeToString())
    assert len(only_items(decoded)) == 2
    (poison,) = [part for part in decoded if isinstance(part, PoisonPart)]
    assert list(events_pb2.EventBatch.FromString(poison.value).events) == [bad]
    assert poison.error == "event without event_id or tenant_id"


def test_event_time_keeps_microseconds_and_a_time_out_of_range_is_invalid() -> None:
    sent = event(events_pb2.EVENT_TYPE_EMAIL_SENT)
    sent.occurred_at.nanos = 123_456_789
    row = decode_event(sent)
    assert isinstance(row, EventRow)
    assert (
        row.occurred_at
        == sent.occurred_at.ToDatetime(tzinfo=UTC)
        == AT.replace(microsecond=123_456)
    )
    sent.occurred_at.seconds = 10**15  # year ~31.7 million
    with pytest.raises(InvalidEvent):
        decode_event(sent)


@pytest.mark.parametrize(
    ("seconds", "nanos", "valid"),
    [
        (-62_135_596_800, 0, True),  # 0001-01-01, the first instant a Timestamp holds
        (253_402_300_799, 999_999_999, True),  # 9999-12-31 23:59:59.999999999
        (-62_135_596_801, 0, False),
        (253_402_300_800, 0, False),
        (1_700_000_000, -1, False),  # nanos out of [0, 1e9): not another instant
        (1_700_000_000, 1_000_000_000, False),
    ],
)
def test_event_time_at_the_edges_of_the_timestamp_range(
    seconds: int, nanos: int, valid: bool
) -> None:
    sent = event(events_pb2.EVENT_TYPE_EMAIL_SENT)
    sent.occurred_at.seconds, sent.occurred_at.nanos = seconds, nanos
    if not valid:
        with pytest.raises(InvalidEvent):
            decode_event(sent)
        return
    row = decode_event(sent)
    assert isinstance(row, EventRow)
    assert row.occurred_at == sent.occurred_at.ToDatetime(tzinfo=UTC)


def test_enum_values_a_smallint_cannot_hold_are_invalid() -> None:
    opened = event(events_pb2.EVENT_TYPE_EMAIL_OPEN)
    opened.engagement.classification.source = 40_000  # type: ignore[assignment]  # test data out of the enum's range on purpose
    with pytest.raises(InvalidEvent):
        decode_event(opened)
    bounce = event(events_pb2.EVENT_TYPE_EMAIL_BOUNCE)
    bounce.delivery.bounce_type = 9  # type: ignore[assignment]  # unknown but storable
    assert decode_event(bounce).bounce_type == 9  # type: ignore[union-attr]  # set up by the test itself
    bounce.delivery.bounce_type = -40_000  # type: ignore[assignment]  # test data out of the enum's range on purpose
    with pytest.raises(InvalidEvent):
        decode_event(bounce)
