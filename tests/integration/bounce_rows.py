"""The bounce service's outcome rows read directly, for tests (the service itself never
lists them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text


@dataclass(frozen=True)
class StoredOutcome:
    event_id: str
    kind: str
    reason: str
    campaign_id: str


def stored_outcomes(engine: Engine, tenant_id: str, recipient_id: str) -> list[StoredOutcome]:
    """The outcomes recorded for one recipient, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT event_id, kind, reason, campaign_id FROM outcomes "
                "WHERE tenant_id = :t AND recipient_id = :r ORDER BY occurred_at, event_id"
            ),
            {"t": tenant_id, "r": recipient_id},
        )
        return [StoredOutcome(*row) for row in rows]
