"""The public payload: every published type validates against docs/webhooks.schema.json and
carries the fields a receiver needs (bounce type and reason, machine verdict and label)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from emailtrack.v1 import events_pb2
from services.webhooks.domain.events import PUBLIC_TYPES, public_event_id
from services.webhooks.domain.payload import build_payload

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "docs" / "webhooks.schema.json").read_text()
)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def event_of(kind: events_pb2.EventType) -> events_pb2.Event:
    event = events_pb2.Event(
        event_id=f"ev-{kind}", tenant_id="t1", type=kind, campaign_id="c", message_id="m",
        recipient_id="r",
    )  # fmt: skip
    event.occurred_at.FromSeconds(1_780_000_000)
    if kind in (events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK):
        event.engagement.classification.source = events_pb2.HIT_SOURCE_SECURITY_SCANNER
        event.engagement.classification.agent = "microsoft_safe_links"
        event.engagement.classification.machine_probability = 0.97
        event.engagement.link_url = "https://example.com/a"
    elif kind == events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE:
        event.unsubscribe.address = "a@example.com"
        event.unsubscribe.one_click = True
    elif kind == events_pb2.EVENT_TYPE_EMAIL_REPLY:
        event.reply.address = "a@example.com"
        event.reply.matched_by = "in_reply_to"
    elif kind == events_pb2.EVENT_TYPE_RECIPIENT_SUPPRESSION_CHANGE:
        event.suppression.address = "a@example.com"
        event.suppression.status = "suppressed"
        event.suppression.reason = "hard_bounce"
    else:
        event.delivery.address = "a@example.com"
        event.delivery.bounce_type = events_pb2.BOUNCE_TYPE_HARD
        event.delivery.reason = "user_unknown"
        event.delivery.feedback_type = "abuse"
        event.delivery.source = "dsn"
    return event


@pytest.mark.parametrize("kind", sorted(PUBLIC_TYPES))
def test_every_public_type_validates(kind: events_pb2.EventType) -> None:
    payload = build_payload(event_of(kind))
    VALIDATOR.validate(json.loads(json.dumps(payload)))
    assert payload["data"]["event_id"] == public_event_id(event_of(kind))
    assert payload["timestamp"].startswith("2026-05-28T")


def test_bounce_and_click_details() -> None:
    bounced = build_payload(event_of(events_pb2.EVENT_TYPE_EMAIL_BOUNCE))
    assert bounced["type"] == "email.bounced"
    assert (bounced["data"]["bounce_type"], bounced["data"]["reason"]) == ("hard", "user_unknown")
    clicked = build_payload(event_of(events_pb2.EVENT_TYPE_EMAIL_CLICK))["data"]
    assert clicked["machine"] is True
    assert (clicked["source"], clicked["label"]) == ("security_scanner", "microsoft_safe_links")
    assert clicked["url"] == "https://example.com/a"


def test_schema_rejects_a_bounce_without_its_type() -> None:
    payload = build_payload(event_of(events_pb2.EVENT_TYPE_EMAIL_BOUNCE))
    del payload["data"]["bounce_type"]
    assert not VALIDATOR.is_valid(payload)
