"""Mailbox figures from pair rows and the documented health score."""

from __future__ import annotations

from services.analytics.domain import BOT, HUMAN, SCANNER, Metric
from services.analytics.domain.health import MailboxFigures, band, health_score, mailbox_figures


def figures(sent: int, delivered: int, bounced: int, complaints: int, opens: int) -> MailboxFigures:
    return MailboxFigures("m@x.example", sent, delivered, bounced, complaints, opens, 0, 0)


def test_machine_only_opens_do_not_count() -> None:
    rows = [
        (Metric.SENT, 1, 10),
        (Metric.OPEN, 1 << HUMAN, 3),
        (Metric.OPEN, 1 << SCANNER, 4),
        (Metric.OPEN, (1 << BOT) | (1 << HUMAN), 1),
        (Metric.HARD_BOUNCE, 2, 1),
    ]
    f = mailbox_figures("m@x.example", rows)
    assert (f.sent, f.opens, f.bounced) == (10, 4, 1)


def test_score_penalties_and_bands() -> None:
    assert health_score(figures(1000, 1000, 0, 0, 300)) == 100
    assert health_score(figures(1000, 980, 20, 0, 300)) == 90  # 2% bounced
    assert health_score(figures(1000, 1000, 0, 2, 300)) == 80  # 0.2% complaints
    assert health_score(figures(1000, 1000, 0, 0, 10)) == 90  # low engagement
    assert health_score(figures(50, 50, 0, 0, 0)) == 100  # too few for engagement
    assert health_score(figures(100, 50, 50, 10, 0)) == 10
    assert [band(s) for s in (80, 79, 50, 49)] == ["good", "warning", "warning", "critical"]
