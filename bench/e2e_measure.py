"""Measurements for bench/e2e.py: per-component CPU and peak memory (psutil, whole process
trees, and the largest single process of each tree), end-to-end lag probes (a hit's send
time to the moment analytics counts it), and the count of a campaign's hits in analytics."""

from __future__ import annotations

import threading
import time
import urllib.request
from dataclasses import dataclass, field

import grpc
import psutil

from emailtrack.common.grpc_server import client_channel
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc


class Analytics:
    """GetCampaignStats over one channel: opens + clicks counted for a campaign."""

    def __init__(self, address: str, tenant: str, api_key: str) -> None:
        self.channel = client_channel(address, api_key=api_key)
        self.stub = analytics_pb2_grpc.AnalyticsServiceStub(self.channel)
        self.tenant = tenant
        self.refused = 0  # calls answered UNAVAILABLE and asked again
        self.calls = 0  # GetCampaignStats calls made: the benchmark's own load on analytics
        self._calls_lock = threading.Lock()  # counted() runs in the probe and main threads

    def counted(self, campaign: str) -> int:
        """The campaign's counted hits; a call refused on the way (a restarting channel,
        UNAVAILABLE) is asked again for up to 30 s before the error is raised."""
        request = analytics_pb2.GetCampaignStatsRequest(tenant_id=self.tenant, campaign_id=campaign)
        deadline = time.monotonic() + 30
        while True:
            with self._calls_lock:
                self.calls += 1
            try:
                stats = self.stub.GetCampaignStats(request, timeout=5).stats
                return stats.opens.total.total + stats.clicks.total.total
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                    raise
                self.refused += 1
                time.sleep(0.2)


@dataclass
class Usage:
    """A component's CPU seconds since the start, the peak RSS of its whole process tree and
    the peak RSS of its largest single process (what a per-process memory limit sees)."""

    cpu_s: float = 0.0
    peak_rss: int = 0
    peak_process_rss: int = 0


class ResourceSampler:
    """Samples the CPU time and resident memory of named process trees in a thread."""

    def __init__(self, roots: dict[str, int], interval_s: float = 0.25) -> None:
        self.roots = {name: psutil.Process(pid) for name, pid in roots.items()}
        self.interval_s = interval_s
        self.usage = {name: Usage() for name in roots}
        self._start_cpu: dict[str, float] = {}
        self.started = self.wall_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self, name: str) -> list[psutil.Process]:
        root = self.roots[name]
        try:
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def _sample(self, name: str) -> tuple[float, int, int]:
        """CPU seconds, total RSS and largest single-process RSS of a component's tree."""
        cpu, rss, largest = 0.0, 0, 0
        for process in self._tree(name):
            try:
                times = process.cpu_times()
                cpu += times.user + times.system
                resident = process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
            rss += resident
            largest = max(largest, resident)
        return cpu, rss, largest

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._update()

    def _update(self) -> None:
        for name, usage in self.usage.items():
            cpu, rss, largest = self._sample(name)
            usage.cpu_s = cpu - self._start_cpu[name]
            usage.peak_rss = max(usage.peak_rss, rss)
            usage.peak_process_rss = max(usage.peak_process_rss, largest)

    def __enter__(self) -> ResourceSampler:
        self._start_cpu = {name: self._sample(name)[0] for name in self.roots}
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._update()  # the CPU used since the last sample counts too
        self.wall_s = time.monotonic() - self.started


@dataclass
class LagProbes:
    """Sends one pixel hit of its own campaign every ``every_s`` and records how long it
    takes until analytics counts it (hit → queryable), asking every ``watch_s`` (the lag's
    resolution: each ask is a GetCampaignStats the platform serves while it is measured)."""

    analytics: Analytics
    probes: list[tuple[str, str]]  # (campaign, pixel url)
    every_s: float = 0.25
    watch_s: float = 0.05
    lags_s: list[float] = field(default_factory=list)
    unseen: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _pending: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _send(self) -> None:
        for campaign, url in self.probes:
            if self._stop.wait(self.every_s):
                return
            with self._lock:
                self._pending[campaign] = time.monotonic()
            urllib.request.urlopen(url, timeout=5).read()

    def _watch(self) -> None:
        while not self._stop.is_set() or self._pending:
            with self._lock:
                pending = list(self._pending.items())
            for campaign, sent in pending:
                if self.analytics.counted(campaign) > 0:
                    with self._lock:
                        self.lags_s.append(time.monotonic() - sent)
                        del self._pending[campaign]
                elif time.monotonic() - sent > 300:
                    with self._lock:
                        self.unseen += 1
                        del self._pending[campaign]
            time.sleep(self.watch_s)

    def start(self) -> None:
        self._threads = [threading.Thread(target=t, daemon=True) for t in (self._send, self._watch)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stops sending, then waits until every sent probe was counted (or gave up)."""
        self._stop.set()
        for thread in self._threads:
            thread.join()


def stats_query_cost(
    roots: dict[str, int], analytics: Analytics, campaign: str, idle: dict[str, float], calls: int
) -> dict[str, float]:
    """CPU seconds one GetCampaignStats costs each component (analytics and its PostgreSQL,
    mostly), net of what the component burns idle meanwhile: what the benchmark's own lag
    probes and count polls add to the platform's CPU during a phase."""
    with ResourceSampler(roots) as sampler:
        for _ in range(calls):
            analytics.counted(campaign)
    return {
        name: max(0.0, usage.cpu_s - idle.get(name, 0.0) * sampler.wall_s) / calls
        for name, usage in sampler.usage.items()
    }


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
