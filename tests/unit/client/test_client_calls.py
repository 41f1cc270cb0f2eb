"""The SDK against a real in-process TrackingEdgeService (port 0, generated stubs): the API key
travels as `authorization: Bearer`, every call has a deadline, UNAVAILABLE is retried until a
server that starts late answers, other errors are not retried; batching and both clients."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest

from emailtrack.client import (
    AsyncEmailtrackClient,
    ClientOptions,
    EmailtrackClient,
    Endpoints,
    RetryPolicy,
    instrument_mime_request,
    message_to_instrument,
)
from emailtrack.common.identity import recipient_id_for
from emailtrack.common.rate_limit import RateLimiter
from emailtrack.common.tokens import TokenKeys, verify
from emailtrack.platform.ports import free_port
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.server import TrackingEdgeServicer
from tests.tls_certs import self_signed

KEYS = TokenKeys.parse("k1:" + "s" * 43)
BASE = "https://t.example.com"
FAST_RETRY = RetryPolicy(max_attempts=40, initial_backoff_s=0.02, max_backoff_s=0.1)


class KeyThrottle(grpc.ServerInterceptor):
    """Refuses calls over ``RateLimiter``'s bucket with RESOURCE_EXHAUSTED, as the services'
    per-key limit does."""

    def __init__(self, rate_per_s: float, burst: int) -> None:
        self.limiter = RateLimiter(rate_per_s, burst)
        self.refused = 0

    def intercept_service(self, continuation, handler_call_details):
        if self.limiter.acquire("the-key") == 0.0:
            return continuation(handler_call_details)
        self.refused += 1

        def refuse(request, context):
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "rate limit exceeded; retry")

        return grpc.unary_unary_rpc_method_handler(refuse)


class MetadataRecorder(grpc.ServerInterceptor):
    """Remembers the metadata and deadline of every call the server receives."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []

    def intercept_service(self, continuation, handler_call_details):
        self.calls.append(dict(handler_call_details.invocation_metadata))
        return continuation(handler_call_details)


def serve(
    port: int,
    recorder: grpc.ServerInterceptor | None = None,
    max_message_bytes: int = 4 * 1024 * 1024,
) -> grpc.Server:
    """The real servicer on a plain gRPC server (with ``recorder`` as its interceptor)."""
    server = grpc.server(
        ThreadPoolExecutor(4),
        interceptors=[recorder] if recorder else [],
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
        ],
    )
    tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server(
        TrackingEdgeServicer(Instrumenter(BASE, KEYS), KEYS), server
    )
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    return server


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def recorder(port: int) -> Iterator[MetadataRecorder]:
    recorder = MetadataRecorder()
    server = serve(port, recorder)
    yield recorder
    server.stop(0)


def options(port: int, **fields: object) -> ClientOptions:
    values: dict[str, object] = {"endpoints": Endpoints.single(f"127.0.0.1:{port}")}
    values.update(fields)
    return ClientOptions(**values)  # type: ignore[arg-type]  # test fields passed as keywords


def test_api_key_is_sent_as_bearer_metadata(port: int, recorder: MetadataRecorder) -> None:
    with EmailtrackClient(options(port, api_key="et_test_123")) as client:
        done = client.instrument_html(
            tenant_id="acme",
            campaign_id="c",
            message_id="m-1",
            recipient_email="Ada@Example.com",
            html='<a href="https://shop.example/">x</a>',
        )
    assert recorder.calls[-1]["authorization"] == "Bearer et_test_123"
    claims = verify(done.links[0].tracking_url.rsplit("/", 1)[1], KEYS)
    assert claims.recipient_id == recipient_id_for("acme", "ada@example.com")


def test_unavailable_is_retried_until_a_late_server_answers(port: int) -> None:
    started: list[grpc.Server] = []
    timer = threading.Timer(0.5, lambda: started.append(serve(port)))
    timer.start()
    began = time.monotonic()
    try:
        with EmailtrackClient(options(port, retry=FAST_RETRY)) as client:
            done = client.instrument_mime(
                b"Subject: x\r\n\r\nhttps://shop.example/\r\n",
                tenant_id="acme",
                campaign_id="c",
                message_id="m",
                recipient_id="r",
            )
        assert BASE.encode() in done.mime
        assert time.monotonic() - began >= 0.4
    finally:
        timer.join()
        for running in started:
            running.stop(0)


def test_a_throttled_key_is_retried_until_its_bucket_refills(port: int) -> None:
    throttle = KeyThrottle(rate_per_s=20, burst=1)
    server = serve(port, throttle)
    mime = b"Subject: x\r\n\r\nhttps://shop.example/\r\n"
    try:
        with EmailtrackClient(options(port, retry=FAST_RETRY)) as client:
            done = [
                client.instrument_mime(
                    mime, tenant_id="acme", campaign_id="c", message_id=f"m{n}", recipient_id="r"
                )
                for n in range(4)
            ]
        assert all(BASE.encode() in d.mime for d in done)
        assert throttle.refused > 0  # the bucket did refuse, and the calls went through later
        once = RetryPolicy(max_attempts=1)
        with (
            EmailtrackClient(options(port, retry=once)) as client,
            pytest.raises(grpc.RpcError) as refused,
        ):
            for n in range(4):
                client.instrument_mime(
                    mime, tenant_id="acme", campaign_id="c", message_id=f"x{n}", recipient_id="r"
                )
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    finally:
        server.stop(0)


def test_unavailable_gives_up_after_max_attempts_and_bad_input_is_not_retried(port: int) -> None:
    policy = RetryPolicy(max_attempts=3, initial_backoff_s=0.01, max_backoff_s=0.01)
    with EmailtrackClient(options(port, retry=policy)) as client, pytest.raises(grpc.RpcError) as e:
        client.campaign_stats("acme", "c")
    assert e.value.code() == grpc.StatusCode.UNAVAILABLE
    recorder = MetadataRecorder()
    server = serve(port, recorder)
    client = EmailtrackClient(options(port, retry=FAST_RETRY))
    try:
        with pytest.raises(grpc.RpcError) as bad:
            client.instrument_mime(b"", tenant_id="acme")
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert len(recorder.calls) == 1
    finally:
        client.close()
        server.stop(0)


def test_instrument_many_batches_in_order(port: int, recorder: MetadataRecorder) -> None:
    messages = [
        message_to_instrument(
            tenant_id="acme",
            campaign_id="c",
            message_id=f"m-{n}",
            recipient_id=f"r-{n}",
            html="<p>hi</p>",
        )
        for n in range(7)
    ]
    with EmailtrackClient(options(port)) as client:
        done = list(client.instrument_many(messages, batch_size=3))
    assert [d.message_id for d in done] == [f"m-{n}" for n in range(7)]
    assert len(recorder.calls) == 3


def test_async_client_instruments_and_batches(port: int, recorder: MetadataRecorder) -> None:
    async def scenario() -> list[str]:
        async with AsyncEmailtrackClient(options(port, api_key="k")) as client:
            one = await client.instrument_html(
                tenant_id="acme", campaign_id="c", message_id="m-0", recipient_id="r", text="hi"
            )
            many = [
                done.message_id
                async for done in client.instrument_many(
                    [
                        message_to_instrument(
                            tenant_id="a",
                            campaign_id="c",
                            message_id=f"m-{n}",
                            recipient_id="r",
                            text="https://x.example/",
                        )
                        for n in range(1, 5)
                    ],
                    batch_size=2,
                )
            ]
            return [one.message_id, *many]

    assert asyncio.run(scenario()) == ["m-0", "m-1", "m-2", "m-3", "m-4"]
    assert [call["authorization"] for call in recorder.calls] == ["Bearer k"] * 3


def test_tls_channel_verifies_the_server_and_carries_the_key(port: int, tmp_path: Path) -> None:
    cert = self_signed(tmp_path)
    recorder = MetadataRecorder()
    server = grpc.server(ThreadPoolExecutor(2), interceptors=[recorder])
    tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server(
        TrackingEdgeServicer(Instrumenter(BASE, KEYS), KEYS), server
    )
    credentials = grpc.ssl_server_credentials([(cert.key.read_bytes(), cert.cert.read_bytes())])
    server.add_secure_port(f"127.0.0.1:{port}", credentials)
    server.start()
    remote = Endpoints.single(f"localhost:{port}")
    try:
        trusted = ClientOptions(
            endpoints=remote, api_key="k-tls", tls=True, root_certificates=cert.cert.read_bytes()
        )
        with EmailtrackClient(trusted) as client:
            done = client.instrument_mime(
                b"Subject: x\r\n\r\nhttps://shop.example/\r\n",
                tenant_id="acme",
                campaign_id="c",
                message_id="m",
                recipient_id="r",
            )
        assert done.instrumented_parts == 1
        assert recorder.calls[-1]["authorization"] == "Bearer k-tls"
        untrusted = ClientOptions(endpoints=remote, tls=True, retry=RetryPolicy(max_attempts=1))
        with EmailtrackClient(untrusted) as client, pytest.raises(grpc.RpcError) as refused:
            client.campaign_stats("acme", "c")
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop(0)


def test_mime_batch_answers_each_message_and_large_messages_fit_both_clients(port: int) -> None:
    server = serve(port, max_message_bytes=64 * 1024 * 1024)
    attachment = b"A" * (6 * 1024 * 1024)  # over gRPC's 4 MiB default, both ways
    large = (
        b"Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nhttps://shop.example/\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64"
        b"\r\n\r\n" + attachment + b"\r\n--b--\r\n"
    )
    signed = b"DKIM-Signature: v=1\r\nSubject: x\r\n\r\nhttps://shop.example/\r\n"
    requests = [
        instrument_mime_request(
            mime, tenant_id="acme", campaign_id="c", message_id="m", recipient_id=r
        )
        for mime, r in ((large, "r-1"), (signed, "r-2"))
    ]

    def check(results: list[tracking_edge_pb2.InstrumentMimeResult]) -> None:
        assert [r.refusal for r in results] == [
            tracking_edge_pb2.INSTRUMENT_MIME_REFUSAL_UNSPECIFIED,
            tracking_edge_pb2.INSTRUMENT_MIME_REFUSAL_DKIM_SIGNATURE_PRESENT,
        ]
        assert (
            results[0].response.instrumented_parts == 1 and attachment in results[0].response.mime
        )

    async def asynchronous() -> list[tracking_edge_pb2.InstrumentMimeResult]:
        async with AsyncEmailtrackClient(options(port)) as client:
            return await client.instrument_mime_batch(requests)

    try:
        with EmailtrackClient(options(port)) as client:
            check(client.instrument_mime_batch(requests))
        check(asyncio.run(asynchronous()))
    finally:
        server.stop(0)
