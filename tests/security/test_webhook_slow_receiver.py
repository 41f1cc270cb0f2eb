"""A receiver that never answers, or answers a byte at a time (slowloris in reverse), cannot
hold a delivery worker: the poster's timeout bounds the whole exchange, against a real socket
server on loopback. Each read getting the full timeout would let the dripping receiver hold
the worker for as long as it likes."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from services.webhooks.domain.destinations import parse_networks
from services.webhooks.poster import Poster

TIMEOUT_S = 0.5
DRIP_INTERVAL_S = 0.1  # well inside the timeout: each read alone would succeed
DRIP_FOR_S = 10.0  # how long the receiver keeps dripping (without the deadline, the post's time)


def never_answer(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    stop.wait(30)


def drip_forever(conn: socket.socket, stop: threading.Event) -> None:
    conn.recv(65536)
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    give_up = time.monotonic() + DRIP_FOR_S
    while not stop.wait(DRIP_INTERVAL_S) and time.monotonic() < give_up:
        try:
            conn.sendall(b"X")  # a header line that never ends
        except OSError:
            return


@contextmanager
def slow_receiver(behaviour: Callable[[socket.socket, threading.Event], None]) -> Iterator[str]:
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            behaviour(conn, stop)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hooks"
    finally:
        stop.set()
        thread.join(5)
        server.close()


def post_to(url: str) -> tuple[int, str, float]:
    poster = Poster(parse_networks(["127.0.0.0/8"]), TIMEOUT_S)
    started = time.monotonic()
    result = poster.post(url, b"{}", {})
    return result.status_code, result.error, time.monotonic() - started


def test_a_receiver_that_never_answers_is_a_timeout() -> None:
    with slow_receiver(never_answer) as url:
        status, error, took = post_to(url)
    assert (status, error) == (0, f"timeout: no complete answer within {TIMEOUT_S:g} s")
    assert took < 10 * TIMEOUT_S


def test_a_receiver_dripping_its_answer_is_cut_off_at_the_deadline() -> None:
    with slow_receiver(drip_forever) as url:
        status, error, took = post_to(url)
    assert (status, error) == (0, f"timeout: no complete answer within {TIMEOUT_S:g} s")
    assert took < 10 * TIMEOUT_S  # without the deadline: the whole DRIP_FOR_S
