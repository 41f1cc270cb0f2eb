"""Client settings: where each service listens, the API key, deadlines and the retry policy
(pure values; no I/O)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import grpc

LOCAL_HOST = "127.0.0.1"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # the services' own limit (a 25 MiB MIME message fits)


@dataclass(frozen=True)
class Endpoints:
    """The gRPC address of each service the client talks to (``host:port``)."""

    tracking_edge: str = f"{LOCAL_HOST}:15051"
    recipient: str = f"{LOCAL_HOST}:15052"
    analytics: str = f"{LOCAL_HOST}:15054"

    @classmethod
    def single(cls, target: str) -> Endpoints:
        """Every service behind one address (an ingress or proxy that routes by gRPC service)."""
        return cls(tracking_edge=target, recipient=target, analytics=target)


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of a call answered UNAVAILABLE (the server is starting, restarting or
    overloaded) or RESOURCE_EXHAUSTED (the key's rate limit: its bucket refills within
    milliseconds, so a short pause lets the call through instead of failing the send):
    exponential backoff with full jitter. Every call the SDK makes is idempotent on the server
    side, so a retry after an ambiguous failure is safe."""

    max_attempts: int = 5
    initial_backoff_s: float = 0.1
    max_backoff_s: float = 5.0
    multiplier: float = 2.0
    retryable: frozenset[grpc.StatusCode] = frozenset(
        {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED}
    )

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff_s(self, attempt: int, rng: random.Random | None = None) -> float:
        """The pause before retry number ``attempt`` (1 for the first retry)."""
        ceiling = min(self.max_backoff_s, self.initial_backoff_s * self.multiplier ** (attempt - 1))
        return (rng or random).uniform(0, ceiling)

    def should_retry(self, code: grpc.StatusCode | None, attempt: int) -> bool:
        return code in self.retryable and attempt < self.max_attempts


@dataclass(frozen=True)
class ClientOptions:
    """Everything a client needs.

    ``api_key`` is sent on every call as ``authorization: Bearer <key>``. ``tls`` uses the
    system's root certificates (``root_certificates`` to trust a private CA); an API key over
    a plain-text channel is refused for non-loopback addresses unless
    ``allow_plaintext_api_key`` says the network is trusted (a cluster-internal hop behind a
    service mesh, say)."""

    endpoints: Endpoints = field(default_factory=Endpoints)
    api_key: str | None = None
    deadline_s: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    tls: bool = False
    root_certificates: bytes | None = None
    allow_plaintext_api_key: bool = False

    def __post_init__(self) -> None:
        if self.deadline_s <= 0:
            raise ValueError("deadline_s must be positive")
        if self.api_key and not self.tls and not self.allow_plaintext_api_key:
            endpoints = self.endpoints
            for target in (endpoints.tracking_edge, endpoints.recipient, endpoints.analytics):
                if not is_loopback(target):
                    raise ValueError(
                        f"refusing to send an API key in clear text to {target}: set tls=True"
                    )

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.api_key}"),) if self.api_key else ()

    def channel_options(self) -> tuple[tuple[str, int], ...]:
        """gRPC's 4 MiB default would refuse a large instrumented message: the services' limit."""
        return (
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        )

    def channel_credentials(self) -> grpc.ChannelCredentials | None:
        return grpc.ssl_channel_credentials(self.root_certificates) if self.tls else None


def is_loopback(target: str) -> bool:
    host = target.rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "::1") or host.startswith("127.")
