"""Recording outcomes: store each new one and publish it as a delivery event, in one step
(publishing happens inside the store transaction; see store.py). A webhook's events that could
not be mapped go to the dead-letter topic, each alone, in that same step."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from kafka import KafkaProducer

from emailtrack.common import metrics, topics
from emailtrack.common.kafka_io import current_trace, publish_events, trace_headers
from emailtrack.v1 import events_pb2
from services.bounce.codec import event_of
from services.bounce.domain.outcomes import Outcome, without_nul
from services.bounce.store import OutcomeStore, Recorded
from services.bounce.webhooks.common import RejectedEvent
from services.bounce.webhooks.freshness import Nonce

DEAD_LETTER_GROUP = "bounce-webhooks"
RETENTION_CHECK_EVERY = timedelta(hours=1)
RETENTION_BATCH = 50_000


class OutcomeRecorder:
    """Stores outcomes not seen before and publishes them on the delivery topic, keyed by
    recipient id (one EventBatch record per recipient)."""

    def __init__(
        self, store: OutcomeStore, producer: KafkaProducer, retention: timedelta | None = None
    ) -> None:
        self.store = store
        self.producer = producer
        self.retention = retention
        self._retention_checked = datetime.min.replace(tzinfo=UTC)

    def _apply_retention(self) -> None:
        """At most hourly, deletes outcomes recorded before the retention period (bounded)."""
        now = datetime.now(UTC)
        if self.retention is None or now - self._retention_checked < RETENTION_CHECK_EVERY:
            return
        self._retention_checked = now
        self.store.delete_recorded_before(now - self.retention, limit=RETENTION_BATCH)

    def _publish(self, outcomes: list[Outcome]) -> None:
        trace = current_trace()
        by_recipient: dict[str, list[events_pb2.Event]] = defaultdict(list)
        for outcome in outcomes:
            event = event_of(outcome, trace)
            by_recipient[event.recipient_id].append(event)
        for recipient_id, events in by_recipient.items():
            publish_events(self.producer, topics.DELIVERY_EVENTS, events, recipient_id.encode())

    def _dead_letter(self, source: str, tenant_id: str, rejected: Sequence[RejectedEvent]) -> None:
        failed_at = datetime.now(UTC)
        futures = []
        for event in rejected:
            letter = events_pb2.DeadLetter(
                source_topic=f"{topics.WEBHOOK_SOURCE_PREFIX}{source}",
                source_offset=event.index,
                key=tenant_id.encode(),
                value=event.raw,
                error=event.error,
                consumer_group=DEAD_LETTER_GROUP,
            )
            letter.failed_at.FromDatetime(failed_at)
            futures.append(
                self.producer.send(
                    topics.DEAD_LETTER,
                    key=tenant_id.encode(),
                    value=letter.SerializeToString(),
                    headers=trace_headers(),
                )
            )
        for future in futures:
            future.get(timeout=30)
        metrics.DEAD_LETTERS.labels(DEAD_LETTER_GROUP).inc(len(futures))

    def record(
        self,
        outcomes: Sequence[Outcome],
        rejected: Sequence[RejectedEvent] = (),
        nonce: Nonce | None = None,
        source: str = "",
        tenant_id: str = "",
    ) -> Recorded:
        """Records the new outcomes; with a webhook's ``rejected`` events (dead-lettered,
        ``source`` = provider) and ``nonce`` (claimed: ReplayedRequest if already used)."""
        if not outcomes and not rejected and nonce is None:
            return Recorded(0, 0)

        def publish(new: list[Outcome]) -> None:
            self._publish(new)
            if rejected:
                self._dead_letter(source, tenant_id, rejected)

        recorded = self.store.record([without_nul(o) for o in outcomes], publish, nonce)
        self._apply_retention()
        return Recorded(recorded.accepted, recorded.duplicates, len(rejected))
