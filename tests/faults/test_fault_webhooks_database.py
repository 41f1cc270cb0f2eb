"""Outbound webhooks survive their database dying mid-delivery: the real
``python -m services.webhooks`` process runs on a PostgreSQL of its own (a separate embedded
server, durable commits as in production, so the shared test server is never touched), which
is SIGKILLed with all its backends while events are being consumed and requests are in
flight, then restarted on the same data. The real HTTP receiver (independent signature check)
ends up with exactly the published set of events after de-duplication on webhook-id, and the
database with exactly one delivered row per event."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.kafka_io import ensure_topics, make_producer, publish_events
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.v1 import events_pb2
from services.webhooks.signing import SecretBox
from services.webhooks.store.endpoints import EndpointStore
from tests.faults.test_fault_webhooks import ROOT, processes, service_env, start, wait_until
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.faults
__all__ = ["processes"]  # the fixture, shared with the service-kill test
EVENTS = 240
DOWN_S = 4.0


def kill_server(server: EmbeddedPostgres) -> None:
    """SIGKILL for the postmaster and every backend (its process group): a crash, no shutdown."""
    assert server.process is not None
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)


def test_database_killed_mid_delivery_loses_and_repeats_nothing(
    kafka_bootstrap: str, scratch_dir: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    ensure_topics(KafkaSettings(kafka_bootstrap, 6000))
    tenant = "dbfault-" + uuid.uuid4().hex[:8]
    data_dir = scratch_dir / f"pg-{tenant}" / "data"
    port = free_port()
    server = EmbeddedPostgres(data_dir, port, durable=True)
    server.start()
    try:
        database_url = server.database_url("webhooks")
        ensure_database(database_url)
        migrate(database_url, ROOT / "services" / "webhooks" / "migrations")
        secrets_key = os.urandom(32)
        engine = make_engine(database_url)
        with running_receiver([]) as (receiver, url):
            _, secret = EndpointStore(engine, SecretBox(secrets_key)).create(
                tenant, url, [], False, "database fault test"
            )
            receiver.secrets.append(secret)
            receiver.delay_s = 0.3  # requests stay in flight while the database dies
            env = service_env(database_url, kafka_bootstrap, secrets_key)
            processes.append(start(env, scratch_dir / f"webhooks-{tenant}.log"))
            events = []
            for i in range(EVENTS):
                event = events_pb2.Event(
                    event_id=f"{tenant}-{i}", tenant_id=tenant, recipient_id=f"r{i}",
                    type=events_pb2.EVENT_TYPE_EMAIL_OPEN,
                    engagement=events_pb2.EngagementPayload(link_index=i),
                )  # fmt: skip
                event.occurred_at.FromDatetime(datetime.now(UTC))
                events.append(event)
            producer = make_producer(KafkaSettings(kafka_bootstrap, 6000), "db-fault-test")
            half = EVENTS // 2
            for at in range(0, half, 20):
                publish_events(producer, topics.ENGAGEMENT_EVENTS, events[at : at + 20], None)
            producer.flush()
            wait_until(lambda: len(receiver.events) >= EVENTS // 6 and receiver.in_flight > 0, 90)
            kill_server(server)  # mid-delivery: requests in flight, their results not recorded
            cut_at = len(receiver.events)
            # the second half is published while the database is down: consumed only later
            for at in range(half, EVENTS, 20):
                publish_events(producer, topics.ENGAGEMENT_EVENTS, events[at : at + 20], None)
            producer.close()
            time.sleep(DOWN_S)
            assert cut_at < EVENTS
            server = EmbeddedPostgres(data_dir, port, durable=True)
            server.start()
            wait_until(lambda: len(receiver.events) >= EVENTS, 180)
            time.sleep(2)  # anything still in flight would show up as an extra event
            assert processes[0].poll() is None, "the service died with its database"
            assert set(receiver.events) == {e.event_id for e in events}
            assert receiver.bad_signatures == 0
            with engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT status, count(*) FROM deliveries GROUP BY status")
                ).all()
            assert dict(rows) == {"delivered": EVENTS}
            # the requests in flight at the kill could not be recorded: they were sent again
            duplicates = sum(n - 1 for n in receiver.seen.values())
            assert duplicates > 0
            print(f"database killed after {cut_at} events; {duplicates} repeats absorbed")
        engine.dispose()
    finally:
        for process in processes:  # the service before its database
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        server.stop()
