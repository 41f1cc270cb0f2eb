"""The delivery outbox: rows enqueued by the consumer (ON CONFLICT DO NOTHING on
(endpoint, event) absorbs redelivered records), claimed by the worker under a lease (FOR
UPDATE SKIP LOCKED, so replicas never claim the same row; a worker killed mid-delivery
loses only its lease), results with the attempt log and the endpoint's failing state,
listing and replay. ``wakeup`` is set when this process makes rows due (enqueue, replay),
so the worker of the same process claims them at once instead of at its next poll."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True)
class NewDelivery:
    endpoint_id: str
    tenant_id: str
    event_id: str
    event_type: str
    recipient_id: str
    payload: str
    occurred_at: datetime


@dataclass(frozen=True)
class Due:
    delivery_id: int
    endpoint_id: str
    url: str
    batch: bool
    event_id: str
    payload: str
    attempt_count: int
    first_attempt_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    """One attempt's result for a delivery; ``retry_at`` None means delivered or given up."""

    delivery_id: int
    endpoint_id: str
    ok: bool
    status_code: int
    latency_ms: int
    snippet: str
    error: str
    retry_at: datetime | None


@dataclass(frozen=True)
class AttemptRow:
    attempted_at: datetime
    status_code: int
    latency_ms: int
    snippet: str
    error: str


@dataclass(frozen=True)
class DeliveryRow:
    delivery_id: int
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempt_count: int
    occurred_at: datetime
    next_attempt_at: datetime
    attempts: list[AttemptRow]


class DeliveryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.wakeup = threading.Event()

    def enqueue(self, rows: Sequence[NewDelivery]) -> None:
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO deliveries (endpoint_id, tenant_id, event_id, event_type, "
                    "recipient_id, payload, occurred_at) VALUES (:endpoint_id, :tenant_id, "
                    ":event_id, :event_type, :recipient_id, :payload, :occurred_at) "
                    "ON CONFLICT (endpoint_id, event_id) DO NOTHING"
                ),
                [row.__dict__ for row in rows],
            )
        self.wakeup.set()

    def delete_settled(self, older_than: timedelta, chunk: int = 5000) -> int:
        """Deletes delivered and failed deliveries (with their attempts) created more than
        ``older_than`` ago, a chunk per transaction; returns how many."""
        deleted = 0
        while True:
            with self.engine.begin() as conn:
                count = conn.execute(
                    text(
                        "DELETE FROM deliveries WHERE delivery_id IN (SELECT delivery_id "
                        "FROM deliveries WHERE status <> 'pending' AND created_at < now() - :age "
                        "LIMIT :n)"
                    ),
                    {"age": older_than, "n": chunk},
                ).rowcount
            deleted += count
            if count < chunk:
                return deleted

    def erase_recipients(self, subjects: Sequence[tuple[str, str]]) -> None:
        """Deletes the deliveries (and their payloads) of erased recipients."""
        with self.engine.begin() as conn:
            for tenant_id, recipient_id in subjects:
                conn.execute(
                    text("DELETE FROM deliveries WHERE tenant_id = :t AND recipient_id = :r"),
                    {"t": tenant_id, "r": recipient_id},
                )

    def claim(
        self,
        limit: int,
        free_slots: dict[str, int],
        default_slots: int,
        batch_size: int,
        lease: timedelta,
    ) -> list[Due]:
        """Up to ``limit`` due deliveries of enabled endpoints, leased until now + ``lease``:
        per endpoint, at most ``free_slots[id]`` (else ``default_slots``) requests' worth
        (one delivery per request, ``batch_size`` in batch mode)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                text(
                    "SELECT d.delivery_id, d.endpoint_id, e.url, e.batch, d.event_id, "
                    "d.payload, d.attempt_count, d.first_attempt_at FROM deliveries d "
                    "JOIN endpoints e USING (endpoint_id) WHERE d.status = 'pending' "
                    "AND d.next_attempt_at <= now() AND e.enabled "
                    "ORDER BY d.next_attempt_at, d.delivery_id LIMIT :n "
                    "FOR UPDATE OF d SKIP LOCKED"
                ),
                {"n": limit},
            ).all()
            taken: list[Due] = []
            counts: dict[str, int] = {}
            for row in rows:
                due = Due(*row)
                slots = free_slots.get(due.endpoint_id, default_slots)
                room = slots * (batch_size if due.batch else 1)
                if counts.get(due.endpoint_id, 0) < room:
                    counts[due.endpoint_id] = counts.get(due.endpoint_id, 0) + 1
                    taken.append(due)
            if not taken:
                return []
            conn.execute(
                text(
                    "UPDATE deliveries SET next_attempt_at = now() + :l, "
                    "first_attempt_at = coalesce(first_attempt_at, now()) "
                    "WHERE delivery_id = ANY(:ids)"
                ),
                {"l": lease, "ids": [d.delivery_id for d in taken]},
            )
        return taken

    def record(self, outcomes: Sequence[Outcome], disable_after: timedelta) -> None:
        """Stores attempts and their effects; an endpoint failing for ``disable_after`` is
        disabled (its pending deliveries wait until it is enabled again)."""
        with self.engine.begin() as conn:
            for outcome in outcomes:
                self._record_one(conn, outcome)
            for endpoint_id, ok in {o.endpoint_id: o.ok for o in outcomes}.items():
                self._mark_endpoint(conn, endpoint_id, ok, disable_after)

    @staticmethod
    def _record_one(conn: Connection, outcome: Outcome) -> None:
        conn.execute(
            text(
                "INSERT INTO attempts (delivery_id, status_code, latency_ms, response_snippet, "
                "error) VALUES (:d, :s, :l, :r, :e)"
            ),
            {
                "d": outcome.delivery_id,
                "s": outcome.status_code,
                "l": outcome.latency_ms,
                "r": outcome.snippet,
                "e": outcome.error,
            },
        )
        if outcome.ok:
            status, next_at = DELIVERED, None
        elif outcome.retry_at is None:
            status, next_at = FAILED, None
        else:
            status, next_at = PENDING, outcome.retry_at
        conn.execute(
            text(
                "UPDATE deliveries SET status = :s, attempt_count = attempt_count + 1, "
                "next_attempt_at = coalesce(:n, next_attempt_at), "
                "delivered_at = CASE WHEN :s = 'delivered' THEN now() END "
                "WHERE delivery_id = :d"
            ),
            {"s": status, "n": next_at, "d": outcome.delivery_id},
        )

    @staticmethod
    def _mark_endpoint(conn: Connection, endpoint_id: str, ok: bool, limit: timedelta) -> None:
        if ok:
            conn.execute(
                text(
                    "UPDATE endpoints SET failing_since = NULL "
                    "WHERE endpoint_id = :i AND failing_since IS NOT NULL"
                ),
                {"i": endpoint_id},
            )
            return
        conn.execute(
            text(
                "UPDATE endpoints SET failing_since = coalesce(failing_since, now()) "
                "WHERE endpoint_id = :i"
            ),
            {"i": endpoint_id},
        )
        conn.execute(
            text(
                "UPDATE endpoints SET enabled = false, disabled_reason = :r, disabled_at = now() "
                "WHERE endpoint_id = :i AND enabled AND failing_since <= now() - :l"
            ),
            {"i": endpoint_id, "l": limit, "r": f"failing for more than {limit}"},
        )

    def log(
        self, tenant_id: str, endpoint_id: str, status: str, limit: int, before: int | None = None
    ) -> list[DeliveryRow]:
        """Newest first; ``before`` (a delivery id) continues a previous page."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT delivery_id, endpoint_id, event_id, event_type, status, "
                    "attempt_count, occurred_at, next_attempt_at FROM deliveries "
                    "WHERE tenant_id = :t AND (:e = '' OR endpoint_id = :e) "
                    "AND (:s = '' OR status = :s) "
                    "AND (CAST(:before AS bigint) IS NULL OR delivery_id < :before) "
                    "ORDER BY delivery_id DESC LIMIT :n"
                ),
                {"t": tenant_id, "e": endpoint_id, "s": status, "n": limit, "before": before},
            ).all()
            attempts: dict[int, list[AttemptRow]] = {r[0]: [] for r in rows}
            for a in conn.execute(
                text(
                    "SELECT delivery_id, attempted_at, status_code, latency_ms, "
                    "response_snippet, error FROM attempts WHERE delivery_id = ANY(:ids) "
                    "ORDER BY attempt_id"
                ),
                {"ids": list(attempts)},
            ):
                attempts[a[0]].append(AttemptRow(*a[1:]))
        return [
            DeliveryRow(
                delivery_id=r.delivery_id,
                endpoint_id=r.endpoint_id,
                event_id=r.event_id,
                event_type=r.event_type,
                status=r.status,
                attempt_count=r.attempt_count,
                occurred_at=r.occurred_at,
                next_attempt_at=r.next_attempt_at,
                attempts=attempts[r.delivery_id],
            )
            for r in rows
        ]

    def replay(
        self,
        tenant_id: str,
        endpoint_id: str,
        failed_only: bool,
        since: datetime | None,
        until: datetime | None,
    ) -> int:
        """Makes deliveries due now again (with a fresh retry window); returns how many."""
        conditions: dict[str, Any] = {"t": tenant_id, "e": endpoint_id, "a": since, "b": until}
        with self.engine.begin() as conn:
            scheduled = conn.execute(
                text(
                    "UPDATE deliveries SET status = 'pending', next_attempt_at = now(), "
                    "first_attempt_at = NULL WHERE tenant_id = :t "
                    "AND (:e = '' OR endpoint_id = :e) "
                    + ("AND status = 'failed' " if failed_only else "")
                    + "AND (CAST(:a AS timestamptz) IS NULL OR occurred_at >= :a) "
                    "AND (CAST(:b AS timestamptz) IS NULL OR occurred_at < :b)"
                ),
                conditions,
            ).rowcount
        self.wakeup.set()
        return int(scheduled)
