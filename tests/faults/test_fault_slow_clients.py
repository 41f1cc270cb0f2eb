"""Slow and oversized clients against the real gateway process (granian): connections that
trickle their headers (slowloris) are cut after the header read timeout while other clients
are served at once; a request head beyond the limit is refused, a large body is not."""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from emailtrack.platform.ports import free_port, wait_for_port
from gateway.__main__ import HEADER_READ_TIMEOUT_MS, MAX_REQUEST_HEAD_BYTES

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parent.parent.parent
SLOW_CLIENTS = 200


@pytest.fixture(scope="module")
def gateway_url(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    env = {
        **os.environ,
        "EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "EMAILTRACK_TOKEN_KEYS": f"k1:{secret}",
        "EMAILTRACK_HTTP_PORT": str(port),
        "EMAILTRACK_BIND_HOST": "127.0.0.1",
        "EMAILTRACK_BOUNCE_ADDR": f"127.0.0.1:{free_port()}",  # nothing listens: 503
        "EMAILTRACK_GATEWAY_SPOOL_DIR": str(tmp_path_factory.mktemp("spool")),
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path_factory.mktemp("logs") / "gateway.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway"], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    try:
        try:
            wait_for_port(port, 60, process=process, log_path=log)
        except (RuntimeError, TimeoutError):
            print(log.read_text(errors="replace")[-4000:])  # shown in the report
            raise
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(30)


def get_status(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(url, data=data, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def is_closed(sock: socket.socket) -> bool:
    """True once the server closed the connection or answered (an error status) on it."""
    sock.settimeout(0.01)
    try:
        sock.recv(4096)  # b"" (closed) or the server's answer
    except (TimeoutError, BlockingIOError):
        return False
    except OSError:
        pass  # reset
    return True


def test_slowloris_clients_are_cut_and_others_still_served(gateway_url: str) -> None:
    port = int(gateway_url.rsplit(":", 1)[1])
    slow = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /o/slow.gif HTTP/1.1\r\nHost: x\r\n")
        slow.append(sock)
    started = time.monotonic()
    latencies = []
    while time.monotonic() - started < HEADER_READ_TIMEOUT_MS / 1000 / 2:
        for sock in slow:
            with contextlib.suppress(OSError):
                sock.sendall(b"X-a: b\r\n")
        began = time.monotonic()
        assert get_status(f"{gateway_url}/o/anything.gif") == 200
        latencies.append(time.monotonic() - began)
        time.sleep(0.2)
    assert max(latencies) < 1.0
    deadline = started + HEADER_READ_TIMEOUT_MS / 1000 + 10
    while not all(is_closed(sock) for sock in slow):
        assert time.monotonic() < deadline, "slow clients were not disconnected"
        time.sleep(0.2)
    cut_after = time.monotonic() - started
    assert cut_after > HEADER_READ_TIMEOUT_MS / 1000 / 2  # not before the timeout
    for sock in slow:
        sock.close()
    assert get_status(f"{gateway_url}/healthz") == 200


def test_oversized_request_head_is_refused(gateway_url: str) -> None:
    port = int(gateway_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = b"GET /o/x.gif HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MAX_REQUEST_HEAD_BYTES
        try:
            sock.sendall(head + b"\r\n\r\n")
            reply = sock.recv(4096)
        except OSError:
            reply = b""  # reset by the server
    assert not reply.startswith(b"HTTP/1.1 200")
    assert get_status(f"{gateway_url}/healthz") == 200


def test_a_large_webhook_body_passes_the_server_limits(gateway_url: str) -> None:
    # 1 MiB is far beyond the head limit but within the webhook limit: it reaches the
    # endpoint, which answers 503 because no bounce service listens here
    assert get_status(f"{gateway_url}/webhooks/sendgrid/t1", data=b"[" + b" " * 2**20 + b"]") == 503
