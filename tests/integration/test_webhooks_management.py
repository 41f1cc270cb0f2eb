"""Outbound webhooks managed through the gateway: the JSON API under /api/v1/webhooks and the
dashboard's Webhooks pages, both in-process (TestClient) in front of the real WebhookService
(gRPC on port 0, real PostgreSQL). The secret appears only in the create / rotate replies;
bad input gets a clear 4xx; the delivery log pages; replays count; an endpoint disabled after
failing is announced on every dashboard page until it is re-enabled."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from emailtrack.common.config import KafkaSettings
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import webhooks_pb2_grpc
from gateway.asgi import build_gateway
from gateway.config import DashboardUser, GatewaySettings, OperatorSettings
from services.webhooks.domain.destinations import parse_networks
from services.webhooks.server import WebhookServicer
from services.webhooks.signing import SecretBox
from services.webhooks.store.deliveries import DeliveryStore, NewDelivery, Outcome
from services.webhooks.store.endpoints import EndpointStore
from tests.grpc_credentials import TEST_AUTH, TEST_KEY

pytestmark = pytest.mark.integration
TOKEN = "w" * 24
OTHER_TOKEN = "v" * 24
NOWHERE = "127.0.0.1:9"  # the other services are not needed here


@pytest.fixture
def stack(fresh_database: Any) -> Iterator[dict[str, Any]]:
    engine = make_engine(fresh_database("webhooks"))
    endpoints = EndpointStore(engine, SecretBox(os.urandom(32)))
    deliveries = DeliveryStore(engine)
    servicer = WebhookServicer(
        endpoints, deliveries, parse_networks(["127.0.0.0/8"]), timedelta(hours=1)
    )
    adder = webhooks_pb2_grpc.add_WebhookServiceServicer_to_server
    server = start_server(
        [ServiceRegistration(servicer, adder, "emailtrack.v1.WebhookService")],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    tenant = "t-" + uuid.uuid4().hex[:8]
    operators = OperatorSettings(
        dashboard_users=(DashboardUser("ops", "pw", tenant),),
        api_tokens=((TOKEN, tenant), (OTHER_TOKEN, tenant + "-other")),
        session_secret="test-secret",
        analytics_addr=NOWHERE,
        recipient_addr=NOWHERE,
        tracking_edge_addr=NOWHERE,
        bounce_addr=NOWHERE,
        webhooks_addr=f"127.0.0.1:{server.port}",
        service_key=TEST_KEY,
    )
    settings = GatewaySettings(
        http_port=0,
        http_workers=1,
        bind_host="127.0.0.1",
        kafka=KafkaSettings("127.0.0.1:1", 2000),
        token_keys=TokenKeys.parse("k1:" + "k" * 43),
        trusted_proxies=(),
        max_buffered_hits=10,
        flush_interval_ms=10,
        max_batch_hits=10,
        operators=operators,
    )
    with TestClient(build_gateway(settings, None)) as client:
        yield {"client": client, "tenant": tenant, "deliveries": deliveries}
    server.stop(0)
    engine.dispose()


def api(stack: dict[str, Any], method: str, path: str, token: str = TOKEN, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    return stack["client"].request(method, f"/api/v1{path}", headers=headers, **kw)


def add_deliveries(stack: dict[str, Any], endpoint_id: str, count: int) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    stack["deliveries"].enqueue(
        [
            NewDelivery(
                endpoint_id, stack["tenant"], f"evt-{i}", "email.delivered", f"r{i}", "{}",
                start + timedelta(minutes=i),
            )
            for i in range(count)
        ]
    )  # fmt: skip


def fail(stack: dict[str, Any], endpoint_id: str, disable_after: timedelta) -> int:
    """Every pending delivery of the endpoint fails for good (503), as the worker records it."""
    store: DeliveryStore = stack["deliveries"]
    pending = store.log(stack["tenant"], endpoint_id, "pending", 500)
    store.record(
        [
            Outcome(d.delivery_id, endpoint_id, False, 503, 12, "busy", "", None)
            for d in pending
        ],
        disable_after,
    )  # fmt: skip
    return len(pending)


def test_rest_endpoints_lifecycle_and_secret_shown_once(stack: dict[str, Any]) -> None:
    created = api(
        stack, "POST", "/webhooks",
        json={"url": "https://crm.example.com/in", "events": ["bounced:hard", "opened"],
              "description": "CRM"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    body = created.json()
    secret, endpoint = body["secret"], body["endpoint"]
    assert secret.startswith("whsec_")
    assert endpoint["events"] == ["bounced:hard", "opened"] and endpoint["enabled"]
    one = f"/webhooks/{endpoint['endpoint_id']}"
    listed = api(stack, "GET", "/webhooks")
    assert listed.status_code == 200 and secret not in listed.text
    assert [e["endpoint_id"] for e in listed.json()["endpoints"]] == [endpoint["endpoint_id"]]
    shown = api(stack, "GET", one)
    assert shown.json()["description"] == "CRM" and secret not in shown.text
    patched = api(stack, "PATCH", one, json={"events": [], "batch": True, "enabled": False})
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert (after["events"], after["batch"], after["enabled"]) == ([], True, False)
    assert after["disabled_reason"] == "disabled by the tenant" and after["disabled_at"]
    enabled = api(stack, "PATCH", one, json={"enabled": True}).json()
    assert enabled["enabled"] and enabled["disabled_at"] is None
    rotated = api(stack, "POST", one + "/rotate-secret", params={"grace_seconds": 60})
    assert rotated.status_code == 200 and rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != secret
    # another tenant sees nothing of it
    assert api(stack, "GET", one, token=OTHER_TOKEN).status_code == 404
    assert api(stack, "DELETE", one, token=OTHER_TOKEN).status_code == 404
    assert api(stack, "GET", "/webhooks", token=OTHER_TOKEN).json() == {"endpoints": []}
    assert api(stack, "DELETE", one).json() == {"deleted": True}
    assert api(stack, "GET", one).status_code == 404
    assert api(stack, "DELETE", one).status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "words"),
    [
        ("POST", "/webhooks", {"url": "http://169.254.169.254/x"}, 400, "not public"),
        ("POST", "/webhooks", {"url": "ftp://x.example.com/"}, 400, "http or https"),
        ("POST", "/webhooks", {"url": "https://x.example.com/", "events": ["sent"]}, 400,
         "unknown event"),
        ("POST", "/webhooks", {}, 422, "is required"),
        ("POST", "/webhooks", {"url": "https://x.example.com/", "secret": "mine"}, 422,
         "unknown field"),
        ("POST", "/webhooks", {"url": "https://x.example.com/", "batch": "yes"}, 422,
         "true or false"),
        ("POST", "/webhooks", {"url": "https://x.example.com/a b"}, 422, "spaces"),
        ("PATCH", "/webhooks/ep_x", {}, 422, "give events"),
        ("PATCH", "/webhooks/ep_x", {"enabled": True}, 404, "no endpoint"),
        ("POST", "/webhooks/ep_x/replay", {"failed_only": True}, 404, "no endpoint"),
        ("GET", "/webhooks/ep_x/deliveries", None, 404, "no endpoint"),
    ],
)  # fmt: skip
def test_rest_refuses_bad_input_with_a_clear_message(
    stack: dict[str, Any], method: str, path: str, payload: Any, status: int, words: str
) -> None:
    reply = api(stack, method, path, json=payload)
    assert reply.status_code == status, reply.text
    assert words in reply.json()["error"]["message"]


def test_rest_delivery_log_pages_and_replays(stack: dict[str, Any]) -> None:
    created = api(stack, "POST", "/webhooks", json={"url": "https://hooks.example.com/in"})
    endpoint_id = created.json()["endpoint"]["endpoint_id"]
    path = f"/webhooks/{endpoint_id}"
    add_deliveries(stack, endpoint_id, 5)
    seen, token, pages = [], None, 0
    while True:
        query = {"page_size": 2, **({"page_token": token} if token else {})}
        page = api(stack, "GET", path + "/deliveries", params=query).json()
        seen += [d["event_id"] for d in page["deliveries"]]
        pages += 1
        token = page["next_page_token"]
        if token is None:
            break
    assert pages == 3 and seen == [f"evt-{i}" for i in range(4, -1, -1)]  # newest first
    bad = api(stack, "GET", path + "/deliveries", params={"page_token": "x'; --"})
    assert bad.status_code == 400 and "page_token" in bad.json()["error"]["message"]
    assert api(stack, "GET", path + "/deliveries", params={"status": "lost"}).status_code == 422
    assert fail(stack, endpoint_id, timedelta(days=1)) == 5
    failed = api(stack, "GET", path + "/deliveries", params={"status": "failed"}).json()
    attempts = failed["deliveries"][0]["attempts"]
    assert len(failed["deliveries"]) == 5 and attempts[0]["status_code"] == 503
    assert attempts[0]["response_snippet"] == "busy"
    replay = api(stack, "POST", path + "/replay", json={"failed_only": True})
    assert replay.json() == {"scheduled": 5}
    ranged = api(
        stack, "POST", path + "/replay",
        json={"since": "2026-11-01T00:01:00Z", "until": "2026-11-01T00:03:00Z"},
    )  # fmt: skip
    assert ranged.json() == {"scheduled": 2}
    nothing = api(stack, "POST", path + "/replay", json={})
    assert nothing.status_code == 400 and "time range" in nothing.json()["error"]["message"]
    backwards = api(
        stack, "POST", path + "/replay", json={"since": "2026-11-02", "until": "2026-11-01"}
    )
    assert backwards.status_code == 400


def form_token(client: TestClient, path: str) -> str:
    html = client.get(path).text
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def log_in(client: TestClient) -> None:
    token = form_token(client, "/dashboard/login")
    form = {"username": "ops", "password": "pw", "csrf_token": token}
    assert client.post("/dashboard/login", data=form, follow_redirects=False).status_code == 303


def test_dashboard_manages_endpoints_with_csrf_and_shows_the_secret_once(
    stack: dict[str, Any],
) -> None:
    client: TestClient = stack["client"]
    log_in(client)
    page = client.get("/dashboard/webhooks")
    assert page.status_code == 200 and "No webhook endpoint yet" in page.text
    token = form_token(client, "/dashboard/webhooks")
    form = {"url": "https://crm.example.com/in", "events": "bounced:hard, replied",
            "description": "CRM", "csrf_token": token}  # fmt: skip
    assert client.post("/dashboard/webhooks", data={**form, "csrf_token": "x"}).status_code == 403
    created = client.post("/dashboard/webhooks", data=form)
    assert created.status_code == 200 and "data-secret>whsec_" in created.text
    secret = created.text.split("data-secret>")[1].split("<")[0]
    (endpoint,) = api(stack, "GET", "/webhooks").json()["endpoints"]
    assert endpoint["events"] == ["bounced:hard", "replied"]
    listing = client.get("/dashboard/webhooks").text
    assert secret not in listing and "bounced:hard, replied" in listing
    one = f"/dashboard/webhooks/{endpoint['endpoint_id']}"
    edit = {"events": "opened:human", "batch": "on", "csrf_token": token}
    assert client.post(one + "/update", data=edit, follow_redirects=False).status_code == 303
    changed = api(stack, "GET", f"/webhooks/{endpoint['endpoint_id']}").json()
    assert (changed["events"], changed["batch"]) == (["opened:human"], True)
    refused = client.post(one + "/update", data={"events": "nope", "csrf_token": token})
    assert refused.status_code == 400 and "unknown event" in refused.text
    bad_url = client.post("/dashboard/webhooks", data={**form, "url": "http://10.1.2.3/"})
    assert bad_url.status_code == 400 and "not public" in bad_url.text
    rotated = client.post(one + "/rotate", data={"csrf_token": token})
    new_secret = rotated.text.split("data-secret>")[1].split("<")[0]
    assert new_secret.startswith("whsec_") and new_secret != secret
    assert client.post(one + "/rotate", data={}).status_code == 403
    assert client.post(one + "/explode", data={"csrf_token": token}).status_code == 422
    deleted = client.post(one + "/delete", data={"csrf_token": token}, follow_redirects=False)
    assert deleted.status_code == 303
    assert api(stack, "GET", "/webhooks").json() == {"endpoints": []}


def test_dashboard_announces_a_disabled_endpoint_everywhere_until_re_enabled(
    stack: dict[str, Any],
) -> None:
    client: TestClient = stack["client"]
    log_in(client)
    created = api(
        stack, "POST", "/webhooks", json={"url": "https://down.example.com/", "description": "ERP"}
    ).json()["endpoint"]
    endpoint_id = created["endpoint_id"]
    add_deliveries(stack, endpoint_id, 3)
    assert "webhook-notices" not in client.get("/dashboard/recipients").text
    fail(stack, endpoint_id, timedelta(0))  # failing for longer than allowed: disabled
    for path in ("/dashboard/recipients", "/dashboard/webhooks"):
        page = client.get(path).text
        assert 'id="webhook-notices"' in page, path
        assert "Webhook endpoint ERP" in page and "disabled since" in page
        assert "failing for more than" in page and "Re-enable" in page
    log = client.get(f"/dashboard/webhooks/{endpoint_id}/deliveries?status=failed").text
    assert log.count("<tr data-event=") == 3 and "503 in 12 ms" in log and "busy" in log
    token = form_token(client, "/dashboard/webhooks")
    one = f"/dashboard/webhooks/{endpoint_id}"
    replayed = client.post(one + "/replay", data={"csrf_token": token})
    assert replayed.status_code == 200 and "3 deliveries scheduled again" in replayed.text
    enabled = client.post(one + "/enable", data={"csrf_token": token}, follow_redirects=False)
    assert enabled.status_code == 303
    assert "webhook-notices" not in client.get("/dashboard/recipients").text
    assert api(stack, "GET", f"/webhooks/{endpoint_id}").json()["enabled"]
    missing = client.get("/dashboard/webhooks/ep_missing/deliveries")
    assert missing.status_code == 404
