"""Binds a request to the caller's tenant: every ``tenant_id`` field in the request (at any
depth, in set sub-messages and repeated ones) must name the credential's tenant; an empty
one is filled in with it, so callers may leave the tenant out. Operator and service
credentials (tenant ``*``) may name any tenant."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

ALL_TENANTS = "*"
TENANT_FIELD = "tenant_id"
MAX_DEPTH = 32


class TenantMismatch(Exception):
    """The request names a tenant the credential does not belong to."""

    def __init__(self, requested: str) -> None:
        super().__init__(requested)
        self.requested = requested


@cache
def _layout(descriptor: Descriptor) -> tuple[bool, tuple[FieldDescriptor, ...]]:
    """Whether the message has a string ``tenant_id``, and its fields that may hold one."""
    has_tenant = any(
        f.name == TENANT_FIELD and f.type == FieldDescriptor.TYPE_STRING and not _repeated(f)
        for f in descriptor.fields
    )
    nested = tuple(
        f
        for f in descriptor.fields
        if f.message_type is not None
        and not f.message_type.GetOptions().map_entry
        and _may_hold_tenant(f.message_type, frozenset())
    )
    return has_tenant, nested


def _repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _may_hold_tenant(descriptor: Descriptor, seen: frozenset[str]) -> bool:
    if descriptor.full_name in seen:
        return False
    inner = seen | {descriptor.full_name}
    for f in descriptor.fields:
        if f.name == TENANT_FIELD:
            return True
        if f.message_type is not None and _may_hold_tenant(f.message_type, inner):
            return True
    return False


def _children(message: Message, fields: tuple[FieldDescriptor, ...]) -> Iterator[Message]:
    for f in fields:
        if _repeated(f):
            yield from getattr(message, f.name)
        elif message.HasField(f.name):
            yield getattr(message, f.name)


def bind_tenant(message: Message, tenant_id: str, depth: int = 0) -> None:
    """Fills empty ``tenant_id`` fields with ``tenant_id``; raises TenantMismatch when one
    names another tenant. ``*`` (operator/service credentials) leaves the request as is."""
    if tenant_id == ALL_TENANTS:
        return
    if depth > MAX_DEPTH:
        raise TenantMismatch("(nested too deep to check)")
    has_tenant, nested = _layout(message.DESCRIPTOR)
    if has_tenant:
        requested = getattr(message, TENANT_FIELD)
        if not requested:
            setattr(message, TENANT_FIELD, tenant_id)
        elif requested != tenant_id:
            raise TenantMismatch(requested)
    for child in _children(message, nested):
        bind_tenant(child, tenant_id, depth + 1)
