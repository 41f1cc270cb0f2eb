"""Findings "k8s: senders cannot reach the sender API at all" and "/metrics on the public
port", in the rendered manifests of both overlays: a TLS, gRPC-aware ingress routes only the
sending RPCs, NetworkPolicies admit the ingress controller to exactly those services, the
gateway's metrics have their own port reachable by Prometheus only, and every PostgreSQL
cluster archives WAL and has a daily ScheduledBackup."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SENDING_RPCS = {
    "/emailtrack.v1.TrackingEdgeService/InstrumentMessage": "tracking-edge",
    "/emailtrack.v1.TrackingEdgeService/InstrumentMessages": "tracking-edge",
    "/emailtrack.v1.TrackingEdgeService/InstrumentMessageStream": "tracking-edge",
    "/emailtrack.v1.RecipientService/RegisterMessages": "recipient",
    "/emailtrack.v1.RecipientService/RegisterMessageStream": "recipient",
    "/emailtrack.v1.RecipientService/CheckSendable": "recipient",
    "/emailtrack.v1.RecipientService/MarkSent": "recipient",
    "/emailtrack.v1.RecipientService/MarkDelivered": "recipient",
    "/emailtrack.v1.RecipientService/MarkDeferred": "recipient",
    "/emailtrack.v1.RecipientService/MarkFailed": "recipient",
}
CONTROLLER = {"kubernetes.io/metadata.name": "ingress-nginx"}


def _render(overlay: str) -> list[dict[str, Any]]:
    spec = importlib.util.spec_from_file_location(
        "edges_deploy_validate", ROOT / "deploy/validate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.render(overlay)


@pytest.fixture(scope="module", params=["dev", "production"])
def docs(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return _render(request.param)


def of_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_the_sender_api_has_a_tls_grpc_ingress_for_the_sending_rpcs_only(docs: list) -> None:
    ingress = of_kind(docs, "Ingress")["sender-grpc"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/backend-protocol"] == "GRPC"
    assert annotations["cert-manager.io/cluster-issuer"]
    (rule,) = ingress["spec"]["rules"]
    (tls,) = ingress["spec"]["tls"]
    assert tls["hosts"] == [rule["host"]] and tls["secretName"]
    routed = {
        p["path"]: p["backend"]["service"]["name"]
        for p in rule["http"]["paths"]
        if p["pathType"] == "Exact"
    }
    assert routed == SENDING_RPCS and len(rule["http"]["paths"]) == len(SENDING_RPCS)
    services = of_kind(docs, "Service")
    for path in rule["http"]["paths"]:
        backend = path["backend"]["service"]
        ports = {p["name"]: p for p in services[backend["name"]]["spec"]["ports"]}
        assert ports[backend["port"]["name"]]["appProtocol"] == "kubernetes.io/h2c"


def _admits_controller(policy: dict[str, Any]) -> bool:
    return any(
        peer.get("namespaceSelector", {}).get("matchLabels") == CONTROLLER
        and {"port": "grpc", "protocol": "TCP"} in rule.get("ports", [])
        for rule in policy["spec"].get("ingress", [])
        for peer in rule.get("from", [])
    )


def test_network_policies_admit_the_controller_to_the_sender_services_only(docs: list) -> None:
    policies = of_kind(docs, "NetworkPolicy")
    admitted = {name for name, policy in policies.items() if _admits_controller(policy)}
    assert admitted == {"tracking-edge", "recipient"}


def test_gateway_metrics_have_their_own_port_open_to_prometheus_only(docs: list) -> None:
    policies = of_kind(docs, "NetworkPolicy")
    public = [r for r in policies["gateway"]["spec"]["ingress"] if "from" not in r]
    assert [r["ports"] for r in public] == [[{"port": "http", "protocol": "TCP"}]]
    scrape = policies["emailtrack-prometheus-scrape"]["spec"]["ingress"]
    assert [r["ports"] for r in scrape] == [[{"port": "metrics", "protocol": "TCP"}]]
    (monitor,) = [
        m
        for m in of_kind(docs, "ServiceMonitor").values()
        if m["spec"]["selector"].get("matchLabels", {}).get("app.kubernetes.io/name") == "gateway"
    ]
    assert [e["port"] for e in monitor["spec"]["endpoints"]] == ["metrics"]


def test_every_database_is_archived_and_backed_up_daily(docs: list) -> None:
    clusters = of_kind(docs, "Cluster")
    backups = of_kind(docs, "ScheduledBackup")
    assert {b["spec"]["cluster"]["name"] for b in backups.values()} == set(clusters)
    for cluster in clusters.values():
        store = cluster["spec"]["backup"]["barmanObjectStore"]
        assert store["destinationPath"].startswith("s3://")
        assert cluster["spec"]["backup"]["retentionPolicy"]
    for backup in backups.values():
        assert backup["spec"]["method"] == "barmanObjectStore"
        assert len(backup["spec"]["schedule"].split()) == 6
