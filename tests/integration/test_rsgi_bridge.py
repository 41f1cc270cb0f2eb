"""The RSGI→ASGI bridge (``gateway/rsgi_bridge.py``) under a real granian server: request
bodies streamed in and bounded, streamed responses, a client leaving an endless stream, an
app error, and the lifespan (its state reaching requests, its shutdown finished before the
worker exits)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emailtrack.platform.ports import free_port, wait_for_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


class Server:
    def __init__(self, port: int, folder: Path, process: subprocess.Popen[bytes]) -> None:
        self.port = port
        self.folder = folder
        self.process = process

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "rsgi",
        "--workers",
        "1",
        "--port",
        str(port),
        "--no-ws",
        "tests.integration.rsgi_bridge_app:app",
    ]
    env = {"PYTHONPATH": str(ROOT), "BRIDGE_TEST_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    with open(tmp_path / "granian.log", "ab") as log:
        # a session of its own: granian's worker is a child process, killed with the group
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        wait_for_port(port, 30)
        yield Server(port, tmp_path, process)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def request(
    server: Server, method: str, path: str, body: Iterator[bytes] | None = None
) -> tuple[int, bytes]:
    connection = server.connect()
    try:
        connection.request(method, path, body=body, encode_chunked=body is not None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_a_chunked_body_reaches_the_app_in_parts_with_path_query_and_state(
    server: Server,
) -> None:
    parts = [b"x" * 20_000 for _ in range(10)]
    status, body = request(server, "POST", "/echo/a%20b/%C3%A9?q=%2F&r=1", iter(parts))
    assert status == 200
    seen = json.loads(body)
    assert sum(seen["chunks"]) == 200_000
    assert len(seen["chunks"]) > 1  # streamed in, not read whole before the app ran
    assert seen["path"] == "/echo/a b/é"
    assert seen["raw_path"] == "/echo/a%20b/%C3%A9"
    assert seen["query"] == "q=%2F&r=1"
    assert seen["client"] == "127.0.0.1"
    assert seen["greeting"] == "hello from the lifespan"


def test_an_encoded_slash_is_lost_by_rsgi(server: Server) -> None:
    """The known limit of serving over RSGI (why EMAILTRACK_GATEWAY_INTERFACE defaults to
    asgi): granian decodes the path and carries no raw one. Should this fail, granian now
    keeps the encoding and the bridge can pass it on."""
    status, body = request(server, "GET", "/echo/spring%2F2026/a%252Fb")
    seen = json.loads(body)
    assert status == 200
    assert (seen["path"], seen["raw_path"]) == (
        "/echo/spring/2026/a%2Fb",
        "/echo/spring/2026/a%252Fb",
    )


def test_an_oversized_body_is_refused_before_it_is_all_sent(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(b"POST /limited HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"y" * 16_384
        for _ in range(8):  # 128 KB sent, twice the limit, and the body never ends
            client.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        head = client.recv(4096)
    assert head.startswith(b"HTTP/1.1 413 ")


def test_a_body_within_the_limit_is_read_whole(server: Server) -> None:
    status, body = request(server, "POST", "/limited", iter([b"z" * 30_000, b"z" * 30_000]))
    assert (status, body) == (200, b"60000")


def test_a_streamed_response_arrives_whole_in_chunks(server: Server) -> None:
    connection = server.connect()
    try:
        connection.request("GET", "/stream?parts=5")
        response = connection.getresponse()
        assert response.status == 200
        assert response.getheader("transfer-encoding") == "chunked"
        assert response.getheader("content-type", "").startswith("text/plain")
        assert response.read() == b"".join(f"part {n}\n".encode() for n in range(5))
    finally:
        connection.close()


def test_the_endless_stream_ends_when_its_client_leaves(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(b"GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while b"tick" not in received:
            received += client.recv(4096)
    deadline = time.monotonic() + 10
    while not (server.folder / "endless-closed").exists():
        assert time.monotonic() < deadline, "the stream went on after its client left"
        time.sleep(0.05)


def test_an_app_error_is_a_500_and_the_server_goes_on(server: Server) -> None:
    assert request(server, "GET", "/boom")[0] == 500
    assert request(server, "GET", "/echo/again")[0] == 200


def test_the_lifespan_starts_before_serving_and_finishes_its_shutdown_on_sigterm(
    server: Server,
) -> None:
    assert (server.folder / "started").exists()
    assert request(server, "GET", "/echo/x")[0] == 200
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(30) == 0
    assert (server.folder / "drained").exists()  # written after the shutdown's slow work
