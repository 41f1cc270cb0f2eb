"""``emailtrack deadletter list|redrive``: look at poison records and send them back (the Kafka
client is imported by these commands only, so that other commands start without it)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from emailtrack.commands.common import command_group, console

app = command_group("Inspect and re-drive the dead-letter topic.")

Kafka = Annotated[
    str,
    typer.Option(envvar="EMAILTRACK_KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers."),
]
SourceTopic = Annotated[str, typer.Option(help="Only letters from this source topic.")]
Group = Annotated[str, typer.Option(help="Only letters from this consumer group.")]


@app.command("list")
def list_letters(
    kafka: Kafka = "127.0.0.1:19092",
    source_topic: SourceTopic = "",
    group: Group = "",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List dead letters with their source and error."""
    from emailtrack.deadletters import read_dead_letters

    entries = list(read_dead_letters(kafka, source_topic=source_topic, group=group))
    if as_json:
        for entry in entries:
            typer.echo(json.dumps(entry.summary()))
        return
    table = Table(title=f"{len(entries)} dead letters")
    for column in ("offset", "source", "group", "error", "bytes", "failed at"):
        table.add_column(column)
    for entry in entries:
        s = entry.summary()
        table.add_row(
            f"{s['partition']}:{s['offset']}",
            f"{s['source_topic']}[{s['source_partition']}]@{s['source_offset']}",
            str(s["consumer_group"]),
            str(s["error"]),
            str(s["bytes"]),
            str(s["failed_at"]),
        )
    console.print(table)


@app.command("redrive")
def redrive_letters(
    kafka: Kafka = "127.0.0.1:19092",
    source_topic: SourceTopic = "",
    group: Group = "",
    target_topic: Annotated[str, typer.Option(help="Send here instead of the source.")] = "",
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Produce dead letters' original records again, once their cause is fixed.

    Consumers are idempotent, so a record re-driven twice is counted once."""
    from emailtrack.deadletters import read_dead_letters, redrivable, redrive

    matching = list(read_dead_letters(kafka, source_topic=source_topic, group=group))
    entries = [entry for entry in matching if redrivable(entry)]
    if len(entries) < len(matching):
        console.print(
            f"{len(matching) - len(entries)} ESP webhook events skipped: they came from no "
            "topic (see them with list; fix and re-post them to the webhook)"
        )
    if not entries:
        console.print("no dead letters match")
        return
    if not yes and not typer.confirm(f"re-drive {len(entries)} records?"):
        raise typer.Exit(1)
    with Progress(console=console) as progress:
        task = progress.add_task("re-driving", total=len(entries))
        redrive(
            kafka,
            entries,
            target_topic=target_topic,
            on_progress=lambda done: progress.update(task, completed=done),
        )
    console.print(f"re-drove {len(entries)} records")
