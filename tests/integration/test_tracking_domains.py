"""Tracking domains per tenant against real parts: PostgreSQL (migrated), the gRPC servicer
in-process, a real DNS server on loopback (dnslib) that the TXT ownership check queries with
dnspython, and the gateway app judging the Host a token is presented on (and asking the
tracking edge which tenant that host is verified for now)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient
from typer.testing import CliRunner

from emailtrack.cli import app
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from gateway.asgi import build_gateway
from gateway.config import OperatorSettings
from gateway.tracking.domain_owners import OWNER_STALE_S, OWNER_TTL_S, DomainOwners
from services.tracking_edge.domain.domains import txt_record_name, txt_record_value
from services.tracking_edge.domain_dns import TxtLookup
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.server import TrackingEdgeServicer
from services.tracking_edge.store.domains import TrackingDomainsStore
from services.tracking_edge.tenant_domains import TenantDomains
from tests.grpc_credentials import TEST_AUTH, TEST_KEY, keyed_channel
from tests.loopback_dns import ZoneResolver, loopback_dns
from tests.unit.gateway.test_gateway_routes import RecordingSink, settings

KEYS = TokenKeys.parse("k1:" + "k" * 43)  # the gateway test settings' key
DEFAULT_BASE = "https://track.example.net"


@pytest.fixture(scope="module")
def zone() -> Iterator[tuple[ZoneResolver, str]]:
    with loopback_dns() as served:
        yield served


@pytest.fixture
def engine(fresh_database: Callable[[str], str]) -> Iterator[Engine]:
    engine = make_engine(fresh_database("tracking_edge"))
    yield engine
    engine.dispose()


def _start_edge(engine: Engine, zone: tuple[ZoneResolver, str]):  # -> the running server
    domains = TenantDomains(TrackingDomainsStore(engine), TxtLookup([zone[1]], timeout_s=3))
    servicer = TrackingEdgeServicer(Instrumenter(DEFAULT_BASE, KEYS, domains), KEYS, domains)
    return start_server(
        [
            ServiceRegistration(
                servicer,
                tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server,
                "emailtrack.v1.TrackingEdgeService",
            )
        ],
        port=0,
        host="127.0.0.1",
        auth=TEST_AUTH,
    )


@pytest.fixture
def edge_addr(engine: Engine, zone: tuple[ZoneResolver, str]) -> Iterator[str]:
    server = _start_edge(engine, zone)
    yield f"127.0.0.1:{server.port}"
    server.stop(0)


@pytest.fixture
def stub(edge_addr: str) -> Iterator[tracking_edge_pb2_grpc.TrackingEdgeServiceStub]:
    channel = keyed_channel(edge_addr)
    yield tracking_edge_pb2_grpc.TrackingEdgeServiceStub(channel)
    channel.close()


def _register(stub, tenant: str, domain: str) -> tracking_edge_pb2.TrackingDomain:
    return stub.RegisterTrackingDomain(
        tracking_edge_pb2.RegisterTrackingDomainRequest(tenant_id=tenant, domain=domain), timeout=10
    ).domain


def _verify(stub, tenant: str, domain: str) -> tracking_edge_pb2.TrackingDomain:
    return stub.VerifyTrackingDomain(
        tracking_edge_pb2.VerifyTrackingDomainRequest(tenant_id=tenant, domain=domain), timeout=10
    ).domain


def _instrument(
    stub, tenant: str, tracking_domain: str = ""
) -> tracking_edge_pb2.InstrumentedMessage:
    return stub.InstrumentMessage(
        tracking_edge_pb2.InstrumentMessageRequest(
            message=tracking_edge_pb2.MessageToInstrument(
                tenant_id=tenant,
                campaign_id="c",
                message_id="m",
                recipient_id="r",
                html='<body><a href="https://shop.example/">Shop</a></body>',
                options=tracking_edge_pb2.InstrumentOptions(tracking_domain=tracking_domain),
            )
        ),
        timeout=10,
    ).message


def _gateway(edge_addr: str, sink: RecordingSink) -> TestClient:
    """The gateway app asking the tracking edge at ``edge_addr`` who owns each domain."""
    operators = OperatorSettings(
        tracking_edge_addr=edge_addr, public_base_url=DEFAULT_BASE, service_key=TEST_KEY
    )
    app = build_gateway(dataclasses.replace(settings(), operators=operators), sink)
    return TestClient(app, follow_redirects=False)


def _click_path(message: tracking_edge_pb2.InstrumentedMessage) -> str:
    return "/c/" + message.links[0].tracking_url.rsplit("/c/", 1)[1]


def _publish(zone: tuple[ZoneResolver, str], record: tracking_edge_pb2.TrackingDomain) -> None:
    with zone[0].lock:
        zone[0].txt.setdefault(record.txt_record_name, []).append(record.txt_record_value)


def test_a_domain_is_used_once_its_txt_record_proves_ownership(
    stub, zone: tuple[ZoneResolver, str]
) -> None:
    registered = _register(stub, "acme", "Links.Acme-Mail.example.")
    assert registered.domain == "links.acme-mail.example" and not registered.verified
    assert registered.txt_record_name == "_emailtrack.links.acme-mail.example"
    assert _instrument(stub, "acme").pixel_url.startswith(DEFAULT_BASE + "/o/")

    with pytest.raises(grpc.RpcError) as missing:
        _verify(stub, "acme", "links.acme-mail.example")
    assert missing.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert registered.txt_record_value in (missing.value.details() or "")

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


def test_the_gateway_refuses_a_token_on_another_tenants_domain(
    stub, edge_addr: str, zone: tuple[ZoneResolver, str]
) -> None:
    for tenant, domain in (("acme", "t.acme.example"), ("globex", "t.globex.example")):
        _publish(zone, _register(stub, tenant, domain))
        _verify(stub, tenant, domain)
    click_path = _click_path(_instrument(stub, "acme"))
    sink = RecordingSink()
    client = _gateway(edge_addr, sink)
    refused = client.get(click_path, headers={"Host": "t.globex.example"})
    assert refused.status_code == 404
    default_host = client.get(click_path, headers={"Host": "track.example.net"})
    assert default_host.status_code == 404
    own = client.get(click_path, headers={"Host": "T.Acme.Example:443"})
    assert own.status_code == 302 and own.headers["location"] == "https://shop.example/"
    assert [hit.claims.tenant_id for hit in sink.hits] == ["acme"]


def test_a_domain_is_verified_for_one_tenant_only_and_bad_input_is_refused(
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


def test_the_cli_registers_prints_the_record_verifies_and_lists(
    edge_addr: str, zone: tuple[ZoneResolver, str]
) -> None:
    def cli(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            app,
            ["domain", *args, "--tracking-edge", edge_addr],
            env={"EMAILTRACK_API_KEY": TEST_KEY},
        )
        return result.exit_code, result.output

    code, output = cli("add", "--tenant", "initech", "links.initech.example", "--json")
    assert code == 0, output
    record = json.loads(output)["txt_record"]
    assert record["name"] == "_emailtrack.links.initech.example"
    code, output = cli("verify", "--tenant", "initech", "links.initech.example")
    assert code == 4 and record["value"] in output  # refused: FAILED_PRECONDITION
    with zone[0].lock:
        zone[0].txt[record["name"]] = [record["value"]]
    code, output = cli("verify", "--tenant", "initech", "links.initech.example")
    assert code == 0 and "verified" in output
    code, output = cli("list", "--tenant", "initech", "--json")
    assert [(d["domain"], d["verified"]) for d in json.loads(output)["domains"]] == [
        ("links.initech.example", True)
    ]
    code, output = cli("add", "--tenant", "initech", "not a domain")
    assert code == 2 and "INVALID_ARGUMENT" in output


def test_the_rest_api_registers_verifies_lists_and_removes(
    edge_addr: str, zone: tuple[ZoneResolver, str]
) -> None:
    operators = OperatorSettings(
        api_tokens=(("a" * 24, "umbrella"),),
        session_secret="s",
        tracking_edge_addr=edge_addr,
        service_key=TEST_KEY,
    )
    app = build_gateway(dataclasses.replace(settings(), operators=operators), None)
    with TestClient(app, headers={"Authorization": "Bearer " + "a" * 24}) as api:
        added = api.post("/api/v1/tracking-domains", json={"domain": "Go.Umbrella.example"})
        assert added.status_code == 200, added.text
        record = added.json()["txt_record"]
        assert added.json()["domain"] == "go.umbrella.example" and not added.json()["verified"]
        refused = api.post("/api/v1/tracking-domains/go.umbrella.example/verify")
        assert refused.status_code == 409 and record["value"] in refused.text
        with zone[0].lock:
            zone[0].txt[record["name"]] = [record["value"]]
        verified = api.post("/api/v1/tracking-domains/go.umbrella.example/verify")
        assert verified.status_code == 200 and verified.json()["verified"]
        listed = api.get("/api/v1/tracking-domains").json()["domains"]
        assert [d["domain"] for d in listed] == ["go.umbrella.example"]
        bad = api.post("/api/v1/tracking-domains", json={"domain": "127.0.0.1"})
        assert bad.status_code == 400 and "valid hostname" in bad.json()["error"]["message"]
        assert api.post("/api/v1/tracking-domains", json={"host": "x"}).status_code == 422
        removed = api.delete("/api/v1/tracking-domains/go.umbrella.example")
        assert removed.json() == {"removed": True}
        assert api.get("/api/v1/tracking-domains").json() == {"domains": []}


def test_a_removed_domain_verified_later_by_another_tenant_never_serves_the_old_tokens(
    stub, edge_addr: str, zone: tuple[ZoneResolver, str]
) -> None:
    domain, host = "links.handed-over.example", {"Host": "links.handed-over.example"}
    _publish(zone, _register(stub, "acme", domain))
    _verify(stub, "acme", domain)
    acme = _instrument(stub, "acme")
    sink = RecordingSink()
    assert _gateway(edge_addr, sink).get(_click_path(acme), headers=host).status_code == 302

    stub.RemoveTrackingDomain(
        tracking_edge_pb2.RemoveTrackingDomainRequest(tenant_id="acme", domain=domain), timeout=10
    )
    removed = _gateway(edge_addr, sink)  # a new worker: nothing cached
    assert removed.get(_click_path(acme), headers=host).status_code == 404
    _publish(zone, _register(stub, "globex", domain))
    _verify(stub, "globex", domain)
    client = _gateway(edge_addr, sink)
    assert client.get(_click_path(acme), headers=host).status_code == 404
    unsubscribe_path = "/u/" + acme.unsubscribe_url.rsplit("/u/", 1)[1]
    assert client.post(unsubscribe_path, headers=host).status_code == 404
    pixel = client.get("/o/" + acme.pixel_url.rsplit("/o/", 1)[1], headers=host)
    assert pixel.status_code == 200  # the image is always served; the open is not recorded
    globex = client.get(_click_path(_instrument(stub, "globex")), headers=host)
    assert globex.status_code == 302 and globex.headers["location"] == "https://shop.example/"
    assert [hit.claims.tenant_id for hit in sink.hits] == ["acme", "globex"]


def test_the_gateway_caches_owners_and_fails_closed_without_the_tracking_edge(
    engine: Engine, zone: tuple[ZoneResolver, str]
) -> None:
    server = _start_edge(engine, zone)
    domains = TenantDomains(TrackingDomainsStore(engine), TxtLookup([zone[1]], timeout_s=3))
    now = [1000.0]
    owners = DomainOwners(f"127.0.0.1:{server.port}", DEFAULT_BASE, TEST_KEY, clock=lambda: now[0])

    def serves(host: str, tenant: str) -> bool:
        return asyncio.run(owners.serves(host, tenant))

    def verify(tenant: str, domain: str) -> None:
        record = domains.register(tenant, domain)
        zone[0].publish(txt_record_name(domain), txt_record_value(record.verification_token))
        domains.verify(tenant, domain)

    try:
        verify("acme", "go.acme.example")
        assert serves("go.acme.example", "acme") and not serves("go.acme.example", "globex")
        assert serves("track.example.net", "anyone")  # the deployment's own host
        assert not serves("never-registered.example", "acme")
        domains.remove("acme", "go.acme.example")
        assert serves("go.acme.example", "acme")  # the cached answer, until the TTL
        now[0] += OWNER_TTL_S
        assert not serves("go.acme.example", "acme")
        verify("acme", "go.acme.example")
        now[0] += OWNER_TTL_S
        assert serves("go.acme.example", "acme")
    finally:
        server.stop(0)
    now[0] += OWNER_TTL_S
    assert serves("go.acme.example", "acme")  # the tracking edge is down: the last answer
    now[0] += OWNER_STALE_S
    assert not serves("go.acme.example", "acme")  # too old to trust: refused


def test_a_domain_whose_txt_record_stays_missing_past_the_grace_is_unverified(
    stub, engine: Engine, edge_addr: str, zone: tuple[ZoneResolver, str]
) -> None:
    domain = "t.initech.example"
    record = _register(stub, "initech", domain)
    _publish(zone, record)
    _verify(stub, "initech", domain)
    click_path = _click_path(_instrument(stub, "initech"))
    store = TrackingDomainsStore(engine)
    domains = TenantDomains(store, TxtLookup([zone[1]], timeout_s=3))
    every, grace, start = timedelta(hours=6), timedelta(hours=72), datetime.now(UTC)

    def recheck(after_hours: float, checker: TenantDomains = domains) -> int:
        return checker.recheck(start + timedelta(hours=after_hours), every, grace, 10)

    def listed() -> tracking_edge_pb2.TrackingDomain:
        request = tracking_edge_pb2.ListTrackingDomainsRequest(tenant_id="initech")
        return stub.ListTrackingDomains(request, timeout=10).domains[0]

    assert recheck(1) == 0 and not listed().HasField("check_failing_since")  # not due yet
    with zone[0].lock:
        del zone[0].txt[record.txt_record_name]
    assert recheck(7) == 0
    assert listed().verified and listed().HasField("check_failing_since")
    shown = CliRunner().invoke(
        app,
        ["domain", "list", "--tenant", "initech", "--json", "--tracking-edge", edge_addr],
        env={"EMAILTRACK_API_KEY": TEST_KEY},
    )
    failing_since = json.loads(shown.output)["domains"][0]["check_failing_since"]
    assert failing_since.startswith((start + timedelta(hours=7)).date().isoformat())
    _publish(zone, record)  # fixed within the grace: the failure is forgotten
    assert recheck(14) == 0 and not listed().HasField("check_failing_since")
    with zone[0].lock:
        del zone[0].txt[record.txt_record_name]
    assert recheck(21) == 0
    silent_dns = TenantDomains(store, TxtLookup(["127.0.0.1:9"], timeout_s=0.5))
    assert recheck(21 + 200, silent_dns) == 0 and listed().verified  # no answer proves nothing
    assert recheck(21 + 72) == 1

    assert not listed().verified
    lookup = tracking_edge_pb2.LookupTrackingDomainRequest(domain=domain)
    assert stub.LookupTrackingDomain(lookup, timeout=10).owner_tenant_id == ""
    refused = _gateway(edge_addr, RecordingSink()).get(click_path, headers={"Host": domain})
    assert refused.status_code == 404
    assert domains.base_url("initech", "", DEFAULT_BASE) == DEFAULT_BASE  # links: the default
