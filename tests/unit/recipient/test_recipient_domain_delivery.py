"""Delivery-status transitions the sender may make."""

from __future__ import annotations

import pytest

from services.recipient.domain.delivery import DeliveryStatus as S
from services.recipient.domain.delivery import is_change
from services.recipient.domain.errors import InvalidTransition


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PENDING, S.SENT),
        (S.PENDING, S.FAILED),
        (S.SENT, S.DELIVERED),
        (S.SENT, S.DEFERRED),
        (S.DEFERRED, S.DEFERRED),
        (S.DEFERRED, S.SENT),
        (S.DEFERRED, S.DELIVERED),
        (S.DELIVERED, S.FAILED),
    ],
)
def test_allowed_transitions_change_state(current: S, target: S) -> None:
    assert is_change(current, target)


@pytest.mark.parametrize("status", [S.SENT, S.DELIVERED, S.FAILED])
def test_repeating_a_mark_is_an_idempotent_no_op(status: S) -> None:
    assert not is_change(status, status)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.PENDING, S.DELIVERED),
        (S.DELIVERED, S.SENT),
        (S.DELIVERED, S.DEFERRED),
        (S.FAILED, S.SENT),
        (S.FAILED, S.DELIVERED),
        (S.SENT, S.PENDING),
    ],
)
def test_forbidden_transitions_are_rejected_clearly(current: S, target: S) -> None:
    with pytest.raises(InvalidTransition, match=f"cannot mark {target.name.lower()}"):
        is_change(current, target)
