"""Analytics migration 0004 on a real PostgreSQL: time rollups kept per (bucket, metric, source)
are pivoted into one row per minute and one per hour (its quarter hours in columns), and the
downgrade brings the old tables back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from emailtrack.common.db import ensure_database, migrate, normalise_url

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "analytics" / "migrations"
AT = datetime(2026, 3, 1, 10, tzinfo=UTC)
OPEN, SENT, BOUNCE, REPLY, SOFT_BOUNCE = 1, 4, 7, 9, 10
HUMAN = 1


def at(minute: int) -> datetime:
    return AT.replace(minute=minute)


# (bucket, metric, source, n) of the old narrow tables: a reply (not on the timeline) and
# hard plus soft bounces (one `bounced` count since 0004).
OLD_MINUTES = [
    (at(7), OPEN, HUMAN, 3),
    (at(7), SENT, 0, 2),
    (at(7), REPLY, 0, 5),
    (at(52), BOUNCE, 0, 1),
    (at(52), SOFT_BOUNCE, 0, 2),
]
OLD_QUARTERS = [
    (bucket.replace(minute=bucket.minute - bucket.minute % 15), metric, source, n)
    for bucket, metric, source, n in OLD_MINUTES
]


def rows(conn, sql: str) -> set[tuple]:
    return {tuple(row) for row in conn.execute(text(sql))}


def test_time_rollups_are_pivoted_and_restored(postgres_url: str) -> None:
    url = str(make_url(postgres_url).set(database=f"test_migrate_{uuid.uuid4().hex[:10]}"))
    ensure_database(url)
    migrate(url, MIGRATIONS, "0003")
    engine = create_engine(normalise_url(url))
    insert = (
        "INSERT INTO {} (tenant_id, campaign_id, bucket_start, metric, source, n) "
        "VALUES ('acme', 'c', :at, :metric, :source, :n)"
    )
    with engine.begin() as conn:
        for table, old in (
            ("campaign_minutes", OLD_MINUTES),
            ("campaign_quarter_hours", OLD_QUARTERS),
        ):
            for bucket, metric, source, n in old:
                params = {"at": bucket, "metric": metric, "source": source, "n": n}
                conn.execute(text(insert.format(table)), params)

    migrate(url, MIGRATIONS)
    with engine.connect() as conn:
        minutes = rows(
            conn,
            "SELECT bucket_start, opens_human, sent, bounced, "
            "opens_bot + clicks_human + delivered + deferred + unsubscribes + complaints "
            "FROM campaign_minutes",
        )
        hours = rows(
            conn,
            "SELECT bucket_start, q0_opens_human, q0_sent, q3_bounced, "
            "q0_bounced + q1_sent + q2_sent + q3_sent + q3_opens_human FROM campaign_hours",
        )
        quarter_table = conn.execute(text("SELECT to_regclass('campaign_quarter_hours')")).scalar()
    assert minutes == {(at(7), 3, 2, 0, 0), (at(52), 0, 0, 3, 0)}
    assert hours == {(AT, 3, 2, 3, 0)}
    assert quarter_table is None

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url))
    command.downgrade(config, "0003")
    narrow = "SELECT bucket_start, metric, source, n FROM {}"
    with engine.connect() as conn:
        assert rows(conn, narrow.format("campaign_minutes")) == {
            (at(7), OPEN, HUMAN, 3),
            (at(7), SENT, 0, 2),
            (at(52), BOUNCE, 0, 3),
        }
        assert rows(conn, narrow.format("campaign_quarter_hours")) == {
            (at(0), OPEN, HUMAN, 3),
            (at(0), SENT, 0, 2),
            (at(45), BOUNCE, 0, 3),
        }
        assert rows(conn, narrow.format("campaign_hours")) == {
            (AT, OPEN, HUMAN, 3),
            (AT, SENT, 0, 2),
            (AT, BOUNCE, 0, 3),
        }
    engine.dispose()
