"""IntervalJob: rounds every interval until stopped; a failed round is logged, not fatal."""

from __future__ import annotations

import threading

import pytest

from emailtrack.common.periodic import IntervalJob


class Flaky(IntervalJob):
    name = "flaky job"

    def __init__(self, stop: threading.Event) -> None:
        self.interval_s = 0.001
        self.rounds = 0
        self.stop = stop

    def run_once(self) -> int:
        self.rounds += 1
        if self.rounds == 1:
            raise RuntimeError("the database went away")
        if self.rounds == 3:
            self.stop.set()
        return self.rounds


def test_a_failed_round_is_logged_and_the_job_goes_on_until_stopped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = threading.Event()
    job = Flaky(stop)
    job.run(stop)
    assert job.rounds == 3
    assert "flaky job failed; will retry at the next interval" in caplog.text


def test_a_stopped_job_runs_no_round() -> None:
    stop = threading.Event()
    stop.set()
    job = Flaky(stop)
    job.run(stop)
    assert job.rounds == 0
