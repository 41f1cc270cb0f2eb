"""Bounce service process: wiring only (``serve``/``migrate``, plus ``parse``, see
services/bounce/commands.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from emailtrack.common import topics
from emailtrack.common.config import ServiceSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration, client_channel
from emailtrack.common.kafka_io import make_producer
from emailtrack.common.service import Service, ServiceCommands, ServiceParts, main
from emailtrack.v1 import bounce_pb2, bounce_pb2_grpc
from services.bounce import commands
from services.bounce.config import BounceConfig
from services.bounce.consumer import EraseHandler
from services.bounce.fetch import confirm_subscription, https_get
from services.bounce.recorder import OutcomeRecorder
from services.bounce.replies import ReplyResolver
from services.bounce.server import BounceServicer
from services.bounce.store import OutcomeStore
from services.bounce.webhooks.handler import WebhookHandler
from services.bounce.webhooks.sns import SnsVerifier

NAME = "bounce"


def build(settings: ServiceSettings, config: BounceConfig) -> ServiceParts:
    engine = make_engine(settings.database_url)
    store = OutcomeStore(engine)
    producer = make_producer(settings.kafka, NAME)
    recorder = OutcomeRecorder(store, producer, config.outcome_retention)
    webhooks = WebhookHandler(
        config.secrets, SnsVerifier(https_get), confirm_subscription, config.replay
    )
    erasures = ConsumerLoop(
        settings.kafka, NAME, [topics.RECIPIENT_EVENTS], EraseHandler(store), producer
    )
    channel = client_channel(
        config.recipient_addr, api_key=settings.auth.require_service_key(), tls=settings.auth.tls
    )
    replies = ReplyResolver(channel, config.recipient_addr)
    registration = ServiceRegistration(
        BounceServicer(recorder.record, webhooks, replies),
        bounce_pb2_grpc.add_BounceServiceServicer_to_server,
        bounce_pb2.DESCRIPTOR.services_by_name["BounceService"].full_name,
    )
    return ServiceParts([registration], [erasures], [channel.close, producer.close, engine.dispose])


COMMANDS = ServiceCommands(commands.COMMANDS, commands.run)
SERVICE = Service(
    NAME, Path(__file__).parent / "migrations", BounceConfig.from_env, build, COMMANDS
)

if __name__ == "__main__":
    sys.exit(main(SERVICE))
