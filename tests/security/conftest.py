"""Every gRPC service in one in-process server (port 0) behind the real interceptor, with the
real API key store over a fresh PostgreSQL database and a real broker: the services'
checks are one shared piece of code, so one server shows what each process does."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import grpc
import pytest
from sqlalchemy.engine import make_url

from emailtrack.common.config import KafkaSettings
from emailtrack.common.credentials import single_key_auth
from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.grpc_server import (
    RunningServer,
    ServiceRegistration,
    client_channel,
    start_server,
)
from emailtrack.common.kafka_io import ensure_topics, make_producer
from emailtrack.common.key_verifiers import CachedVerifier
from emailtrack.common.rate_limit import RateLimiter
from emailtrack.common.tokens import TokenKeys
from emailtrack.v1 import (
    analytics_pb2_grpc,
    api_keys_pb2,
    api_keys_pb2_grpc,
    bounce_pb2_grpc,
    campaign_pb2_grpc,
    recipient_pb2_grpc,
    tracking_edge_pb2_grpc,
    webhooks_pb2_grpc,
)
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.bounce.recorder import OutcomeRecorder
from services.bounce.replies import ReplyResolver
from services.bounce.server import BounceServicer
from services.bounce.store import OutcomeStore
from services.bounce.webhooks.handler import WebhookHandler, WebhookSecrets
from services.bounce.webhooks.sns import SnsVerifier
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.rpc_api_keys import ApiKeyServicer, StoreKeyVerifier
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.server import RecipientServicer
from services.recipient.store.api_keys import ApiKeyStore
from services.recipient.store.rows import Database
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.server import TrackingEdgeServicer
from services.webhooks.server import WebhookServicer
from services.webhooks.signing import SecretBox
from services.webhooks.store.deliveries import DeliveryStore
from services.webhooks.store.endpoints import EndpointStore
from tests.conftest import ROOT
from tests.grpc_credentials import TEST_KEY, keyed_channel

CACHE_S = 1.0
TOKEN_KEYS = TokenKeys.parse("k1:" + "s" * 43)
SEND, READ, ADMIN = (
    api_keys_pb2.API_KEY_SCOPE_SEND,
    api_keys_pb2.API_KEY_SCOPE_READ,
    api_keys_pb2.API_KEY_SCOPE_ADMIN,
)


@dataclass
class Stack:
    """``addresses``: full service name → address of the server that hosts it."""

    addresses: dict[str, str]
    keys: ApiKeyStore
    serve_main: Callable[[RateLimiter], RunningServer]

    @property
    def main(self) -> str:
        return self.addresses["emailtrack.v1.RecipientService"]

    def create_key(self, tenant_id: str, *scopes: api_keys_pb2.ApiKeyScope) -> str:
        """A new API key, made through ApiKeyService with the test service key."""
        with keyed_channel(self.main) as channel:
            reply = api_keys_pb2_grpc.ApiKeyServiceStub(channel).CreateApiKey(
                api_keys_pb2.CreateApiKeyRequest(tenant_id=tenant_id, scopes=list(scopes))
            )
        return reply.secret


def channel_with(address: str, key: str | None) -> grpc.Channel:
    """A channel whose calls carry ``key`` (when given) as ``authorization: Bearer``."""
    return client_channel(address, deadline_s=10, api_key=key)


def _database(postgres_url: str, service: str) -> str:
    url = str(make_url(postgres_url).set(database=f"sec_{service}_{uuid.uuid4().hex[:8]}"))
    ensure_database(url)
    migrate(url, ROOT / "services" / service / "migrations")
    return url


@pytest.fixture(scope="module")
def stack(postgres_url: str, kafka_bootstrap: str) -> Iterator[Stack]:
    engines = {s: make_engine(_database(postgres_url, s), pool_size=10) for s in
               ("recipient", "analytics", "bounce", "webhooks")}  # fmt: skip
    kafka = KafkaSettings(kafka_bootstrap, 2000)
    ensure_topics(kafka)
    producer = make_producer(kafka, "security-tests")
    keys = ApiKeyStore(engines["recipient"])
    api_keys = CachedVerifier(StoreKeyVerifier(keys), CACHE_S)
    unlimited = RateLimiter(0, 1)

    def serve(registrations: list[tuple[object, object]], limiter: RateLimiter) -> RunningServer:
        return start_server(
            [ServiceRegistration(s, add, "x") for s, add in registrations],  # type: ignore[arg-type]  # servicers of several types
            0,
            "127.0.0.1",
            auth=single_key_auth(TEST_KEY, api_keys, limiter=limiter),
        )

    analytics_server = serve(
        [(AnalyticsServicer(AnalyticsStore(engines["analytics"], retention_days=36500)),
          analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server)], unlimited
    )  # fmt: skip
    analytics_address = f"127.0.0.1:{analytics_server.port}"
    analytics_channel = keyed_channel(analytics_address)
    analytics = AnalyticsClient(analytics_channel, analytics_address)
    parts = stores(Database(engines["recipient"]), RecipientSettings.from_env({}))

    def serve_main(limiter: RateLimiter) -> RunningServer:
        recipient = RecipientServicer(
            parts.recipients, parts.messages, parts.suppression, parts.privacy, analytics
        )
        campaigns = CampaignServicer(parts.campaigns, parts.mailboxes, parts.usage, analytics)
        edge = TrackingEdgeServicer(Instrumenter("https://t.example.com", TOKEN_KEYS), TOKEN_KEYS)
        return serve(
            [
                (recipient, recipient_pb2_grpc.add_RecipientServiceServicer_to_server),
                (campaigns, campaign_pb2_grpc.add_CampaignServiceServicer_to_server),
                (ApiKeyServicer(keys), api_keys_pb2_grpc.add_ApiKeyServiceServicer_to_server),
                (edge, tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server),
            ],
            limiter,
        )

    main_server = serve_main(unlimited)
    main_address = f"127.0.0.1:{main_server.port}"
    replies_channel = keyed_channel(main_address)
    webhooks = WebhookHandler(WebhookSecrets(), SnsVerifier(lambda url: b""), lambda url: None)
    bounce = BounceServicer(
        OutcomeRecorder(OutcomeStore(engines["bounce"]), producer).record,
        webhooks,
        ReplyResolver(replies_channel, main_address),
    )
    bounce_server = serve(
        [(bounce, bounce_pb2_grpc.add_BounceServiceServicer_to_server)], unlimited
    )
    outbound = WebhookServicer(
        EndpointStore(engines["webhooks"], SecretBox(os.urandom(32))),
        DeliveryStore(engines["webhooks"]),
        (),
        timedelta(hours=1),
    )
    webhooks_server = serve(
        [(outbound, webhooks_pb2_grpc.add_WebhookServiceServicer_to_server)], unlimited
    )
    addresses = {
        "emailtrack.v1.AnalyticsService": analytics_address,
        "emailtrack.v1.WebhookService": f"127.0.0.1:{webhooks_server.port}",
        "emailtrack.v1.BounceService": f"127.0.0.1:{bounce_server.port}",
        **{
            name: main_address
            for name in (
                "emailtrack.v1.RecipientService",
                "emailtrack.v1.CampaignService",
                "emailtrack.v1.ApiKeyService",
                "emailtrack.v1.TrackingEdgeService",
            )
        },
    }
    yield Stack(addresses, keys, serve_main)
    for server in (webhooks_server, bounce_server, main_server, analytics_server):
        server.stop(0)
    for channel in (analytics_channel, replies_channel):
        channel.close()
    producer.close()
    for engine in engines.values():
        engine.dispose()
