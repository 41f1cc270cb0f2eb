"""Tracking edge process: wiring only."""

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
from emailtrack.v1 import tracking_edge_pb2, tracking_edge_pb2_grpc
from services.tracking_edge.config import TrackingEdgeSettings
from services.tracking_edge.consumer import RawHitHandler, RecipientEventHandler
from services.tracking_edge.domain.classify import Classifier
from services.tracking_edge.domain_dns import TxtLookup
from services.tracking_edge.domain_rechecks import DomainRecheckJob
from services.tracking_edge.instrument import Instrumenter
from services.tracking_edge.server import TrackingEdgeServicer
from services.tracking_edge.store import TrackingEdgeStore
from services.tracking_edge.store.domains import TrackingDomainsStore
from services.tracking_edge.tenant_domains import TenantDomains

NAME = "tracking-edge"


def build(settings: ServiceSettings, edge: TrackingEdgeSettings) -> ServiceParts:
    engine = make_engine(settings.database_url)
    store = TrackingEdgeStore(engine)
    producer = make_producer(settings.kafka, NAME)
    hits = ConsumerLoop(
        settings.kafka,
        NAME,
        [topics.RAW_HITS],
        RawHitHandler(
            store,
            Classifier.load(),
            producer,
            ip_truncation=edge.ip_truncation,
            duplicate_window=edge.duplicate_window,
            retention=edge.hit_retention,
        ),
        producer,
    )
    privacy = ConsumerLoop(
        settings.kafka,
        f"{NAME}-privacy",
        [topics.RECIPIENT_EVENTS],
        RecipientEventHandler(store),
        producer,
    )
    domains = TenantDomains(
        TrackingDomainsStore(engine),
        TxtLookup(edge.dns_servers),
        scheme=edge.tracking_domain_scheme,
        port=edge.tracking_domain_port,
    )
    servicer = TrackingEdgeServicer(
        Instrumenter(edge.public_base_url, edge.token_keys, domains), edge.token_keys, domains
    )
    registration = ServiceRegistration(
        servicer,
        tracking_edge_pb2_grpc.add_TrackingEdgeServiceServicer_to_server,
        tracking_edge_pb2.DESCRIPTOR.services_by_name["TrackingEdgeService"].full_name,
    )
    recheck = DomainRecheckJob(domains, edge.domain_recheck_every, edge.domain_recheck_grace)
    return ServiceParts(
        [registration],
        [hits, privacy],
        [producer.close, engine.dispose],
        jobs={"domain-recheck": recheck},
    )


SERVICE = Service(NAME, Path(__file__).parent / "migrations", TrackingEdgeSettings.from_env, build)

if __name__ == "__main__":
    sys.exit(main(SERVICE))
