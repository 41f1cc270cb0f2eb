"""What idle ConsumerLoops cost, per poll timeout, all timeouts in the same run: CPU % of a core
with no traffic, then how soon a record that arrives after a pause is handled, and how soon a
stop ends the loops.

    python bench/idle_consumer.py                          # 4 loops per timeout, 30 s, 2 rounds
    python bench/idle_consumer.py --loops 8 --seconds 60 --rounds 3 \\
        --timeout main=100 --timeout p500=500              # NAME=POLL_TIMEOUT_MS

Each timeout runs in a process of its own, all at the same time against one embedded tansu
broker: ``--loops`` ConsumerLoops (each its own group, on a 4-partition topic of that process)
sharing one dead-letter producer, as a service does. The first timeout (default ``main=100``,
the loop's default) is the same-run reference: main's settings. After every loop has joined,
each process waits until a common start, measures its own CPU time over ``--seconds``
(process CPU / wall, in % of one core), then ``--records`` times sends one record after a
pause of 1.5-3 s and notes how long until every loop's handler has it (median and max over
records and loops), then sets ``stop`` and notes how long until every loop has returned.
Printed per timeout: medians over ``--rounds`` of the CPU %, and the ratio to the reference
within each round.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from kafka import KafkaProducer

from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop, Record
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.platform.broker import TansuBroker
from emailtrack.platform.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
SESSION_TIMEOUT_MS = 10_000  # the services' default (EMAILTRACK_KAFKA_SESSION_TIMEOUT_MS)


class ArrivalClock:
    """A handler that writes nothing and notes when each record reached it."""

    def __init__(self) -> None:
        self.arrived: dict[bytes, float] = {}

    def decode(self, record: Record) -> list[bytes]:
        return [record.value]

    def handle(self, items: list[bytes]) -> None:
        now = time.monotonic()
        for item in items:
            self.arrived.setdefault(item, now)


def run_timeout(args: argparse.Namespace) -> dict[str, float]:
    """One process's share: its loops idle, then records after pauses, then a stop."""
    name, timeout = args.child.split("=")
    bootstrap, loops = args.bootstrap, args.loops
    settings = KafkaSettings(bootstrap, SESSION_TIMEOUT_MS)
    topic = f"idle-{name}"
    ensure_topics(settings, [topic])
    producer = make_producer(settings, f"idle-bench-{name}", linger_ms=0)
    clocks = [ArrivalClock() for _ in range(loops)]
    consumer_loops = [
        ConsumerLoop(
            settings, f"idle-{name}-{n}", [topic], clock, producer, poll_timeout_ms=int(timeout)
        )
        for n, clock in enumerate(clocks)
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=loop.run, args=(stop,)) for loop in consumer_loops]
    for thread in threads:
        thread.start()
    for loop in consumer_loops:
        if not loop.ready.wait(60):
            raise RuntimeError(f"{loop.group_id} did not join its group")
    time.sleep(max(0.0, args.start_at - time.time()))
    cpu, wall = time.process_time(), time.monotonic()
    time.sleep(args.seconds)
    cpu_percent = 100 * (time.process_time() - cpu) / (time.monotonic() - wall)
    delays = record_delays(producer, topic, clocks, args.records)
    stopping = time.monotonic()
    stop.set()
    for thread in threads:
        thread.join()
    stop_s = time.monotonic() - stopping
    producer.close()
    return {
        "cpu_percent": cpu_percent,
        "delay_median_ms": 1000 * statistics.median(delays),
        "delay_max_ms": 1000 * max(delays),
        "stop_s": stop_s,
    }


def record_delays(
    producer: KafkaProducer, topic: str, clocks: Sequence[ArrivalClock], records: int
) -> list[float]:
    """Seconds from each send until each loop handled the record, one record per pause."""
    delays: list[float] = []
    for n in range(records):
        time.sleep(random.uniform(1.5, 3.0))  # long enough for an adaptive loop to go idle
        value = f"r{n}".encode()
        sent = time.monotonic()
        producer.send(topic, value=value).get(timeout=30)
        deadline = sent + 30
        while not all(value in clock.arrived for clock in clocks):
            if time.monotonic() > deadline:
                raise RuntimeError(f"record {n} not handled within 30 s")
            time.sleep(0.001)
        delays.extend(clock.arrived[value] - sent for clock in clocks)
    return delays


def run_round(bootstrap: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    start_at = time.time() + args.join_s
    children = {
        name: subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                spec,
                "--bootstrap",
                bootstrap,
                "--start-at",
                str(start_at),
                "--loops",
                str(args.loops),
                "--seconds",
                str(args.seconds),
                "--records",
                str(args.records),
            ],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        for spec in args.timeouts
        for name in [spec.split("=")[0]]
    }
    results = {}
    for name, child in children.items():
        out, _ = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"timeout {name} failed")
        results[name] = json.loads(out.decode().strip().splitlines()[-1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loops", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--records", type=int, default=5)
    parser.add_argument("--join-s", type=float, default=25.0, help="time allowed to join")
    parser.add_argument("--timeout", dest="timeouts", action="append", default=[])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--bootstrap", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_timeout(args)))
        return
    args.timeouts = args.timeouts or ["main=100", "p500=500"]
    broker = TansuBroker(free_port(), Path(tempfile.mkdtemp()) / "tansu.log")
    broker.start()
    try:
        rounds = [run_round(broker.bootstrap_servers, args) for _ in range(args.rounds)]
    finally:
        broker.stop()
    reference = args.timeouts[0].split("=")[0]
    print(
        f"{args.loops} idle loops per timeout, {args.seconds:.0f} s, {args.rounds} rounds; "
        f"reference: {reference}"
    )
    print("timeout | CPU % of a core | vs reference | delay ms median / max | stop s (max)")
    for spec in args.timeouts:
        name = spec.split("=")[0]
        cpu = statistics.median(r[name]["cpu_percent"] for r in rounds)
        ratio = statistics.median(
            r[name]["cpu_percent"] / r[reference]["cpu_percent"] for r in rounds
        )
        delay = statistics.median(r[name]["delay_median_ms"] for r in rounds)
        worst = max(r[name]["delay_max_ms"] for r in rounds)
        stop_s = max(r[name]["stop_s"] for r in rounds)
        print(f"{spec} | {cpu:.2f} | {ratio:.2f} | {delay:.0f} / {worst:.0f} | {stop_s:.2f}")


if __name__ == "__main__":
    main()
