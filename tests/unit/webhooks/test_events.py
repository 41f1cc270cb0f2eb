"""Endpoint filters: names, qualifiers (hard/soft bounces, human/machine hits), warmup."""

from __future__ import annotations

import pytest

from emailtrack.v1 import events_pb2
from services.webhooks.domain.events import (
    InvalidFilter,
    matches,
    normalise_filter,
    public_event_id,
)


def bounce(kind: events_pb2.BounceType) -> events_pb2.Event:
    return events_pb2.Event(
        event_id="e1",
        tenant_id="t",
        type=events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        delivery=events_pb2.DeliveryPayload(bounce_type=kind, reason="user_unknown"),
    )


def hit(kind: events_pb2.EventType, source: events_pb2.HitSource) -> events_pb2.Event:
    classification = events_pb2.Classification(source=source, agent="apple_mpp")
    return events_pb2.Event(
        event_id="e2",
        tenant_id="t",
        type=kind,
        engagement=events_pb2.EngagementPayload(classification=classification),
    )


def test_filter_is_normalised_and_validated() -> None:
    assert normalise_filter([" Bounced:HARD", "opened", "opened"]) == ["bounced:hard", "opened"]
    with pytest.raises(InvalidFilter):
        normalise_filter(["sent"])
    with pytest.raises(InvalidFilter):
        normalise_filter(["delivered:hard"])
    with pytest.raises(InvalidFilter):
        normalise_filter(["bounced:human"])


def test_empty_filter_takes_every_published_event_but_not_internal_ones() -> None:
    assert matches([], bounce(events_pb2.BOUNCE_TYPE_SOFT))
    internal = events_pb2.Event(
        event_id="e", tenant_id="t", type=events_pb2.EVENT_TYPE_CAMPAIGN_STATUS_CHANGE
    )
    assert not matches([], internal)
    warmup = bounce(events_pb2.BOUNCE_TYPE_HARD)
    warmup.warmup = True
    assert not matches([], warmup)
    reload = hit(events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.HIT_SOURCE_HUMAN)
    assert matches([], reload)
    reload.engagement.duplicate = True
    assert not matches([], reload)


def test_bounce_qualifiers() -> None:
    assert matches(["bounced:hard"], bounce(events_pb2.BOUNCE_TYPE_HARD))
    assert not matches(["bounced:hard"], bounce(events_pb2.BOUNCE_TYPE_SOFT))
    assert matches(["bounced"], bounce(events_pb2.BOUNCE_TYPE_SOFT))
    assert not matches(["delivered"], bounce(events_pb2.BOUNCE_TYPE_SOFT))


def test_machine_verdict_qualifiers() -> None:
    proxy = hit(events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.HIT_SOURCE_PRIVACY_PROXY)
    human = hit(events_pb2.EVENT_TYPE_EMAIL_CLICK, events_pb2.HIT_SOURCE_HUMAN)
    assert matches(["opened:machine"], proxy)
    assert not matches(["opened:human"], proxy)
    assert matches(["clicked:human"], human)
    assert not matches(["clicked:machine", "opened"], human)


def outcome(
    kind: events_pb2.EventType,
    event_id: str,
    tenant_id: str = "t",
    message_id: str = "m1",
    recipient_id: str = "r1",
) -> events_pb2.Event:
    return events_pb2.Event(
        event_id=event_id,
        type=kind,
        tenant_id=tenant_id,
        message_id=message_id,
        recipient_id=recipient_id,
    )


@pytest.mark.parametrize(
    "kind",
    [
        events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
        events_pb2.EVENT_TYPE_EMAIL_COMPLAINT,
    ],
)
def test_an_outcome_reported_twice_has_one_public_id(kind: events_pb2.EventType) -> None:
    first, second = outcome(kind, "from-dsn"), outcome(kind, "from-mark-failed")
    assert public_event_id(first) == public_event_id(second) != first.event_id
    assert public_event_id(first).startswith("evt_")
    assert public_event_id(outcome(kind, "x", recipient_id="r2")) != public_event_id(first)
    assert public_event_id(outcome(kind, "x", message_id="m2")) != public_event_id(first)
    assert public_event_id(outcome(kind, "x", tenant_id="u")) != public_event_id(first)


def test_other_events_and_unknown_messages_keep_their_own_id() -> None:
    bounce_of_unknown_message = outcome(events_pb2.EVENT_TYPE_EMAIL_BOUNCE, "b1", message_id="")
    assert public_event_id(bounce_of_unknown_message) == "b1"
    kinds = (events_pb2.EVENT_TYPE_EMAIL_DEFERRED, events_pb2.EVENT_TYPE_EMAIL_OPEN)
    for kind in kinds:
        assert public_event_id(outcome(kind, "own")) == "own"
    bounce = outcome(events_pb2.EVENT_TYPE_EMAIL_BOUNCE, "b2")
    delivered = outcome(events_pb2.EVENT_TYPE_EMAIL_DELIVERED, "d2")
    assert public_event_id(bounce) != public_event_id(delivered)
