"""Check the rendered overlays against the architecture (README's configuration table and
topic list, docs/deploy.md): configuration, secrets,
Kafka topics and sizing, PostgreSQL ownership, network paths, alerts and overlay sizing.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import promql_parser
import pytest

REPO = Path(__file__).resolve().parents[2]
APPS = ("gateway", "tracking-edge", "recipient", "bounce", "analytics", "webhooks", "relay")
SERVICES = frozenset(APPS) - {"gateway", "relay"}
ALL = frozenset(APPS)
USED_BY_WORDS = {"all": ALL, "services": SERVICES}


def _env_users_from_readme() -> dict[str, frozenset[str]]:
    """README's configuration table (the single source): variable -> components using it."""
    users: dict[str, frozenset[str]] = {}
    row = re.compile(r"^\| `((?:EMAILTRACK|OTEL)_[A-Z0-9_]+)` \| ([^|]+) \|", re.MULTILINE)
    for variable, used_by in row.findall((REPO / "README.md").read_text()):
        names: set[str] = set()
        for word in (w.strip() for w in used_by.split(",")):
            names |= USED_BY_WORDS.get(word, {word} & ALL)
        users[variable] = frozenset(names)
    return users


ENV_USERS = _env_users_from_readme()
REQUIRED_SECRETS = {
    "EMAILTRACK_DATABASE_URL": SERVICES,
    "EMAILTRACK_TOKEN_KEYS": ENV_USERS["EMAILTRACK_TOKEN_KEYS"],
}
TOPICS = {
    "emailtrack.hits.raw.v1",
    "emailtrack.events.engagement.v1",
    "emailtrack.events.delivery.v1",
    "emailtrack.events.recipient.v1",
    "emailtrack.deadletter.v1",
}
# Network paths (README architecture): gRPC client -> server.
# gRPC client -> server. Every service verifies API keys with recipient's ApiKeyService
# (bounce also looks messages up there).
GRPC_PATHS = (
    {("gateway", s) for s in SERVICES}
    | {("recipient", "analytics"), ("relay", "tracking-edge"), ("relay", "recipient")}
    | {(s, "recipient") for s in SERVICES - {"recipient"}}
)
# Addresses named after what they serve rather than the service serving it.
SERVED_BY = {"api-key-store": "recipient"}
ALERTED_METRICS = {
    "emailtrack_http_requests_total",
    "emailtrack_http_request_duration_seconds_bucket",
    "emailtrack_kafka_produce_errors_total",
    "emailtrack_kafka_consumer_lag",
    "emailtrack_deadletter_total",
    "emailtrack_spool_bytes",
    "kube_pod_container_status_restarts_total",
}
KNOWN_METRICS = ALERTED_METRICS | {"up"}
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


@pytest.fixture(scope="module", params=("dev", "production"))
def overlay(request: pytest.FixtureRequest) -> tuple[str, list[Manifest]]:
    return request.param, validate.render(request.param)


def _of_kind(docs: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _containers(deployment: Manifest) -> list[dict[str, Any]]:
    spec = deployment["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def _env(docs: list[Manifest], container: dict[str, Any]) -> dict[str, Any]:
    """Every variable a container gets: ConfigMap values (envFrom) and env entries."""
    config_maps = _of_kind(docs, "ConfigMap")
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]]["data"])
    for entry in container.get("env", []):
        env[entry["name"]] = entry.get("value", entry.get("valueFrom"))
    return env


def test_every_env_var_is_documented_and_given_only_to_its_users(
    overlay: tuple[str, list[Manifest]],
) -> None:
    _, docs = overlay
    for name, deployment in _of_kind(docs, "Deployment").items():
        for container in _containers(deployment):
            env = _env(docs, container)
            for variable in env:
                assert name in ENV_USERS.get(variable, ()), f"{name}: {variable} is not for it"
            for variable, users in REQUIRED_SECRETS.items():
                assert (variable in env) == (name in users), f"{name}: {variable}"
            assert env["OTEL_SERVICE_NAME"].startswith(name)


EXTERNAL_SECRET_KEYS = [
    {"name": "emailtrack-token-keys", "key": "keys"},
    {"name": "emailtrack-token-keys", "key": "retired", "optional": True},
    *(
        {"name": "emailtrack-service-keys", "key": key}
        for key in (
            "gateway",
            "recipient",
            "bounce",
            "analytics",
            "tracking-edge",
            "webhooks",
            "accepted",
        )
    ),
    {"name": "emailtrack-webhook-signing", "key": "secrets-key"},
    *(
        {"name": "emailtrack-webhook-secrets", "key": key, "optional": True}
        for key in (
            "sendgrid-public-key",
            "mailgun-signing-key",
            "postmark-token",
            "postmark-tokens",
            "mandrill-key",
            "ses-topic-arns",
        )
    ),
]


def test_secret_references_resolve(overlay: tuple[str, list[Manifest]]) -> None:
    name, docs = overlay
    secrets = _of_kind(docs, "Secret")
    clusters = _of_kind(docs, "Cluster")
    for deployment in _of_kind(docs, "Deployment").values():
        for container in _containers(deployment):
            for variable, source in _env(docs, container).items():
                if not isinstance(source, dict):
                    continue
                ref = source["secretKeyRef"]
                if variable == "EMAILTRACK_DATABASE_URL":
                    owner = deployment["metadata"]["name"]
                    assert ref == {"name": f"{owner}-db-app", "key": "uri"}
                    assert f"{owner}-db" in clusters
                elif name == "dev":  # an optional key may be absent (no retired token keys)
                    assert ref["key"] in secrets[ref["name"]]["data"] or ref.get("optional")
                else:  # production: created outside git (docs/deploy.md "Secrets")
                    assert ref in EXTERNAL_SECRET_KEYS, ref
                    assert not secrets


def test_each_service_owns_its_database(overlay: tuple[str, list[Manifest]]) -> None:
    _, docs = overlay
    clusters = _of_kind(docs, "Cluster")
    assert set(clusters) == {f"{s}-db" for s in SERVICES}
    databases = {c["spec"]["bootstrap"]["initdb"]["database"] for c in clusters.values()}
    assert len(databases) == len(SERVICES)


def test_addresses_point_at_rendered_endpoints(overlay: tuple[str, list[Manifest]]) -> None:
    _, docs = overlay
    services = _of_kind(docs, "Service")
    (kafka,) = _of_kind(docs, "Kafka").values()
    (listener,) = kafka["spec"]["kafka"]["listeners"]
    for deployment in _of_kind(docs, "Deployment").values():
        env = _env(docs, _containers(deployment)[-1])
        bootstrap = f"{kafka['metadata']['name']}-kafka-bootstrap:{listener['port']}"
        assert env["EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS"] == bootstrap
        for variable, value in env.items():
            if variable.endswith("_ADDR"):
                target = (
                    variable.removeprefix("EMAILTRACK_")
                    .removesuffix("_ADDR")
                    .lower()
                    .replace("_", "-")
                )
                target = SERVED_BY.get(target, target)
                grpc = [p["port"] for p in services[target]["spec"]["ports"] if p["name"] == "grpc"]
                assert value == f"{target}:{grpc[0]}"


def test_topics_match_config_and_fit_the_brokers(overlay: tuple[str, list[Manifest]]) -> None:
    _, docs = overlay
    (kafka,) = _of_kind(docs, "Kafka").values()
    config = kafka["spec"]["kafka"]["config"]
    brokers = sum(
        p["spec"]["replicas"]
        for p in _of_kind(docs, "KafkaNodePool").values()
        if "broker" in p["spec"]["roles"]
    )
    topics = _of_kind(docs, "KafkaTopic").values()
    assert {t["spec"]["topicName"] for t in topics} == TOPICS
    assert config["auto.create.topics.enable"] is False
    for topic in topics:
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        replicas = topic["spec"]["replicas"]
        assert replicas <= brokers
        # With acks=all one replica may be lost without stopping producers.
        assert config["min.insync.replicas"] == max(1, replicas - 1)
        assert topic["spec"]["config"]["retention.ms"] >= 3 * 86_400_000


def test_overlay_sizing(overlay: tuple[str, list[Manifest]]) -> None:
    name, docs = overlay
    hpa = _of_kind(docs, "HorizontalPodAutoscaler")["gateway"]["spec"]
    replicas = {n: d["spec"].get("replicas") for n, d in _of_kind(docs, "Deployment").items()}
    pdbs = _of_kind(docs, "PodDisruptionBudget")
    (pool,) = _of_kind(docs, "KafkaNodePool").values()
    instances = {c["spec"]["instances"] for c in _of_kind(docs, "Cluster").values()}
    if name == "dev":
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (1, 2)
        assert {replicas[s] for s in SERVICES} == {1}
        assert all(p["spec"] == {**p["spec"], "maxUnavailable": 1} for p in pdbs.values())
        assert (pool["spec"]["replicas"], instances) == (1, {1})
    else:
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 20)
        assert {replicas[s] for s in SERVICES} == {2}
        assert pdbs["gateway"]["spec"]["minAvailable"] == 2
        assert all(
            "maxUnavailable" not in p["spec"] and p["spec"]["minAvailable"] >= 1
            for p in pdbs.values()
        )
        assert (pool["spec"]["replicas"], instances) == (3, {3})


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not labels.items() >= selector.get("matchLabels", {}).items():
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def _peer_allows(rule: dict[str, Any], peers_key: str, labels: dict[str, str]) -> bool:
    if peers_key not in rule:
        return True
    for peer in rule[peers_key]:
        same_namespace = peer.get("namespaceSelector") in (None, {})
        if same_namespace and _selects(peer.get("podSelector", {}), labels):
            return True
    return False


def _allowed(docs: list[Manifest], src: str, dst: str, port: int) -> tuple[bool, bool]:
    """Do the NetworkPolicies let pod `src` reach pod `dst` on `port`: (ingress, egress)?"""
    deployments = _of_kind(docs, "Deployment")
    pods = {n: d["spec"]["template"]["metadata"]["labels"] for n, d in deployments.items()}
    named_ports = {
        p["name"]: p["containerPort"]
        for c in _containers(deployments[dst])
        for p in c.get("ports", [])
    }

    def direction(pod: str, peer: str, kind: str, rules_key: str, peers_key: str) -> bool:
        policies = [
            p["spec"]
            for p in _of_kind(docs, "NetworkPolicy").values()
            if _selects(p["spec"]["podSelector"], pods[pod]) and kind in p["spec"]["policyTypes"]
        ]
        assert policies, f"{pod} is not covered by a default-deny {kind} policy"
        return any(
            _peer_allows(rule, peers_key, pods[peer])
            and any(
                named_ports.get(p["port"], p["port"]) == port
                for p in rule.get("ports", [{"port": port}])
            )
            for policy in policies
            for rule in policy.get(rules_key, [])
        )

    return (
        direction(dst, src, "Ingress", "ingress", "from"),
        direction(src, dst, "Egress", "egress", "to"),
    )


def test_network_policies_allow_exactly_the_grpc_paths(overlay: tuple[str, list[Manifest]]) -> None:
    _, docs = overlay
    for src in APPS:
        for dst in APPS:
            if src != dst:
                expected = (src, dst) in GRPC_PATHS
                assert _allowed(docs, src, dst, 50051) == (expected, expected), (src, dst)
                assert _allowed(docs, src, dst, 9464) == (False, False), (src, dst)


def test_gateway_is_reachable_from_anywhere_and_services_are_not(
    overlay: tuple[str, list[Manifest]],
) -> None:
    _, docs = overlay
    policies = _of_kind(docs, "NetworkPolicy")
    open_rules = [
        (name, rule)
        for name, policy in policies.items()
        for rule in policy["spec"].get("ingress", [])
        if "from" not in rule
    ]
    assert [(name, rule["ports"]) for name, rule in open_rules if name in APPS] == [
        ("gateway", [{"port": "http", "protocol": "TCP"}])
    ]


def test_services_reach_only_their_own_database(overlay: tuple[str, list[Manifest]]) -> None:
    _, docs = overlay
    for policy in _of_kind(docs, "NetworkPolicy").values():
        for rule in policy["spec"].get("egress", []):
            for peer in rule.get("to", []):
                cluster = peer.get("podSelector", {}).get("matchLabels", {}).get("cnpg.io/cluster")
                if cluster is not None:
                    selected = policy["spec"]["podSelector"]["matchLabels"][
                        "app.kubernetes.io/name"
                    ]
                    assert cluster == f"{selected}-db"


def _rules(docs: list[Manifest]) -> list[dict[str, Any]]:
    (rule_set,) = _of_kind(docs, "PrometheusRule").values()
    return [rule for group in rule_set["spec"]["groups"] for rule in group["rules"]]


def _metric_names(expr: str) -> set[str]:
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name is not None:
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), pre_visit=visit)
    return names


def test_alert_expressions_parse_and_use_known_metrics(overlay: tuple[str, list[Manifest]]) -> None:
    _, docs = overlay
    rules = _rules(docs)
    recorded = {r["record"] for r in rules if "record" in r}
    used: set[str] = set()
    for rule in rules:
        names = _metric_names(rule["expr"])
        assert names <= KNOWN_METRICS | recorded, rule.get("alert", rule.get("record"))
        used |= names
    raw = {name for rule in rules for name in _metric_names(rule["expr"]) if name not in recorded}
    assert recorded <= used
    assert raw >= ALERTED_METRICS


def test_alerts_are_documented(overlay: tuple[str, list[Manifest]]) -> None:
    _, docs = overlay
    headings = re.findall(r"^#+ (.+)$", (REPO / "docs/deploy.md").read_text(), flags=re.MULTILINE)
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in headings}
    alerts = [r for r in _rules(docs) if "alert" in r]
    assert len(alerts) >= 6
    for alert in alerts:
        assert alert["labels"]["severity"] in {"warning", "critical"}
        assert alert["annotations"]["summary"] and alert["annotations"]["description"]
        path, _, anchor = alert["annotations"]["runbook_url"].partition("#")
        assert path == "docs/deploy.md" and anchor == alert["alert"].lower() and anchor in anchors
