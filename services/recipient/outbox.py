"""Transactional outbox: events are written in the same transaction as the state change
they describe, and a relay thread publishes them to Kafka afterwards (at-least-once; the
deterministic event ids make a re-publication harmless)."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Sequence

from kafka import KafkaProducer
from sqlalchemy import Connection, Engine, text

from emailtrack.common import metrics
from emailtrack.common.kafka_io import context_from_trace, trace_headers
from emailtrack.v1 import events_pb2

log = logging.getLogger(__name__)

INSERT = text("INSERT INTO outbox (topic, key, batch) VALUES (:topic, :key, :batch)")
CLAIM = text(
    "SELECT id, topic, key, batch FROM outbox ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED"
)
DELETE = text("DELETE FROM outbox WHERE id = ANY(:ids)")


def enqueue(
    conn: Connection,
    topic: str,
    events: Sequence[events_pb2.Event],
    key_of: str = "recipient_id",
) -> None:
    """Adds ``events`` to the outbox, one EventBatch record per key (an Event field name)."""
    grouped: dict[str, list[events_pb2.Event]] = defaultdict(list)
    for event in events:
        grouped[getattr(event, key_of)].append(event)
    rows = [
        {
            "topic": topic,
            "key": key.encode() if key else None,
            "batch": events_pb2.EventBatch(events=group).SerializeToString(),
        }
        for key, group in grouped.items()
    ]
    if rows:
        conn.execute(INSERT, rows)


class OutboxRelay:
    """Publishes outbox rows in id order and deletes them once the broker has them."""

    def __init__(
        self, engine: Engine, producer: KafkaProducer, batch_rows: int = 500, idle_s: float = 0.2
    ) -> None:
        self.engine = engine
        self.producer = producer
        self.batch_rows = batch_rows
        self.idle_s = idle_s
        self._wake = threading.Event()

    def wake(self) -> None:
        """Called after a commit that enqueued events, so they leave without waiting."""
        self._wake.set()

    def publish_pending(self) -> int:
        """Publishes one batch of pending rows; returns how many were published."""
        with self.engine.begin() as conn:
            rows = conn.execute(CLAIM, {"limit": self.batch_rows}).all()
            if not rows:
                return 0
            futures = []
            for row in rows:
                batch = events_pb2.EventBatch.FromString(row.batch)
                trace = batch.events[0].trace if batch.events else events_pb2.TraceContext()
                futures.append(
                    self.producer.send(
                        row.topic,
                        key=row.key,
                        value=row.batch,
                        headers=trace_headers(context_from_trace(trace)),
                    )
                )
            for future, row in zip(futures, rows, strict=True):
                future.get(timeout=30)
                metrics.KAFKA_PRODUCED.labels(row.topic).inc()
            conn.execute(DELETE, {"ids": [row.id for row in rows]})
        return len(rows)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                if self.publish_pending():
                    continue
            except Exception:
                log.exception("outbox relay failed; retrying")
                stop.wait(1.0)
            self._wake.wait(self.idle_s)
