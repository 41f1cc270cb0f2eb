"""A webhook receiver as a process of its own, for the fault test that SIGKILLs it: each
request's signature is checked with the spec-only ``verify_signature`` of
tests/webhook_receiver.py; the receiver waits ``delay`` seconds (so requests are in flight
when it dies), appends the verified events' ids to its log file (flushed and fsynced) and
only then answers 200 — an event in the log was acknowledged at most once per line, an event
not in it was never acknowledged. Run: ``python -m tests.faults.receiver_process PORT SECRET
LOG DELAY``."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.webhook_receiver import verify_signature


def serve(port: int, secret: str, log: Path, delay_s: float) -> None:
    lock = threading.Lock()
    out = log.open("a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(min(int(self.headers.get("Content-Length", "0")), 10_000_000))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = 401
            if verify_signature(secret, headers, body):
                time.sleep(delay_s)
                parsed = json.loads(body)
                events = parsed if isinstance(parsed, list) else [parsed]
                with lock:
                    out.writelines(e["data"]["event_id"] + "\n" for e in events)
                    out.flush()
                    os.fsync(out.fileno())
                status = 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), float(sys.argv[4]))
