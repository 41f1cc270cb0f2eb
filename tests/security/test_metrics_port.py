"""Finding "/metrics on the public tracking port (counters and worker PIDs public)": with the
configuration a deployment gets by default, the public app answers 404 for /metrics (it is
served on EMAILTRACK_METRICS_PORT by the gateway's parent process) and still tracks."""

from __future__ import annotations

from starlette.testclient import TestClient

from gateway.asgi import build_gateway
from gateway.config import GatewaySettings


def test_metrics_are_not_served_on_the_public_port() -> None:
    settings = GatewaySettings.from_env({"EMAILTRACK_TOKEN_KEYS": "k1:" + "k" * 43})
    assert settings.metrics_port == 9464
    client = TestClient(build_gateway(settings, None))
    assert client.get("/metrics").status_code == 404
    assert client.get("/o/not-a-token.gif").status_code == 200
    assert client.get("/healthz").status_code == 200
