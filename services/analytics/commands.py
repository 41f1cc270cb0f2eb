"""Operator commands of the analytics process: ``replay [--from-timestamp ISO] [--json]`` and
``maintain`` (partition maintenance once). ``emailtrack replay`` runs this same command."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import psycopg
from kafka.errors import KafkaError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from emailtrack.common import topics
from emailtrack.common.db import make_engine
from emailtrack.common.logs import setup_logging
from emailtrack.common.service import read_settings
from services.analytics.config import AnalyticsConfig
from services.analytics.replay import replay
from services.analytics.store import AnalyticsStore

log = logging.getLogger(__name__)

EVENT_TOPICS = (topics.ENGAGEMENT_EVENTS, topics.DELIVERY_EVENTS, topics.RECIPIENT_EVENTS)
COMMANDS = ("replay", "maintain")


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 timestamp: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m services.analytics")
    commands = root.add_subparsers(dest="command", required=True)
    rebuild = commands.add_parser("replay", help="rebuild every table from the Kafka topics")
    rebuild.add_argument(
        "--from-timestamp",
        type=_timestamp,
        default=None,
        help="start at the first record at or after this time (default: earliest offset)",
    )
    rebuild.add_argument(
        "--json", action="store_true", help="print the result as JSON on stdout, no progress"
    )
    commands.add_parser("maintain", help="create partitions ahead and drop expired ones")
    return root


def run(name: str, argv: Sequence[str]) -> int:
    args = parser().parse_args(argv)
    setup_logging(name)
    found = read_settings(name, AnalyticsConfig.from_env)
    if found is None:
        return 2
    settings, config = found
    try:
        engine = make_engine(settings.database_url)
    except (ValueError, SQLAlchemyError) as exc:
        log.error("configuration error: %s", exc)
        return 2
    store = AnalyticsStore(engine, config.retention_days, config.ingest_writers)
    as_json = args.command == "replay" and args.json
    console = Console(stderr=True, quiet=as_json)
    try:
        if args.command == "maintain":
            maintained = store.maintain(config.partitions_ahead_days)
            console.print(
                f"partitions created: {maintained.created}; dropped: {maintained.dropped}"
            )
            return 0
        store.maintain(config.partitions_ahead_days)
        done = replay(settings.kafka, EVENT_TOPICS, store, args.from_timestamp, console)
    except (SQLAlchemyError, psycopg.Error, KafkaError, OSError) as exc:
        log.error("%s failed: %s", args.command, exc)
        return 1
    finally:
        engine.dispose()
    if as_json:
        result = {
            "records": done.records,
            "events": done.events,
            "skipped_records": done.skipped_records,
            "skipped_events": done.skipped_events,
            "seconds": round(done.seconds, 3),
        }
        print(json.dumps(result))
    else:
        console.print(
            f"replayed {done.records} records ({done.events} events, "
            f"{done.skipped_records} invalid records and {done.skipped_events} invalid events "
            f"skipped) in {done.seconds:.1f}s"
        )
    return 0
