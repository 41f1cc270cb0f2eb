"""`emailtrack deadletter list|redrive` against the real broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from typer.testing import CliRunner

from emailtrack.cli import app
from emailtrack.common.config import KafkaSettings
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.topics import DEAD_LETTER
from emailtrack.v1 import events_pb2

pytestmark = pytest.mark.integration


def test_list_and_redrive(kafka_bootstrap: str) -> None:
    source = f"test.dlq-source.{uuid.uuid4().hex[:8]}"
    target = f"test.dlq-target.{uuid.uuid4().hex[:8]}"
    ensure_topics(KafkaSettings(kafka_bootstrap, 2000), [source, target, DEAD_LETTER], partitions=1)
    letter = events_pb2.DeadLetter(
        source_topic=source,
        source_partition=0,
        source_offset=7,
        key=b"k",
        value=b"original bytes",
        error="not an EventBatch",
        consumer_group="analytics",
    )
    letter.failed_at.FromDatetime(datetime.now(UTC))
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    producer.send(DEAD_LETTER, letter.SerializeToString()).get(10)
    producer.close()

    runner = CliRunner()
    listed = runner.invoke(
        app, ["deadletter", "list", "--kafka", kafka_bootstrap, "--source-topic", source, "--json"]
    )
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert len(rows) == 1
    assert rows[0]["error"] == "not an EventBatch"
    assert rows[0]["source_offset"] == 7

    redriven = runner.invoke(
        app,
        [
            "deadletter",
            "redrive",
            "--kafka",
            kafka_bootstrap,
            "--source-topic",
            source,
            "--target-topic",
            target,
            "--yes",
        ],
    )
    assert redriven.exit_code == 0, redriven.output
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, consumer_timeout_ms=5000)
    consumer.assign([TopicPartition(target, 0)])
    consumer.seek_to_beginning()
    records = [(r.key, r.value) for r in consumer]
    consumer.close()
    assert records == [(b"k", b"original bytes")]


def test_redrive_with_nothing_matching_does_nothing(kafka_bootstrap: str) -> None:
    source = f"test.dlq-none.{uuid.uuid4().hex[:8]}"
    result = CliRunner().invoke(
        app, ["deadletter", "redrive", "--kafka", kafka_bootstrap, "--source-topic", source]
    )
    assert result.exit_code == 0
    assert "no dead letters match" in result.output
