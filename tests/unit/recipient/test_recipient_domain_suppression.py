"""Suppression rules: what each fact does to a status, and sendability."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.recipient.domain.suppression import (
    Fact,
    RecipientStatus,
    SoftBouncePolicy,
    decide,
    densest_window,
    manual_suppress,
    manual_unsuppress,
    sendable,
)

POLICY = SoftBouncePolicy(threshold=3, window=timedelta(days=7))
A = RecipientStatus


def test_hard_bounce_suppresses_at_once() -> None:
    decision = decide(A.ACTIVE, Fact.HARD_BOUNCE, POLICY, detail="user_unknown")
    assert decision is not None
    assert decision.status is A.BOUNCED
    assert decision.reason == "hard_bounce: user_unknown"


def test_soft_bounces_suppress_only_at_the_threshold() -> None:
    assert decide(A.ACTIVE, Fact.SOFT_BOUNCE, POLICY, soft_bounces_in_window=2) is None
    decision = decide(A.ACTIVE, Fact.SOFT_BOUNCE, POLICY, soft_bounces_in_window=3)
    assert decision is not None
    assert decision.status is A.BOUNCED
    assert decision.reason.startswith("soft_bounce_threshold: 3 soft bounces")


def test_complaint_and_unsubscribe() -> None:
    complaint = decide(A.ACTIVE, Fact.COMPLAINT, POLICY)
    unsubscribe = decide(A.ACTIVE, Fact.UNSUBSCRIBE, POLICY)
    assert complaint is not None and complaint.status is A.COMPLAINED
    assert unsubscribe is not None and unsubscribe.status is A.UNSUBSCRIBED


@pytest.mark.parametrize(
    ("current", "fact", "expected"),
    [
        (A.UNSUBSCRIBED, Fact.HARD_BOUNCE, A.BOUNCED),
        (A.BOUNCED, Fact.COMPLAINT, A.COMPLAINED),
        (A.COMPLAINED, Fact.HARD_BOUNCE, None),
        (A.BOUNCED, Fact.UNSUBSCRIBE, None),
        (A.SUPPRESSED, Fact.COMPLAINT, None),
        (A.UNSUBSCRIBED, Fact.UNSUBSCRIBE, None),
    ],
)
def test_events_only_escalate(current: A, fact: Fact, expected: A | None) -> None:
    decision = decide(current, fact, POLICY, soft_bounces_in_window=0)
    assert (decision.status if decision else None) is expected


def test_manual_actions() -> None:
    suppressed = manual_suppress(A.BOUNCED, "legal request")
    assert suppressed is not None and suppressed.status is A.SUPPRESSED
    assert suppressed.reason == "manual: legal request"
    assert manual_suppress(A.SUPPRESSED, "again") is None
    restored = manual_unsuppress(A.COMPLAINED, "customer confirmed")
    assert restored is not None and restored.status is A.ACTIVE
    assert manual_unsuppress(A.ACTIVE, "noop") is None


def test_sendability() -> None:
    assert sendable(None, "", False).sendable
    assert sendable(None, "", False).reason == "unknown_recipient"
    assert sendable(A.ACTIVE, "", False).sendable
    verdict = sendable(A.BOUNCED, "hard_bounce: user_unknown", False)
    assert not verdict.sendable and verdict.reason == "hard_bounce: user_unknown"
    assert sendable(A.UNSUBSCRIBED, "", False).reason == "unsubscribed"
    listed = sendable(A.ACTIVE, "", True)
    assert not listed.sendable and listed.reason == "list_unsubscribed"


def test_policy_is_validated() -> None:
    with pytest.raises(ValueError):
        SoftBouncePolicy(0, timedelta(days=1))
    with pytest.raises(ValueError):
        SoftBouncePolicy(1, timedelta(0))


def test_densest_window_is_independent_of_arrival_order() -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    times = [base + timedelta(days=d) for d in (0, 1, 2, 9, 10)]
    assert densest_window(times, timedelta(days=7)) == 3
    assert densest_window(list(reversed(times)), timedelta(days=7)) == 3
    assert densest_window(times, timedelta(days=2)) == 2
    # a span of exactly the window length is outside it
    assert densest_window([base, base + timedelta(days=7)], timedelta(days=7)) == 1
    assert densest_window([], timedelta(days=7)) == 0
