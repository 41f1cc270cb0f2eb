"""Every RPC of every generated service is in the one scope table (so a new RPC cannot be
left out), and the table names no RPC that does not exist."""

from __future__ import annotations

import importlib
import pkgutil

import emailtrack.v1
from emailtrack.common.rpc_scopes import RPC_SCOPES, Scope, is_open


def generated_methods() -> set[str]:
    found = set()
    for module_info in pkgutil.iter_modules(emailtrack.v1.__path__):
        if not module_info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"emailtrack.v1.{module_info.name}")
        for service in module.DESCRIPTOR.services_by_name.values():
            found |= {f"/{service.full_name}/{m.name}" for m in service.methods}
    return found


def test_every_generated_rpc_has_exactly_one_scope() -> None:
    methods = generated_methods()
    assert "/emailtrack.v1.ApiKeyService/CreateApiKey" in methods
    assert len(methods) >= 59
    assert methods - RPC_SCOPES.keys() == set()
    assert RPC_SCOPES.keys() - methods == set()


def test_the_brief_scopes_of_the_sensitive_rpcs() -> None:
    assert RPC_SCOPES["/emailtrack.v1.TrackingEdgeService/InstrumentMessage"] is Scope.SEND
    assert RPC_SCOPES["/emailtrack.v1.RecipientService/ExportRecipientData"] is Scope.READ
    assert RPC_SCOPES["/emailtrack.v1.RecipientService/Suppress"] is Scope.ADMIN
    assert RPC_SCOPES["/emailtrack.v1.RecipientService/EraseRecipient"] is Scope.ADMIN
    assert RPC_SCOPES["/emailtrack.v1.ApiKeyService/CreateApiKey"] is Scope.ADMIN
    assert RPC_SCOPES["/emailtrack.v1.RecipientService/LookupMessages"] is Scope.INTERNAL


def test_only_health_and_reflection_are_open() -> None:
    assert is_open("/grpc.health.v1.Health/Check")
    assert is_open("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
    assert not is_open("/emailtrack.v1.RecipientService/ListRecipients")
    assert not any(is_open(m) for m in generated_methods())
