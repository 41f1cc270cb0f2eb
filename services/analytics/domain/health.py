"""Sending-mailbox figures and health score (pure). See docs/campaigns.md.

score = 100 - min(50, 500 * bounce rate) - min(40, 10000 * complaint rate)
        - 10 when at least 100 were delivered and fewer than 5% opened
clamped to 0..100 and rounded; band: good >= 80, warning 50..79, critical < 50.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.analytics.domain import MACHINE_BITS, Metric, ratio

GOOD, WARNING = 80, 50
LOW_ENGAGEMENT_BASE = 100
LOW_OPEN_RATE = 0.05


@dataclass(frozen=True)
class MailboxFigures:
    mailbox: str
    sent: int
    delivered: int
    bounced: int
    complaints: int
    opens: int
    clicks: int
    replies: int

    @property
    def base(self) -> int:
        return self.delivered if self.delivered > 0 else self.sent

    @property
    def bounce_rate(self) -> float:
        return ratio(self.bounced, self.sent)

    @property
    def complaint_rate(self) -> float:
        return ratio(self.complaints, self.base)

    @property
    def open_rate(self) -> float:
        return ratio(self.opens, self.base)

    @property
    def reply_rate(self) -> float:
        return ratio(self.replies, self.base)


def mailbox_figures(mailbox: str, pairs: Iterable[tuple[int, int, int]]) -> MailboxFigures:
    """``pairs`` are (kind, source mask, pairs) rows of one mailbox from ``firsts``; opens
    and clicks seen only from scanners and bots are left out."""
    counts: dict[int, int] = {}
    for kind, mask, n in pairs:
        if kind in (Metric.OPEN, Metric.CLICK) and not mask & ~MACHINE_BITS:
            continue
        counts[kind] = counts.get(kind, 0) + n
    return MailboxFigures(
        mailbox=mailbox,
        sent=counts.get(Metric.SENT, 0),
        delivered=counts.get(Metric.DELIVERED, 0),
        bounced=counts.get(Metric.HARD_BOUNCE, 0),
        complaints=counts.get(Metric.COMPLAINT, 0),
        opens=counts.get(Metric.OPEN, 0),
        clicks=counts.get(Metric.CLICK, 0),
        replies=counts.get(Metric.REPLY, 0),
    )


def health_score(f: MailboxFigures) -> int:
    score = 100.0
    score -= min(50.0, 500.0 * f.bounce_rate)
    score -= min(40.0, 10000.0 * f.complaint_rate)
    if f.base >= LOW_ENGAGEMENT_BASE and f.open_rate < LOW_OPEN_RATE:
        score -= 10.0
    return round(max(0.0, min(100.0, score)))


def band(score: int) -> str:
    if score >= GOOD:
        return "good"
    return "warning" if score >= WARNING else "critical"


def by_mailbox(
    rows: Iterable[tuple[str, int, int, int]],
) -> Mapping[str, list[tuple[int, int, int]]]:
    grouped: dict[str, list[tuple[int, int, int]]] = {}
    for mailbox, kind, mask, n in rows:
        grouped.setdefault(mailbox, []).append((kind, mask, n))
    return grouped
