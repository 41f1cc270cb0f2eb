"""Which records the recipient consumer may commit past undecoded: those whose headers
declare no type it applies (opens and clicks)."""

from __future__ import annotations

from emailtrack.common.record_contents import RecordContents
from emailtrack.v1 import events_pb2
from services.recipient.applying import RELEVANT_TYPES
from services.recipient.consumer import holds_relevant_types


def declaring(*types: int) -> RecordContents:
    return RecordContents(frozenset(types), None)


def test_opens_and_clicks_only_are_not_needed() -> None:
    assert not holds_relevant_types(
        declaring(events_pb2.EVENT_TYPE_EMAIL_OPEN, events_pb2.EVENT_TYPE_EMAIL_CLICK)
    )


def test_any_relevant_type_among_others_is_needed() -> None:
    for kind in RELEVANT_TYPES:
        assert holds_relevant_types(declaring(events_pb2.EVENT_TYPE_EMAIL_OPEN, kind))
