"""One signed HTTP POST to an endpoint, SSRF-safe: the host is resolved once, every resolved
address must be public (or allow-listed), and the connection goes to that very address (TLS
still verifies the certificate against the URL's host name through SNI), so a DNS answer
that changes between the check and the connection (rebinding) cannot redirect it. Redirects
are not followed; the response body is read up to a bound. The timeout bounds the whole
exchange, not each read: a receiver that answers a byte at a time is cut off at the deadline
(socket timeouts alone would let it hold a delivery worker indefinitely)."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.webhooks.domain.destinations import (
    IPAddress,
    IPNetwork,
    RefusedDestination,
    check_address,
    parse_url,
)

SNIPPET_BYTES = 512
USER_AGENT = "emailtrack-webhooks/1"

Resolver = Callable[[str, int], list[IPAddress]]


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


@dataclass(frozen=True)
class PostResult:
    status_code: int  # 0: no response
    latency_ms: int
    snippet: str
    error: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address, verifying the certificate for ``server_name``."""

    def __init__(
        self, address: str, port: int, server_name: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(address, port, timeout=timeout, context=context)
        self._server_name = server_name
        self._tls = context

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self._server_name)


class Poster:
    """Posts bodies to endpoint URLs under the SSRF rules and a per-request timeout."""

    def __init__(
        self,
        allowed: Sequence[IPNetwork],
        timeout_s: float,
        resolver: Resolver = resolve,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.allowed = tuple(allowed)
        self.timeout_s = timeout_s
        self.resolver = resolver
        self.tls = tls or ssl.create_default_context()

    def pinned_address(self, host: str, port: int) -> IPAddress:
        """The address to connect to; RefusedDestination if any resolved one is refused."""
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise RefusedDestination(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise RefusedDestination(f"{host} has no address")
        for address in addresses:
            check_address(address, self.allowed)
        return addresses[0]

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            destination = parse_url(url)
            address = self.pinned_address(destination.host, destination.port)
        except RefusedDestination as exc:
            return PostResult(0, elapsed(), "", f"refused: {exc}")
        connection: http.client.HTTPConnection
        if destination.scheme == "https":
            connection = _PinnedHTTPSConnection(
                str(address), destination.port, destination.host, self.timeout_s, self.tls
            )
        else:
            connection = http.client.HTTPConnection(
                str(address), destination.port, timeout=self.timeout_s
            )
        request_headers = {
            **headers,
            "Host": destination.host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
        expired = threading.Event()
        deadline = threading.Timer(self.timeout_s, _cut_off, (connection, expired))
        deadline.start()
        try:
            connection.request("POST", destination.target, body, request_headers)
            response = connection.getresponse()
            snippet = response.read(SNIPPET_BYTES).decode("utf-8", "replace")
            if expired.is_set():
                return PostResult(0, elapsed(), "", self._timed_out())
            return PostResult(response.status, elapsed(), snippet, "")
        except (OSError, http.client.HTTPException) as exc:
            error = self._timed_out() if expired.is_set() else f"{type(exc).__name__}: {exc}"
            return PostResult(0, elapsed(), "", error[:SNIPPET_BYTES])
        finally:
            deadline.cancel()
            connection.close()

    def _timed_out(self) -> str:
        return f"timeout: no complete answer within {self.timeout_s:g} s"


def _cut_off(connection: http.client.HTTPConnection, expired: threading.Event) -> None:
    """At the deadline: shuts the socket down, which ends any read or write in progress."""
    expired.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)
