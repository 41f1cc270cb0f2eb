"""Webhooks service process: wiring only (``serve``/``migrate``)."""

from __future__ import annotations

import sys
from pathlib import Path

from emailtrack.common import topics
from emailtrack.common.config import ServiceSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration
from emailtrack.common.kafka_io import make_producer
from emailtrack.common.service import Service, ServiceParts, main
from emailtrack.v1 import webhooks_pb2, webhooks_pb2_grpc
from services.webhooks.config import WebhooksConfig
from services.webhooks.consumer import EventHandler
from services.webhooks.poster import Poster
from services.webhooks.retention import RetentionJob
from services.webhooks.server import WebhookServicer
from services.webhooks.signing import SecretBox
from services.webhooks.store.deliveries import DeliveryStore
from services.webhooks.store.endpoints import EndpointStore
from services.webhooks.worker import DeliveryWorker

NAME = "webhooks"
RETENTION_INTERVAL_S = 3600.0
EVENT_TOPICS = [topics.DELIVERY_EVENTS, topics.ENGAGEMENT_EVENTS, topics.RECIPIENT_EVENTS]


def build(settings: ServiceSettings, config: WebhooksConfig) -> ServiceParts:
    engine = make_engine(settings.database_url, pool_size=config.worker.workers)
    endpoints = EndpointStore(engine, SecretBox(config.secrets_key))
    deliveries = DeliveryStore(engine)
    producer = make_producer(settings.kafka, NAME)
    consumer = ConsumerLoop(
        settings.kafka, NAME, EVENT_TOPICS, EventHandler(endpoints, deliveries), producer
    )
    worker = DeliveryWorker(
        endpoints,
        deliveries,
        Poster(config.allowed_networks, config.timeout_s),
        config.retry,
        config.worker,
    )
    registration = ServiceRegistration(
        WebhookServicer(endpoints, deliveries, config.allowed_networks, config.rotation_grace),
        webhooks_pb2_grpc.add_WebhookServiceServicer_to_server,
        webhooks_pb2.DESCRIPTOR.services_by_name["WebhookService"].full_name,
    )
    return ServiceParts(
        [registration],
        [consumer],
        [producer.close, engine.dispose],
        {
            "webhook-delivery": worker,
            "webhook-retention": RetentionJob(deliveries, config.retention, RETENTION_INTERVAL_S),
        },
    )


SERVICE = Service(NAME, Path(__file__).parent / "migrations", WebhooksConfig.from_env, build)

if __name__ == "__main__":
    sys.exit(main(SERVICE))
