"""Checks every request passes before any servicer sees it, at any depth: no text field holds
a NUL character (PostgreSQL text cannot store one, and no id, address or body needs one), and
every google.protobuf.Timestamp is a valid one (years 1 to 9999, nanos < 10^9). A violation is
the caller's error (INVALID_ARGUMENT naming the field)."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

MAX_DEPTH = 32
TIMESTAMP = "google.protobuf.Timestamp"
MIN_SECONDS = -62_135_596_800  # 0001-01-01T00:00:00Z
MAX_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z


class InvalidText(Exception):
    def __init__(self, field: str, problem: str = "must not contain NUL characters") -> None:
        super().__init__(f"{field} {problem}")
        self.field = field


TEXT, TEXTS, MESSAGE, MESSAGES, MAP = range(5)
Plan = tuple[tuple[str, int], ...]


def _kind(field: Any) -> int | None:  # a FieldDescriptor (python or upb)
    if field.type == FieldDescriptor.TYPE_STRING:
        return TEXTS if field.is_repeated else TEXT
    if field.message_type is None:
        return None
    if field.message_type.GetOptions().map_entry:
        return MAP
    return MESSAGES if field.is_repeated else MESSAGE


def _holds_timestamp(descriptor: Any, seen: frozenset[str] = frozenset()) -> bool:
    if descriptor.full_name == TIMESTAMP:
        return True
    if descriptor.full_name in seen:
        return False
    inner = seen | {descriptor.full_name}
    return any(
        f.message_type is not None and _holds_timestamp(f.message_type, inner)
        for f in descriptor.fields
    )


_PLANS: dict[tuple[type, bool], Plan] = {}
_TIMESTAMPS: dict[type, bool] = {}


def _plan(cls: type[Message], text: bool) -> Plan:
    """The fields worth walking, per message class (descriptors are slow to read on every
    call): all text and message fields, or (``text`` false) only those leading to a
    Timestamp."""
    known = _PLANS.get((cls, text))
    if known is not None:
        return known
    plan = []
    for field in cls.DESCRIPTOR.fields:
        kind = _kind(field)
        if kind is None or (not text and kind in (TEXT, TEXTS)):
            continue
        if not text and not _holds_timestamp(field.message_type):
            continue
        plan.append((field.name, kind))
    _PLANS[(cls, text)] = found = tuple(plan)
    return found


def _is_timestamp(cls: type[Message]) -> bool:
    known = _TIMESTAMPS.get(cls)
    if known is None:
        known = _TIMESTAMPS[cls] = cls.DESCRIPTOR.full_name == TIMESTAMP
    return known


def _check_timestamp(message: Message, field: str) -> None:
    seconds, nanos = message.seconds, message.nanos  # type: ignore[attr-defined]  # a Timestamp, known by its descriptor
    if not (MIN_SECONDS <= seconds <= MAX_SECONDS and 0 <= nanos < 1_000_000_000):
        raise InvalidText(field, "is not a valid timestamp")


def check_request(message: Message) -> None:
    """Raises InvalidText for the first bad field. A text field holding NUL puts a NUL byte
    in the serialised request, so without one only the paths to Timestamps are walked."""
    _walk(message, b"\x00" in message.SerializeToString(), 0, "request")


def _walk(message: Message, text: bool, depth: int, field: str) -> None:
    cls = type(message)
    if _is_timestamp(cls):
        _check_timestamp(message, field)
        return
    if depth > MAX_DEPTH:
        raise InvalidText(field, "is nested too deeply")
    for name, kind in _plan(cls, text):
        if kind == TEXT:
            if "\x00" in getattr(message, name):
                raise InvalidText(name)
        elif kind == TEXTS:
            if any("\x00" in item for item in getattr(message, name)):
                raise InvalidText(name)
        elif kind == MESSAGE:
            if message.HasField(name):
                _walk(getattr(message, name), text, depth + 1, name)
        elif kind == MESSAGES:
            for item in getattr(message, name):
                _walk(item, text, depth + 1, name)
        else:
            for key, item in getattr(message, name).items():
                if text and isinstance(key, str) and "\x00" in key:
                    raise InvalidText(name)
                if isinstance(item, Message):
                    _walk(item, text, depth + 1, name)
                elif text and isinstance(item, str) and "\x00" in item:
                    raise InvalidText(name)
