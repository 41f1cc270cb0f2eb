"""A real HTTP receiver of outbound webhooks for tests and bench/webhooks.py, with a
signature check written from the Standard Webhooks specification alone (it shares no code
with the ``standardwebhooks`` package the service signs with): HMAC-SHA256 keyed with the
base64-decoded secret after ``whsec_`` over ``{id}.{timestamp}.{body}``, base64 encoded,
compared in constant time with each space-separated ``v1,<sig>``; the timestamp must be
within five minutes. The receiver de-duplicates on the events' ids (webhook-id, and each
event's ``data.event_id`` in a batch) and can be told to fail for a while."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOLERANCE_S = 300


def verify_signature(
    secret: str, headers: dict[str, str], body: bytes, now: float | None = None
) -> bool:
    key = base64.b64decode(secret[len("whsec_") :] if secret.startswith("whsec_") else secret)
    message_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (message_id and stamp.isdigit() and signatures):
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > TOLERANCE_S:
        return False
    signed = message_id.encode() + b"." + stamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return True
    return False


class Receiver:
    """What the receiver saw: verified events (by event id), rejects and failures."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = list(secrets)
        self.lock = threading.Lock()
        self.events: dict[str, dict[str, Any]] = {}
        self.seen: Counter[str] = Counter()
        self.requests = 0
        self.bad_signatures = 0
        self.fail_status = 0  # answer this status (and keep nothing) while non-zero
        self.failures_answered = 0
        self.delay_s = 0.0
        self.in_flight = 0
        self.max_in_flight = 0

    def accept(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._answer(headers, body)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            fail, secrets = self.fail_status, list(self.secrets)
        if self.delay_s:
            time.sleep(self.delay_s)
        if fail:
            with self.lock:
                self.failures_answered += 1
            return fail
        if not any(verify_signature(s, headers, body) for s in secrets):
            with self.lock:
                self.bad_signatures += 1
            return 401
        parsed = json.loads(body)
        events = parsed if isinstance(parsed, list) else [parsed]
        with self.lock:
            for event in events:
                event_id = event["data"]["event_id"]
                self.seen[event_id] += 1
                self.events.setdefault(event_id, event)
        return 200

    def wait_for(self, count: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.events) >= count:
                    return True
            time.sleep(0.05)
        return False


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length", "0")), 10_000_000)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.accept(headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # concurrent senders open a connection per request

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A sender killed mid-request (the fault tests do that) is expected, not news."""


@contextmanager
def running_receiver(secrets: list[str]) -> Iterator[tuple[Receiver, str]]:
    """A receiver on 127.0.0.1 and its URL, stopped when the block ends."""
    receiver = Receiver(secrets)
    server = _QuietServer(("127.0.0.1", 0), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
