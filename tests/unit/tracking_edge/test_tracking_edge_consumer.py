"""The raw-hit consumer's pure parts: event ids, timestamps, record validation, the event."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from emailtrack.common.consuming import InvalidMessage, PoisonPart, Record, only_items
from emailtrack.v1 import events_pb2
from services.tracking_edge.consumer import (
    ADDRESS_CACHE,
    EVENT_NAMESPACE,
    VERDICT_FIELDS_CACHE,
    RawHitHandler,
    encoded_verdict_fields,
    engagement_event,
    event_id_for_hit,
    request_headers,
    sent_datetime,
    to_datetime,
)
from services.tracking_edge.domain.classify import HitFeatures, HitHistory, Source, Verdict
from services.tracking_edge.domain.privacy import IpTruncation
from tests.unit.tracking_edge.classifying import classify_hit

SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@given(st.text())
def test_event_ids_are_the_uuid5_of_the_hit_id(hit_id: str) -> None:
    # already stored events carry these ids: redelivered hits must keep getting them
    assert event_id_for_hit(hit_id) == str(uuid.uuid5(EVENT_NAMESPACE, hit_id))


def test_event_id_of_a_known_hit_never_changes() -> None:
    expected = "b269f7eb-7dc6-541a-946f-2747b2ed6b7d"  # as stored events already carry
    assert event_id_for_hit("0123456789abcdef0000000000000001") == expected


@given(
    st.integers(min_value=-62_135_596_800, max_value=253_402_300_799),
    st.integers(min_value=0, max_value=999_999_999),
)
def test_to_datetime_matches_protobuf(seconds: int, nanos: int) -> None:
    stamp = Timestamp(seconds=seconds, nanos=nanos)
    assert to_datetime(stamp) == stamp.ToDatetime(tzinfo=UTC)
    assert sent_datetime(seconds, nanos) == stamp.ToDatetime(tzinfo=UTC)  # cached


def raw_hit(**fields: object) -> events_pb2.RawHit:
    hit = events_pb2.RawHit(
        hit_id="h1", http_method="GET", user_agent="ua", client_ip="81.2.69.142"
    )
    hit.claims.tenant_id = "t"
    hit.claims.recipient_id = "r"
    hit.claims.message_id = "m"
    hit.claims.kind = events_pb2.HIT_KIND_CLICK
    hit.received_at.FromDatetime(SENT)
    for name, value in fields.items():
        setattr(hit, name, value)
    return hit


def record(*hits: events_pb2.RawHit) -> Record:
    return Record("raw", 0, 0, None, events_pb2.RawHitBatch(hits=hits).SerializeToString(), [])


def handler() -> RawHitHandler:
    return RawHitHandler(None, None, None)  # type: ignore[arg-type]  # decode needs neither


def test_decode_keeps_valid_hits() -> None:
    decoded = only_items(handler().decode(record(raw_hit(), raw_hit(hit_id="h2"))))
    assert [h.hit_id for h in decoded] == [
        "h1",
        "h2",
    ]


@pytest.mark.parametrize(
    "broken",
    [
        {"hit_id": ""},
        {"received_at": Timestamp(seconds=253_402_300_800)},
        {"received_at": Timestamp(seconds=1, nanos=-1)},
    ],
)
def test_decode_rejects_hits_that_can_never_be_processed(broken: dict[str, object]) -> None:
    hit = raw_hit()
    for name, value in broken.items():
        if isinstance(value, Timestamp):
            getattr(hit, name).CopyFrom(value)
        else:
            setattr(hit, name, value)
    decoded = handler().decode(record(raw_hit(hit_id="ok"), hit, raw_hit(hit_id="ok2")))
    assert [h.hit_id for h in only_items(decoded)] == ["ok", "ok2"]  # its batch goes on
    assert alone(decoded) == [hit]


def alone(decoded: Sequence[events_pb2.RawHit | PoisonPart]) -> list[events_pb2.RawHit]:
    """The hits dead-lettered alone: each poison part is a RawHitBatch of one hit."""
    batches = [
        events_pb2.RawHitBatch.FromString(part.value)
        for part in decoded
        if isinstance(part, PoisonPart)
    ]
    assert all(len(batch.hits) == 1 for batch in batches)
    return [batch.hits[0] for batch in batches]


def test_decode_rejects_an_out_of_range_send_time() -> None:
    hit = raw_hit()
    hit.claims.sent_at.seconds = -62_135_596_801
    assert alone(handler().decode(record(hit))) == [hit]


def test_a_record_that_is_no_hit_batch_is_poison_whole() -> None:
    with pytest.raises(InvalidMessage):
        handler().decode(Record("raw", 0, 0, None, b"\xff\xff not protobuf", []))


def verdict() -> Verdict:
    return Verdict(
        source="security_scanner",
        agent="proofpoint",
        machine_probability=0.99,
        reasons=("ip_range:proofpoint", "click_3s_after_send"),
        email_client="",
        device="desktop",
        os="Windows",
        browser="Chrome",
        country="US",
        first=True,
        duplicate=False,
    )


def test_click_event_carries_claims_classification_and_client() -> None:
    hit = raw_hit()
    hit.claims.campaign_id, hit.claims.variant, hit.claims.sequence_step = "c", "B", "s2"
    hit.claims.link_url, hit.claims.link_index = "https://x.example/a", 3
    hit.trace.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    features = HitFeatures("click", "GET", "ua", "81.2.69.142", SENT, None, {}, 3, False)
    event = engagement_event(hit, hit.claims, features, hit.hit_id, verdict(), features.client_ip)
    expected = events_pb2.Event(
        event_id=event_id_for_hit("h1"),
        type=events_pb2.EVENT_TYPE_EMAIL_CLICK,
        tenant_id="t",
        campaign_id="c",
        message_id="m",
        recipient_id="r",
        sequence_step="s2",
        variant="B",
        trace=hit.trace,
        occurred_at=hit.received_at,
        engagement=events_pb2.EngagementPayload(
            classification=events_pb2.Classification(
                source=events_pb2.HIT_SOURCE_SECURITY_SCANNER,
                agent="proofpoint",
                machine_probability=0.99,
                reasons=["ip_range:proofpoint", "click_3s_after_send"],
            ),
            client=events_pb2.ClientInfo(
                device="desktop", os="Windows", browser="Chrome", country="US"
            ),
            first=True,
            link_url="https://x.example/a",
            link_index=3,
            hit_id="h1",
            user_agent="ua",
            client_ip="81.2.69.142",
        ),
    )
    assert event == expected


def test_unsubscribe_event_carries_the_address_and_one_click() -> None:
    hit = raw_hit(one_click=True, http_method="POST")
    hit.claims.kind = events_pb2.HIT_KIND_UNSUBSCRIBE
    features = HitFeatures("unsubscribe", "POST", "ua", "81.2.69.142", SENT, None)
    event = engagement_event(hit, hit.claims, features, hit.hit_id, verdict(), features.client_ip)
    assert event.type == events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE
    assert event.unsubscribe == events_pb2.UnsubscribePayload(address="r", one_click=True)
    assert not event.HasField("engagement")


def test_unsubscribe_event_carries_the_list_of_the_token() -> None:
    hit = raw_hit(http_method="POST")
    hit.claims.kind = events_pb2.HIT_KIND_UNSUBSCRIBE
    hit.claims.list_id = "weekly-digest"
    features = HitFeatures("unsubscribe", "POST", "ua", "81.2.69.142", SENT, None)
    event = engagement_event(hit, hit.claims, features, hit.hit_id, verdict(), features.client_ip)
    assert event.unsubscribe.list_id == "weekly-digest"


SOME_TEXT = st.sampled_from(["", "proofpoint", "Chrome", "iOS", "US", "ua_generic", "é"])


SOURCE_VALUES = {
    "human": events_pb2.HIT_SOURCE_HUMAN,
    "privacy_proxy": events_pb2.HIT_SOURCE_PRIVACY_PROXY,
    "security_scanner": events_pb2.HIT_SOURCE_SECURITY_SCANNER,
    "bot": events_pb2.HIT_SOURCE_BOT,
}


@given(
    st.sampled_from(sorted(SOURCE_VALUES)),
    SOME_TEXT,
    st.floats(min_value=0, max_value=1),
    st.lists(SOME_TEXT, max_size=3).map(tuple),
    st.lists(SOME_TEXT, min_size=5, max_size=5),
)
def test_cached_verdict_fields_are_those_assigning_each_field_gives(
    source: Source, agent: str, probability: float, reasons: tuple[str, ...], client: list[str]
) -> None:
    email_client, device, os, browser, country = client
    verdict = Verdict(
        source, agent, probability, reasons, email_client, device, os, browser, country,
        first=False, duplicate=True,
    )  # fmt: skip
    assigned = events_pb2.EngagementPayload()
    assigned.classification.source = SOURCE_VALUES[source]
    assigned.classification.agent = agent
    assigned.classification.machine_probability = probability
    assigned.classification.reasons.extend(reasons)
    assigned.client.email_client, assigned.client.device = email_client, device
    assigned.client.os, assigned.client.browser, assigned.client.country = os, browser, country
    features = HitFeatures("open", "GET", "ua", "81.2.69.142", SENT, None)
    hit = raw_hit()
    for _ in range(2):  # encoded, then from the cache
        event = engagement_event(hit, hit.claims, features, "h1", verdict, "81.2.69.142")
        assert event.engagement.classification == assigned.classification
        assert event.engagement.client == assigned.client
        assert event.engagement.HasField("classification") and event.engagement.HasField("client")
        assert event.engagement.duplicate and event.engagement.hit_id == "h1"


def test_the_cache_of_encoded_verdict_fields_is_bounded() -> None:
    for n in range(VERDICT_FIELDS_CACHE + 10):
        encoded_verdict_fields("bot", f"agent-{n}", 0.95, (), "", "", "", "", "")
    assert encoded_verdict_fields.cache_info().currsize == VERDICT_FIELDS_CACHE


ADDRESSES = ("81.2.69.142", "2a01:e3c:12::1", "::ffff:81.2.69.142", " 81.2.69.9", "nope", "")


@pytest.mark.parametrize("profile", ["none", "eu"])
def test_truncated_addresses_are_cached_as_the_profile_gives_them(profile: str) -> None:
    truncation = IpTruncation.profile(profile)
    edge = RawHitHandler(None, None, None, ip_truncation=truncation)  # type: ignore[arg-type]  # truncation needs neither
    for _ in range(2):  # computed, then from the cache
        assert [edge.truncated_ip(a) for a in ADDRESSES] == [truncation.apply(a) for a in ADDRESSES]
    for n in range(ADDRESS_CACHE + 10):
        edge.truncated_ip(f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}")
    assert edge.truncated_ip.cache_info().currsize == ADDRESS_CACHE


CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)


def test_classifier_sees_the_headers_the_gateway_carries_in_fields() -> None:
    hit = raw_hit(accept_language="de-DE", referer="https://outlook.live.com/")
    hit.headers["via"] = "1.1 proxy"
    assert request_headers(hit) == {
        "via": "1.1 proxy",
        "accept-language": "de-DE",
        "referer": "https://outlook.live.com/",
    }
    assert request_headers(raw_hit()) == {}


def test_a_reader_click_with_accept_language_in_its_field_is_human() -> None:
    """The gateway puts Accept-Language in RawHit.accept_language, not in headers: a reader's
    click 30 s after the send must not be scored as a client without Accept-Language."""
    at = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
    for accept_language, machine in (("en-GB", False), ("", True)):
        hit = raw_hit(user_agent=CHROME, accept_language=accept_language)
        features = HitFeatures(
            kind="click",
            http_method="GET",
            user_agent=CHROME,
            client_ip=hit.client_ip,
            received_at=at,
            sent_at=SENT,
            headers=request_headers(hit),
        )
        assert classify_hit(features, HitHistory()).is_machine is machine
