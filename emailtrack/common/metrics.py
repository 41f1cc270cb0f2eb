"""Every Prometheus metric of every process, defined here once (their one home), and the
/metrics HTTP endpoint for services."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

HTTP_REQUESTS = Counter(
    "emailtrack_http_requests_total", "HTTP requests served", ["route", "status"]
)
HTTP_LATENCY = Histogram(
    "emailtrack_http_request_duration_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
KAFKA_PRODUCED = Counter(
    "emailtrack_kafka_produced_total", "Items handed to Kafka (hits or events)", ["topic"]
)
KAFKA_PRODUCE_ERRORS = Counter(
    "emailtrack_kafka_produce_errors_total", "Kafka produce failures", ["topic"]
)
CONSUMER_LAG = Gauge(
    "emailtrack_kafka_consumer_lag", "Records behind the log end", ["topic", "partition", "group"]
)
CONSUMER_BATCH_SIZE = Histogram(
    "emailtrack_consumer_batch_size",
    "Records per processed batch",
    ["group"],
    buckets=(1, 10, 50, 100, 500, 1000, 2000, 5000),
)
CONSUMED_RECORDS = Counter(
    "emailtrack_consumed_records_total", "Records processed and committed", ["topic", "group"]
)
SKIPPED_RECORDS = Counter(
    "emailtrack_consumer_skipped_records_total",
    "Records committed undecoded: their headers declare nothing the consumer needs",
    ["group"],
)
DEAD_LETTERS = Counter(
    "emailtrack_deadletter_total", "Records sent to the dead-letter topic", ["group"]
)
GRPC_REQUESTS = Counter("emailtrack_grpc_requests_total", "gRPC calls handled", ["method", "code"])
GRPC_LATENCY = Histogram(
    "emailtrack_grpc_request_duration_seconds",
    "gRPC call latency (until the response or the stream ends)",
    ["method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)

# gateway: the hit buffer and the on-disk spool
BUFFERED_HITS = Gauge("emailtrack_gateway_buffered_hits", "Hits waiting for Kafka")
SPOOL_BYTES = Gauge("emailtrack_spool_bytes", "Bytes of hit batches held in the spool")
SPOOL_RECORDS = Counter("emailtrack_spool_records_total", "Hit batches appended to the spool")
SPOOL_DROPPED = Counter("emailtrack_spool_dropped_total", "Hits dropped because the spool was full")
SPOOL_REPLAYED = Counter(
    "emailtrack_spool_replayed_total", "Spooled hit batches the broker acknowledged on replay"
)
# analytics
DELETED_CAMPAIGN_EVENTS_DROPPED = Counter(
    "emailtrack_analytics_deleted_campaign_events_dropped_total",
    "Event deliveries dropped because their campaign was deleted",
)
RELAY_RECIPIENTS = Counter(
    "emailtrack_relay_recipients_total",
    "Recipients through the SMTP relay, by outcome (relayed, suppressed, deferred, refused)",
    ["outcome"],
)


def serve_metrics(port: int, host: str = "0.0.0.0") -> None:
    """Starts the Prometheus /metrics endpoint in a daemon thread (port 0 disables it)."""
    if port:
        start_http_server(port, addr=host)
