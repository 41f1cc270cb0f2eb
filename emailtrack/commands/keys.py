"""``emailtrack key create|list|revoke|rotate|service``: API keys through ApiKeyService (the
whole key is printed once, at creation or rotation), and new service keys for the
configuration (offline)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated

import typer
from rich.table import Table

from emailtrack.commands.common import (
    EXIT_BAD_INPUT,
    RECIPIENT,
    AsJson,
    RecipientAddr,
    cli_channel,
    command_group,
    console,
    fail,
    print_json,
    service_call,
)
from emailtrack.common.rpc_scopes import Scope
from emailtrack.presentation.api_keys import KEY_SCOPES, key_view
from emailtrack.v1 import api_keys_pb2, api_keys_pb2_grpc

app = command_group("API keys: create, list, revoke, rotate.")

OptionalTenant = Annotated[
    str,
    typer.Option(
        "--tenant",
        envvar="EMAILTRACK_TENANT",
        help="Tenant ('*' for operator keys; default: the key's own, or every one).",
    ),
]
Prefix = Annotated[str, typer.Argument(help="The key's prefix (et_<prefix>_…).")]
Grace = Annotated[
    int, typer.Option("--grace", min=0, help="Seconds the old key keeps working (default 0).")
]
Scopes = Annotated[
    list[str], typer.Option("--scope", help="send, read or admin (repeat for several).")
]


def _scopes(names: list[str]) -> list[api_keys_pb2.ApiKeyScope]:
    unknown = [n for n in names if n not in KEY_SCOPES]
    if not names or unknown:
        raise fail("--scope must be given, each one of send, read, admin", EXIT_BAD_INPUT)
    return [KEY_SCOPES[n] for n in names]


def _print_keys(keys: list[dict[str, object]], title: str) -> None:
    table = Table(title=title)
    for column in ("prefix", "tenant", "scopes", "name", "created", "revoked", "last used"):
        table.add_column(column)
    for key in keys:
        table.add_row(
            str(key["prefix"]),
            str(key["tenant_id"]),
            ",".join(key["scopes"]),  # type: ignore[arg-type]  # scopes is a list in the JSON view
            str(key["name"]),
            str(key["created_at"]),
            str(key["revoked_at"] or "—"),
            str(key["last_used_at"] or "—"),
        )
    console.print(table)


def _stub(channel: object) -> api_keys_pb2_grpc.ApiKeyServiceStub:
    return api_keys_pb2_grpc.ApiKeyServiceStub(channel)


@app.command("create")
def create(
    scope: Scopes,
    tenant: OptionalTenant = "",
    name: Annotated[str, typer.Option(help="What the key is for.")] = "",
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Create a key; the whole key is printed this once (only its hash is stored)."""
    request = api_keys_pb2.CreateApiKeyRequest(tenant_id=tenant, scopes=_scopes(scope), name=name)
    with service_call("creating a key"), cli_channel(recipient) as channel:
        reply = _stub(channel).CreateApiKey(request)
    if as_json:
        print_json({"key": key_view(reply.key), "secret": reply.secret})
        return
    console.print(f"created key {reply.key.prefix} for {reply.key.tenant_id}; keep it now:")
    console.print(reply.secret, markup=False, highlight=False)


@app.command("list")
def list_keys(
    tenant: OptionalTenant = "",
    include_revoked: Annotated[bool, typer.Option("--all", help="Also revoked keys.")] = False,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Keys (prefixes, never secrets) with their scopes and last use."""
    request = api_keys_pb2.ListApiKeysRequest(tenant_id=tenant, include_revoked=include_revoked)
    with service_call("listing keys"), cli_channel(recipient) as channel:
        reply = _stub(channel).ListApiKeys(request)
    keys = [key_view(k) for k in reply.keys]
    if as_json:
        print_json({"keys": keys})
        return
    _print_keys(keys, f"API keys of {tenant or 'every tenant'}")


@app.command("revoke")
def revoke(
    prefix: Prefix,
    tenant: OptionalTenant = "",
    grace: Grace = 0,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """Revoke a key: refused by every replica within seconds (after --grace)."""
    request = api_keys_pb2.RevokeApiKeyRequest(tenant_id=tenant, prefix=prefix, grace_seconds=grace)
    with service_call(f"revoking {prefix}"), cli_channel(recipient) as channel:
        reply = _stub(channel).RevokeApiKey(request)
    if as_json:
        print_json({"key": key_view(reply.key)})
        return
    console.print(f"key {prefix} revoked from {key_view(reply.key)['revoked_at']}")


@app.command("rotate")
def rotate(
    prefix: Prefix,
    tenant: OptionalTenant = "",
    grace: Grace = 0,
    as_json: AsJson = False,
    recipient: RecipientAddr = RECIPIENT,
) -> None:
    """A new key with the same tenant, scopes and name; the old one revoked after --grace."""
    request = api_keys_pb2.RotateApiKeyRequest(tenant_id=tenant, prefix=prefix, grace_seconds=grace)
    with service_call(f"rotating {prefix}"), cli_channel(recipient) as channel:
        reply = _stub(channel).RotateApiKey(request)
    if as_json:
        print_json(
            {"key": key_view(reply.key), "secret": reply.secret, "revoked": key_view(reply.revoked)}
        )
        return
    console.print(f"key {prefix} replaced by {reply.key.prefix}; keep the new key now:")
    console.print(reply.secret, markup=False, highlight=False)


@app.command("service")
def service(
    name: Annotated[str, typer.Argument(help="The calling component, e.g. gateway.")],
    scope: Scopes,
) -> None:
    """A new service key (offline): set it as the component's EMAILTRACK_SERVICE_KEY and add
    the printed item to every service's EMAILTRACK_SERVICE_KEYS."""
    valid = {s.value for s in Scope}
    if not scope or any(s not in valid for s in scope) or ":" in name or "," in name:
        raise fail("--scope must be send, read, admin or internal; no ':' or ',' in the name", 2)
    key = f"et_svc_{secrets.token_urlsafe(32)}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    console.print(f"EMAILTRACK_SERVICE_KEY={key}", markup=False, highlight=False)
    console.print(f"EMAILTRACK_SERVICE_KEYS item: {name}:{'+'.join(scope)}:{digest}", markup=False)
