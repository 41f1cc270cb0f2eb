"""Outbound webhooks end to end in-process: real PostgreSQL, broker, gRPC on port 0 and a
real HTTP receiver verifying Standard Webhooks signatures independently. Covers filters,
retries while the receiver fails, the delivery log, replay of failed deliveries, batch
mode, secret rotation, disabling a failing endpoint and SSRF refusals."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from emailtrack.cli import app
from emailtrack.common import topics
from emailtrack.common.config import KafkaSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.common.kafka_io import ensure_topics, make_producer, publish_events
from emailtrack.v1 import events_pb2, webhooks_pb2, webhooks_pb2_grpc
from services.webhooks.consumer import EventHandler
from services.webhooks.domain.backoff import RetryPolicy
from services.webhooks.domain.destinations import parse_networks
from services.webhooks.domain.events import public_event_id
from services.webhooks.poster import Poster
from services.webhooks.retention import RetentionJob
from services.webhooks.server import WebhookServicer
from services.webhooks.signing import SecretBox
from services.webhooks.store.deliveries import DeliveryStore, NewDelivery
from services.webhooks.store.endpoints import EndpointStore
from services.webhooks.worker import DeliveryWorker, WorkerSettings
from tests.grpc_credentials import TEST_AUTH, TEST_KEY, keyed_channel
from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.integration
LOOPBACK = parse_networks(["127.0.0.0/8"])
FAST_RETRY = RetryPolicy(first_delay=timedelta(seconds=0.2), max_delay=timedelta(seconds=1))


def make_event(
    tenant: str, kind: events_pb2.EventType, index: int, **fields: Any
) -> events_pb2.Event:
    event = events_pb2.Event(
        event_id=f"{tenant}-{kind}-{index}", tenant_id=tenant, type=kind,
        campaign_id="c1", message_id=f"m{index}", recipient_id=f"r{index}", **fields,
    )  # fmt: skip
    event.occurred_at.FromDatetime(datetime.now(UTC))
    return event


def bounces(tenant: str, count: int, bounce_type: events_pb2.BounceType) -> list[events_pb2.Event]:
    return [
        make_event(tenant, events_pb2.EVENT_TYPE_EMAIL_BOUNCE, i + 1000 * bounce_type,
                   delivery=events_pb2.DeliveryPayload(bounce_type=bounce_type,
                                                       reason="user_unknown", address="a@x.io"))
        for i in range(count)
    ]  # fmt: skip


def opens(tenant: str, count: int) -> list[events_pb2.Event]:
    proxy = events_pb2.Classification(source=events_pb2.HIT_SOURCE_PRIVACY_PROXY, agent="apple_mpp")
    return [
        make_event(tenant, events_pb2.EVENT_TYPE_EMAIL_OPEN, i,
                   engagement=events_pb2.EngagementPayload(classification=proxy))
        for i in range(count)
    ]  # fmt: skip


@pytest.fixture
def service(kafka_bootstrap: str, fresh_database: Any) -> Iterator[dict[str, Any]]:
    settings = KafkaSettings(kafka_bootstrap, 6000)
    ensure_topics(settings)
    engine = make_engine(fresh_database("webhooks"))
    endpoints = EndpointStore(engine, SecretBox(os.urandom(32)))
    deliveries = DeliveryStore(engine)
    producer = make_producer(settings, "webhooks-test")
    servicer = WebhookServicer(endpoints, deliveries, LOOPBACK, timedelta(hours=1))
    server = start_server(
        [
            ServiceRegistration(
                servicer, webhooks_pb2_grpc.add_WebhookServiceServicer_to_server, "x"
            )
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    channel = keyed_channel(f"127.0.0.1:{server.port}")
    stop = threading.Event()
    consumer = ConsumerLoop(
        settings, f"webhooks-test-{uuid.uuid4().hex[:8]}",
        [topics.DELIVERY_EVENTS, topics.ENGAGEMENT_EVENTS, topics.RECIPIENT_EVENTS],
        EventHandler(endpoints, deliveries), producer,
    )  # fmt: skip
    threads = [threading.Thread(target=consumer.run, args=(stop,), daemon=True)]
    threads[0].start()
    parts = {
        "endpoints": endpoints,
        "deliveries": deliveries,
        "producer": producer,
        "stub": webhooks_pb2_grpc.WebhookServiceStub(channel),
        "address": f"127.0.0.1:{server.port}",
        "stop": stop,
        "threads": threads,
    }
    yield parts
    stop.set()
    deliveries.wakeup.set()  # a worker waiting for work notices the stop at once
    for thread in threads:
        thread.join(timeout=20)
    channel.close()
    server.stop(0)
    producer.close()
    engine.dispose()


def start_worker(parts: dict[str, Any], retry: RetryPolicy = FAST_RETRY, **settings: Any) -> None:
    worker = DeliveryWorker(
        parts["endpoints"], parts["deliveries"], Poster(LOOPBACK, 5.0), retry,
        WorkerSettings(**{"poll_interval_s": 0.05, **settings}),
    )  # fmt: skip
    thread = threading.Thread(target=worker.run, args=(parts["stop"],), daemon=True)
    parts["threads"].append(thread)
    thread.start()


def create(stub: Any, tenant: str, url: str, **fields: Any) -> webhooks_pb2.CreateEndpointResponse:
    request = webhooks_pb2.CreateEndpointRequest(tenant_id=tenant, url=url, **fields)
    return stub.CreateEndpoint(request, timeout=10)


def test_filtered_signed_deliveries_survive_a_failing_receiver(service: dict[str, Any]) -> None:
    tenant = "t-" + uuid.uuid4().hex[:8]
    stub = service["stub"]
    with running_receiver([]) as (everything, url_all), running_receiver([]) as (hard, url_hard):
        created = create(stub, tenant, url_all)
        everything.secrets.append(created.secret)
        hard.secrets.append(create(stub, tenant, url_hard, events=["bounced:hard"]).secret)
        everything.fail_status = 503
        everything.delay_s = 0.02  # requests overlap: the per-endpoint bound is visible
        events = bounces(tenant, 20, events_pb2.BOUNCE_TYPE_HARD)
        events += bounces(tenant, 10, events_pb2.BOUNCE_TYPE_SOFT) + opens(tenant, 15)
        publish_events(service["producer"], topics.DELIVERY_EVENTS, events[:30], None)
        publish_events(service["producer"], topics.ENGAGEMENT_EVENTS, events[30:], None)
        # a redelivered record (consumer restart) must not cause a second delivery
        publish_events(service["producer"], topics.DELIVERY_EVENTS, events[:5], None)
        start_worker(service)
        assert hard.wait_for(20, 60)
        assert everything.requests > 0 and not everything.events
        everything.fail_status = 0
        assert everything.wait_for(45, 60)
        threading.Event().wait(1.0)
        assert set(everything.events) == {public_event_id(e) for e in events}
        assert set(hard.events) == {public_event_id(e) for e in events[:20]}
        assert max(everything.seen.values()) == 1 and max(hard.seen.values()) == 1
        assert everything.bad_signatures == hard.bad_signatures == 0
        assert 1 < everything.max_in_flight <= WorkerSettings().per_endpoint
        opened = everything.events[events[-1].event_id]
        assert opened["type"] == "email.opened"
        assert (opened["data"]["machine"], opened["data"]["label"]) == (True, "apple_mpp")
        log = stub.ListDeliveries(
            webhooks_pb2.ListDeliveriesRequest(
                tenant_id=tenant, endpoint_id=created.endpoint.endpoint_id, limit=500
            ),
            timeout=10,
        ).deliveries
        assert len(log) == 45
        assert all(d.status == webhooks_pb2.WEBHOOK_DELIVERY_STATUS_DELIVERED for d in log)
        retried = [d for d in log if d.attempt_count > 1]
        assert retried
        assert retried[0].attempts[0].status_code == 503
        assert retried[0].attempts[-1].status_code == 200
        assert retried[0].attempts[-1].response_snippet == "ok"


def test_failed_deliveries_are_replayed_and_the_endpoint_disabled(service: dict[str, Any]) -> None:
    tenant = "t-" + uuid.uuid4().hex[:8]
    stub = service["stub"]
    with running_receiver([]) as (receiver, url):
        created = create(stub, tenant, url)
        receiver.secrets.append(created.secret)
        receiver.fail_status = 500
        events = bounces(tenant, 5, events_pb2.BOUNCE_TYPE_SOFT)
        publish_events(service["producer"], topics.DELIVERY_EVENTS, events, None)
        give_up_at_once = RetryPolicy(window=timedelta(0))
        start_worker(service, give_up_at_once, disable_after=timedelta(0))
        listing = webhooks_pb2.ListEndpointsRequest(tenant_id=tenant)
        deadline = datetime.now(UTC) + timedelta(seconds=60)
        while stub.ListEndpoints(listing, timeout=10).endpoints[0].enabled:
            assert datetime.now(UTC) < deadline
            threading.Event().wait(0.2)
        endpoint = stub.ListEndpoints(listing, timeout=10).endpoints[0]
        assert "failing for more than" in endpoint.disabled_reason
        with receiver.lock:
            receiver.fail_status = 0
            answered_500 = receiver.failures_answered
        failed_request = webhooks_pb2.ListDeliveriesRequest(
            tenant_id=tenant, status=webhooks_pb2.WEBHOOK_DELIVERY_STATUS_FAILED
        )
        # every 500 already answered is recorded before the re-enable: a failure recorded
        # after it would disable the endpoint again (disable_after is 0 here)
        deadline = datetime.now(UTC) + timedelta(seconds=30)
        while len(failed := stub.ListDeliveries(failed_request, timeout=10).deliveries) < (
            answered_500
        ):
            assert datetime.now(UTC) < deadline
            threading.Event().wait(0.2)
        assert failed and all(d.attempts[0].status_code == 500 for d in failed)
        endpoint_id = created.endpoint.endpoint_id
        stub.UpdateEndpoint(
            webhooks_pb2.UpdateEndpointRequest(tenant_id=tenant, endpoint_id=endpoint_id,
                                               enable=True), timeout=10)  # fmt: skip
        replay = stub.ReplayDeliveries(
            webhooks_pb2.ReplayDeliveriesRequest(tenant_id=tenant, failed_only=True), timeout=10
        )
        assert replay.scheduled >= len(failed)
        assert receiver.wait_for(5, 30)
        assert set(receiver.events) == {public_event_id(e) for e in events}
        # a time range is sent again, under the same webhook-id (the receiver's dedup key)
        window = webhooks_pb2.ReplayDeliveriesRequest(tenant_id=tenant, endpoint_id=endpoint_id)
        window.since.FromDatetime(datetime.now(UTC) - timedelta(hours=1))
        window.until.FromDatetime(datetime.now(UTC) + timedelta(minutes=1))
        assert stub.ReplayDeliveries(window, timeout=10).scheduled == 5
        deadline = datetime.now(UTC) + timedelta(seconds=30)
        while min(receiver.seen.values()) < 2:
            assert datetime.now(UTC) < deadline
            threading.Event().wait(0.2)
        assert len(receiver.events) == 5


def test_batch_mode_and_rotation(service: dict[str, Any]) -> None:
    tenant = "t-" + uuid.uuid4().hex[:8]
    stub = service["stub"]
    with running_receiver([]) as (receiver, url):
        created = create(stub, tenant, url, batch=True)
        endpoint_id = created.endpoint.endpoint_id
        rotated = stub.RotateEndpointSecret(
            webhooks_pb2.RotateEndpointSecretRequest(tenant_id=tenant, endpoint_id=endpoint_id),
            timeout=10,
        ).secret
        receiver.secrets.append(rotated)  # the new secret alone verifies during the grace
        events = bounces(tenant, 30, events_pb2.BOUNCE_TYPE_HARD)
        publish_events(service["producer"], topics.DELIVERY_EVENTS, events, None)
        start_worker(service, batch_size=10)
        assert receiver.wait_for(30, 60)
        assert receiver.requests <= 10  # batched: far fewer requests than events
        assert receiver.bad_signatures == 0
        assert set(receiver.events) == {public_event_id(e) for e in events}


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data", "http://10.0.0.1/x", "http://[::1]/x",
     "gopher://127.0.0.1/", "http://u:p@127.0.0.1/"],
)  # fmt: skip
def test_unsafe_endpoints_are_refused(service: dict[str, Any], url: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        create(service["stub"], "t1", url)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_bad_requests_are_clear_errors(service: dict[str, Any]) -> None:
    stub = service["stub"]
    with pytest.raises(grpc.RpcError) as raised:
        create(stub, "t1", "https://hooks.example.com/in", events=["sent"])
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "unknown event" in (raised.value.details() or "")
    with pytest.raises(grpc.RpcError) as raised:
        stub.DeleteEndpoint(
            webhooks_pb2.DeleteEndpointRequest(tenant_id="t1", endpoint_id="ep_x"), timeout=10
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    other = create(stub, "t2", "https://hooks.example.com/in").endpoint.endpoint_id
    with pytest.raises(grpc.RpcError) as raised:  # another tenant's endpoint is invisible
        stub.DeleteEndpoint(
            webhooks_pb2.DeleteEndpointRequest(tenant_id="t1", endpoint_id=other), timeout=10
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_the_cli_manages_endpoints_and_shows_the_log(service: dict[str, Any]) -> None:
    def cli(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(
            app,
            ["webhook", *args, "--webhooks", service["address"]],
            env={"EMAILTRACK_API_KEY": TEST_KEY},
        )
        return result.exit_code, result.output

    tenant = "t-" + uuid.uuid4().hex[:8]
    url = "https://hooks.example.com/in"
    code, output = cli("add", "--tenant", tenant, url, "--event", "bounced:hard", "--json")
    assert code == 0, output
    added = json.loads(output)
    assert added["secret"].startswith("whsec_")
    endpoint_id = added["endpoint"]["endpoint_id"]
    assert added["endpoint"]["events"] == ["bounced:hard"]
    code, output = cli("update", "--tenant", tenant, endpoint_id, "--batch", "--disable", "--json")
    assert code == 0, output
    (endpoint,) = json.loads(output)["endpoints"]
    assert (endpoint["batch"], endpoint["enabled"]) == (True, False)
    code, output = cli("rotate-secret", "--tenant", tenant, endpoint_id)
    assert code == 0 and output.strip().startswith("whsec_")
    assert output.strip() != added["secret"]
    code, output = cli("deliveries", "--tenant", tenant, "--status", "failed", "--json")
    assert (code, json.loads(output)) == (0, {"deliveries": []})
    code, output = cli("replay", "--tenant", tenant, "--failed")
    assert code == 0 and "0 deliveries scheduled" in output
    code, output = cli("replay", "--tenant", tenant)
    assert code == 2 and "failed_only or a time range" in output
    code, output = cli("add", "--tenant", tenant, "http://169.254.169.254/latest")
    assert code == 2 and "not public" in output
    code, output = cli("remove", "--tenant", tenant, endpoint_id)
    assert code == 0
    code, output = cli("list", "--tenant", tenant, "--json")
    assert json.loads(output) == {"endpoints": []}


def test_retention_deletes_settled_deliveries_only(service: dict[str, Any]) -> None:
    tenant = "t-" + uuid.uuid4().hex[:8]
    endpoint, _ = service["endpoints"].create(tenant, "https://hooks.example.com/", [], False, "")
    store: DeliveryStore = service["deliveries"]
    old = datetime.now(UTC) - timedelta(days=40)
    store.enqueue(
        [NewDelivery(endpoint.endpoint_id, tenant, f"{tenant}-{i}", "email.delivered", "r", "{}",
                     old) for i in range(4)]
    )  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE deliveries SET status = CASE event_id WHEN :a THEN 'delivered' "
                "WHEN :b THEN 'failed' WHEN :c THEN 'delivered' ELSE 'pending' END, "
                "created_at = CASE WHEN event_id = :c THEN now() ELSE :old END "
                "WHERE tenant_id = :t"
            ),
            {"old": old, "a": f"{tenant}-0", "b": f"{tenant}-1", "c": f"{tenant}-2",
             "t": tenant},
        )  # fmt: skip
    # old delivered and old failed go; recent delivered and old pending stay
    assert RetentionJob(store, timedelta(days=30), 3600).run_once() == 2
    left = store.log(tenant, "", "", 10)
    assert sorted(d.event_id for d in left) == [f"{tenant}-2", f"{tenant}-3"]


def test_enqueued_and_replayed_deliveries_wake_the_worker(service: dict[str, Any]) -> None:
    """With a poll a minute apart, only the store's wakeup can deliver within seconds: rows
    the consumer enqueues, rows a replay makes due, and rows waiting for a freed slot."""
    tenant = "t-" + uuid.uuid4().hex[:8]
    stub = service["stub"]
    with running_receiver([]) as (receiver, url):
        created = create(stub, tenant, url)
        receiver.secrets.append(created.secret)
        start_worker(service, poll_interval_s=60.0, per_endpoint=1)
        threading.Event().wait(1.0)  # the worker's first claim found nothing: it waits
        started = datetime.now(UTC)
        events = bounces(tenant, 6, events_pb2.BOUNCE_TYPE_HARD)
        publish_events(service["producer"], topics.DELIVERY_EVENTS, events, None)
        assert receiver.wait_for(6, 20)
        window = webhooks_pb2.ReplayDeliveriesRequest(tenant_id=tenant)
        window.since.FromDatetime(started - timedelta(hours=1))
        assert stub.ReplayDeliveries(window, timeout=10).scheduled == 6
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while min(receiver.seen.values()) < 2:
            assert datetime.now(UTC) < deadline
            threading.Event().wait(0.1)
        assert datetime.now(UTC) - started < timedelta(seconds=45)
