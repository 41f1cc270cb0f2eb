"""docs/events.md is generated from the topics and events.proto and must be up to date."""

from emailtrack import eventdocs


def test_events_doc_is_up_to_date() -> None:
    assert eventdocs.OUTPUT.read_text() == eventdocs.render(), (
        "run `python -m emailtrack.eventdocs`"
    )


def test_every_topic_and_event_type_is_documented() -> None:
    from emailtrack.common import topics
    from emailtrack.v1 import events_pb2

    text = eventdocs.render()
    assert all(f"`{topic}`" in text for topic in topics.ALL_TOPICS)
    assert all(
        f"`{name}`" in text
        for name in (v.name for v in events_pb2.DESCRIPTOR.enum_types_by_name["EventType"].values)
    )


def test_the_contents_headers_are_documented_as_produced() -> None:
    from emailtrack.common.record_contents import (
        EVENT_TYPES_HEADER,
        MAX_LISTED_TENANTS,
        TENANTS_HEADER,
    )

    text = " ".join(eventdocs.render().split())
    assert f"`{EVENT_TYPES_HEADER}`" in text and f"`{TENANTS_HEADER}`" in text
    assert f"there are at most {MAX_LISTED_TENANTS} " in text
