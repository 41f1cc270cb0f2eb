"""Instructions per hit of the tracking edge's raw-hit handler, counted by callgrind: a figure
the load of a shared machine does not move (CPU time there varies by ±30 % between runs).

PYTHONHASHSEED=0 PYTHONPATH=TREE:bench valgrind --tool=callgrind --collect-atstart=no \\
    --toggle-collect=functools_reduce --callgrind-out-file=/tmp/cg.TREE \\
    .venv/bin/python bench/tracking_edge_instructions.py [WARM-UP RECORDS] [MEASURED RECORDS]

Only the measured records are counted (they are handled inside one ``functools.reduce``, the
call callgrind collects in); divide "Collected" by the hits printed. Run it on two trees
(``git archive REV | tar -x -C TREE``) to compare code versions. The Python work alone: the
history lives in a dict standing in for PostgreSQL (which ``tracking_edge_consumer.py``
measures) and the events are dropped instead of sent. As in the service, the UA cache is warm
and the objects loaded at start are frozen out of the garbage collector's way.
"""

from __future__ import annotations

import functools
import gc
import sys
from collections import defaultdict
from collections.abc import Collection, Sequence

from tracking_edge_hits import START, build_records, raw_hits

from emailtrack.common.consuming import Record, only_items
from services.tracking_edge.consumer import RawHitHandler
from services.tracking_edge.domain.classify import Classifier, HitFeatures, HitHistory
from services.tracking_edge.store import BatchContext, HistoryKey, PastHit, StoredHit


class HistoryInMemory:
    """What the handler asks of its store, kept in a dict (hits arrive in received order)."""

    def __init__(self) -> None:
        self.hits: defaultdict[HistoryKey, list[PastHit]] = defaultdict(list)

    def batch_context(self, keys: Collection[HistoryKey]) -> BatchContext:
        return BatchContext(set(), {key: self.hits[key][-200:] for key in keys if key in self.hits})

    def record_hits(self, hits: Sequence[StoredHit]) -> None:
        for h in hits:
            past = PastHit(h.hit_id, h.kind, h.link_index, h.received_at, h.source, h.honeypot)
            self.hits[(h.tenant_id, h.recipient_id, h.message_id)].append(past)


class Delivered:
    def get(self, timeout: float) -> None:
        return None


class DroppingProducer:
    def send(self, topic: str, **record: object) -> Delivered:
        return Delivered()


def main() -> None:
    warm, measured = (int(n) for n in [*sys.argv[1:], "2", "2"][:2])
    records = build_records(warm + measured, 1000)
    classifier = Classifier.load()
    for agent in dict.fromkeys(h.user_agent for h in raw_hits(records)):
        classifier.classify(HitFeatures("open", "GET", agent, "", START, None), HitHistory())
    store, producer = HistoryInMemory(), DroppingProducer()
    handler = RawHitHandler(store, classifier, producer)  # type: ignore[arg-type]  # the Python work alone
    for record in records[:warm]:
        handler.handle(only_items(handler.decode(record)))
    gc.collect()
    gc.freeze()  # as emailtrack.common.service does once the service is built

    def handle(count: int, record: Record) -> int:
        items = only_items(handler.decode(record))
        handler.handle(items)
        return count + len(items)

    print(f"hits measured: {functools.reduce(handle, records[warm:], 0)}")


if __name__ == "__main__":
    main()
