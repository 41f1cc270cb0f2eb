"""Suppression rules: how bounces, complaints, unsubscribes and manual actions change a
recipient's status, and whether a recipient may be sent to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum


class RecipientStatus(IntEnum):
    """Values match ``emailtrack.v1.RecipientStatus``."""

    ACTIVE = 1
    UNSUBSCRIBED = 2
    BOUNCED = 3
    COMPLAINED = 4
    SUPPRESSED = 5


class Fact(IntEnum):
    """Something that happened to a recipient and may change its status."""

    HARD_BOUNCE = 1
    SOFT_BOUNCE = 2
    COMPLAINT = 3
    UNSUBSCRIBE = 4


# Events only ever escalate: a stronger fact replaces a weaker one, never the reverse.
_RANK = {
    RecipientStatus.ACTIVE: 0,
    RecipientStatus.UNSUBSCRIBED: 1,
    RecipientStatus.BOUNCED: 2,
    RecipientStatus.COMPLAINED: 3,
    RecipientStatus.SUPPRESSED: 4,
}


@dataclass(frozen=True)
class SoftBouncePolicy:
    """``threshold`` soft bounces within ``window`` suppress the recipient."""

    threshold: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("soft-bounce threshold must be at least 1")
        if self.window <= timedelta(0):
            raise ValueError("soft-bounce window must be positive")


def densest_window(times: Sequence[datetime], window: timedelta) -> int:
    """The largest number of ``times`` inside any span shorter than ``window``: exact whatever
    order the bounces arrive in (a late, older bounce counts with the newer ones)."""
    ordered = sorted(times)
    best = start = 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@dataclass(frozen=True)
class Decision:
    status: RecipientStatus
    reason: str


def decide(
    current: RecipientStatus,
    fact: Fact,
    policy: SoftBouncePolicy,
    soft_bounces_in_window: int = 0,
    detail: str = "",
) -> Decision | None:
    """The new status after ``fact``, or None when the status stays as it is.

    ``soft_bounces_in_window`` is the densest count of soft bounces within the policy window
    among the windows that contain this one (see ``densest_window``)."""
    suffix = f": {detail}" if detail else ""
    if fact is Fact.HARD_BOUNCE:
        target = Decision(RecipientStatus.BOUNCED, f"hard_bounce{suffix}")
    elif fact is Fact.SOFT_BOUNCE:
        if soft_bounces_in_window < policy.threshold:
            return None
        target = Decision(
            RecipientStatus.BOUNCED,
            f"soft_bounce_threshold: {soft_bounces_in_window} soft bounces within {policy.window}",
        )
    elif fact is Fact.COMPLAINT:
        target = Decision(RecipientStatus.COMPLAINED, f"complaint{suffix}")
    else:
        target = Decision(RecipientStatus.UNSUBSCRIBED, f"unsubscribed{suffix}")
    if _RANK[target.status] <= _RANK[current]:
        return None
    return target


def manual_suppress(current: RecipientStatus, reason: str) -> Decision | None:
    if current is RecipientStatus.SUPPRESSED:
        return None
    return Decision(RecipientStatus.SUPPRESSED, f"manual: {reason}" if reason else "manual")


def manual_unsuppress(current: RecipientStatus, reason: str) -> Decision | None:
    """An operator override: any non-active status goes back to active (audited)."""
    if current is RecipientStatus.ACTIVE:
        return None
    return Decision(RecipientStatus.ACTIVE, f"unsuppressed: {reason}" if reason else "")


@dataclass(frozen=True)
class Verdict:
    sendable: bool
    reason: str


def sendable(
    status: RecipientStatus | None, status_reason: str, list_unsubscribed: bool
) -> Verdict:
    """Whether mail may go to a recipient (``status`` None: unknown, hence sendable)."""
    if status is not None and status is not RecipientStatus.ACTIVE:
        return Verdict(False, status_reason or status.name.lower())
    if list_unsubscribed:
        return Verdict(False, "list_unsubscribed")
    return Verdict(True, "" if status is not None else "unknown_recipient")
