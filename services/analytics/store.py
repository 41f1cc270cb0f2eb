"""Analytics storage: the events table and the campaign statistics queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

from emailtrack.v1 import events_pb2

INSERT_EVENT = text(
    """
    INSERT INTO events (event_id, event_type, occurred_at, tenant_id, campaign_id, message_id,
                        recipient_id, source, first, link_url)
    VALUES (:event_id, :event_type, :occurred_at, :tenant_id, :campaign_id, :message_id,
            :recipient_id, :source, :first, :link_url)
    ON CONFLICT (event_id) DO NOTHING
    """
)


@dataclass(frozen=True)
class EventRow:
    event_id: str
    event_type: int
    occurred_at: datetime
    tenant_id: str
    campaign_id: str
    message_id: str
    recipient_id: str
    source: int
    first: bool
    link_url: str


@dataclass(frozen=True)
class CampaignCounts:
    sent: int
    opens_total: int
    opens_unique: int
    human_opens_unique: int
    clicks_total: int
    clicks_unique: int
    human_clicks_unique: int


class AnalyticsStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def insert_events(self, rows: Sequence[EventRow]) -> None:
        """Inserts rows in one transaction; events already stored are ignored."""
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(INSERT_EVENT, [row.__dict__ for row in rows])

    def campaign_counts(self, tenant_id: str, campaign_id: str) -> CampaignCounts:
        human = events_pb2.HIT_SOURCE_HUMAN
        query = text(
            """
            SELECT
              count(*) FILTER (WHERE event_type = :sent) AS sent,
              count(*) FILTER (WHERE event_type = :open) AS opens_total,
              count(DISTINCT message_id || '/' || recipient_id)
                FILTER (WHERE event_type = :open) AS opens_unique,
              count(DISTINCT message_id || '/' || recipient_id)
                FILTER (WHERE event_type = :open AND source = :human) AS human_opens_unique,
              count(*) FILTER (WHERE event_type = :click) AS clicks_total,
              count(DISTINCT message_id || '/' || recipient_id)
                FILTER (WHERE event_type = :click) AS clicks_unique,
              count(DISTINCT message_id || '/' || recipient_id)
                FILTER (WHERE event_type = :click AND source = :human) AS human_clicks_unique
            FROM events WHERE tenant_id = :tenant AND campaign_id = :campaign
            """
        )
        with self.engine.connect() as conn:
            row = conn.execute(
                query,
                {
                    "tenant": tenant_id,
                    "campaign": campaign_id,
                    "sent": events_pb2.EVENT_TYPE_EMAIL_SENT,
                    "open": events_pb2.EVENT_TYPE_EMAIL_OPEN,
                    "click": events_pb2.EVENT_TYPE_EMAIL_CLICK,
                    "human": human,
                },
            ).one()
        return CampaignCounts(**row._asdict())
