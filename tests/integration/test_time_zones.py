"""Every time zone the API accepts is one PostgreSQL can bucket by: a name Python opens but
the database refuses (``localtime``) once cut a CSV download short mid-stream."""

from __future__ import annotations

import sqlalchemy as sa

from emailtrack.common.time_zones import NOT_ZONES, zone_named, zone_names


def test_postgres_knows_every_accepted_zone(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        known = {row[0] for row in conn.execute(sa.text("SELECT name FROM pg_timezone_names"))}
    engine.dispose()
    assert "Europe/Paris" in zone_names()
    assert sorted(zone_names() - known) == []


def test_host_files_that_are_not_zones_are_refused() -> None:
    for name in NOT_ZONES:
        assert zone_named(name) is None
    assert zone_named("Asia/Kolkata") is not None
    assert zone_named("Mars/Olympus") is None
