"""API keys as data: stored hashed, bound to their tenant, revoked or rotated everywhere
without a restart, and the same keys open the gateway's /api/v1 (scopes and rate limits
applied by the services, errors as 401/403/429)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import grpc
import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from emailtrack.common.config import KafkaSettings
from emailtrack.common.rate_limit import RateLimiter
from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import api_keys_pb2, api_keys_pb2_grpc, recipient_pb2, recipient_pb2_grpc
from gateway.asgi import build_gateway
from gateway.config import GatewaySettings, OperatorSettings
from tests.grpc_credentials import TEST_KEY
from tests.security.conftest import ADMIN, READ, SEND, Stack, channel_with

pytestmark = pytest.mark.integration


def keys_stub(stack: Stack, key: str) -> api_keys_pb2_grpc.ApiKeyServiceStub:
    return api_keys_pb2_grpc.ApiKeyServiceStub(channel_with(stack.main, key))


def prefix_of(key: str) -> str:
    return key.split("_")[1]


def works(stack: Stack, key: str) -> bool:
    stub = recipient_pb2_grpc.RecipientServiceStub(channel_with(stack.main, key))
    try:
        stub.ListRecipients(recipient_pb2.ListRecipientsRequest())
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.UNAUTHENTICATED
        return False
    return True


def eventually(check: object, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]  # a zero-argument callable
        assert time.monotonic() < deadline, "not within the verification cache's lifetime"
        time.sleep(0.1)


def test_only_a_hash_of_the_secret_is_stored_and_only_the_prefix_listed(stack: Stack) -> None:
    admin = stack.create_key("hashco", ADMIN)
    reply = keys_stub(stack, admin).CreateApiKey(
        api_keys_pb2.CreateApiKeyRequest(scopes=[SEND], name="mailer")
    )
    secret = reply.secret.split("_", 2)[2]
    with stack.keys.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_keys WHERE tenant_id = 'hashco'")).all()
    dumped = repr(rows)
    assert secret not in dumped and reply.secret not in dumped
    listed = keys_stub(stack, admin).ListApiKeys(api_keys_pb2.ListApiKeysRequest()).keys
    assert {k.prefix for k in listed} == {prefix_of(admin), reply.key.prefix}
    assert all(k.tenant_id == "hashco" for k in listed)
    assert secret not in repr(listed)


def test_a_tenant_admin_manages_only_its_own_keys(stack: Stack) -> None:
    admin = keys_stub(stack, stack.create_key("acme", ADMIN))
    for tenant in ("demo", "*"):
        with pytest.raises(grpc.RpcError) as caught:
            admin.CreateApiKey(api_keys_pb2.CreateApiKeyRequest(tenant_id=tenant, scopes=[READ]))
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    demo_key = stack.create_key("demo", READ)
    with pytest.raises(grpc.RpcError) as caught:
        admin.RevokeApiKey(api_keys_pb2.RevokeApiKeyRequest(prefix=prefix_of(demo_key)))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert works(stack, demo_key)
    with pytest.raises(grpc.RpcError) as caught:
        keys_stub(stack, stack.create_key("acme", SEND, READ)).ListApiKeys(
            api_keys_pb2.ListApiKeysRequest()
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_revoke_and_rotate_take_effect_without_a_restart(stack: Stack) -> None:
    admin = keys_stub(stack, stack.create_key("acme", ADMIN))
    old = stack.create_key("acme", READ)
    assert works(stack, old)
    rotated = admin.RotateApiKey(api_keys_pb2.RotateApiKeyRequest(prefix=prefix_of(old)))
    assert rotated.revoked.prefix == prefix_of(old) and rotated.revoked.HasField("revoked_at")
    assert rotated.key.scopes == [READ] and rotated.key.tenant_id == "acme"
    assert works(stack, rotated.secret)
    eventually(lambda: not works(stack, old))
    graced = admin.RotateApiKey(
        api_keys_pb2.RotateApiKeyRequest(prefix=rotated.key.prefix, grace_seconds=60)
    )
    time.sleep(1.5)  # past the cache: the old key still works during its grace
    assert works(stack, rotated.secret) and works(stack, graced.secret)
    admin.RevokeApiKey(api_keys_pb2.RevokeApiKeyRequest(prefix=graced.key.prefix))
    eventually(lambda: not works(stack, graced.secret))


def test_last_use_is_recorded_coarsely(stack: Stack) -> None:
    key = stack.create_key("usedco", READ)
    admin = keys_stub(stack, stack.create_key("usedco", ADMIN))

    def last_used() -> dict[str, object]:
        listed = admin.ListApiKeys(api_keys_pb2.ListApiKeysRequest()).keys
        return {k.prefix: k.last_used_at.ToDatetime() for k in listed if k.HasField("last_used_at")}

    assert prefix_of(key) not in last_used()
    assert works(stack, key)
    first = last_used()[prefix_of(key)]
    time.sleep(1.2)  # past the cache: verified (and looked up) again
    assert works(stack, key)
    assert last_used()[prefix_of(key)] == first  # not rewritten within a minute


@contextmanager
def gateway_to(stack: Stack, main: str) -> Iterator[TestClient]:
    """The gateway app in-process, its recipient (and key store) calls going to ``main``."""
    operators = OperatorSettings(
        api_tokens=(("b" * 24, "acme"),),
        session_secret="s",
        analytics_addr=stack.addresses["emailtrack.v1.AnalyticsService"],
        recipient_addr=main,
        tracking_edge_addr=main,
        bounce_addr=stack.addresses["emailtrack.v1.BounceService"],
        webhooks_addr=stack.addresses["emailtrack.v1.WebhookService"],
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
        yield client


@pytest.fixture
def gateway(stack: Stack) -> Iterator[TestClient]:
    with gateway_to(stack, stack.main) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_same_keys_open_the_rest_api_with_their_scopes(
    stack: Stack, gateway: TestClient
) -> None:
    reader = stack.create_key("acme", READ)
    assert gateway.get("/api/v1/campaigns", headers=bearer(reader)).status_code == 200
    suppress = gateway.put("/api/v1/recipients/x@acme.example/suppression", headers=bearer(reader))
    assert suppress.status_code == 403 and "scope" in suppress.json()["error"]["message"]
    sender = stack.create_key("acme", SEND)
    assert gateway.get("/api/v1/campaigns", headers=bearer(sender)).status_code == 403
    operator = stack.create_key("*", READ)
    assert gateway.get("/api/v1/campaigns", headers=bearer(operator)).status_code == 403
    admin = stack.create_key("acme", ADMIN)
    created = gateway.post(
        "/api/v1/keys", headers=bearer(admin), json={"scopes": ["read"], "name": "rest"}
    )
    assert created.status_code == 201, created.text
    new_key = created.json()["secret"]
    assert gateway.get("/api/v1/campaigns", headers=bearer(new_key)).status_code == 200
    listed = gateway.get("/api/v1/keys", headers=bearer(admin)).json()["keys"]
    assert created.json()["key"]["prefix"] in {k["prefix"] for k in listed}
    revoked = gateway.post(f"/api/v1/keys/{prefix_of(new_key)}/revoke", headers=bearer(admin))
    assert revoked.status_code == 200 and revoked.json()["key"]["revoked_at"]
    eventually(
        lambda: gateway.get("/api/v1/campaigns", headers=bearer(new_key)).status_code == 401, 8
    )


def test_webhook_management_over_rest_follows_the_key_scopes(
    stack: Stack, gateway: TestClient
) -> None:
    reader, admin = stack.create_key("acme", READ), stack.create_key("acme", ADMIN)
    body = {"url": "https://crm.acme.example/hooks", "events": ["bounced"]}
    refused = gateway.post("/api/v1/webhooks", headers=bearer(reader), json=body)
    assert refused.status_code == 403 and "scope" in refused.json()["error"]["message"]
    created = gateway.post("/api/v1/webhooks", headers=bearer(admin), json=body)
    assert created.status_code == 201, created.text
    endpoint_id = created.json()["endpoint"]["endpoint_id"]
    listed = gateway.get("/api/v1/webhooks", headers=bearer(reader))
    assert listed.status_code == 200 and created.json()["secret"] not in listed.text
    assert endpoint_id in {e["endpoint_id"] for e in listed.json()["endpoints"]}
    path = f"/api/v1/webhooks/{endpoint_id}"
    assert gateway.post(path + "/rotate-secret", headers=bearer(reader)).status_code == 403
    assert gateway.delete(path, headers=bearer(reader)).status_code == 403
    other_reader, other_admin = stack.create_key("globex", READ), stack.create_key("globex", ADMIN)
    assert gateway.get(path, headers=bearer(other_reader)).status_code == 404
    assert gateway.delete(path, headers=bearer(other_admin)).status_code == 404
    assert gateway.delete(path, headers=bearer(admin)).json() == {"deleted": True}


def test_the_rest_api_answers_429_with_retry_after_over_the_key_limit(stack: Stack) -> None:
    server = stack.serve_main(RateLimiter(rate_per_s=1, burst=2))
    admin = bearer(stack.create_key("acme", ADMIN))
    try:
        with gateway_to(stack, f"127.0.0.1:{server.port}") as client:
            assert [client.get("/api/v1/keys", headers=admin).status_code for _ in "ab"] == [
                200,
                200,
            ]
            limited = client.get("/api/v1/keys", headers=admin)
    finally:
        server.stop(0)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "1"
    assert limited.json()["error"]["code"] == "resource_exhausted"
