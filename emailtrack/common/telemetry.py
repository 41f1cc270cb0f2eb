"""OpenTelemetry setup: a tracer provider exporting over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT
is set (otherwise tracing stays a no-op), plus gRPC client/server instrumentation."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from emailtrack.common.kafka_io import context_from_trace
from emailtrack.v1 import events_pb2

_configured = False
# What the span helpers return while tracing is off (reusable: it holds no state).
NO_SPAN: AbstractContextManager[None] = nullcontext()


def tracing_enabled() -> bool:
    return _configured


def setup_telemetry(service_name: str, exporter: SpanExporter | None = None) -> bool:
    """Configures tracing once per process; returns whether spans are recorded."""
    global _configured
    if _configured:
        return True
    if exporter is None and os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    if exporter is None:
        return False
    name = os.environ.get("OTEL_SERVICE_NAME", service_name)
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.grpc import GrpcInstrumentorServer

    # Client calls carry the trace context through emailtrack.common.grpc_server's
    # interceptor; the client instrumentor is not used because it wraps response streams in
    # generators that lose ``cancel()``.
    GrpcInstrumentorServer().instrument()
    _configured = True
    return True


def get_tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def child_span(
    name: str,
    parent: events_pb2.TraceContext,
    kind: trace.SpanKind,
    attributes: dict[str, str | int] | None = None,
) -> AbstractContextManager[object]:
    """A span continuing the trace carried inside a hit or event (a no-op when tracing is
    off, so the hot consumer loops pay nothing)."""
    if not _configured:
        return NO_SPAN
    return get_tracer("emailtrack").start_as_current_span(
        name, context=context_from_trace(parent), kind=kind, attributes=attributes
    )
