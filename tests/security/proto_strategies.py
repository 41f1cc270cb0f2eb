"""Hypothesis strategies for any protobuf message, from its descriptor: every field type
(unknown enum numbers, NUL and non-ASCII text, extreme integers and floats, maps, nested
messages to a bounded depth); ``tenant_id`` fields are left empty or set to a given tenant so
that the calls get past tenant binding."""

from __future__ import annotations

from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

F = FieldDescriptor
MAX_DEPTH = 3
_INTS = {
    F.TYPE_INT32: (-(2**31), 2**31 - 1),
    F.TYPE_SINT32: (-(2**31), 2**31 - 1),
    F.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    F.TYPE_INT64: (-(2**63), 2**63 - 1),
    F.TYPE_SINT64: (-(2**63), 2**63 - 1),
    F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    F.TYPE_UINT32: (0, 2**32 - 1),
    F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1),
    F.TYPE_FIXED64: (0, 2**64 - 1),
}
texts = st.text(max_size=40) | st.sampled_from(["", "a", "a/b", "..", "x" * 300, "\x00", "é"])


def _scalar(field: Any, tenant: str, depth: int) -> st.SearchStrategy[Any]:
    if field.name == "tenant_id":
        return st.sampled_from(["", tenant])
    kind = field.type
    if kind in _INTS:
        low, high = _INTS[kind]
        return st.integers(low, high) | st.sampled_from([0, 1, -1, low, high])
    if kind == F.TYPE_STRING:
        return texts
    if kind == F.TYPE_BYTES:
        return st.binary(max_size=300)
    if kind == F.TYPE_BOOL:
        return st.booleans()
    if kind in (F.TYPE_FLOAT, F.TYPE_DOUBLE):
        return st.floats(width=32 if kind == F.TYPE_FLOAT else 64)
    if kind == F.TYPE_ENUM:
        known = [v.number for v in field.enum_type.values]
        return st.sampled_from(known) | st.integers(-3, 200)
    return messages(field.message_type, tenant, depth + 1)


def _field(field: Any, tenant: str, depth: int) -> st.SearchStrategy[Any]:
    if field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
        key_field, value_field = field.message_type.fields
        return st.dictionaries(
            _scalar(key_field, tenant, depth), _scalar(value_field, tenant, depth), max_size=3
        )
    value = _scalar(field, tenant, depth)
    return st.lists(value, max_size=3) if field.is_repeated else value


def _build(cls: type[Message], values: dict[str, Any]) -> Message:
    message = cls()
    for name, value in values.items():
        field: Any = message.DESCRIPTOR.fields_by_name[name]
        target = getattr(message, name)
        if field.type == F.TYPE_MESSAGE and field.message_type.GetOptions().map_entry:
            for key, item in value.items():
                if isinstance(item, Message):
                    target[key].CopyFrom(item)
                else:
                    target[key] = item
        elif field.is_repeated:
            target.extend(value)
        elif field.type == F.TYPE_MESSAGE:
            target.CopyFrom(value)
        else:
            setattr(message, name, value)
    return message


def messages(descriptor: Any, tenant: str, depth: int = 0) -> st.SearchStrategy[Message]:
    cls = message_factory.GetMessageClass(descriptor)
    if depth >= MAX_DEPTH:
        return st.just(cls())
    optional = {f.name: _field(f, tenant, depth) for f in descriptor.fields}
    return st.fixed_dictionaries({}, optional=optional).map(lambda values: _build(cls, values))
