"""Realistic raw hits for the tracking edge benchmarks: RawHitBatch records built from the
real user agents of tests/data/hits/labelled_hits.tsv, Zipf-skewed as in real traffic.

Sessions: readers opening and clicking (some through webmail), Apple Mail Privacy Protection
prefetches (some followed by the reader's own open), Gmail's image proxy, link scanners
clicking every link and the honeypot, crawlers, one-click unsubscribes. Sessions pick their
message among a third as many keys as hits, so many revisit a message seen before.
"""

from __future__ import annotations

import bisect
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emailtrack.common.consuming import Record
from emailtrack.v1 import events_pb2

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "hits" / "labelled_hits.tsv"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TENANTS = ("acme", "globex", "initech")
DOMAINS = ("gmail.com", "outlook.com", "icloud.com", "example.org")
LINKS = 6
OCTETS = (2, 5, 24, 31, 41, 46, 50, 62, 71, 77, 81, 88, 91, 98, 101, 109, 110, 176, 177)
WEBMAIL = ("https://mail.google.com/", "https://outlook.live.com/", "https://mail.yahoo.com/")
GMAIL_PROXY = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
)
SESSION_KINDS = ("reader", "apple", "gmail", "scanner", "crawler", "unsub")
SESSION_WEIGHTS = (60, 22, 8, 4, 5, 1)
OPEN, CLICK = events_pb2.HIT_KIND_OPEN, events_pb2.HIT_KIND_CLICK
Key = tuple[str, str, str, str]  # tenant, campaign, message, recipient


class Pool:
    """(ip, user agent) rows of one kind, drawn Zipf-like: a few UAs make most hits."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        self.cumulative: list[float] = []
        total = 0.0
        for rank in range(len(rows)):
            total += 1 / (rank + 1) ** 1.1
            self.cumulative.append(total)

    def draw(self, rng: random.Random) -> tuple[str, str]:
        index = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.rows[min(index, len(self.rows) - 1)]


def load_pools(rng: random.Random) -> dict[str, Pool]:
    groups: dict[str, list[tuple[str, str]]] = {"reader": [], "apple": [], "scanner": []}
    groups["crawler"] = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines()[1:]:
        group, _split, label, *_, ip, _after, _history, agent = line.split("\t")
        if group == "crawlerdetect_devices" and label == "human":
            groups["reader"].append((ip, agent))
        elif group in ("scenario_apple_mpp", "scenario_scanner_ip"):
            groups["apple" if "apple" in group else "scanner"].append((ip, agent))
        elif group in ("crawlerdetect_crawlers", "crawler_user_agents") and label == "machine":
            groups["crawler"].append((ip, agent))
    for rows in groups.values():
        rng.shuffle(rows)
    return {name: Pool(rows) for name, rows in groups.items()}


def public_ip(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return f"2a01:{rng.randrange(0xE00, 0xEFF):x}:{rng.randrange(1 << 16):x}::1"
    octets = (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
    return ".".join(map(str, (rng.choice(OCTETS), *octets)))


@dataclass
class Hit:
    """One request of a session; ``make`` turns it into a RawHit as the gateway builds it."""

    at: datetime
    kind: int
    ip: str
    agent: str
    link: int = 0
    method: str = "GET"
    honeypot: bool = False
    referer: str = ""
    language: str = "en-GB,en;q=0.9"

    def make(self, hit_id: str, key: Key, sent: datetime) -> events_pb2.RawHit:
        tenant, campaign, message, recipient = key
        claims = events_pb2.TokenClaims(
            key_id="k1",
            tenant_id=tenant,
            campaign_id=campaign,
            message_id=message,
            recipient_id=recipient,
            kind=self.kind,  # type: ignore[arg-type]  # test data: an enum value as int or str
            link_index=self.link,
            honeypot=self.honeypot,
            variant="A" if message[1] in "01234567" else "B",
        )
        if self.kind == CLICK:
            claims.link_url = f"https://shop.example.com/{campaign}/{self.link}?utm_source=email"
        claims.sent_at.FromDatetime(sent)
        hit = events_pb2.RawHit(
            hit_id=hit_id,
            claims=claims,
            http_method=self.method,
            user_agent=self.agent,
            client_ip=self.ip,
            accept_language=self.language,
            referer=self.referer,
            one_click=self.kind == events_pb2.HIT_KIND_UNSUBSCRIBE,
        )
        hit.received_at.FromDatetime(self.at)
        if self.kind == CLICK and self.language:
            hit.headers["sec-fetch-mode"] = "navigate"
        return hit


def session(rng: random.Random, pools: dict[str, Pool], at: datetime) -> list[Hit]:
    """The requests of one reading session of a message starting at ``at``."""
    kind = rng.choices(SESSION_KINDS, SESSION_WEIGHTS)[0]
    if kind == "apple":
        ip, agent = pools["apple"].draw(rng)
        hits = [Hit(at, OPEN, ip, agent, language="")]
        if rng.random() < 0.3:  # the reader opens it later on the device itself
            hits.append(Hit(at + timedelta(hours=1), OPEN, public_ip(rng), agent))
        return hits
    if kind == "gmail":
        return [Hit(at, OPEN, f"66.249.{rng.randrange(64, 95)}.10", GMAIL_PROXY)]
    if kind == "scanner":
        ip, agent = pools["scanner"].draw(rng)
        method = "HEAD" if rng.random() < 0.2 else "GET"
        return [
            Hit(
                at + timedelta(seconds=0.3 * n), CLICK, ip, agent, n, method, n == LINKS - 1, "", ""
            )
            for n in range(LINKS)
        ]
    if kind == "crawler":
        agent = pools["crawler"].draw(rng)[1]
        return [Hit(at, CLICK, public_ip(rng), agent, rng.randrange(LINKS))]
    if kind == "unsub":
        ip, agent = pools["reader"].draw(rng)
        return [Hit(at, events_pb2.HIT_KIND_UNSUBSCRIBE, ip, agent, method="POST")]
    ip, agent = public_ip(rng), pools["reader"].draw(rng)[1]
    referer = rng.choice(WEBMAIL) if rng.random() < 0.3 else ""
    hits = [Hit(at, OPEN, ip, agent)]
    if rng.random() < 0.03:  # a client fetching the pixel twice
        hits.append(Hit(at + timedelta(seconds=2), OPEN, ip, agent))
    for _ in range(rng.choice((0, 0, 0, 0, 1, 1, 2, 3))):
        at += timedelta(seconds=rng.randrange(5, 600))
        hits.append(Hit(at, CLICK, ip, agent, rng.randrange(LINKS - 1), referer=referer))
    return hits


def build_records(batches: int, batch_hits: int, seed: int = 7) -> list[Record]:
    """RawHitBatch records in received order; sessions pick their message among
    ``wanted / 3`` keys, so many revisit a message seen before."""
    rng = random.Random(seed)
    pools = load_pools(rng)
    prefix, wanted = f"{rng.getrandbits(64):016x}", batches * batch_hits
    keys: list[Key] = []
    for _ in range(wanted // 3):
        tenant, campaign = rng.choice(TENANTS), f"camp-{rng.randrange(12)}"
        message = f"<{uuid.UUID(int=rng.getrandbits(128))}@mail.{tenant}.example>"
        keys.append((tenant, campaign, message, f"r{rng.randrange(10**6)}@{rng.choice(DOMAINS)}"))
    hits: list[events_pb2.RawHit] = []
    while len(hits) < wanted:
        key = rng.choice(keys)
        sent = START + timedelta(hours=int(key[1].split("-")[1]) % 4)
        for hit in session(rng, pools, sent + rng.random() * timedelta(hours=6)):
            hits.append(hit.make(f"{prefix}{len(hits):016x}", key, sent))
    hits.sort(key=lambda h: (h.received_at.seconds, h.received_at.nanos))
    return [
        Record("bench.raw", 0, n, None, events_pb2.RawHitBatch(hits=hits[i : i + batch_hits])
               .SerializeToString(), [])
        for n, i in enumerate(range(0, wanted, batch_hits))
    ]  # fmt: skip


def raw_hits(records: list[Record]) -> list[events_pb2.RawHit]:
    return [h for r in records for h in events_pb2.RawHitBatch.FromString(r.value).hits]
