"""``emailtrack replay``: rebuild the analytics tables from the Kafka event topics (empties
them first) by running the analytics service's own command (``python -m services.analytics
replay``, the one replay entry point) against the given database and broker."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from emailtrack.commands.common import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    console,
    fail,
    print_json,
    run_service_command,
)

REPLAY_SESSION_TIMEOUT_MS = "6000"


def _check_since(text: str | None) -> None:
    if not text:
        return
    try:
        datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"--from-timestamp {text!r} is not ISO 8601", EXIT_BAD_INPUT) from exc


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
    _check_since(from_timestamp)
    if not yes and not typer.confirm("empty the analytics tables and replay the topics?"):
        raise fail("not confirmed; nothing replayed", EXIT_FAILED)
    arguments = ["replay", "--json"]
    if from_timestamp:
        arguments += ["--from-timestamp", from_timestamp]
    env = {
        "EMAILTRACK_DATABASE_URL": database_url,
        "EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS": kafka,
        "EMAILTRACK_KAFKA_SESSION_TIMEOUT_MS": REPLAY_SESSION_TIMEOUT_MS,
    }
    done = run_service_command("analytics", arguments, env)
    if done.returncode != 0:
        code = EXIT_BAD_INPUT if done.returncode == EXIT_BAD_INPUT else EXIT_FAILED
        raise fail(f"replay failed (exit {done.returncode}; see the log above)", code)
    result = json.loads(done.stdout)
    if as_json:
        print_json(result)
    else:
        console.print(
            f"replayed {result['records']} records ({result['events']} events, "
            f"{result['skipped_records']} invalid records and "
            f"{result['skipped_events']} invalid events skipped) in {result['seconds']:.1f}s"
        )
