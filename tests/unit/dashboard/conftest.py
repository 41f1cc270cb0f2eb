"""The gateway app in-process (TestClient) wired to fake gRPC services on free ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from emailtrack.common.config import KafkaSettings
from emailtrack.common.tokens import TokenKeys
from gateway.asgi import build_gateway
from gateway.config import DashboardUser, GatewaySettings, OperatorSettings
from tests.grpc_credentials import TEST_KEY
from tests.unit.cli.fake_services import TENANT, FakeStack, start_fake_stack

API_TOKEN = "t" * 24
OTHER_TOKEN = "o" * 24


@pytest.fixture(scope="module")
def stack() -> Iterator[FakeStack]:
    yield from start_fake_stack()


def settings_for(stack: FakeStack) -> GatewaySettings:
    operators = OperatorSettings(
        dashboard_users=(
            DashboardUser("ops", "s3cret:pw", TENANT),
            DashboardUser("eve", "x", "other"),
        ),
        api_tokens=((API_TOKEN, TENANT), (OTHER_TOKEN, "other")),
        session_secret="test-secret",
        analytics_addr=stack.address("analytics"),
        recipient_addr=stack.address("recipient"),
        tracking_edge_addr=stack.address("tracking_edge"),
        bounce_addr=stack.address("bounce"),
        webhooks_addr=stack.address("webhooks"),
        service_key=TEST_KEY,
    )
    return GatewaySettings(
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


@pytest.fixture
def client(stack: FakeStack) -> Iterator[TestClient]:
    stack.log.clear()
    with TestClient(build_gateway(settings_for(stack), None)) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> TestClient:
    client.headers["Authorization"] = f"Bearer {API_TOKEN}"
    return client
