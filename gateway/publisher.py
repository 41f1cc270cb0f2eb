"""Hands hits to Kafka without ever making a request wait: requests append to a bounded
buffer; a background thread sends them as RawHitBatch records (many hits per record)."""

from __future__ import annotations

import logging
import threading
from collections import deque

from kafka import KafkaProducer
from kafka.errors import KafkaError

from emailtrack.common import metrics
from emailtrack.common.kafka_io import context_from_trace, trace_headers
from emailtrack.common.topics import RAW_HITS
from emailtrack.v1 import events_pb2

log = logging.getLogger(__name__)

DROPPED_HITS = metrics.Counter(
    "emailtrack_gateway_dropped_hits_total", "Hits dropped because the buffer was full"
)
BUFFERED_HITS = metrics.Gauge("emailtrack_gateway_buffered_hits", "Hits waiting for Kafka")


class HitPublisher:
    def __init__(
        self,
        producer: KafkaProducer,
        *,
        max_buffered: int,
        flush_interval_s: float,
        max_batch: int,
    ) -> None:
        self.producer = producer
        self.max_buffered = max_buffered
        self.flush_interval_s = flush_interval_s
        self.max_batch = max_batch
        self._buffer: deque[events_pb2.RawHit] = deque()
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._kafka_ok = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hit-publisher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, hit: events_pb2.RawHit) -> bool:
        """Queues a hit; never blocks. Returns False when the buffer is full."""
        if len(self._buffer) >= self.max_buffered:
            DROPPED_HITS.inc()
            return False
        self._buffer.append(hit)
        if len(self._buffer) >= self.max_batch:
            self._wakeup.set()
        return True

    def _take_batch(self) -> list[events_pb2.RawHit]:
        batch: list[events_pb2.RawHit] = []
        while self._buffer and len(batch) < self.max_batch:
            batch.append(self._buffer.popleft())
        return batch

    def _wait_for_metadata(self) -> None:
        """Blocks (in the publisher thread) until the raw-hits topic's metadata is known."""
        while not self._stopping.is_set():
            try:
                self.producer.partitions_for(RAW_HITS)
            except KafkaError as exc:
                log.warning("no Kafka metadata for %s yet: %s", RAW_HITS, exc)
                continue
            self._kafka_ok.set()
            return

    def _run(self) -> None:
        self._wait_for_metadata()
        while True:
            self._wakeup.wait(self.flush_interval_s)
            self._wakeup.clear()
            stopping = self._stopping.is_set()
            while batch := self._take_batch():
                self._send(batch)
            BUFFERED_HITS.set(len(self._buffer))
            if stopping:
                self.producer.flush(timeout=10)
                return

    def _send(self, batch: list[events_pb2.RawHit]) -> None:
        record = events_pb2.RawHitBatch(hits=batch).SerializeToString()
        headers = trace_headers(context_from_trace(batch[0].trace))
        try:
            future = self.producer.send(RAW_HITS, value=record, headers=headers)
            future.add_callback(self._on_sent)
            future.add_errback(self._on_error, len(batch))
            metrics.KAFKA_PRODUCED.labels(RAW_HITS).inc(len(batch))
        except KafkaError as exc:
            self._on_error(exc, len(batch))

    def _on_sent(self, _metadata: object) -> None:
        self._kafka_ok.set()

    def _on_error(self, exc: BaseException, count: int) -> None:
        self._kafka_ok.clear()
        metrics.KAFKA_PRODUCE_ERRORS.labels(RAW_HITS).inc()
        log.error("failed to produce %d hits: %s", count, exc)

    def connected(self) -> bool:
        """True once the topic's metadata was fetched and while the last send succeeded."""
        return self._kafka_ok.is_set()

    def close(self) -> None:
        """Sends everything still buffered, then stops."""
        self._stopping.set()
        self._wakeup.set()
        self._thread.join(timeout=15)
        self.producer.close(timeout=5)
