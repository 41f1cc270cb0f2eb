"""The tracking-domains component: per-host TLS through cert-manager on the gateway's Ingress,
and the documented patch that adds a tenant's verified domain renders and validates."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.k8s.test_k8s_manifests import validate

Manifest = dict[str, Any]
TENANT_PATCH = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - {overlay}
patches:
  - target: {{kind: Ingress, name: gateway}}
    patch: |-
      - op: add
        path: /spec/tls/-
        value: {{hosts: [links.acme.com], secretName: tls-links.acme.com}}
      - op: add
        path: /spec/rules/-
        value:
          host: links.acme.com
          http:
            paths:
              - path: /
                pathType: Prefix
                backend: {{service: {{name: gateway, port: {{name: http}}}}}}
"""


def _ingress(docs: list[Manifest]) -> Manifest:
    """The gateway's Ingress (the sender gRPC API has its own, ``sender-grpc``)."""
    (ingress,) = [d for d in docs if d["kind"] == "Ingress" and d["metadata"]["name"] == "gateway"]
    return ingress


def _check_per_host_tls(ingress: Manifest) -> set[str]:
    annotations = ingress["metadata"]["annotations"]
    assert annotations["cert-manager.io/cluster-issuer"] == "emailtrack-tracking-domains"
    spec = ingress["spec"]
    hosts = {rule["host"] for rule in spec["rules"]}
    secrets = [entry["secretName"] for entry in spec["tls"]]
    assert len(secrets) == len(set(secrets)), "each host needs its own certificate Secret"
    for entry in spec["tls"]:
        assert len(entry["hosts"]) == 1 and entry["secretName"] == f"tls-{entry['hosts'][0]}"
    assert {entry["hosts"][0] for entry in spec["tls"]} == hosts
    for rule in spec["rules"]:
        (path,) = rule["http"]["paths"]
        assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    return hosts


def test_production_serves_its_public_host_over_cert_manager_tls() -> None:
    docs = validate.render("production")
    assert _check_per_host_tls(_ingress(docs)) == {"t.example.com"}
    assert validate.validate_all(docs) == []


def test_the_documented_tenant_domain_patch_renders_and_validates(tmp_path: Path) -> None:
    overlay = validate.K8S_DIR / "overlays" / "production"
    relative = os.path.relpath(overlay, tmp_path)  # kustomize takes relative resources only
    (tmp_path / "kustomization.yaml").write_text(TENANT_PATCH.format(overlay=relative))
    docs = validate.render(tmp_path)
    assert _check_per_host_tls(_ingress(docs)) == {"t.example.com", "links.acme.com"}
    assert validate.validate_all(docs) == []
