"""The kafka-python consumer example of docs/events.md, run as written (only the broker
address, group and a stop after 30 idle seconds changed) against the real broker: it prints
the bounce this test publishes."""

from __future__ import annotations

import contextlib
import io
import re
import uuid
from datetime import UTC, datetime

import pytest

from emailtrack import eventdocs
from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics, make_producer, publish_events
from emailtrack.v1 import events_pb2

pytestmark = pytest.mark.integration


def example_code() -> str:
    text = eventdocs.OUTPUT.read_text()
    (code,) = re.findall(r"## Consuming with kafka-python\n\n```python\n(.*?)```", text, re.S)
    return code


def test_documented_consumer_reads_a_published_bounce(kafka_bootstrap: str) -> None:
    ensure_topics(KafkaSettings(kafka_bootstrap, 6000))
    event_id = f"contract-{uuid.uuid4().hex}"
    event = events_pb2.Event(
        event_id=event_id, tenant_id="contract", type=events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
        delivery=events_pb2.DeliveryPayload(address="gone@example.org", reason="user_unknown"),
    )  # fmt: skip
    event.occurred_at.FromDatetime(datetime.now(UTC))
    producer = make_producer(KafkaSettings(kafka_bootstrap, 6000), "contract-test")
    publish_events(producer, topics.DELIVERY_EVENTS, [event], None)
    producer.close()
    code = example_code()
    stop_when_idle = 'auto_offset_reset="earliest", consumer_timeout_ms=30000,'
    for documented, actual in (
        ('"localhost:9092"', repr(kafka_bootstrap)),
        ('"my-crm-sync"', repr(f"contract-{uuid.uuid4().hex[:8]}")),
        ('auto_offset_reset="earliest",', stop_when_idle),
    ):
        assert documented in code
        code = code.replace(documented, actual)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "docs/events.md", "exec"), {})
    assert f"{event_id} gone@example.org user_unknown" in printed.getvalue()
