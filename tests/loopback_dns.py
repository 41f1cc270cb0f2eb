"""A real DNS server on loopback (dnslib) answering TXT questions from a dict the test edits:
what ownership checks of tracking domains query through dnspython in tests."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from dnslib import QTYPE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer


class ZoneResolver(BaseResolver):
    """TXT records by lower-case name without the trailing dot."""

    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def publish(self, name: str, *values: str) -> None:
        with self.lock:
            self.txt[name.lower()] = list(values)

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if request.q.qtype == QTYPE.TXT:
            with self.lock:
                values = list(self.txt.get(name, ()))
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


@contextlib.contextmanager
def loopback_dns() -> Iterator[tuple[ZoneResolver, str]]:
    """The zone and the server's ``127.0.0.1:port`` (UDP)."""
    zone = ZoneResolver()
    server = DNSServer(
        zone, address="127.0.0.1", port=0, logger=DNSLogger("-send,-recv,-request,-reply")
    )
    server.start_thread()
    try:
        yield zone, f"127.0.0.1:{server.server.server_address[1]}"
    finally:
        server.stop()
