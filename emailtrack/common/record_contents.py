"""The record headers that say what an EventBatch record holds without decoding it: the event
types of its events and, when they are few, its tenants. A consumer that needs none of them
commits past the record undecoded. The headers are additive: a record without them (older
producers, replays, dead-letter redrives) or with a value this module cannot read must be
decoded in full, so a reader that does not know them loses nothing.

Format (ASCII/UTF-8, comma-separated, sorted; documented in docs/events.md):
- ``emailtrack-event-types``: the decimal ``EventType`` numbers of the record's events,
  e.g. ``1,2`` for opens and clicks;
- ``emailtrack-tenants``: the record's tenant ids, only when every event has one, none
  contains a comma and there are at most MAX_LISTED_TENANTS of them (absent: any tenant)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EVENT_TYPES_HEADER = "emailtrack-event-types"
TENANTS_HEADER = "emailtrack-tenants"
MAX_LISTED_TENANTS = 16
_SEPARATOR = ","


@dataclass(frozen=True)
class RecordContents:
    """What a record's producer declares it holds; ``tenants`` None means not listed."""

    event_types: frozenset[int]
    tenants: frozenset[str] | None


def contents_headers(event_types: Iterable[int], tenants: Iterable[str]) -> list[tuple[str, bytes]]:
    """The headers declaring a record of these event types from these tenants (an event
    without a tenant id counts as the tenant "")."""
    types = _SEPARATOR.join(str(t) for t in sorted(set(event_types)))
    headers = [(EVENT_TYPES_HEADER, types.encode())]
    distinct = set(tenants)
    listable = all(t and _SEPARATOR not in t for t in distinct)
    if listable and len(distinct) <= MAX_LISTED_TENANTS:
        headers.append((TENANTS_HEADER, _SEPARATOR.join(sorted(distinct)).encode()))
    return headers


def _single(headers: Sequence[tuple[str, bytes]], name: str) -> bytes | None:
    """The header's value; None when absent or given more than once (ambiguous)."""
    values = [value for key, value in headers if key == name]
    return values[0] if len(values) == 1 else None


def contents_of(headers: Sequence[tuple[str, bytes]]) -> RecordContents | None:
    """The contents a record's headers declare, or None when they declare none this module
    can read for certain: such a record must be decoded in full."""
    types = _single(headers, EVENT_TYPES_HEADER)
    if types is None:
        return None
    try:
        event_types = frozenset(int(t) for t in types.decode().split(_SEPARATOR))
        listed = _single(headers, TENANTS_HEADER)
        tenants = frozenset(listed.decode().split(_SEPARATOR)) if listed else None
    except (ValueError, UnicodeDecodeError):
        return None
    return RecordContents(event_types, tenants)
