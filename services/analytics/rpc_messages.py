"""AnalyticsService's per-message RPC: what happened to given (message, recipient) pairs of a
campaign, from their ``firsts`` rows (mixed into AnalyticsServicer)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from emailtrack.common.errors import InvalidArgument
from emailtrack.common.rpc import rpc
from emailtrack.v1 import analytics_pb2, events_pb2
from services.analytics.domain import Metric, pair_flags
from services.analytics.rpc_segments import require_ids
from services.analytics.store import AnalyticsStore
from services.analytics.store.message_pairs import PairFact, pair_facts

MAX_PAIRS = 1000
HARD_BIT = 1 << events_pb2.BOUNCE_TYPE_HARD
# kind -> the timestamp field of MessageEngagement set from the pair's first time
FIRST_TIMES: dict[int, str] = {
    Metric.SENT: "sent_at",
    Metric.DELIVERED: "delivered_at",
    Metric.HARD_BOUNCE: "bounced_at",
    Metric.COMPLAINT: "complained_at",
    Metric.UNSUBSCRIBE: "unsubscribed_at",
    Metric.REPLY: "first_reply_at",
}
HITS: dict[int, str] = {Metric.OPEN: "opens", Metric.CLICK: "clicks"}


def _set_time(stamp: Timestamp, at: datetime | None) -> None:
    if at is not None:
        stamp.FromDatetime(at)


def message_engagement(facts: Iterable[PairFact]) -> list[analytics_pb2.MessageEngagement]:
    """``firsts`` rows (ordered by pair) → one MessageEngagement per pair."""
    found: dict[tuple[str, str], analytics_pb2.MessageEngagement] = {}
    for fact in facts:
        key = (fact.message_id, fact.recipient_id)
        if key not in found:
            found[key] = analytics_pb2.MessageEngagement(
                message_id=fact.message_id, recipient_id=fact.recipient_id
            )
        pair = found[key]
        if fact.kind in HITS:
            hits = getattr(pair, HITS[fact.kind])
            hits.hits = fact.hits
            hits.human, hits.machine = pair_flags(fact.sources)
            _set_time(hits.first_at, fact.first_at)
        elif fact.kind in FIRST_TIMES:
            _set_time(getattr(pair, FIRST_TIMES[fact.kind]), fact.first_at)
            if fact.kind == Metric.REPLY:
                pair.replies = fact.hits
            if fact.kind == Metric.HARD_BOUNCE:
                hard = fact.sources & HARD_BIT
                pair.bounce_type = (
                    events_pb2.BOUNCE_TYPE_HARD if hard else events_pb2.BOUNCE_TYPE_SOFT
                )
    return list(found.values())


class MessageRpcs:
    store: AnalyticsStore

    @rpc
    def GetMessageEngagement(
        self, request: analytics_pb2.GetMessageEngagementRequest, context: grpc.ServicerContext
    ) -> analytics_pb2.GetMessageEngagementResponse:
        require_ids(tenant_id=request.tenant_id, campaign_id=request.campaign_id)
        if len(request.keys) > MAX_PAIRS:
            raise InvalidArgument(f"at most {MAX_PAIRS} keys per call, got {len(request.keys)}")
        keys = []
        for i, key in enumerate(request.keys):
            require_ids(**{f"keys[{i}].message_id": key.message_id})
            require_ids(**{f"keys[{i}].recipient_id": key.recipient_id})
            keys.append((key.message_id, key.recipient_id))
        facts = pair_facts(self.store, request.tenant_id, request.campaign_id, keys)
        return analytics_pb2.GetMessageEngagementResponse(messages=message_engagement(facts))
