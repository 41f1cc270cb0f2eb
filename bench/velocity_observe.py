"""CPU time of ``AddressVelocity.observe`` for an address whose kept hits are full (a scanner's,
a proxy's, or the e2e benchmark's 127.0.0.1), in this tree and in a reference checkout.

    python bench/velocity_observe.py --reference-tree /tmp/main   # e.g. `git archive main`

Streams (one address, a hit every 1/3 ms as at 3,000 hits/s, each hit its own message):
``in order``; ``batches`` (hits sorted within each 500-hit batch, as ``RawHitHandler`` sorts
them, the batches overlapping by up to 50 ms as polls of several partitions do). The trees
are measured alternately, in rounds; the median per round is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
VELOCITY = Path("services/tracking_edge/domain/classify/velocity.py")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HITS = 30_000
BATCH = 500

Stream = list[tuple[str, str, datetime]]


def load_velocity(tree: Path, name: str) -> ModuleType:
    """The velocity module of ``tree`` (it imports nothing of the project)."""
    spec = importlib.util.spec_from_file_location(name, tree / VELOCITY)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def in_order() -> Stream:
    return [("127.0.0.1", f"m{n}", START + timedelta(microseconds=333 * n)) for n in range(HITS)]


def batches() -> Stream:
    rng = random.Random(7)
    hits = [
        ("127.0.0.1", f"m{n}", START + timedelta(microseconds=333 * n + rng.randrange(50_000)))
        for n in range(HITS)
    ]
    return [
        hit
        for start in range(0, HITS, BATCH)
        for hit in sorted(hits[start : start + BATCH], key=received_at)
    ]


def received_at(hit: tuple[str, str, datetime]) -> datetime:
    return hit[2]


def cost_per_hit(module: ModuleType, stream: Stream) -> float:
    """Microseconds of CPU per ``observe`` over the stream, after a warm-up of 1,000 hits."""
    velocity = module.AddressVelocity()
    observe: Callable[[str, str, datetime], int] = velocity.observe
    for address, message, at in stream[:1000]:
        observe(address, message, at)
    began = time.process_time()
    for address, message, at in stream[1000:]:
        observe(address, message, at)
    return (time.process_time() - began) / (len(stream) - 1000) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-tree", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    trees = {
        "this tree": load_velocity(ROOT, "velocity_here"),
        "reference": load_velocity(args.reference_tree, "velocity_reference"),
    }
    streams = {"in order": in_order(), "batches": batches()}
    for stream_name, stream in streams.items():
        costs: dict[str, list[float]] = {name: [] for name in trees}
        for round_number in range(args.rounds):
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            for name in order:
                costs[name].append(cost_per_hit(trees[name], stream))
        here, reference = (statistics.median(costs[name]) for name in trees)
        print(
            f"{stream_name}: this tree {here:.3f} us/hit, reference {reference:.3f} us/hit "
            f"(same run, median of {args.rounds}), ratio {here / reference:.2f}"
        )


if __name__ == "__main__":
    main()
