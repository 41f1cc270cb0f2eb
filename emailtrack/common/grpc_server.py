"""gRPC server bootstrap: standard health checking, server reflection, authentication
(``grpc_auth``), graceful stop on SIGTERM/SIGINT; and client channels whose calls always
carry a deadline and the caller's credential."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry import propagate

from emailtrack.common.config import GrpcTls
from emailtrack.common.grpc_auth import ServerAuth
from emailtrack.common.grpc_metrics import MetricsInterceptor

log = logging.getLogger(__name__)

DEFAULT_DEADLINE_S = 10.0


@dataclass(frozen=True)
class ServiceRegistration:
    """A servicer plus the generated function that adds it and its full service name."""

    servicer: object
    add_to_server: Callable[[object, grpc.Server], None]
    full_name: str


@dataclass
class RunningServer:
    server: grpc.Server
    health: health.HealthServicer
    port: int
    service_names: tuple[str, ...]

    def set_serving(self, serving: bool) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", *self.service_names):
            self.health.set(name, status)

    def stop(self, grace_s: float = 5.0) -> None:
        self.set_serving(False)
        self.server.stop(grace_s).wait()


def start_server(
    registrations: Iterable[ServiceRegistration],
    port: int,
    host: str = "0.0.0.0",
    max_workers: int = 16,
    *,
    auth: ServerAuth,
    tls: GrpcTls | None = None,
) -> RunningServer:
    """Starts a server with health and reflection (open) and every other service behind
    ``auth``, over TLS (or mTLS) when ``tls`` has a certificate; ``port`` 0 picks a free
    port."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers),
        interceptors=[MetricsInterceptor(), auth.interceptor()],
        options=[
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ("grpc.max_send_message_length", 64 * 1024 * 1024),
        ],
    )
    names: list[str] = []
    for reg in registrations:
        reg.add_to_server(reg.servicer, server)
        names.append(reg.full_name)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*names, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    if tls is not None and tls.cert_file:
        bound = server.add_secure_port(f"{host}:{port}", _server_credentials(tls))
    else:
        bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise RuntimeError(f"cannot bind gRPC port {host}:{port}")
    server.start()
    running = RunningServer(server, health_servicer, bound, tuple(names))
    running.set_serving(True)
    log.info("gRPC listening on %s:%d (%s)", host, bound, ", ".join(names))
    return running


def wait_for_termination_signal() -> threading.Event:
    """Returns an event set on SIGTERM or SIGINT (call from the main thread)."""
    stop = threading.Event()

    def _handler(signum: int, _frame: object) -> None:
        log.info("received signal %d, shutting down", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop


class ClientCallInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Gives every call a deadline (``deadline_s`` unless it set its own), the credential
    ``api_key`` (unless the call carries its own ``authorization``) and the current W3C trace
    context in the call's metadata, so server spans join the caller's trace. The call
    objects are returned untouched (streams keep ``cancel()``)."""

    def __init__(self, deadline_s: float, api_key: str | None = None) -> None:
        self.deadline_s = deadline_s
        self.authorization = f"Bearer {api_key}" if api_key else None

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        metadata: tuple[tuple[str, str | bytes], ...] = (
            *(details.metadata or ()),
            *carrier.items(),
        )
        if self.authorization and all(name != "authorization" for name, _ in metadata):
            metadata = (*metadata, ("authorization", self.authorization))
        return _CallDetails(
            details.method,
            self.deadline_s if details.timeout is None else details.timeout,
            metadata,
            details.credentials,
            details.wait_for_ready,
            details.compression,
        )

    def intercept_unary_unary(
        self, continuation: Any, client_call_details: grpc.ClientCallDetails, request: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(
        self, continuation: Any, client_call_details: grpc.ClientCallDetails, request: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(
        self,
        continuation: Any,
        client_call_details: grpc.ClientCallDetails,
        request_iterator: Any,
    ) -> Any:
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):  # type: ignore[no-untyped-def]  # grpc's interceptor signature
        return continuation(self._details(client_call_details), request_iterator)


@dataclass(frozen=True)
class _CallDetails(grpc.ClientCallDetails):
    method: str
    timeout: float | None
    metadata: tuple[tuple[str, str | bytes], ...] | None
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


def _read(path: str) -> bytes:
    with open(path, "rb") as pem:
        return pem.read()


def _server_credentials(tls: GrpcTls) -> grpc.ServerCredentials:
    client_ca = _read(tls.client_ca_file) if tls.client_ca_file else None
    return grpc.ssl_server_credentials(
        [(_read(tls.key_file), _read(tls.cert_file))],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )


def client_channel(
    address: str,
    deadline_s: float = DEFAULT_DEADLINE_S,
    api_key: str | None = None,
    tls: GrpcTls | None = None,
) -> grpc.Channel:
    """A channel (TLS when ``tls`` names a CA, presenting its certificate when it has one;
    else plaintext) whose calls get ``deadline_s`` unless they set their own, and carry
    ``api_key`` as ``authorization: Bearer`` and the caller's trace context."""
    if tls is not None and tls.ca_file:
        credentials = grpc.ssl_channel_credentials(
            _read(tls.ca_file),
            _read(tls.key_file) if tls.key_file else None,
            _read(tls.cert_file) if tls.cert_file else None,
        )
        channel = grpc.secure_channel(address, credentials)
    else:
        channel = grpc.insecure_channel(address)
    return grpc.intercept_channel(channel, ClientCallInterceptor(deadline_s, api_key))
