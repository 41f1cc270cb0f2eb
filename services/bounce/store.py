"""The bounce service's own storage: recorded outcomes (audit, duplicate detection, GDPR
erasure, campaign deletion). Recording and publishing share one transaction, so an outcome
is stored only once its event is on Kafka, and a retry after a failed publish is not
mistaken for a duplicate. A webhook's nonce is claimed in that same transaction: a replay is
refused on every replica, and a request whose recording failed can be retried."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from emailtrack.common.identity import recipient_id_for
from services.bounce.domain.outcomes import Outcome
from services.bounce.webhooks.freshness import Nonce, ReplayedRequest

_INSERT = text(
    """
    INSERT INTO outcomes (event_id, tenant_id, recipient_id, kind, source, campaign_id,
        message_id, bounce_type, reason, smtp_code, enhanced_status, diagnostic,
        feedback_type, occurred_at, esp_event_id)
    VALUES (:event_id, :tenant_id, :recipient_id, :kind, :source, :campaign_id, :message_id,
        :bounce_type, :reason, :smtp_code, :enhanced_status, :diagnostic, :feedback_type,
        :occurred_at, :esp_event_id)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
    """
)
_CLAIM = text(
    """
    INSERT INTO webhook_nonces (scope, nonce, expires_at) VALUES (:scope, :nonce, :expires_at)
    ON CONFLICT (scope, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at,
        claimed_at = now()
        WHERE webhook_nonces.expires_at < now()
    RETURNING nonce
    """
)
# Expired nonces are purged a few at a time by the requests that claim new ones.
_PURGE = text(
    """
    DELETE FROM webhook_nonces WHERE ctid IN (
        SELECT ctid FROM webhook_nonces WHERE expires_at < now() LIMIT 100
        FOR UPDATE SKIP LOCKED)
    """
)


@dataclass(frozen=True)
class Recorded:
    """How many outcomes were new (and published) and how many were already known."""

    accepted: int
    duplicates: int
    dead_lettered: int = 0


class OutcomeStore:
    """Outcome rows in the bounce database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        outcomes: Sequence[Outcome],
        publish: Callable[[list[Outcome]], None],
        nonce: Nonce | None = None,
    ) -> Recorded:
        """Claims ``nonce`` (ReplayedRequest if it was used), inserts the outcomes not seen
        before and calls ``publish`` with them before the commit; if ``publish`` raises,
        nothing is stored and the nonce stays free (the caller may retry)."""
        unique = list({o.event_id: o for o in outcomes}.values())
        with self.engine.begin() as conn:
            if nonce is not None:
                _claim(conn, nonce)
            new = [
                o for o in unique if conn.execute(_INSERT, _row(o)).scalar_one_or_none() is not None
            ]
            publish(new)
        return Recorded(len(new), len(outcomes) - len(new))

    def erase_recipients(self, subjects: Sequence[tuple[str, str]]) -> int:
        """Deletes every outcome of the (tenant_id, recipient_id) pairs; idempotent."""
        if not subjects:
            return 0
        with self.engine.begin() as conn:
            return sum(
                conn.execute(
                    text("DELETE FROM outcomes WHERE tenant_id = :t AND recipient_id = :r"),
                    {"t": tenant, "r": recipient},
                ).rowcount
                for tenant, recipient in subjects
            )

    def delete_campaigns(self, campaigns: Sequence[tuple[str, str]]) -> int:
        """Deletes every outcome of the (tenant_id, campaign_id) pairs; idempotent."""
        if not campaigns:
            return 0
        with self.engine.begin() as conn:
            return sum(
                conn.execute(
                    text("DELETE FROM outcomes WHERE tenant_id = :t AND campaign_id = :c"),
                    {"t": tenant, "c": campaign},
                ).rowcount
                for tenant, campaign in campaigns
            )

    def delete_recorded_before(self, cutoff: datetime, limit: int = 10_000) -> int:
        """Retention: deletes up to ``limit`` outcomes recorded before ``cutoff``; returns how
        many, so a caller repeats while it gets ``limit``."""
        query = text(
            "DELETE FROM outcomes WHERE event_id IN "
            "(SELECT event_id FROM outcomes WHERE recorded_at < :cutoff LIMIT :limit)"
        )
        with self.engine.begin() as conn:
            return conn.execute(query, {"cutoff": cutoff, "limit": limit}).rowcount


def _claim(conn: Connection, nonce: Nonce) -> None:
    conn.execute(_PURGE)
    claimed = conn.execute(
        _CLAIM, {"scope": nonce.scope, "nonce": nonce.value, "expires_at": nonce.expires_at}
    ).scalar_one_or_none()
    if claimed is None:
        raise ReplayedRequest(f"{nonce.scope} request replayed: its nonce was already used")


def _row(o: Outcome) -> dict[str, object]:
    return {
        "event_id": o.event_id,
        "tenant_id": o.tenant_id,
        "recipient_id": recipient_id_for(o.tenant_id, o.address),
        "kind": o.kind,
        "source": o.source,
        "campaign_id": o.campaign_id,
        "message_id": o.message_id,
        "bounce_type": o.bounce_type,
        "reason": o.reason,
        "smtp_code": o.smtp_code,
        "enhanced_status": o.enhanced_status,
        "diagnostic": o.diagnostic,
        "feedback_type": o.feedback_type,
        "occurred_at": o.occurred_at,
        "esp_event_id": o.esp_event_id,
    }
