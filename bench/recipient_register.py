"""Benchmark of the recipient service's hot paths through real gRPC stubs and PostgreSQL:
RegisterMessages in batches of 1,000 recipients (registrations/s) against the seed
reference (150 µs per recipient op) and against a naive one-row-per-statement loop measured
in the same run; then CheckSendable latency (p50/p99) for 1 and 100 addresses.

Run: ``.venv/bin/python bench/recipient_register.py`` (starts an embedded PostgreSQL unless
EMAILTRACK_BENCH_DATABASE_URL names a server)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from emailtrack.common.credentials import single_key_auth
from emailtrack.common.db import ensure_database, make_engine, migrate, normalise_url
from emailtrack.common.grpc_server import ServiceRegistration, client_channel, start_server
from emailtrack.platform.ports import free_port
from emailtrack.platform.postgres import EmbeddedPostgres
from emailtrack.v1 import recipient_pb2 as pb
from emailtrack.v1 import recipient_pb2_grpc
from services.recipient.__main__ import MIGRATIONS, stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.domain.addresses import normalise
from services.recipient.server import RecipientServicer
from services.recipient.store.rows import Database

SEED_US_PER_OP = 150.0
BATCH = 1000
BATCHES = 20
RECIPIENTS_PER_MESSAGE = 4

BENCH_KEY = "bench-in-process-key-0123456789abcdef"


@contextmanager
def database() -> Iterator[str]:
    server_url = os.environ.get("EMAILTRACK_BENCH_DATABASE_URL")
    server = None
    if not server_url:
        server = EmbeddedPostgres(Path(tempfile.mkdtemp()) / "pg", free_port())
        server.start()
        server_url = server.url
    url = str(make_url(normalise_url(server_url)).set(database=f"bench_{uuid.uuid4().hex[:8]}"))
    ensure_database(url)
    migrate(url, MIGRATIONS)
    try:
        yield url
    finally:
        if server:
            server.stop()


def batch_request(tenant: str, batch: int) -> pb.RegisterMessagesRequest:
    messages = []
    for m in range(BATCH // RECIPIENTS_PER_MESSAGE):
        recipients = [
            pb.MessageRecipient(email=f"user{batch}-{m}-{r}@example{r}.com")
            for r in range(RECIPIENTS_PER_MESSAGE)
        ]
        messages.append(
            pb.MessageRegistration(
                message_id=f"msg-{batch}-{m}", campaign_id="bench", recipients=recipients
            )
        )
    return pb.RegisterMessagesRequest(tenant_id=tenant, messages=messages)


def naive_register(engine: Engine, request: pb.RegisterMessagesRequest) -> None:
    """The reference: one statement per row, in one transaction per batch."""
    tenant = request.tenant_id
    with engine.begin() as conn:
        for message in request.messages:
            conn.execute(
                text(
                    "INSERT INTO messages (tenant_id, message_id, campaign_id, list_id, "
                    "sequence_step, variant, mailbox) VALUES (:t, :m, :c, '', '', '', '') "
                    "ON CONFLICT DO NOTHING"
                ),
                {"t": tenant, "m": message.message_id, "c": message.campaign_id},
            )
            for recipient in message.recipients:
                address = normalise(tenant, recipient.email)
                params = {"t": tenant, "r": address.recipient_id, "e": address.email}
                conn.execute(
                    text(
                        "INSERT INTO recipients (tenant_id, recipient_id, email) "
                        "VALUES (:t, :r, :e) ON CONFLICT (tenant_id, recipient_id) "
                        "DO UPDATE SET last_seen_at = now()"
                    ),
                    params,
                )
                conn.execute(
                    text(
                        "INSERT INTO message_recipients (tenant_id, message_id, recipient_id, "
                        "role, status) VALUES (:t, :m, :r, 1, 1) ON CONFLICT DO NOTHING"
                    ),
                    {**params, "m": message.message_id},
                )


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def main() -> None:
    with database() as url:
        engine = make_engine(url, pool_size=10)
        parts = stores(Database(engine), RecipientSettings.from_env({}))
        analytics = client_channel("127.0.0.1:1", api_key=BENCH_KEY)
        servicer = RecipientServicer(
            parts.recipients,
            parts.messages,
            parts.suppression,
            parts.privacy,
            AnalyticsClient(analytics, "127.0.0.1:1"),
        )
        server = start_server(
            [
                ServiceRegistration(
                    servicer,
                    recipient_pb2_grpc.add_RecipientServiceServicer_to_server,
                    "emailtrack.v1.RecipientService",
                )
            ],
            0,
            "127.0.0.1",
            auth=single_key_auth(BENCH_KEY),
        )
        stub = recipient_pb2_grpc.RecipientServiceStub(
            client_channel(f"127.0.0.1:{server.port}", api_key=BENCH_KEY)
        )
        stub.RegisterMessages(batch_request("warmup", 0))

        requests = [batch_request("bench", b) for b in range(BATCHES)]
        start = time.perf_counter()
        for request in requests:
            stub.RegisterMessages(request)
        elapsed = time.perf_counter() - start
        rate = BATCH * BATCHES / elapsed

        naive_requests = [batch_request("naive", b) for b in range(3)]
        start = time.perf_counter()
        for request in naive_requests:
            naive_register(engine, request)
        naive_rate = BATCH * len(naive_requests) / (time.perf_counter() - start)

        seed_rate = 1e6 / SEED_US_PER_OP
        print(f"RegisterMessages, {BATCHES} batches of {BATCH} recipients (gRPC + PostgreSQL):")
        print(f"  set-based:            {rate:10,.0f} registrations/s")
        print(f"  naive row-by-row:     {naive_rate:10,.0f} registrations/s (same run)")
        print(f"  seed reference:       {seed_rate:10,.0f} registrations/s (150 µs/op)")
        print(f"  ratio vs seed:        {rate / seed_rate:10.1f}x   (target >= 3.0x, 20,000/s)")
        print(f"  ratio vs naive:       {rate / naive_rate:10.1f}x")

        known = [r.email for r in requests[0].messages[0].recipients]
        stub.Suppress(pb.SuppressRequest(tenant_id="bench", email=known[0], reason="bench"))
        for size in (1, 100):
            emails = [r.email for m in requests[1].messages for r in m.recipients][
                : size - 1
            ] + known[:1]
            check = pb.CheckSendableRequest(tenant_id="bench", emails=emails)
            samples = []
            for _ in range(500):
                t0 = time.perf_counter()
                stub.CheckSendable(check)
                samples.append((time.perf_counter() - t0) * 1000)
            print(
                f"CheckSendable, {size:3d} address(es): p50 {percentile(samples, 50):6.2f} ms, "
                f"p99 {percentile(samples, 99):6.2f} ms"
            )
        server.stop(0)
        analytics.close()
        engine.dispose()


if __name__ == "__main__":
    main()
