"""Tracking domains per tenant against real parts: PostgreSQL (migrated), the gRPC servicer
in-process, a real DNS server on loopback (dnslib) that the TXT ownership check queries with
dnspython, and the gateway app judging the Host a token is presented on."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import grpc
import pytest
from dnslib import QTYPE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer
from sqlalchemy import Engine
from starlette.testclient import TestClient

from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, client_channel, start_server
from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from gateway.tracking.app import build_app
from services.tracking_edge.domain_dns import TxtLookup
from services.tracking_edge.domains_store import TrackingDomainsStore
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.server import TrackingEdgeServicer
from services.tracking_edge.tenant_domains import TenantDomains
from tests.unit.gateway.test_gateway_routes import RecordingSink, settings

KEYS = TokenKeys.parse("k1:" + "k" * 43)  # the gateway test settings' key
DEFAULT_BASE = "https://track.example.net"


class ZoneResolver(BaseResolver):  # type: ignore[misc]
    """Answers TXT questions from a dict the test edits (name -> values)."""

    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if request.q.qtype == QTYPE.TXT:
            with self.lock:
                values = list(self.txt.get(name, ()))
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


@pytest.fixture(scope="module")
def zone() -> Iterator[tuple[ZoneResolver, str]]:
    resolver = ZoneResolver()
    server = DNSServer(
        resolver, address="127.0.0.1", port=0, logger=DNSLogger("-send,-recv,-request,-reply")
    )
    server.start_thread()
    port = server.server.server_address[1]
    yield resolver, f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def engine(fresh_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(fresh_database("tracking_edge"))
    yield engine
    engine.dispose()


@pytest.fixture
def stub(
    engine: Engine, zone: tuple[ZoneResolver, str]
) -> Iterator[tracking_edge_pb2_grpc.TrackingEdgeServiceStub]:
    domains = TenantDomains(TrackingDomainsStore(engine), TxtLookup([zone[1]], timeout_s=3))
    servicer = TrackingEdgeServicer(Instrumenter(DEFAULT_BASE, KEYS, domains), KEYS, domains)
    server = start_server(
        [
            ServiceRegistration(
                servicer,
                tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server,
                "emailtrack.v1.TrackingEdgeService",
            )
        ],
        port=0,
        host="127.0.0.1",
    )
    channel = client_channel(f"127.0.0.1:{server.port}")
    yield tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
    channel.close()
    server.stop(0)


def _register(stub, tenant: str, domain: str) -> tracking_edge_pb2.TrackingDomain:  # type: ignore[no-untyped-def]
    return stub.RegisterTrackingDomain(
        tracking_edge_pb2.RegisterTrackingDomainRequest(tenant_id=tenant, domain=domain), timeout=10
    ).domain


def _verify(stub, tenant: str, domain: str) -> tracking_edge_pb2.TrackingDomain:  # type: ignore[no-untyped-def]
    return stub.VerifyTrackingDomain(
        tracking_edge_pb2.VerifyTrackingDomainRequest(tenant_id=tenant, domain=domain), timeout=10
    ).domain


def _instrument(stub, tenant: str, **options: str) -> tracking_edge_pb2.InstrumentedMessage:  # type: ignore[no-untyped-def]
    return stub.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(
            message=tracking_edge_pb2.MessageToInstrument(
                tenant_id=tenant,
                campaign_id="c",
                message_id="m",
                recipient_id="r",
                html='<body><a href="https://shop.example/">Shop</a></body>',
                options=tracking_edge_pb2.InstrumentOptions(**options),
            )
        ),
        timeout=10,
    ).message


def _publish(zone: tuple[ZoneResolver, str], record: tracking_edge_pb2.TrackingDomain) -> None:
    with zone[0].lock:
        zone[0].txt.setdefault(record.txt_record_name, []).append(record.txt_record_value)


def test_a_domain_is_used_once_its_txt_record_proves_ownership(  # type: ignore[no-untyped-def]
    stub, zone: tuple[ZoneResolver, str]
) -> None:
    registered = _register(stub, "acme", "Links.Acme-Mail.example.")
    assert registered.domain == "links.acme-mail.example" and not registered.verified
    assert registered.txt_record_name == "_emailtrack.links.acme-mail.example"
    assert _instrument(stub, "acme").pixel_url.startswith(DEFAULT_BASE + "/o/")

    with pytest.raises(grpc.RpcError) as missing:
        _verify(stub, "acme", "links.acme-mail.example")
    assert missing.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert registered.txt_record_value in missing.value.details()

    with zone[0].lock:  # a wrong value proves nothing
        zone[0].txt[registered.txt_record_name] = ["emailtrack-verification=someone-else"]
    with pytest.raises(grpc.RpcError):
        _verify(stub, "acme", "links.acme-mail.example")
    _publish(zone, registered)
    verified = _verify(stub, "acme", "links.acme-mail.example")
    assert verified.verified and verified.HasField("verified_at")

    message = _instrument(stub, "acme")
    assert message.pixel_url.startswith("https://links.acme-mail.example/o/")
    assert 'href="https://links.acme-mail.example/c/' in message.html
    assert message.unsubscribe_url.startswith("https://links.acme-mail.example/u/")
    listed = stub.ListTrackingDomains(
        tracking_edge_pb2.ListTrackingDomainsRequest(tenant_id="acme"), timeout=10
    ).domains
    assert [(d.domain, d.verified) for d in listed] == [("links.acme-mail.example", True)]


def test_the_gateway_refuses_a_token_on_another_tenants_domain(  # type: ignore[no-untyped-def]
    stub, zone: tuple[ZoneResolver, str]
) -> None:
    for tenant, domain in (("acme", "t.acme.example"), ("globex", "t.globex.example")):
        _publish(zone, _register(stub, tenant, domain))
        _verify(stub, tenant, domain)
    acme = _instrument(stub, "acme")
    click_path = "/c/" + acme.links[0].tracking_url.rsplit("/c/", 1)[1]
    sink = RecordingSink()
    client = TestClient(build_app(settings(), sink), follow_redirects=False)
    refused = client.get(click_path, headers={"Host": "t.globex.example"})
    assert refused.status_code == 404
    default_host = client.get(click_path, headers={"Host": "track.example.net"})
    assert default_host.status_code == 404
    own = client.get(click_path, headers={"Host": "T.Acme.Example:443"})
    assert own.status_code == 302 and own.headers["location"] == "https://shop.example/"
    assert [hit.claims.tenant_id for hit in sink.hits] == ["acme"]


def test_a_domain_is_verified_for_one_tenant_only_and_bad_input_is_refused(  # type: ignore[no-untyped-def]
    stub, zone: tuple[ZoneResolver, str]
) -> None:
    _publish(zone, _register(stub, "acme", "shared.example"))
    _verify(stub, "acme", "shared.example")
    _publish(zone, _register(stub, "globex", "shared.example"))
    with pytest.raises(grpc.RpcError) as taken:
        _verify(stub, "globex", "shared.example")
    assert taken.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.RpcError) as unverified:
        _instrument(stub, "globex", tracking_domain="shared.example")
    assert unverified.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    for bad in ("localhost", "10.0.0.1", "a b.example", "x" * 300, "evil.example/path"):
        with pytest.raises(grpc.RpcError) as invalid:
            _register(stub, "acme", bad)
        assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as unknown:
        _verify(stub, "acme", "never-registered.example")
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    removed = stub.RemoveTrackingDomain(
        tracking_edge_pb2.RemoveTrackingDomainRequest(tenant_id="acme", domain="shared.example"),
        timeout=10,
    )
    assert removed.removed
    assert _instrument(stub, "acme").pixel_url.startswith(DEFAULT_BASE)
