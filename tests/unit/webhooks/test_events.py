"""Endpoint filters: names, qualifiers (hard/soft bounces, human/machine hits), warmup."""

from __future__ import annotations

import pytest

from emailtrack.v1 import events_pb2
from services.webhooks.domain.events import InvalidFilter, matches, normalise_filter


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
