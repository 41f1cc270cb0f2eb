"""The app factory granian runs in every gateway worker (through ASGI or RSGI: ``TrackingApp``
has both faces): one process serves the tracking hot path (``gateway.tracking``) with the
operator side (``gateway.operator``: JSON API, dashboard, ESP webhooks) mounted after it."""

from __future__ import annotations

from emailtrack.common.telemetry import setup_telemetry
from gateway.config import GatewaySettings
from gateway.operator.dashboard import operator_routes
from gateway.operator.webhooks import WebhookForwarder, webhook_routes
from gateway.tracking.app import HitSink, TrackingApp, build_app
from gateway.tracking.publisher import HitPublisher, make_hit_producer
from gateway.tracking.spool import Spool


def build_gateway(settings: GatewaySettings, publisher: HitSink | None) -> TrackingApp:
    """The tracking app with the webhook and operator routes mounted after its own."""
    operators = settings.operators
    forwarder = WebhookForwarder(
        operators.bounce_addr, operators.public_base_url, operators.service_key, operators.grpc_tls
    )
    return build_app(settings, publisher, [*webhook_routes(forwarder), *operator_routes(operators)])


def create_app() -> TrackingApp:
    """Factory granian calls in every worker process."""
    setup_telemetry("gateway")
    settings = GatewaySettings.from_env()
    spool = Spool(
        settings.spool_dir,
        max_bytes=settings.spool_max_bytes,
        fsync_interval_s=settings.spool_fsync_interval_ms / 1000,
    )
    publisher = HitPublisher(
        make_hit_producer(settings.kafka),
        spool,
        max_buffered=settings.max_buffered_hits,
        flush_interval_s=settings.flush_interval_ms / 1000,
        max_batch=settings.max_batch_hits,
        ack_deadline_s=settings.ack_deadline_ms / 1000,
        new_producer=lambda: make_hit_producer(settings.kafka),
    )
    return build_gateway(settings, publisher)
