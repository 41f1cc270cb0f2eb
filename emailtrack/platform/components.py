"""The platform's components: how each is started and how its readiness is checked."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


@dataclass(frozen=True)
class Component:
    name: str
    module: str
    database: str | None  # database name for services, None for the gateway
    kind: str  # "grpc" or "http"


SERVICES = (
    Component("tracking-edge", "services.tracking_edge", "emailtrack_tracking_edge", "grpc"),
    Component("recipient", "services.recipient", "emailtrack_recipient", "grpc"),
    Component("bounce", "services.bounce", "emailtrack_bounce", "grpc"),
    Component("analytics", "services.analytics", "emailtrack_analytics", "grpc"),
    Component("webhooks", "services.webhooks", "emailtrack_webhooks", "grpc"),
)
GATEWAY = Component("gateway", "gateway", None, "http")
ALL = (*SERVICES, GATEWAY)


def grpc_serving(port: int, timeout_s: float = 1.0) -> bool:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout_s)
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def http_ready(port: int, timeout_s: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=timeout_s) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False
