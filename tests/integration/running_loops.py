"""Integration-test plumbing: a ConsumerLoop run in a thread, and waiting for a condition."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from emailtrack.common.consuming import ConsumerLoop


class Running:
    """A consumer loop in a thread, stopped at the end of the test."""

    def __init__(self, loop: ConsumerLoop) -> None:
        self.loop = loop
        self.stop = threading.Event()
        self.thread = threading.Thread(target=loop.run, args=(self.stop,), daemon=True)
        self.thread.start()
        assert loop.ready.wait(30), "consumer did not join its group"

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)


def wait_for(condition: Callable[[], bool], timeout_s: float = 30) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout_s, "condition not reached before timeout"
        time.sleep(0.01)
    return time.monotonic() - start
