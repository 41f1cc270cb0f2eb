"""Replay protection for webhook requests: how old (or how far in the future) a signed
timestamp may be, and the single-use nonces (Mailgun tokens, SNS MessageIds) a request claims.

A nonce is only claimed in the transaction that records the request's outcomes (store.py), so a
request whose recording failed can be retried by the ESP, and a replay is refused on every
worker and replica that shares the bounce database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.bounce.webhooks.common import InvalidSignature

DEFAULT_TOLERANCE = timedelta(minutes=5)
# SNS keeps the original Timestamp on every retry of its HTTP delivery policy (the default
# policy retries within a minute; custom ones may retry for up to an hour).
DEFAULT_SNS_TOLERANCE = timedelta(hours=1)
# A nonce row outlives its timestamp's tolerance by this much (clock skew between replicas).
NONCE_MARGIN = timedelta(minutes=1)


class ReplayedRequest(InvalidSignature):
    """The request's nonce was already used: a replay (HTTP 401, nothing recorded)."""


@dataclass(frozen=True)
class ReplayPolicy:
    """Freshness tolerances; a signed timestamp outside ``[now - t, now + t]`` is refused."""

    tolerance: timedelta = DEFAULT_TOLERANCE
    sns_tolerance: timedelta = DEFAULT_SNS_TOLERANCE


@dataclass(frozen=True)
class Nonce:
    """A value the ESP signed that may be accepted once: ``scope`` is the provider."""

    scope: str
    value: str
    expires_at: datetime


def check_fresh(signed_at: datetime, now: datetime, tolerance: timedelta, what: str) -> None:
    """InvalidSignature when ``signed_at`` is further than ``tolerance`` from ``now``."""
    if abs(now - signed_at) > tolerance:
        raise InvalidSignature(
            f"{what} timestamp {signed_at.isoformat()} is outside the accepted window of "
            f"{int(tolerance.total_seconds())} s (stale or replayed request)"
        )


def nonce(scope: str, value: str, signed_at: datetime, tolerance: timedelta) -> Nonce:
    """The nonce of a fresh request: kept until its timestamp could no longer pass."""
    if not value:
        raise InvalidSignature(f"{scope}: the signed request carries no nonce")
    return Nonce(scope, value, signed_at + tolerance + NONCE_MARGIN)
