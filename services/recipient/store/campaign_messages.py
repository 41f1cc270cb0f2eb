"""The per-message list of a campaign: one row per (message, recipient) registered for it,
with the delivery state the sender reported and the recipient's address and status now;
keyset-paged by (message id, recipient id). Warmup messages are left out, and so are erased
recipients (erasure deletes their registrations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

LIST_CAMPAIGN_MESSAGES = text(
    """
    SELECT m.message_id, mr.recipient_id, r.email, mr.role, mr.status, mr.reason,
           mr.updated_at, r.status AS recipient_status, m.sequence_step, m.variant, m.mailbox,
           m.registered_at
    FROM messages m
    JOIN message_recipients mr ON mr.tenant_id = m.tenant_id AND mr.message_id = m.message_id
    JOIN recipients r ON r.tenant_id = mr.tenant_id AND r.recipient_id = mr.recipient_id
    WHERE m.tenant_id = :t AND m.campaign_id = :c AND NOT m.warmup
      AND (m.message_id, mr.recipient_id) > (:after_message, :after_recipient)
    ORDER BY m.message_id, mr.recipient_id
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class CampaignMessageRow:
    message_id: str
    recipient_id: str
    email: str
    role: int
    delivery_status: int
    delivery_reason: str
    delivery_updated_at: datetime
    recipient_status: int
    sequence_step: str
    variant: str
    mailbox: str
    registered_at: datetime


def campaign_messages(
    engine: Engine, tenant_id: str, campaign_id: str, after: tuple[str, str], limit: int
) -> list[CampaignMessageRow]:
    """Up to ``limit`` rows after the (message id, recipient id) ``after`` (("", "") first)."""
    params = {
        "t": tenant_id,
        "c": campaign_id,
        "after_message": after[0],
        "after_recipient": after[1],
        "limit": limit,
    }
    with engine.connect() as conn:
        return [CampaignMessageRow(*row) for row in conn.execute(LIST_CAMPAIGN_MESSAGES, params)]
