"""Every verdict and engagement event the tracking edge gives, dumped to JSON, for changes that
must not change any (speed work): the labelled hit set under several histories and header
sets, each classified twice (cold, then from the warm caches), and a generated stream of raw
hits (``tracking_edge_hits``) through the real ``RawHitHandler`` on PostgreSQL: each event as
published, and the stored history at the end.

python bench/hit_verdicts.py before.json        # on the code before the change
python bench/hit_verdicts.py after.json         # ... and after it
python bench/hit_verdicts.py --compare before.json after.json   # exit 1 on any difference

PostgreSQL is started embedded unless --database-url is given; the events are caught by a
producer that keeps what it is sent (no broker needed).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from tracking_edge_hits import ROOT, build_records
from verdict_dumps import compare

from emailtrack.common.consuming import only_items
from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.v1 import events_pb2
from services.tracking_edge.consumer import RawHitHandler
from services.tracking_edge.domain.classify import Classifier, HitFeatures, HitHistory, PriorHit
from services.tracking_edge.domain.privacy import IpTruncation
from services.tracking_edge.store import TrackingEdgeStore

LABELLED = ROOT / "tests" / "data" / "hits" / "labelled_hits.tsv"
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEADER_SETS = {
    "plain": {"Accept-Language": "en-GB,en;q=0.8", "Accept": "*/*"},
    "none": {},
    "android_gmail": {"X-Requested-With": "com.google.android.gm"},
    "webmail": {"Referer": "https://outlook.live.com/mail/0/"},
}


def histories(received: datetime) -> dict[str, HitHistory]:
    def ago(seconds: float) -> datetime:
        return received - timedelta(seconds=seconds)

    return {
        "none": HitHistory(),
        "opened": HitHistory((PriorHit("open", ago(600), 0, "human"),)),
        "burst3": HitHistory(
            tuple(PriorHit("click", ago(s), link, "human") for link, s in ((1, 4), (2, 3), (3, 1)))
        ),
        "pair": HitHistory((PriorHit("click", ago(1), 1, "bot"),)),
        "duplicate": HitHistory((PriorHit("open", ago(5), 0, "privacy_proxy"),), 2),
        "honeypot": HitHistory((PriorHit("click", ago(5), 9, "security_scanner", True),)),
        "velocity": HitHistory((), 7),
    }


def labelled_verdicts() -> dict[str, str]:
    """The repr of each verdict of every labelled row, per history and header set, per pass."""
    classifier = Classifier.load()
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    found: dict[str, str] = {}
    for run in ("cold", "warm"):
        for number, row in enumerate(rows):
            received = SENT + timedelta(seconds=int(row["after_send_s"]))
            for name, history in histories(received).items():
                for headers_name, headers in HEADER_SETS.items():
                    hit = HitFeatures(
                        kind=row["kind"],  # type: ignore[arg-type]  # test data: a kind as str
                        http_method=row["method"],
                        user_agent=row["user_agent"],
                        client_ip=row["ip"],
                        received_at=received,
                        sent_at=SENT,
                        headers=headers,
                        link_index=number % 4,
                        honeypot=row["history"] == "honeypot_hit",
                        rate_limited=number % 97 == 0,
                    )
                    verdict = classifier.classify(hit, history)
                    found[f"labelled:{run}:{number}:{name}:{headers_name}"] = repr(verdict)
    return found


class KeepingProducer:
    """Stands in for the KafkaProducer: keeps the events of every record it is sent."""

    def __init__(self) -> None:
        self.events: list[events_pb2.Event] = []

    def send(self, topic: str, **record: object) -> KeptRecord:
        value = record["value"]
        assert isinstance(value, bytes)
        self.events.extend(events_pb2.EventBatch.FromString(value).events)
        return KeptRecord()


class KeptRecord:
    """What ``send`` returns: a record already delivered."""

    def get(self, timeout: float) -> None:
        return None


def stream_verdicts(url: str, batches: int, truncation: str) -> dict[str, str]:
    """Each event of a generated stream through the handler, by hit id, then every stored hit."""
    url = str(make_url(url).set(database=f"hit_verdicts_{uuid.uuid4().hex[:6]}"))
    ensure_database(url)
    migrate(url, ROOT / "services" / "tracking_edge" / "migrations")
    engine = make_engine(url)
    producer = KeepingProducer()
    handler = RawHitHandler(
        TrackingEdgeStore(engine),
        Classifier.load(),
        producer,  # keeps what a KafkaProducer would send
        ip_truncation=IpTruncation.profile(truncation),
    )
    for record in build_records(batches, 1000, seed=11):
        handler.handle(only_items(handler.decode(record)))
    found = {
        f"event:{truncation}:{event.engagement.hit_id or event.event_id}": str(event)
        for event in producer.events
    }
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM hits ORDER BY hit_id")).all()
    found.update({f"stored:{truncation}:{row[0]}": repr(tuple(row)) for row in rows})
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="OUT.json, or BEFORE AFTER")
    parser.add_argument("--compare", action="store_true", help="compare two dumps")
    parser.add_argument("--batches", type=int, default=20, help="generated 1,000-hit records")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.files[:2]))
    found = labelled_verdicts()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)
        pg = None if args.database_url else EmbeddedPostgres(Path(tmp) / "pg", free_port())
        try:
            if pg:
                pg.start()
            url = args.database_url or pg.url  # type: ignore[union-attr]  # started when no URL is given
            for truncation in ("none", "eu"):
                found.update(stream_verdicts(url, args.batches, truncation))
        finally:
            if pg:
                pg.stop()
    args.files[0].write_text(json.dumps(found, indent=0, sort_keys=True))
    print(f"{len(found)} verdicts -> {args.files[0]}")


if __name__ == "__main__":
    main()
