"""Periodic background jobs: ``IntervalJob.run(stop)`` calls ``run_once`` every ``interval_s``
seconds until ``stop`` is set; a failed round is logged and tried again at the next interval.
The service lifecycle (``emailtrack.common.service``) starts them after the server."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


class IntervalJob(ABC):
    """A job done every ``interval_s`` seconds; ``name`` says what it does in the log."""

    name = "background job"
    interval_s: float

    @abstractmethod
    def run_once(self) -> int:
        """One round; returns how many things it changed."""

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception:
                log.exception("%s failed; will retry at the next interval", self.name)
