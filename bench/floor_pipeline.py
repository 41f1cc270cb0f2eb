"""The thinnest pipeline the platform's parts allow, for bench/e2e_floor.py: the same card
packages doing only what every stage must do, nothing of the platform's own work.

- ``gateway``: an ASGI app on granian (2 workers, as the gateway) that answers the GIF and
  hands each hit's path to a thread that sends what gathered as one Kafka record every 50 ms
  (the gateway's flush interval) with kafka-python: no token, no protobuf, no spool.
- ``forward`` (the tracking edge's floor): a kafka-python consumer that turns every polled
  batch of hit records into one event record, flushed before the offsets are committed
  (at-least-once): no classification, no history, no PostgreSQL.
- ``sink`` (analytics' floor): a consumer that COPYs each polled batch's events into a
  staging table and inserts the new ones into a table with a unique id (idempotent), commits
  the transaction, then the offsets: no rollups.

``python floor_pipeline.py forward|sink BOOTSTRAP [DATABASE_URL]`` runs a consumer role; the
``gateway`` factory reads ``FLOOR_BOOTSTRAP``.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from kafka import KafkaConsumer, KafkaProducer

from gateway.tracking.app import PIXEL_GIF, PIXEL_HEADERS

HITS_TOPIC = "floor.hits.v1"
EVENTS_TOPIC = "floor.events.v1"
FLUSH_INTERVAL_S = 0.05
POLL_TIMEOUT_MS = 500
TABLE = """
CREATE TABLE IF NOT EXISTS floor_events (event_id text PRIMARY KEY, payload text NOT NULL);
"""
STAGING = """
CREATE TEMP TABLE IF NOT EXISTS floor_staging (event_id text, payload text)
ON COMMIT DELETE ROWS;
"""
APPLY = """
INSERT INTO floor_events SELECT DISTINCT ON (event_id) event_id, payload FROM floor_staging
ORDER BY event_id ON CONFLICT DO NOTHING
"""

_ASGI_HEADERS = [(name.encode(), value.encode()) for name, value in PIXEL_HEADERS]
_START = {"type": "http.response.start", "status": 200, "headers": _ASGI_HEADERS}
_BODY = {"type": "http.response.body", "body": PIXEL_GIF}


class FloorGateway:
    """Answers every request with the GIF; a thread sends the gathered hits every 50 ms."""

    def __init__(self, bootstrap: str) -> None:
        self.producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=10)
        self.buffer: list[bytes] = []
        self.ids = itertools.count()
        self.prefix = f"{os.getpid()}-".encode()
        self.stop = threading.Event()
        self.sender = threading.Thread(target=self._send_loop, daemon=True)

    def _send_batch(self) -> None:
        batch, self.buffer = self.buffer, []
        if batch:
            self.producer.send(HITS_TOPIC, b"\n".join(batch))

    def _send_loop(self) -> None:
        while not self.stop.wait(FLUSH_INTERVAL_S):
            self._send_batch()
        self._send_batch()
        self.producer.flush()

    async def __call__(
        self,
        scope: dict[str, Any],
        receive: Callable[[], Awaitable[dict[str, Any]]],
        send: Callable[[dict[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] == "http":
            self.buffer.append(
                self.prefix + str(next(self.ids)).encode() + b" " + scope["raw_path"]
            )
            await send(_START)
            await send(_BODY)
        elif scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self.sender.start()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    self.stop.set()
                    self.sender.join(timeout=10)
                    await send({"type": "lifespan.shutdown.complete"})
                    return


def gateway() -> FloorGateway:
    return FloorGateway(os.environ["FLOOR_BOOTSTRAP"])


def _consumer(bootstrap: str, group: str, topic: str) -> KafkaConsumer:
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=2000,
    )


def forward(bootstrap: str) -> None:
    consumer = _consumer(bootstrap, "floor-forward", HITS_TOPIC)
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    while True:
        polled = consumer.poll(timeout_ms=POLL_TIMEOUT_MS)
        values = [record.value for batch in polled.values() for record in batch]
        if not values:
            continue
        producer.send(EVENTS_TOPIC, b"\n".join(values))
        producer.flush()
        consumer.commit()


def sink(bootstrap: str, database_url: str) -> None:
    consumer = _consumer(bootstrap, "floor-sink", EVENTS_TOPIC)
    with psycopg.connect(database_url) as conn:
        conn.execute(TABLE)
        conn.execute(STAGING)
        conn.commit()
        while True:
            polled = consumer.poll(timeout_ms=POLL_TIMEOUT_MS)
            values = [record.value for batch in polled.values() for record in batch]
            if not values:
                continue
            with conn.cursor() as cur:
                with cur.copy("COPY floor_staging (event_id, payload) FROM STDIN") as copy:
                    for value in values:
                        for line in value.split(b"\n"):
                            event_id, _, path = line.partition(b" ")
                            copy.write_row((event_id.decode(), path.decode()))
                cur.execute(APPLY)
            conn.commit()
            consumer.commit()


if __name__ == "__main__":
    role, bootstrap, *rest = sys.argv[1:]
    if role == "forward":
        forward(bootstrap)
    else:
        sink(bootstrap, rest[0])
