"""Kafka topic names and the protobuf message each one carries."""

from __future__ import annotations

RAW_HITS = "emailtrack.hits.raw.v1"
ENGAGEMENT_EVENTS = "emailtrack.events.engagement.v1"
DELIVERY_EVENTS = "emailtrack.events.delivery.v1"
RECIPIENT_EVENTS = "emailtrack.events.recipient.v1"
DEAD_LETTER = "emailtrack.deadletter.v1"
# Source of dead letters that are ESP webhook events (the bounce service sets
# "webhook:<provider>"): they came from no topic, so they are listed, never re-driven.
WEBHOOK_SOURCE_PREFIX = "webhook:"

ALL_TOPICS: dict[str, str] = {
    RAW_HITS: "RawHitBatch",
    ENGAGEMENT_EVENTS: "EventBatch",
    DELIVERY_EVENTS: "EventBatch",
    RECIPIENT_EVENTS: "EventBatch",
    DEAD_LETTER: "DeadLetter",
}
