"""CPU time of the tracking edge's two hottest loops per hit, in this tree and a reference:
``AddressVelocity.observe`` for an address whose kept hits are full (a scanner's, a proxy's,
or the e2e benchmark's 127.0.0.1), and the earlier hits of a message that precede a hit.

    python bench/tracking_edge_loops.py --reference-tree /tmp/main   # e.g. `git archive main`

Velocity streams: one address, a hit every 1/3 ms as at 3,000 hits/s, each hit its own
message, ``in order`` or in ``batches`` (hits sorted within each 500-hit batch, as
``RawHitHandler`` sorts them, the batches overlapping by up to 50 ms as polls of several
partitions do); and ``generated``, the 4,000 hits ``tracking_edge_instructions.py`` measures
(``tracking_edge_hits``: most addresses seen a few times, none filling its kept hits). The
reference is the velocity module of ``--reference-tree``.

Earlier hits: a message's history of N hits, all received before the hit (as in the e2e
benchmark, whose 2,000 messages gather up to 200 each); the reference is the filter that
``RawHitHandler._classify`` ran until session 8, written out below.

The two sides are measured alternately, in rounds; the median of the rounds is printed.
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

from tracking_edge_hits import build_records, raw_hits

from services.tracking_edge.consumer import to_datetime
from services.tracking_edge.domain.classify import PriorHit
from services.tracking_edge.domain.classify.history import Earlier, prior_hits

ROOT = Path(__file__).resolve().parents[1]
VELOCITY = Path("services/tracking_edge/domain/classify/velocity.py")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HITS = 30_000
BATCH = 500
HISTORY_LENGTHS = (0, 3, 30, 200)
LOOKUPS = 20_000

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


def generated() -> Stream:
    """The hits as ``RawHitHandler`` hands them to ``observe``, in received order per record."""
    stream = []
    for record in build_records(4, 1000):
        hits = sorted(raw_hits([record]), key=lambda hit: to_datetime(hit.received_at))
        for hit in hits:
            claims = hit.claims
            message = "\x1f".join((claims.tenant_id, claims.recipient_id, claims.message_id))
            stream.append((hit.client_ip, message, to_datetime(hit.received_at)))
    return stream


def cost_per_hit(module: ModuleType, stream: Stream, passes: int = 5) -> float:
    """Microseconds of CPU per ``observe`` over the stream after its first 1,000 hits (the
    warm-up), each pass with a new tracker."""
    spent = 0.0
    for _ in range(passes):
        observe: Callable[[str, str, datetime], int] = module.AddressVelocity().observe
        for address, message, at in stream[:1000]:
            observe(address, message, at)
        began = time.process_time()
        for address, message, at in stream[1000:]:
            observe(address, message, at)
        spent += time.process_time() - began
    return spent / passes / (len(stream) - 1000) * 1e6


def filter_until_session_8(
    earlier: list[Earlier], received_at: datetime, hit_id: str
) -> tuple[PriorHit, ...]:
    """The reference: every earlier hit looked at, as ``_classify`` did before session 8."""
    return tuple(p for at, other, p in earlier if at < received_at and other != hit_id)


def history(length: int) -> list[Earlier]:
    times = [START + timedelta(seconds=n) for n in range(length)]
    return [(at, f"hit{n:028d}", PriorHit("open", at, 0, "human")) for n, at in enumerate(times)]


def lookup_cost(
    find: Callable[[list[Earlier], datetime, str], tuple[PriorHit, ...]], earlier: list[Earlier]
) -> float:
    """Microseconds of CPU per lookup of the hits before one received after all of them."""
    received_at = START + timedelta(hours=1)
    began = time.process_time()
    for _ in range(LOOKUPS):
        find(earlier, received_at, "hit-being-classified")
    return (time.process_time() - began) / LOOKUPS * 1e6


def report(label: str, costs: dict[str, list[float]], rounds: int) -> None:
    here, reference = (statistics.median(values) for values in costs.values())
    print(
        f"{label}: this tree {here:.3f} us/hit, reference {reference:.3f} us/hit "
        f"(same run, median of {rounds}), ratio {here / reference:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-tree", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    trees = {
        "this tree": load_velocity(ROOT, "velocity_here"),
        "reference": load_velocity(args.reference_tree, "velocity_reference"),
    }
    streams = {"in order": in_order(), "batches": batches(), "generated": generated()}
    for stream_name, stream in streams.items():
        costs: dict[str, list[float]] = {name: [] for name in trees}
        for round_number in range(args.rounds):
            order = list(trees) if round_number % 2 == 0 else list(reversed(trees))
            for name in order:
                costs[name].append(cost_per_hit(trees[name], stream))
        report(f"observe, {stream_name}", costs, args.rounds)
    finders = {"this tree": prior_hits, "reference": filter_until_session_8}
    for length in HISTORY_LENGTHS:
        earlier = history(length)
        assert prior_hits(earlier, START + timedelta(hours=1), "") == filter_until_session_8(
            earlier, START + timedelta(hours=1), ""
        )
        costs = {name: [] for name in finders}
        for round_number in range(args.rounds):
            order = list(finders) if round_number % 2 == 0 else list(reversed(finders))
            for name in order:
                costs[name].append(lookup_cost(finders[name], earlier))
        report(f"earlier hits, history of {length}", costs, args.rounds)


if __name__ == "__main__":
    main()
