"""Delivery status of one recipient of one message, and the transitions the sender may make."""

from __future__ import annotations

from enum import IntEnum

from services.recipient.domain.errors import InvalidTransition


class DeliveryStatus(IntEnum):
    """Values match ``emailtrack.v1.DeliveryStatus``."""

    PENDING = 1
    SENT = 2
    DELIVERED = 3
    DEFERRED = 4
    FAILED = 5


_ALLOWED: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.PENDING: frozenset(
        {DeliveryStatus.SENT, DeliveryStatus.DEFERRED, DeliveryStatus.FAILED}
    ),
    DeliveryStatus.SENT: frozenset(
        {DeliveryStatus.DELIVERED, DeliveryStatus.DEFERRED, DeliveryStatus.FAILED}
    ),
    DeliveryStatus.DEFERRED: frozenset(
        {
            DeliveryStatus.SENT,
            DeliveryStatus.DELIVERED,
            DeliveryStatus.DEFERRED,
            DeliveryStatus.FAILED,
        }
    ),
    # An asynchronous bounce may follow the remote server's acceptance.
    DeliveryStatus.DELIVERED: frozenset({DeliveryStatus.FAILED}),
    DeliveryStatus.FAILED: frozenset(),
}


def is_change(current: DeliveryStatus, target: DeliveryStatus) -> bool:
    """True when ``current → target`` changes state; False for an idempotent repeat (deferrals
    repeat as real changes); raises InvalidTransition when the rules forbid it."""
    if target in _ALLOWED[current]:
        return True
    if current == target:
        return False
    raise InvalidTransition(
        f"cannot mark {target.name.lower()} a recipient whose message is {current.name.lower()}"
    )
