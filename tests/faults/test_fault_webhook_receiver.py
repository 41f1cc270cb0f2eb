"""Outbound webhooks survive the receiver dying mid-delivery: the real webhooks service sends
to a receiver running as a process of its own (tests/faults/receiver_process.py: independent
signature check, an event is logged durably before it is acknowledged), which is SIGKILLed
while requests are in flight and started again on the same port a few seconds later. The
receiver's log then holds exactly the published events after de-duplication, and the
database one delivered row per event."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import make_engine
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.platform.ports import free_port, wait_for_port
from services.webhooks.signing import SecretBox
from services.webhooks.store.endpoints import EndpointStore
from tests.faults.test_fault_webhooks import (
    ROOT,
    delivered_events,
    processes,
    publish_delivered,
    service_env,
    start,
    wait_until,
)

pytestmark = pytest.mark.faults
__all__ = ["processes"]  # the fixture, shared with the service-kill test
EVENTS = 200
DOWN_S = 3.0


def start_receiver(port: int, secret: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.faults.receiver_process", str(port), secret,
               str(log), "0.2"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    wait_for_port(port, 30, process=process)
    return process


def logged(log: Path) -> Counter[str]:
    if not log.exists():
        return Counter()
    return Counter(line for line in log.read_text().splitlines() if line)


def test_receiver_killed_mid_delivery_misses_nothing(
    kafka_bootstrap: str,
    fresh_database: Any,
    scratch_dir: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    ensure_topics(KafkaSettings(kafka_bootstrap, 6000))
    database_url = fresh_database("webhooks")
    secrets_key = os.urandom(32)
    engine = make_engine(database_url)
    tenant = "rcvfault-" + uuid.uuid4().hex[:8]
    port, log = free_port(), scratch_dir / f"received-{tenant}.log"
    _, secret = EndpointStore(engine, SecretBox(secrets_key)).create(
        tenant, f"http://127.0.0.1:{port}/hooks", [], False, "receiver fault test"
    )
    receiver = start_receiver(port, secret, log)
    processes.append(receiver)
    env = service_env(database_url, kafka_bootstrap, secrets_key)
    processes.append(start(env, scratch_dir / f"webhooks-{tenant}.log"))
    events = delivered_events(tenant, EVENTS)
    publish_delivered(kafka_bootstrap, events, "receiver-fault-test")
    wait_until(lambda: len(logged(log)) >= EVENTS // 5, 90)
    os.killpg(receiver.pid, signal.SIGKILL)  # requests in flight (0.2 s each) are cut
    receiver.wait(timeout=10)
    cut_at = len(logged(log))
    assert cut_at < EVENTS
    time.sleep(DOWN_S)  # attempts meanwhile are refused connections, retried with backoff
    processes.append(start_receiver(port, secret, log))
    wait_until(lambda: len(logged(log)) >= EVENTS, 180)
    time.sleep(2)  # anything still in flight would show up as an extra line
    seen = logged(log)
    assert set(seen) == {e.event_id for e in events}
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM deliveries GROUP BY status")).all()
        refused = conn.execute(
            text("SELECT count(*) FROM attempts WHERE status_code = 0 AND error <> ''")
        ).scalar_one()
    assert dict(rows) == {"delivered": EVENTS}
    assert refused > 0  # the service did try while the receiver was dead
    repeats = sum(n - 1 for n in seen.values())
    print(f"receiver killed after {cut_at} events; {refused} failed attempts; {repeats} repeats")
    engine.dispose()
