"""The retry schedule: exponential with jitter, capped, and spanning at least 24 hours."""

from __future__ import annotations

import random
from datetime import timedelta

from services.webhooks.domain.backoff import RetryPolicy


def test_delays_grow_with_jitter_and_stay_capped() -> None:
    policy = RetryPolicy()
    rng = random.Random(7)
    first = [policy.delay(1, rng) for _ in range(200)]
    assert all(timedelta(seconds=2.5) <= d <= timedelta(seconds=5) for d in first)
    assert len({round(d.total_seconds(), 3) for d in first}) > 100
    assert policy.delay(5, rng) >= timedelta(seconds=40)
    assert all(policy.delay(n, rng) <= policy.max_delay for n in range(1, 80))


def test_retries_cover_at_least_a_day() -> None:
    policy = RetryPolicy()
    rng = random.Random(1)
    age, attempts = timedelta(0), 0
    while not policy.gives_up(age):
        attempts += 1
        age += policy.delay(attempts, rng)
    assert age >= timedelta(hours=24)
    assert attempts < 40
