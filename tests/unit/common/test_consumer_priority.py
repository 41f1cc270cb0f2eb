"""A consumer loop's thread runs below normal CPU priority (``EMAILTRACK_CONSUMER_NICENESS``),
so that under contention the gateway and gRPC calls are served first; the process's other
threads keep their priority."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from emailtrack.common.config import ConfigError, KafkaSettings
from emailtrack.common.consuming import lower_thread_priority

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice is Linux's")


def niceness_in_thread(steps: int) -> tuple[int, int]:
    """The nice value of a new thread before and after lowering it by ``steps``."""
    seen: list[int] = []

    def lower() -> None:
        thread = threading.get_native_id()
        seen.append(os.getpriority(os.PRIO_PROCESS, thread))
        lower_thread_priority(steps)
        seen.append(os.getpriority(os.PRIO_PROCESS, thread))

    worker = threading.Thread(target=lower)
    worker.start()
    worker.join()
    return seen[0], seen[1]


@linux_only
def test_the_calling_thread_alone_is_lowered() -> None:
    main_thread = threading.get_native_id()
    before_main = os.getpriority(os.PRIO_PROCESS, main_thread)
    before, after = niceness_in_thread(5)
    assert after == min(19, before + 5)
    assert os.getpriority(os.PRIO_PROCESS, main_thread) == before_main


@linux_only
def test_lowering_stops_at_the_lowest_priority() -> None:
    _, after = niceness_in_thread(40)
    assert after == 19


@linux_only
def test_zero_leaves_the_thread_as_it_was() -> None:
    before, after = niceness_in_thread(0)
    assert after == before


def test_niceness_is_read_from_the_environment_with_a_default() -> None:
    assert KafkaSettings.from_env({}).consumer_niceness == 5
    settings = KafkaSettings.from_env({"EMAILTRACK_CONSUMER_NICENESS": "0"})
    assert settings.consumer_niceness == 0


@pytest.mark.parametrize("value", ["-1", "20", "high"])
def test_a_niceness_out_of_range_is_refused_at_start(value: str) -> None:
    with pytest.raises(ConfigError, match="EMAILTRACK_CONSUMER_NICENESS"):
        KafkaSettings.from_env({"EMAILTRACK_CONSUMER_NICENESS": value})
