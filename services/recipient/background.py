"""Background jobs of the recipient service (outbox relay, retention cleanup) as threads
that stop with the process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from services.recipient.messages_store import MessageStore

log = logging.getLogger(__name__)


class Job(Protocol):
    def run(self, stop: threading.Event) -> None: ...


class RetentionJob:
    """Deletes registrations older than the retention, every ``interval_s`` seconds."""

    def __init__(self, store: MessageStore, retention: timedelta, interval_s: float) -> None:
        self.store = store
        self.retention = retention
        self.interval_s = interval_s

    def run_once(self, now: datetime | None = None) -> int:
        deleted = self.store.delete_older_than((now or datetime.now(UTC)) - self.retention)
        log.info("retention cleanup deleted %d messages", deleted)
        return deleted

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval_s):
            try:
                self.run_once()
            except Exception:
                log.exception("retention cleanup failed; will retry at the next interval")


def start(name: str, job: Job) -> Callable[[], None]:
    """Runs ``job`` in a daemon thread; returns the function that stops and joins it."""
    stop = threading.Event()
    thread = threading.Thread(target=job.run, args=(stop,), name=name, daemon=True)
    thread.start()

    def _close() -> None:
        stop.set()
        thread.join(timeout=10)

    return _close
