"""Usage metering per tenant and billing period (UTC month): counters incremented by the
rows a transaction really added (so retries and replays count nothing twice) and distinct
members (recipients as sha256 of their id, mailboxes), read back by GetUsage."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, text

from services.recipient.domain.campaigns import billing_period

MESSAGES = "messages_registered"
EMAILS = "emails_registered"
SENT = "emails_sent"
CAMPAIGNS = "campaigns_created"
RECIPIENT = "recipient"
MAILBOX = "mailbox"


@dataclass(frozen=True)
class UsageFigures:
    messages_registered: int
    emails_registered: int
    emails_sent: int
    recipients: int
    campaigns_created: int
    active_mailboxes: int


def add_counts(conn: Connection, tenant_id: str, at: datetime, counts: Mapping[str, int]) -> None:
    rows = [
        {"t": tenant_id, "p": billing_period(at), "m": metric, "n": n}
        for metric, n in sorted(counts.items())
        if n
    ]
    if rows:
        conn.execute(
            text(
                "INSERT INTO usage_counters AS u (tenant_id, period, metric, n) "
                "VALUES (:t, :p, :m, :n) ON CONFLICT (tenant_id, period, metric) "
                "DO UPDATE SET n = u.n + EXCLUDED.n"
            ),
            rows,
        )


def add_members(
    conn: Connection, tenant_id: str, at: datetime, kind: str, members: Iterable[str]
) -> None:
    unique = sorted({m for m in members if m})
    if unique:
        conn.execute(
            text(
                "INSERT INTO usage_members (tenant_id, period, kind, member) "
                "SELECT :t, :p, :k, unnest(CAST(:m AS text[])) ON CONFLICT DO NOTHING"
            ),
            {"t": tenant_id, "p": billing_period(at), "k": kind, "m": unique},
        )


class UsageStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def figures(self, tenant_id: str, period: str) -> UsageFigures:
        params = {"t": tenant_id, "p": period}
        with self.engine.connect() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    text(
                        "SELECT metric, n FROM usage_counters WHERE tenant_id = :t AND period = :p"
                    ),
                    params,
                ).all()
            )
            members: dict[str, int] = dict(
                conn.execute(
                    text(
                        "SELECT kind, count(*) FROM usage_members "
                        "WHERE tenant_id = :t AND period = :p GROUP BY kind"
                    ),
                    params,
                ).all()
            )
        return UsageFigures(
            messages_registered=counts.get(MESSAGES, 0),
            emails_registered=counts.get(EMAILS, 0),
            emails_sent=counts.get(SENT, 0),
            recipients=members.get(RECIPIENT, 0),
            campaigns_created=counts.get(CAMPAIGNS, 0),
            active_mailboxes=members.get(MAILBOX, 0),
        )
