"""Queries behind segment (step / variant), reply-time, mailbox, warmup and usage figures:
per-(message, recipient) facts in ``firsts`` joined with the message attributes, so the
result does not depend on the order in which events (and their attributes) arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.analytics.domain import Metric
from services.analytics.store import AnalyticsStore

# Grouping expressions per segment dimension (constants, never user input).
SEGMENT_KEYS = {
    "step": ("coalesce(a.sequence_step, '')", "''"),
    "variant": ("''", "coalesce(a.variant, '')"),
    "step_variant": ("coalesce(a.sequence_step, '')", "coalesce(a.variant, '')"),
}
JOIN = (
    "FROM firsts f LEFT JOIN message_attributes a ON a.tenant_id = f.tenant_id "
    "AND a.campaign_id = f.campaign_id AND a.message_id = f.message_id"
)


@dataclass(frozen=True)
class ReplyTiming:
    replies: int
    first_reply_at: datetime | None
    median_seconds: float


class SegmentStore:
    def __init__(self, store: AnalyticsStore) -> None:
        self.store = store

    def segment_pairs(
        self, tenant_id: str, campaign_id: str, dimension: str, step: str | None = None
    ) -> list[tuple[str, str, int, int, int, int]]:
        """(step, variant, kind, source mask, pairs, hits) rows of the campaign."""
        step_key, variant_key = SEGMENT_KEYS[dimension]
        with self.store.connection() as conn:
            rows = conn.execute(
                f"SELECT {step_key}, {variant_key}, f.kind, f.sources, count(*), sum(f.hits) "
                f"{JOIN} WHERE f.tenant_id = %(t)s AND f.campaign_id = %(c)s "
                "AND f.link_index = -1 AND f.link_url = '' "
                "AND (%(s)s::text IS NULL OR coalesce(a.sequence_step, '') = %(s)s) "
                "GROUP BY 1, 2, 3, 4",
                {"t": tenant_id, "c": campaign_id, "s": step},
            ).fetchall()
        return [tuple(r) for r in rows]

    def reply_timing(
        self, tenant_id: str, campaign_id: str, dimension: str | None = None
    ) -> dict[tuple[str, str], ReplyTiming]:
        """Reply pairs, first reply time and median send-to-first-reply seconds, per segment
        (one ("", "") entry for the whole campaign when ``dimension`` is None)."""
        step_key, variant_key = SEGMENT_KEYS[dimension] if dimension else ("''", "''")
        with self.store.connection() as conn:
            rows = conn.execute(
                f"SELECT {step_key}, {variant_key}, count(*), min(f.first_at), "
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
                "f.first_at - s.first_at)) "
                f"{JOIN} LEFT JOIN firsts s ON s.tenant_id = f.tenant_id "
                "AND s.campaign_id = f.campaign_id AND s.message_id = f.message_id "
                f"AND s.recipient_id = f.recipient_id AND s.kind = {Metric.SENT} "
                "AND s.link_index = -1 AND s.first_at <= f.first_at "
                f"WHERE f.tenant_id = %s AND f.campaign_id = %s AND f.kind = {Metric.REPLY} "
                "GROUP BY 1, 2",
                (tenant_id, campaign_id),
            ).fetchall()
        return {
            (step, variant): ReplyTiming(n, first, float(median or 0.0))
            for step, variant, n, first, median in rows
        }

    def campaign_reply_timings(
        self, tenant_id: str, campaign_ids: list[str], per_campaign: bool = True
    ) -> dict[str, ReplyTiming]:
        """``reply_timing`` of several whole campaigns in one query (a page of the list), by
        campaign id; or of all of them together, under "" (a tenant's summary)."""
        key = "f.campaign_id" if per_campaign else "''"
        with self.store.connection() as conn:
            rows = conn.execute(
                f"SELECT {key}, count(*), min(f.first_at), "
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM "
                "f.first_at - s.first_at)) "
                "FROM firsts f LEFT JOIN firsts s ON s.tenant_id = f.tenant_id "
                "AND s.campaign_id = f.campaign_id AND s.message_id = f.message_id "
                f"AND s.recipient_id = f.recipient_id AND s.kind = {Metric.SENT} "
                "AND s.link_index = -1 AND s.first_at <= f.first_at "
                "WHERE f.tenant_id = %s AND f.campaign_id = ANY(%s) "
                f"AND f.kind = {Metric.REPLY} GROUP BY 1",
                (tenant_id, campaign_ids),
            ).fetchall()
        return {
            campaign: ReplyTiming(n, first, float(median or 0.0))
            for campaign, n, first, median in rows
        }

    def mailbox_pairs(
        self, tenant_id: str, mailboxes: list[str]
    ) -> list[tuple[str, int, int, int]]:
        """(mailbox, kind, source mask, pairs) over every campaign of the tenant."""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT a.mailbox, f.kind, f.sources, count(*) FROM message_attributes a "
                "JOIN firsts f ON f.tenant_id = a.tenant_id AND f.campaign_id = a.campaign_id "
                "AND f.message_id = a.message_id AND f.link_index = -1 AND f.link_url = '' "
                "WHERE a.tenant_id = %s AND a.mailbox <> '' "
                "AND (cardinality(%s::text[]) = 0 OR a.mailbox = ANY(%s::text[])) "
                "GROUP BY 1, 2, 3",
                (tenant_id, mailboxes, mailboxes),
            ).fetchall()
        return [tuple(r) for r in rows]

    def warmup_days(self, tenant_id: str, mailbox: str, since: date) -> list[tuple[date, int, int]]:
        """(UTC day, event type, events) of one mailbox's warmup since ``since``."""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT (occurred_at AT TIME ZONE 'UTC')::date, event_type, count(*) "
                "FROM warmup_events WHERE tenant_id = %s AND mailbox = %s "
                "AND occurred_at >= %s::date GROUP BY 1, 2 ORDER BY 1",
                (tenant_id, mailbox, since),
            ).fetchall()
        return [tuple(r) for r in rows]

    def tracked_usage(self, tenant_id: str, start: date, end: date) -> tuple[int, int]:
        """(events, sent events) stored for the tenant on days in [start, end)."""
        with self.store.connection() as conn:
            row = conn.execute(
                "SELECT coalesce(sum(n), 0), "
                f"coalesce(sum(n) FILTER (WHERE metric = {Metric.SENT}), 0) "
                "FROM tenant_usage_days WHERE tenant_id = %s AND day >= %s AND day < %s",
                (tenant_id, start, end),
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)
