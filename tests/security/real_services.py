"""Real emailtrack services for the security tests: the recipient servicer (with campaigns)
and the analytics servicer, each on its own freshly migrated PostgreSQL database, served
in-process on free ports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from emailtrack.common.db import ensure_database, make_engine, migrate
from emailtrack.common.grpc_server import ServiceRegistration, start_server
from emailtrack.v1 import analytics_pb2_grpc, campaign_pb2_grpc, recipient_pb2_grpc
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore
from services.recipient.__main__ import stores
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.server import RecipientServicer
from services.recipient.store.rows import Database
from tests.grpc_credentials import TEST_AUTH, keyed_channel

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stubs:
    recipient_address: str
    analytics_address: str
    analytics_store: AnalyticsStore
    recipient: recipient_pb2_grpc.RecipientServiceStub
    campaign: campaign_pb2_grpc.CampaignServiceStub
    analytics: analytics_pb2_grpc.AnalyticsServiceStub


def serve_real_services(postgres_url: str) -> Iterator[Stubs]:
    """The recipient (with campaigns) and analytics servicers, each on a fresh database."""
    urls = {}
    for service in ("recipient", "analytics"):
        url = str(make_url(postgres_url).set(database=f"sec_{service}_{uuid.uuid4().hex[:8]}"))
        ensure_database(url)
        migrate(url, ROOT / "services" / service / "migrations")
        urls[service] = url
    analytics_engine = make_engine(urls["analytics"])
    analytics_store = AnalyticsStore(analytics_engine, retention_days=36500)
    analytics = start_server(
        [
            ServiceRegistration(
                AnalyticsServicer(analytics_store),
                analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
                "emailtrack.v1.AnalyticsService",
            )
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    analytics_address = f"127.0.0.1:{analytics.port}"
    analytics_channel = keyed_channel(analytics_address, deadline_s=5)
    client = AnalyticsClient(analytics_channel, analytics_address)
    engine = make_engine(urls["recipient"])
    parts = stores(Database(engine), RecipientSettings.from_env({}))
    recipient = start_server(
        [
            ServiceRegistration(
                RecipientServicer(
                    parts.recipients, parts.messages, parts.suppression, parts.privacy, client
                ),
                recipient_pb2_grpc.add_RecipientServiceServicer_to_server,
                "emailtrack.v1.RecipientService",
            ),
            ServiceRegistration(
                CampaignServicer(parts.campaigns, parts.mailboxes, parts.usage, client),
                campaign_pb2_grpc.add_CampaignServiceServicer_to_server,
                "emailtrack.v1.CampaignService",
            ),
        ],
        0,
        "127.0.0.1",
        auth=TEST_AUTH,
    )
    channel = keyed_channel(f"127.0.0.1:{recipient.port}", deadline_s=5)
    yield Stubs(
        f"127.0.0.1:{recipient.port}",
        analytics_address,
        analytics_store,
        recipient_pb2_grpc.RecipientServiceStub(channel),
        campaign_pb2_grpc.CampaignServiceStub(channel),
        analytics_pb2_grpc.AnalyticsServiceStub(analytics_channel),
    )
    channel.close()
    analytics_channel.close()
    recipient.stop(0)
    analytics.stop(0)
    engine.dispose()
    analytics_engine.dispose()
