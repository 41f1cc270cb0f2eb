"""Analytics storage: owns the transactions of ingestion, partition maintenance and every
query. Dashboards read the rollups only; raw events serve exports and live updates."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from psycopg import Connection
from sqlalchemy import Engine

from emailtrack.common.db import raw_transaction
from services.analytics.codec import COLUMNS, CampaignDeletion, Erasure, EventRow, WarmupRow
from services.analytics.domain import MACHINE_BITS
from services.analytics.store import ingest, lifecycle, partitions, timeline

log = logging.getLogger(__name__)

SELECT_EVENTS = f"SELECT {', '.join(COLUMNS)} FROM events"
# Fewer events than this per writer are not worth another concurrent transaction.
MIN_ROWS_PER_WRITER = 1000


def campaign_groups(rows: Sequence[EventRow], writers: int) -> list[Sequence[EventRow]]:
    """``rows`` split into at most ``writers`` groups of whole campaigns, balanced by size:
    concurrent transactions then update disjoint campaign rows (the rows they share,
    per-recipient and per-tenant totals, are locked in key order at the end)."""
    count = min(writers, len(rows) // MIN_ROWS_PER_WRITER)
    if count < 2:
        return [rows] if rows else []
    by_campaign: dict[tuple[str, str], list[EventRow]] = {}
    for row in rows:
        by_campaign.setdefault((row.tenant_id, row.campaign_id), []).append(row)
    groups: list[list[EventRow]] = [[] for _ in range(min(count, len(by_campaign)))]
    for campaign_rows in sorted(by_campaign.values(), key=len, reverse=True):
        min(groups, key=len).extend(campaign_rows)
    return [group for group in groups if group]


@dataclass(frozen=True)
class Activity:
    campaign_id: str
    events: int
    first_event_at: datetime
    last_event_at: datetime
    version: int


@dataclass(frozen=True)
class RecipientTotals:
    opens: int
    clicks: int
    human_opens: int
    human_clicks: int
    messages: int
    last_engagement_at: datetime | None


class AnalyticsStore:
    def __init__(self, engine: Engine, retention_days: int = 400, writers: int = 1) -> None:
        self.engine = engine
        self.retention_days = retention_days
        self.writers = writers
        self._partitions: set[date] = set()
        self._pool = ThreadPoolExecutor(writers, "analytics-writer") if writers > 1 else None

    def connection(self) -> AbstractContextManager[Connection[tuple[Any, ...]]]:
        """A pooled psycopg connection in one transaction, committed on success."""
        return raw_transaction(self.engine)

    # -- writes ------------------------------------------------------------------------

    def ingest(
        self,
        rows: Sequence[EventRow],
        erasures: Sequence[Erasure] = (),
        deletions: Sequence[CampaignDeletion] = (),
        warmups: Sequence[WarmupRow] = (),
    ) -> int:
        """Writes a batch; returns how many events were new. Events older than the retention
        period (their partition is gone) are ignored. Campaign deletions (and warmups) are
        written first, so events of a deleted campaign in the same batch are dropped; then the
        events, with large batches split by campaign between concurrent transactions; then
        erasures. Every event is inserted with its rollup increments in one transaction, so
        when a write fails the caller retries the whole batch and nothing counts twice."""
        horizon = partitions.retention_horizon(datetime.now(UTC).date(), self.retention_days)
        days = partitions.days_of(row.occurred_at for row in rows)
        kept = rows
        if days and min(days) < horizon:
            kept = [row for row in rows if row.occurred_at.date() >= horizon]
            log.info("ignored %d events older than %s", len(rows) - len(kept), horizon)
            days = {day for day in days if day >= horizon}
        self._ensure_partitions(days)
        if deletions or warmups:
            with self.connection() as conn:
                if deletions:
                    lifecycle.delete_campaigns(conn, deletions)
                if warmups:
                    lifecycle.record_warmup(conn, warmups)
        groups = campaign_groups(kept, self.writers)
        if self._pool and len(groups) > 1:
            writes = [self._pool.submit(self._ingest_events, group) for group in groups]
            wait(writes)  # all finished, committed or not, before a failure is raised
            new = sum(write.result() for write in writes)
        else:
            new = sum(map(self._ingest_events, groups))
        if erasures:
            with self.connection() as conn:
                ingest.erase(conn, erasures)
        return new

    def _ingest_events(self, rows: Sequence[EventRow]) -> int:
        with self.connection() as conn:
            return ingest.ingest(conn, rows)

    def _ensure_partitions(self, days: set[date]) -> None:
        missing = days - self._partitions
        if not missing:
            return
        with self.connection() as conn:
            self._partitions = partitions.existing_partitions(conn)
            for day in sorted(missing - self._partitions):
                partitions.create_partition(conn, day)
        self._partitions |= missing

    def maintain(self, ahead_days: int, today: date | None = None) -> partitions.MaintenanceResult:
        with self.connection() as conn:
            result = partitions.maintain(
                conn, today or datetime.now(UTC).date(), self.retention_days, ahead_days
            )
        self._partitions = set()
        return result

    def truncate_all(self) -> None:
        """Empties every table (replay starts from nothing)."""
        with self.connection() as conn:
            conn.execute(
                "TRUNCATE events, firsts, campaign_counters, campaign_hours, campaign_minutes, "
                "campaign_links, campaign_breakdown, "
                "recipient_engagement, campaign_activity, erased_recipients, message_attributes, "
                "warmup_events, "
                "tenant_usage_days, deleted_campaigns"
            )

    # -- campaign queries -------------------------------------------------------------

    def counters(self, tenant_id: str, campaign_ids: Sequence[str]) -> dict[str, list[tuple]]:
        """(metric, source, n) rows per campaign."""
        result: dict[str, list[tuple]] = {c: [] for c in campaign_ids}
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT campaign_id, metric, source, n FROM campaign_counters "
                "WHERE tenant_id = %s AND campaign_id = ANY(%s)",
                (tenant_id, list(campaign_ids)),
            ).fetchall()
        for campaign_id, metric, source, n in rows:
            result[campaign_id].append((metric, source, n))
        return result

    def excluded_sources(self, tenant_id: str) -> int:
        """The source mask the tenant's filtered figures leave out (scanners and bots when
        the tenant set nothing)."""
        with self.connection() as conn:
            row = conn.execute(
                "SELECT excluded_sources FROM filter_settings WHERE tenant_id = %s", (tenant_id,)
            ).fetchone()
        return int(row[0]) if row is not None else MACHINE_BITS

    def set_excluded_sources(self, tenant_id: str, excluded: int) -> None:
        with self.connection() as conn:
            conn.execute(
                "INSERT INTO filter_settings (tenant_id, excluded_sources) VALUES (%s, %s) "
                "ON CONFLICT (tenant_id) DO UPDATE SET "
                "excluded_sources = EXCLUDED.excluded_sources, updated_at = now()",
                (tenant_id, excluded | MACHINE_BITS),
            )

    def activity(self, tenant_id: str, campaign_ids: Sequence[str]) -> dict[str, Activity]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT campaign_id, events, first_event_at, last_event_at, version "
                "FROM campaign_activity WHERE tenant_id = %s AND campaign_id = ANY(%s)",
                (tenant_id, list(campaign_ids)),
            ).fetchall()
        return {row[0]: Activity(*row) for row in rows}

    def list_campaigns(self, tenant_id: str, after: str, limit: int) -> list[Activity]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT campaign_id, events, first_event_at, last_event_at, version "
                "FROM campaign_activity WHERE tenant_id = %s AND campaign_id > %s "
                "ORDER BY campaign_id LIMIT %s",
                (tenant_id, after, limit),
            ).fetchall()
        return [Activity(*row) for row in rows]

    def timeline(
        self,
        tenant_id: str,
        campaign_id: str,
        bucket: str,
        time_zone: str,
        start: datetime | None,
        end: datetime | None,
    ) -> list[tuple]:
        """(bucket start in Unix seconds, *time_rollups.COLUMNS counts) rows in bucket order."""
        with self.connection() as conn:
            return timeline.timeline_rows(
                conn, tenant_id, campaign_id, bucket, time_zone, start, end, datetime.now(UTC)
            )

    def links(self, tenant_id: str, campaign_id: str) -> list[tuple[str, int, int, int, int]]:
        """(url, link index, metric, source, n) rows."""
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT link_url, link_index, metric, source, n FROM campaign_links "
                "WHERE tenant_id = %s AND campaign_id = %s",
                (tenant_id, campaign_id),
            ).fetchall()
        return [tuple(r) for r in rows]

    def breakdown(
        self, tenant_id: str, campaign_id: str, kind: int, dimension: int
    ) -> list[tuple[str, int]]:
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT value, n FROM campaign_breakdown WHERE tenant_id = %s "
                "AND campaign_id = %s AND kind = %s AND dimension = %s AND n > 0 "
                "ORDER BY n DESC, value",
                (tenant_id, campaign_id, kind, dimension),
            ).fetchall()
        return [(value, n) for value, n in rows]

    def events_since(
        self, tenant_id: str, campaign_id: str, since: datetime, limit: int
    ) -> list[tuple[EventRow, datetime]]:
        """Events ingested at or after ``since`` (with their ingestion time), oldest first."""
        with self.connection() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(COLUMNS)}, ingested_at FROM events "
                "WHERE tenant_id = %s AND campaign_id = %s AND ingested_at >= %s "
                "ORDER BY ingested_at, event_id LIMIT %s",
                (tenant_id, campaign_id, since, limit),
            ).fetchall()
        return [(EventRow(*row[:-1]), row[-1]) for row in rows]

    def latest_events(
        self, tenant_id: str, campaign_id: str, limit: int
    ) -> list[tuple[EventRow, datetime]]:
        """The ``limit`` events ingested last (with their ingestion time), oldest first."""
        with self.connection() as conn:
            rows = conn.execute(
                f"SELECT {', '.join(COLUMNS)}, ingested_at FROM events "
                "WHERE tenant_id = %s AND campaign_id = %s "
                "ORDER BY ingested_at DESC, event_id DESC LIMIT %s",
                (tenant_id, campaign_id, limit),
            ).fetchall()
        return [(EventRow(*row[:-1]), row[-1]) for row in reversed(rows)]

    # -- recipient queries ------------------------------------------------------------

    def recipient_totals(self, tenant_id: str, recipient_id: str) -> RecipientTotals | None:
        with self.connection() as conn:
            row = conn.execute(
                "SELECT opens, clicks, human_opens, human_clicks, messages, last_engagement_at "
                "FROM recipient_engagement WHERE tenant_id = %s AND recipient_id = %s",
                (tenant_id, recipient_id),
            ).fetchone()
        return RecipientTotals(*row) if row else None

    def recipient_events(self, tenant_id: str, recipient_id: str, limit: int) -> list[EventRow]:
        with self.connection() as conn:
            rows = conn.execute(
                f"{SELECT_EVENTS} WHERE tenant_id = %s AND recipient_id = %s "
                "ORDER BY occurred_at, event_id LIMIT %s",
                (tenant_id, recipient_id, limit),
            ).fetchall()
        return [EventRow(*row) for row in rows]
