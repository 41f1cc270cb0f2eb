"""Recipient service process: wiring only. ``serve`` (default), ``migrate``, or ``cleanup``
(one retention pass, then exit)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from emailtrack.common import topics
from emailtrack.common.config import ConfigError, ServiceSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, client_channel
from emailtrack.common.kafka_io import make_producer
from emailtrack.common.logs import setup_logging
from emailtrack.common.service import ServiceParts, main
from emailtrack.v1 import campaign_pb2, campaign_pb2_grpc, recipient_pb2, recipient_pb2_grpc
from services.recipient import background
from services.recipient.analytics_client import AnalyticsClient
from services.recipient.config import RecipientSettings
from services.recipient.consumer import RecipientEventHandler
from services.recipient.outbox import OutboxRelay
from services.recipient.rpc_campaigns import CampaignServicer
from services.recipient.server import RecipientServicer
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


def build(settings: ServiceSettings) -> ServiceParts:
    config = RecipientSettings.from_env()
    engine = make_engine(settings.database_url, pool_size=10)
    producer = make_producer(settings.kafka, NAME)
    relay = OutboxRelay(engine, producer)
    parts = stores(Database(engine, relay.wake), config)
    channel = client_channel(config.analytics_addr)
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
    closers = [background.start("outbox-relay", relay)]
    if config.cleanup_interval_s:
        job = background.RetentionJob(parts.messages, config.retention, config.cleanup_interval_s)
        closers.append(background.start("retention", job))
    if config.health_interval_s:
        health = background.MailboxHealthJob(parts.mailboxes, analytics, config.health_interval_s)
        closers.append(background.start("mailbox-health", health))
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
    ]
    return ServiceParts(
        registrations, [events], [*closers, channel.close, producer.close, engine.dispose]
    )


def cleanup() -> int:
    """One retention pass (for a CronJob), then exit."""
    setup_logging(NAME)
    try:
        settings = ServiceSettings.from_env(NAME)
        config = RecipientSettings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        job = background.RetentionJob(
            MessageStore(Database(engine), config.rules()), config.retention, 0
        )
        job.run_once()
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["cleanup"]:
        sys.exit(cleanup())
    sys.exit(main(NAME, MIGRATIONS, build))
