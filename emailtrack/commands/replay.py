"""``emailtrack replay``: rebuild the analytics tables from the Kafka event topics (empties
them first), with the analytics service's own replay (services/analytics/replay.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from kafka.errors import KafkaError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from emailtrack.commands.common import EXIT_BAD_INPUT, EXIT_FAILED, console, fail, print_json
from emailtrack.common.config import ConfigError, KafkaSettings
from emailtrack.common.db import make_engine
from services.analytics.commands import EVENT_TOPICS
from services.analytics.config import AnalyticsConfig
from services.analytics.replay import replay as replay_topics
from services.analytics.store import AnalyticsStore


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"--from-timestamp {text!r} is not ISO 8601", EXIT_BAD_INPUT) from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def replay(
    database_url: Annotated[
        str,
        typer.Option(
            envvar="EMAILTRACK_ANALYTICS_DATABASE_URL",
            help="The analytics PostgreSQL database (emailtrack up prints the server URL; "
            "the database is emailtrack_analytics).",
        ),
    ],
    kafka: Annotated[
        str,
        typer.Option(envvar="EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers."),
    ] = "127.0.0.1:19092",
    from_timestamp: Annotated[
        str | None, typer.Option(help="Start at the first record at or after this ISO time.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Empty every analytics table and re-consume the event topics (idempotent writes)."""
    since = _since(from_timestamp)
    if not yes and not typer.confirm("empty the analytics tables and replay the topics?"):
        raise fail("not confirmed; nothing replayed", EXIT_FAILED)
    try:
        config = AnalyticsConfig.from_env()
        engine = make_engine(database_url)
    except (ConfigError, ValueError) as exc:
        raise fail(f"replay: {exc}", EXIT_BAD_INPUT) from exc
    try:
        store = AnalyticsStore(engine, config.retention_days)
        store.maintain(config.partitions_ahead_days)
        progress = Console(stderr=True, quiet=as_json)
        done = replay_topics(KafkaSettings(kafka, 6000), EVENT_TOPICS, store, since, progress)
    except (SQLAlchemyError, KafkaError, OSError) as exc:
        raise fail(f"replay failed: {exc}", EXIT_FAILED) from exc
    finally:
        engine.dispose()
    result = {
        "records": done.records,
        "events": done.events,
        "skipped_records": done.skipped_records,
        "seconds": round(done.seconds, 3),
    }
    if as_json:
        print_json(result)
    else:
        console.print(
            f"replayed {done.records} records ({done.events} events, "
            f"{done.skipped_records} invalid skipped) in {done.seconds:.1f}s"
        )
