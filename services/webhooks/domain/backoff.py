"""The retry schedule: exponential backoff with jitter (a random wait in the upper half of
each step), capped, until the total retry window (at least 24 hours by default) is used up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(hours=2)
    # Retries stop once the delivery is this old (first attempt to next attempt).
    window: timedelta = timedelta(hours=26)

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``attempts``-th failed attempt (1-based): a random point in
        the upper half of ``first_delay * 2**(attempts-1)`` capped at ``max_delay``."""
        ceiling = min(
            self.max_delay.total_seconds(),
            self.first_delay.total_seconds() * 2 ** min(attempts - 1, 40),
        )
        draw = (rng or random).uniform(ceiling / 2, ceiling)
        return timedelta(seconds=draw)

    def gives_up(self, age: timedelta) -> bool:
        """Whether a delivery first attempted ``age`` ago has used its retry window."""
        return age >= self.window
