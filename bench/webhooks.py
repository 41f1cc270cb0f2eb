"""Outbound webhooks benchmark: deliveries per second to a real local HTTP receiver and the
CPU the webhooks process spends per delivery, against a same-run reference.

python bench/webhooks.py [--deliveries 3000] [--endpoints 4] [--per-endpoint 4] [--batch]

The receiver runs in its own process (tests/webhook_receiver.py: it verifies every signature
and de-duplicates on the event id), so its CPU is not counted here. PostgreSQL is started
embedded unless --database-url is given. The deliveries are enqueued first (not timed),
then the real DeliveryWorker (claim under lease, sign with the standardwebhooks package,
SSRF-checked POST to the resolved address, attempt log) runs until all are delivered.
The reference, measured in the same run and with the same concurrency, is a bare loop of
pre-signed HTTP POSTs (a new connection each, as the worker opens) to the same receiver:
what any sender pays. Both rates, their ratio and CPU ms per request are printed; figures
are noisy while other work shares the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from services.webhooks.domain.backoff import RetryPolicy
from services.webhooks.domain.destinations import parse_networks
from services.webhooks.poster import Poster
from services.webhooks.signing import SecretBox, new_secret, signature_headers
from services.webhooks.store.deliveries import DeliveryStore, NewDelivery
from services.webhooks.store.endpoints import EndpointStore
from services.webhooks.worker import DeliveryWorker, WorkerSettings

ROOT = Path(__file__).resolve().parent.parent
RECEIVER = """
import sys, time
from tests.webhook_receiver import running_receiver
with running_receiver(sys.argv[1:]) as (receiver, url):
    print(url, flush=True)
    sys.stdin.read()
    print(len(receiver.events), receiver.requests, receiver.bad_signatures, flush=True)
"""


def payload(event_id: str, tenant: str) -> str:
    data = {
        "event_id": event_id,
        "tenant_id": tenant,
        "campaign_id": "bench",
        "message_id": "m",
        "recipient_id": "r",
        "variant": "",
        "sequence_step": "",
        "address": "a@example.com",
        "smtp_code": "250",
        "enhanced_status": "2.0.0",
        "diagnostic": "",
        "source": "smtp",
    }
    body = {"type": "email.delivered", "timestamp": "2026-12-07T00:00:00.000000Z", "version": "1"}
    return json.dumps({**body, "data": data}, separators=(",", ":"))


def reference(url: str, secret: str, count: int, concurrency: int) -> tuple[float, float]:
    """Rate and CPU ms per request of bare pre-signed POSTs (new connection each)."""
    port = int(url.split(":")[2].split("/")[0])
    bodies = [payload(f"ref-{i}", "ref") for i in range(count)]
    headers = [signature_headers(f"ref-{i}", datetime.now(UTC), b, [secret]) for i, b in
               enumerate(bodies)]  # fmt: skip

    def post(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/hooks", bodies[i].encode(),
                           {**headers[i], "Content-Type": "application/json"})  # fmt: skip
        response = connection.getresponse()
        response.read(512)
        assert response.status == 200, response.status
        connection.close()

    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(post, range(count)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return count / wall, cpu * 1000 / count


def run(database_url: str, args: argparse.Namespace) -> None:
    ensure_database(database_url)
    migrate(database_url, ROOT / "services" / "webhooks" / "migrations")
    engine = make_engine(database_url, pool_size=args.endpoints * args.per_endpoint)
    endpoints = EndpointStore(engine, SecretBox(os.urandom(32)))
    deliveries = DeliveryStore(engine)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE endpoints CASCADE"))
    # endpoints first (their secrets are what the receiver verifies), then the receiver
    created = [
        endpoints.create("bench", "http://127.0.0.1/", [], args.batch, "")
        for _ in range(args.endpoints)
    ]
    reference_secret = new_secret()
    receiver = subprocess.Popen(
        [sys.executable, "-c", RECEIVER, *[s for _, s in created], reference_secret], cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert receiver.stdout is not None and receiver.stdin is not None
    url = receiver.stdout.readline().strip()
    with engine.begin() as conn:
        conn.execute(text("UPDATE endpoints SET url = :u"), {"u": url})
    concurrency = args.endpoints * args.per_endpoint
    reference(url, reference_secret, min(300, args.deliveries), concurrency)  # warm up
    ref_rate, ref_cpu = reference(url, reference_secret, args.deliveries, concurrency)
    rows = [
        NewDelivery(endpoint.endpoint_id, "bench", f"ev-{n}", "email.delivered", "r",
                    payload(f"ev-{n}", "bench"), datetime.now(UTC))
        for n in range(args.deliveries)
        for endpoint in [created[n % len(created)][0]]
    ]  # fmt: skip
    deliveries.enqueue(rows)
    worker = DeliveryWorker(
        endpoints, deliveries, Poster(parse_networks(["127.0.0.0/8"]), 10.0), RetryPolicy(),
        WorkerSettings(workers=concurrency, per_endpoint=args.per_endpoint, poll_interval_s=0.01,
                       batch_size=args.batch_size),
    )  # fmt: skip
    stop = threading.Event()
    cpu, wall = time.process_time(), time.perf_counter()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    while True:
        with engine.connect() as conn:
            done = conn.execute(
                text("SELECT count(*) FROM deliveries WHERE status = 'delivered'")
            ).scalar_one()
        if done >= args.deliveries:
            break
        time.sleep(0.02)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stop.set()
    thread.join(timeout=30)
    receiver.stdin.close()
    seen, requests, bad = (int(x) for x in receiver.stdout.readline().split())
    receiver.wait()
    rate = args.deliveries / wall
    mode = f"batch of {args.batch_size}" if args.batch else "one event per request"
    print(f"{args.deliveries} deliveries, {args.endpoints} endpoints x {args.per_endpoint} "
          f"in flight, {mode}")  # fmt: skip
    print(f"reference (bare pre-signed POST loop): {ref_rate:8.0f} requests/s  "
          f"{ref_cpu:6.2f} ms CPU/request")  # fmt: skip
    print(f"webhooks worker (claim, sign, post, log): {rate:6.0f} deliveries/s  "
          f"{cpu * 1000 / args.deliveries:6.2f} ms CPU/delivery (this process)")  # fmt: skip
    print(f"ratio webhooks/reference: {rate / ref_rate:.2f}")
    print(f"receiver: {seen} distinct events verified (incl. reference), {requests} requests, "
          f"{bad} bad signatures")  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=3000)
    parser.add_argument("--endpoints", type=int, default=4)
    parser.add_argument("--per-endpoint", type=int, default=4)
    parser.add_argument("--batch", action="store_true")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)
        pg = EmbeddedPostgres(Path(tmp) / "pg", free_port())
        pg.start()
        try:
            run(pg.database_url("webhooks_bench"), args)
        finally:
            pg.stop()


if __name__ == "__main__":
    main()
