"""Daily partitions of the events table: created ahead (and on demand for the days a batch
needs), dropped whole once older than the retention period. Rollups are never dropped."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from psycopg import Connection, errors

log = logging.getLogger(__name__)

NAME = re.compile(r"^events_p(\d{8})$")


def partition_name(day: date) -> str:
    return f"events_p{day:%Y%m%d}"


def retention_horizon(today: date, retention_days: int) -> date:
    """The first day whose raw events are kept."""
    return today - timedelta(days=retention_days)


def days_of(instants: Iterable[datetime]) -> set[date]:
    return {instant.date() for instant in instants}


def existing_partitions(conn: Connection) -> set[date]:
    rows = conn.execute(
        """SELECT c.relname FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid
           JOIN pg_class p ON p.oid = i.inhparent
           WHERE p.relname = 'events'"""
    ).fetchall()
    days = set()
    for (name,) in rows:
        match = NAME.match(name)
        if match:
            days.add(datetime.strptime(match.group(1), "%Y%m%d").date())
    return days


def create_partition(conn: Connection, day: date) -> None:
    """Creates the partition of ``day`` (UTC) unless another process just did."""
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    try:
        with conn.transaction():
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF events "
                f"FOR VALUES FROM ('{start} 00:00:00+00') TO ('{end} 00:00:00+00')"
            )
    except (errors.DuplicateTable, errors.UniqueViolation):
        log.debug("partition %s created concurrently", partition_name(day))


@dataclass(frozen=True)
class MaintenanceResult:
    created: list[date]
    dropped: list[date]


def maintain(
    conn: Connection, today: date, retention_days: int, ahead_days: int
) -> MaintenanceResult:
    """Creates partitions for today and ``ahead_days`` more; drops those past retention."""
    existing = existing_partitions(conn)
    horizon = retention_horizon(today, retention_days)
    wanted = {today + timedelta(days=n) for n in range(ahead_days + 1)}
    created = sorted(wanted - existing)
    for day in created:
        create_partition(conn, day)
    dropped = sorted(day for day in existing if day < horizon)
    for day in dropped:
        with conn.transaction():
            conn.execute(f"DROP TABLE IF EXISTS {partition_name(day)}")
        log.info("dropped raw events of %s (retention %d days)", day, retention_days)
    return MaintenanceResult(created, dropped)
