"""Recipient service process: wiring only. ``serve`` (default), ``migrate``, or ``cleanup``
(one retention pass, then exit; see services/recipient/commands.py)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from emailtrack.common import topics
from emailtrack.common.config import ServiceSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, client_channel
from emailtrack.common.kafka_io import make_producer
from emailtrack.common.service import (
    BackgroundJob,
    Service,
    ServiceCommands,
    ServiceParts,
    main,
)
from emailtrack.v1 import (
    api_keys_pb2,
    api_keys_pb2_grpc,
    campaign_pb2,
    campaign_pb2_grpc,
    recipient_pb2,
    recipient_pb2_grpc,
)
from services.recipient import background
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.commands import cleanup
from services.recipient.config import RecipientSettings
from services.recipient.consumer import RecipientEventHandler
from services.recipient.outbox import OutboxRelay
from services.recipient.rpc_api_keys import ApiKeyServicer, StoreKeyVerifier
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.server import RecipientServicer
from services.recipient.store.api_keys import ApiKeyStore
from services.recipient.store.campaigns import CampaignStore
from services.recipient.store.mailboxes import MailboxStore
from services.recipient.store.messages import MessageStore
from services.recipient.store.privacy import PrivacyStore
from services.recipient.store.recipients import RecipientStore
from services.recipient.store.rows import Database
from services.recipient.store.suppression import SuppressionStore
from services.recipient.store.usage import UsageStore

NAME = "recipient"
MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Stores:
    recipients: RecipientStore
    messages: MessageStore
    suppression: SuppressionStore
    privacy: PrivacyStore
    campaigns: CampaignStore
    mailboxes: MailboxStore
    usage: UsageStore


def stores(db: Database, config: RecipientSettings) -> Stores:
    rules = config.rules()
    return Stores(
        RecipientStore(db),
        MessageStore(db, rules),
        SuppressionStore(db, rules),
        PrivacyStore(db),
        CampaignStore(db),
        MailboxStore(db),
        UsageStore(db.engine),
    )


def build(settings: ServiceSettings, config: RecipientSettings) -> ServiceParts:
    engine = make_engine(settings.database_url, pool_size=10)
    producer = make_producer(settings.kafka, NAME)
    relay = OutboxRelay(engine, producer)
    parts = stores(Database(engine, relay.wake), config)
    keys = ApiKeyStore(engine)
    channel = client_channel(
        config.analytics_addr, api_key=settings.auth.require_service_key(), tls=settings.auth.tls
    )
    analytics = AnalyticsClient(channel, config.analytics_addr)
    servicer = RecipientServicer(
        parts.recipients, parts.messages, parts.suppression, parts.privacy, analytics
    )
    campaigns = CampaignServicer(parts.campaigns, parts.mailboxes, parts.usage, analytics)
    events = ConsumerLoop(
        settings.kafka,
        NAME,
        [topics.ENGAGEMENT_EVENTS, topics.DELIVERY_EVENTS],
        RecipientEventHandler(parts.suppression),
        producer,
    )
    jobs: dict[str, BackgroundJob] = {"outbox-relay": relay}
    if config.cleanup_interval_s:
        jobs["retention"] = background.RetentionJob(
            parts.messages, config.retention, config.cleanup_interval_s
        )
    if config.health_interval_s:
        jobs["mailbox-health"] = background.MailboxHealthJob(
            parts.mailboxes, analytics, config.health_interval_s
        )
    registrations = [
        ServiceRegistration(
            servicer,
            recipient_pb2_grpc.add_RecipientServiceServicer_to_server,
            recipient_pb2.DESCRIPTOR.services_by_name["RecipientService"].full_name,
        ),
        ServiceRegistration(
            campaigns,
            campaign_pb2_grpc.add_CampaignServiceServicer_to_server,
            campaign_pb2.DESCRIPTOR.services_by_name["CampaignService"].full_name,
        ),
        ServiceRegistration(
            ApiKeyServicer(keys),
            api_keys_pb2_grpc.add_ApiKeyServiceServicer_to_server,
            api_keys_pb2.DESCRIPTOR.services_by_name["ApiKeyService"].full_name,
        ),
    ]
    return ServiceParts(
        registrations,
        [events],
        [channel.close, producer.close, engine.dispose],
        jobs,
        key_verifier=StoreKeyVerifier(keys),
    )


SERVICE = Service(
    NAME, MIGRATIONS, RecipientSettings.from_env, build, ServiceCommands(("cleanup",), cleanup)
)

if __name__ == "__main__":
    sys.exit(main(SERVICE))
