"""Published events: deterministic ids and payloads; paging tokens; settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emailtrack.common.config import ConfigError
from emailtrack.common.request_fields import InvalidRequest
from emailtrack.v1 import events_pb2
from services.recipient.config import RecipientSettings
from services.recipient.domain import paging
from services.recipient.domain.delivery import DeliveryStatus
from services.recipient.domain.events import (
    MessageFacts,
    delivery_event,
    erase_event,
    tracking_opt_out_event,
)

AT = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
MESSAGE = MessageFacts("t1", "m1", "c1", "step1", "B")


def test_delivery_event_ids_are_deterministic_per_message_recipient_and_type() -> None:
    sent = delivery_event(MESSAGE, "r_1", "a@example.com", DeliveryStatus.SENT, AT)
    again = delivery_event(MESSAGE, "r_1", "a@example.com", DeliveryStatus.SENT, datetime.now(UTC))
    delivered = delivery_event(MESSAGE, "r_1", "a@example.com", DeliveryStatus.DELIVERED, AT)
    other = delivery_event(MESSAGE, "r_2", "b@example.com", DeliveryStatus.SENT, AT)
    assert sent.event_id == again.event_id
    assert len({sent.event_id, delivered.event_id, other.event_id}) == 3
    assert sent.type == events_pb2.EVENT_TYPE_EMAIL_SENT
    assert (sent.campaign_id, sent.message_id, sent.recipient_id) == ("c1", "m1", "r_1")
    assert (sent.sequence_step, sent.variant) == ("step1", "B")


def test_failed_maps_to_bounce_with_its_type() -> None:
    failed = delivery_event(
        MESSAGE,
        "r_1",
        "a@example.com",
        DeliveryStatus.FAILED,
        AT,
        "user_unknown",
        events_pb2.BOUNCE_TYPE_HARD,
    )
    assert failed.type == events_pb2.EVENT_TYPE_EMAIL_BOUNCE
    assert failed.delivery.bounce_type == events_pb2.BOUNCE_TYPE_HARD
    assert failed.delivery.reason == "user_unknown"


def test_privacy_events() -> None:
    opt_out = tracking_opt_out_event("t1", "r_1", "a@example.com", True, AT)
    assert opt_out.type == events_pb2.EVENT_TYPE_RECIPIENT_TRACKING_OPT_OUT
    assert opt_out.privacy.tracking_opt_out
    erase = erase_event("t1", "r_1", AT)
    assert erase.type == events_pb2.EVENT_TYPE_RECIPIENT_ERASE_REQUESTED
    assert erase.WhichOneof("payload") is None
    assert erase.recipient_id == "r_1"


def test_paging_tokens_round_trip_and_reject_garbage() -> None:
    assert paging.decode_token(paging.encode_token("r_abc")) == "r_abc"
    assert paging.decode_token("") == ""
    assert paging.page_size(0) == paging.DEFAULT_PAGE_SIZE
    assert paging.page_size(10**6) == paging.MAX_PAGE_SIZE
    with pytest.raises(InvalidRequest):
        paging.decode_token("%%%")
    with pytest.raises(InvalidRequest):
        paging.page_size(-1)


def test_settings_from_environment() -> None:
    settings = RecipientSettings.from_env({"EMAILTRACK_RECIPIENT_RETENTION_DAYS": "30"})
    assert settings.retention_days == 30
    assert settings.rules().soft_bounces.threshold == 3
    with pytest.raises(ConfigError):
        RecipientSettings.from_env(
            {
                "EMAILTRACK_RECIPIENT_RETENTION_DAYS": "3",
                "EMAILTRACK_RECIPIENT_SOFT_BOUNCE_WINDOW_DAYS": "7",
            }
        )
