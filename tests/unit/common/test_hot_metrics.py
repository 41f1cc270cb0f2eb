"""Hot-path counters and histograms: in multiprocess mode the files they write give, at every
scrape, exactly what prometheus_client's own calls give; a forked child writes its own file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, values
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector

from emailtrack.common.hot_metrics import HotCounter, HotHistogram

BUCKETS = (0.0005, 0.001, 0.0025, 0.01, 0.1)
AMOUNTS = [0.0, 0.0004, 0.0005, 0.0007, 0.001, 0.002, 0.0025, 0.05, 0.1, 0.3, 7.0, -1.0]


def metrics_of(registry: CollectorRegistry | None = None) -> tuple[Counter, Histogram]:
    counter = Counter("hits", "hits served", ["route"], registry=registry)
    histogram = Histogram("latency", "latency", ["route"], buckets=BUCKETS, registry=registry)
    return counter, histogram


@pytest.fixture
def multiprocess_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Children created inside this fixture are prometheus_client's mmapped ones."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setattr(values, "ValueClass", values.MultiProcessValue())
    yield tmp_path


def scraped(directory: Path) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return samples(registry)


def samples(registry: CollectorRegistry) -> set[tuple[str, tuple[tuple[str, str], ...], float]]:
    return {
        (s.name, tuple(sorted(s.labels.items())), round(s.value, 12))
        for metric in registry.collect()
        for s in metric.samples
        if not s.name.endswith("_created")
    }


def test_the_files_hold_what_prometheus_client_would_count(
    multiprocess_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    multiprocess_values = values.ValueClass
    monkeypatch.setattr(values, "ValueClass", values.MutexValue)  # the reference: in-process
    reference = CollectorRegistry()
    ref_counter, ref_histogram = metrics_of(reference)
    ref_hits, ref_latency = ref_counter.labels("pixel"), ref_histogram.labels("pixel")
    monkeypatch.setattr(values, "ValueClass", multiprocess_values)
    counter, histogram = metrics_of()
    hot_counter = HotCounter(counter.labels("pixel"))
    hot_histogram = HotHistogram(histogram.labels("pixel"))
    for amount in AMOUNTS:
        hot_counter.inc()
        hot_histogram.observe(amount)
    ref_hits.inc(len(AMOUNTS))  # the reference, through prometheus_client
    for amount in AMOUNTS:
        ref_latency.observe(amount)

    assert scraped(multiprocess_dir) == samples(reference)
    assert ("hits_total", (("route", "pixel"),), float(len(AMOUNTS))) in samples(reference)


def test_without_multiprocess_mode_the_child_counts() -> None:
    counter, histogram = metrics_of(CollectorRegistry())
    HotCounter(counter.labels("click")).inc()
    HotHistogram(histogram.labels("click")).observe(0.002)
    assert counter.labels("click")._value.get() == 1.0
    assert histogram.labels("click")._sum.get() == 0.002


def test_a_forked_child_writes_its_own_file(multiprocess_dir: Path) -> None:
    counter, _ = metrics_of()
    hot = HotCounter(counter.labels("pixel"))
    hot.inc()
    pid = os.fork()
    if pid == 0:  # the child: two hits, then gone without running pytest's teardown
        hot.inc()
        hot.inc()
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

    def hits_in(owner: int) -> list[float]:
        path = multiprocess_dir / f"counter_{owner}.db"
        return [entry[1] for entry in MmapedDict.read_all_values_from_file(str(path))]

    assert hits_in(os.getpid()) == [1.0]
    assert hits_in(pid) == [2.0]
    assert ("hits_total", (("route", "pixel"),), 3.0) in scraped(multiprocess_dir)
