"""Outbound webhooks survive their own process being killed mid-delivery and a receiver that
fails for a while: the real ``python -m services.webhooks`` process (real PostgreSQL, broker,
HTTP receiver verifying signatures independently) is SIGKILLed while requests are in flight,
the receiver answers 503 meanwhile, and after a restart every event arrives: exactly the
published set after de-duplication on the event id, every delivery row delivered once."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import make_engine
from emailtrack.common.kafka_io import ensure_topics, make_producer, publish_events
from emailtrack.platform.components import grpc_serving
from emailtrack.platform.ports import free_port
from emailtrack.v1 import events_pb2
from services.webhooks.signing import SecretBox
from services.webhooks.store.endpoints import EndpointStore
from tests.webhook_receiver import Receiver, running_receiver

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
SERVICE_KEY = "fault-test-service-key-0123456789abcdef"
EVENTS = 300


def service_env(database_url: str, bootstrap: str, secrets_key: bytes) -> dict[str, str]:
    digest = hashlib.sha256(SERVICE_KEY.encode()).hexdigest()
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "EMAILTRACK_DATABASE_URL": database_url,
        "EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "EMAILTRACK_KAFKA_SESSION_TIMEOUT_MS": "6000",
        "EMAILTRACK_GRPC_PORT": str(free_port()),
        "EMAILTRACK_METRICS_PORT": str(free_port()),
        "EMAILTRACK_BIND_HOST": "127.0.0.1",
        "EMAILTRACK_SERVICE_KEY": SERVICE_KEY,
        "EMAILTRACK_SERVICE_KEYS": f"test:admin+read+internal:{digest}",
        "EMAILTRACK_WEBHOOKS_SECRETS_KEY": base64.b64encode(secrets_key).decode(),
        "EMAILTRACK_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
        "EMAILTRACK_WEBHOOKS_TIMEOUT_SECONDS": "2",
        "EMAILTRACK_WEBHOOKS_LEASE_SECONDS": "3",
        "EMAILTRACK_WEBHOOKS_FIRST_RETRY_SECONDS": "1",
        "EMAILTRACK_WEBHOOKS_PER_ENDPOINT": "8",
    }


def start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.webhooks"], env=env, stdout=out,
            stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while not grpc_serving(int(env["EMAILTRACK_GRPC_PORT"])):
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "webhooks service did not start"
        time.sleep(0.2)
    return process


def delivered_events(tenant: str, count: int) -> list[events_pb2.Event]:
    """``count`` email.delivered events of ``tenant``, one per recipient, stamped now."""
    events = []
    for i in range(count):
        event = events_pb2.Event(
            event_id=f"{tenant}-{i}", tenant_id=tenant, recipient_id=f"r{i}",
            type=events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
            delivery=events_pb2.DeliveryPayload(address=f"u{i}@example.com", source="smtp"),
        )  # fmt: skip
        event.occurred_at.FromDatetime(datetime.now(UTC))
        events.append(event)
    return events


def publish_delivered(bootstrap: str, events: list[events_pb2.Event], client_id: str) -> None:
    """Publishes ``events`` on the delivery topic, 50 to a record, and waits for the broker."""
    producer = make_producer(KafkaSettings(bootstrap, 6000), client_id)
    for at in range(0, len(events), 50):
        publish_events(producer, topics.DELIVERY_EVENTS, events[at : at + 50], None)
    producer.close()


def wait_until(predicate: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_kill_mid_delivery_and_failing_receiver_lose_nothing(
    kafka_bootstrap: str,
    fresh_database: Any,
    scratch_dir: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    ensure_topics(KafkaSettings(kafka_bootstrap, 6000))
    database_url = fresh_database("webhooks")
    secrets_key = os.urandom(32)
    engine = make_engine(database_url)
    tenant = "fault-" + uuid.uuid4().hex[:8]
    log = scratch_dir / f"webhooks-{tenant}.log"
    receiver: Receiver
    with running_receiver([]) as (receiver, url):
        _, secret = EndpointStore(engine, SecretBox(secrets_key)).create(
            tenant, url, [], False, "fault test"
        )
        receiver.secrets.append(secret)
        receiver.delay_s = 0.2  # requests stay in flight long enough to be cut
        env = service_env(database_url, kafka_bootstrap, secrets_key)
        processes.append(start(env, log))
        events = delivered_events(tenant, EVENTS)
        publish_delivered(kafka_bootstrap, events, "fault-test")
        wait_until(lambda: len(receiver.events) >= EVENTS // 5, 90)
        os.killpg(processes[0].pid, signal.SIGKILL)  # mid-delivery: requests in flight
        processes[0].wait(timeout=10)
        cut_at = len(receiver.events)
        assert cut_at < EVENTS
        receiver.fail_status = 503
        processes.append(start(env, log))
        wait_until(lambda: receiver.requests > cut_at + 5, 60)
        time.sleep(2)
        receiver.fail_status = 0
        wait_until(lambda: len(receiver.events) >= EVENTS, 180)
        time.sleep(2)  # anything still in flight would show up as an extra event
        assert set(receiver.events) == {e.event_id for e in events}
        assert receiver.bad_signatures == 0
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT status, count(*) FROM deliveries GROUP BY status")
            ).all()
            failed_attempts = conn.execute(
                text("SELECT count(*) FROM attempts WHERE status_code = 503")
            ).scalar_one()
        assert dict(rows) == {"delivered": EVENTS}
        assert failed_attempts > 0
        duplicates = sum(n - 1 for n in receiver.seen.values())
        print(f"cut after {cut_at} events; {duplicates} duplicate requests absorbed")
    engine.dispose()
