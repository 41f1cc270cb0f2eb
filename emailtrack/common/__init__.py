"""Shared plumbing used by the gateway and every service: config, Kafka, database,
telemetry, logging, metrics, gRPC bootstrap and tracking tokens."""
