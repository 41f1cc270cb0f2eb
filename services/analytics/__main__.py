"""Analytics service process: wiring only (``serve``/``migrate``, plus ``replay`` and
``maintain``, see services/analytics/commands.py; partition maintenance runs as a job)."""

from __future__ import annotations

import sys
from pathlib import Path

from emailtrack.common import topics
from emailtrack.common.config import ServiceSettings
from emailtrack.common.consuming import ConsumerLoop
from emailtrack.common.db import make_engine
from emailtrack.common.grpc_server import ServiceRegistration
from emailtrack.common.kafka_io import make_producer
from emailtrack.common.service import Service, ServiceCommands, ServiceParts, main
from emailtrack.v1 import analytics_pb2, analytics_pb2_grpc
from services.analytics import commands
from services.analytics.config import AnalyticsConfig
from services.analytics.consumer import EventIngestHandler
from services.analytics.maintenance import PeriodicMaintenance
from services.analytics.server import AnalyticsServicer
from services.analytics.store import AnalyticsStore

NAME = "analytics"


def build(settings: ServiceSettings, config: AnalyticsConfig) -> ServiceParts:
    engine = make_engine(settings.database_url)
    store = AnalyticsStore(engine, config.retention_days, config.ingest_writers)
    maintenance = PeriodicMaintenance(
        store, config.partitions_ahead_days, config.maintenance_interval_s
    )
    producer = make_producer(settings.kafka, NAME)
    ingest = ConsumerLoop(
        settings.kafka,
        NAME,
        [topics.ENGAGEMENT_EVENTS, topics.DELIVERY_EVENTS, topics.RECIPIENT_EVENTS],
        EventIngestHandler(store),
        producer,
        max_records=500,
    )
    registration = ServiceRegistration(
        AnalyticsServicer(store),
        analytics_pb2_grpc.add_AnalyticsServiceServicer_to_server,
        analytics_pb2.DESCRIPTOR.services_by_name["AnalyticsService"].full_name,
    )
    return ServiceParts(
        [registration],
        [ingest],
        [producer.close, engine.dispose],
        {"partition-maintenance": maintenance},
    )


COMMANDS = ServiceCommands(commands.COMMANDS, commands.run)
SERVICE = Service(
    NAME, Path(__file__).parent / "migrations", AnalyticsConfig.from_env, build, COMMANDS
)

if __name__ == "__main__":
    sys.exit(main(SERVICE))
