"""Recording outcomes: store each new one and publish it as a delivery event, in one step
(publishing happens inside the store transaction; see store.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from kafka import KafkaProducer

from emailtrack.common import topics
from emailtrack.common.kafka_io import current_trace, publish_events
from emailtrack.v1 import events_pb2
from services.bounce.codec import event_of
from services.bounce.domain.outcomes import Outcome, without_nul
from services.bounce.store import OutcomeStore, Recorded


class OutcomeRecorder:
    """Stores outcomes not seen before and publishes them on the delivery topic, keyed by
    recipient id (one EventBatch record per recipient)."""

    def __init__(self, store: OutcomeStore, producer: KafkaProducer) -> None:
        self.store = store
        self.producer = producer

    def _publish(self, outcomes: list[Outcome]) -> None:
        trace = current_trace()
        by_recipient: dict[str, list[events_pb2.Event]] = defaultdict(list)
        for outcome in outcomes:
            event = event_of(outcome, trace)
            by_recipient[event.recipient_id].append(event)
        for recipient_id, events in by_recipient.items():
            publish_events(self.producer, topics.DELIVERY_EVENTS, events, recipient_id.encode())

    def record(self, outcomes: Sequence[Outcome]) -> Recorded:
        if not outcomes:
            return Recorded(0, 0)
        return self.store.record([without_nul(o) for o in outcomes], self._publish)
