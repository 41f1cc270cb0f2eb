"""Time rollups one row per bucket: ``campaign_minutes`` holds one row per (tenant, campaign,
UTC minute) with one count column per timeline figure, and ``campaign_hours`` one row per
(tenant, campaign, UTC hour) with those counts for each of its four quarter hours
(``q0_…`` to ``q3_…``), which replaces ``campaign_quarter_hours``. Before, both had one row
per (bucket, metric, source): a one-day minute timeline read ~20 times as many rows, and
ingestion upserted three tables, one row per metric and source.

Existing rows are pivoted: minutes from the old minutes, hours from the old quarter hours
(replies, which the timeline never showed, are not kept; hard and soft bounces become
``bounced``). The downgrade rebuilds the three old tables from the new two, with ``bounced``
as hard bounces (the old timeline showed their sum only).
"""

from alembic import op

revision = "0004"
down_revision = "0003"

# (column, old metric codes, old source or None for any): metric codes are event types,
# 10 is a soft bounce. Frozen here: the migration must not change with the code.
COUNTS = (
    ("opens_human", (1,), 1),
    ("opens_privacy_proxy", (1,), 2),
    ("opens_security_scanner", (1,), 3),
    ("opens_bot", (1,), 4),
    ("opens_unclassified", (1,), 0),
    ("clicks_human", (2,), 1),
    ("clicks_privacy_proxy", (2,), 2),
    ("clicks_security_scanner", (2,), 3),
    ("clicks_bot", (2,), 4),
    ("clicks_unclassified", (2,), 0),
    ("delivered", (5,), None),
    ("bounced", (7, 10), None),
    ("sent", (4,), None),
    ("deferred", (6,), None),
    ("unsubscribes", (3,), None),
    ("complaints", (8,), None),
)
QUARTERS = range(4)
KEY = "tenant_id text NOT NULL, campaign_id text NOT NULL, bucket_start timestamptz NOT NULL"
PRIMARY_KEY = "PRIMARY KEY (tenant_id, campaign_id, bucket_start)"
NARROW = f"""
CREATE TABLE {{table}} (
    {KEY}, metric smallint NOT NULL, source smallint NOT NULL, n bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, bucket_start, metric, source)
)
"""
# Position of a quarter hour in its UTC hour (0 to 3).
QUARTER_OF = "(extract(minute FROM bucket_start AT TIME ZONE 'UTC')::int / 15)"


def _wide(table: str, columns: list[str]) -> str:
    """Counts are updated in place: pages keep room for the new row versions (HOT updates,
    no new index entry)."""
    counts = ", ".join(f"{c} bigint NOT NULL DEFAULT 0" for c in columns)
    return f"CREATE TABLE {table} ({KEY}, {counts}, {PRIMARY_KEY}) WITH (fillfactor = 80)"


def _old_rows(metrics: tuple[int, ...], source: int | None) -> str:
    condition = f"metric IN ({', '.join(map(str, metrics))})"
    return condition if source is None else f"{condition} AND source = {source}"


def upgrade() -> None:
    for table in ("campaign_minutes", "campaign_hours"):
        op.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
        op.execute(f"ALTER INDEX {table}_pkey RENAME TO {table}_old_pkey")
    names = [name for name, _, _ in COUNTS]
    op.execute(_wide("campaign_minutes", names))
    pivot = ", ".join(
        f"coalesce(sum(n) FILTER (WHERE {_old_rows(metrics, source)}), 0)"
        for _, metrics, source in COUNTS
    )
    op.execute(
        f"INSERT INTO campaign_minutes (tenant_id, campaign_id, bucket_start, {', '.join(names)}) "
        f"SELECT tenant_id, campaign_id, bucket_start, {pivot} FROM campaign_minutes_old "
        "WHERE metric <> 9 GROUP BY 1, 2, 3"
    )
    hour_names = [f"q{q}_{name}" for q in QUARTERS for name in names]
    op.execute(_wide("campaign_hours", hour_names))
    per_quarter = ", ".join(
        f"coalesce(sum(n) FILTER (WHERE {QUARTER_OF} = {q} AND {_old_rows(metrics, source)}), 0)"
        for q in QUARTERS
        for _, metrics, source in COUNTS
    )
    op.execute(
        f"INSERT INTO campaign_hours (tenant_id, campaign_id, bucket_start, "
        f"{', '.join(hour_names)}) "
        "SELECT tenant_id, campaign_id, date_trunc('hour', bucket_start, 'UTC'), "
        f"{per_quarter} FROM campaign_quarter_hours WHERE metric <> 9 GROUP BY 1, 2, 3"
    )
    for table in ("campaign_minutes_old", "campaign_hours_old", "campaign_quarter_hours"):
        op.execute(f"DROP TABLE {table}")


def _unpivot(target: str, source: str, bucket: str, count: str) -> None:
    """Fills a narrow rollup from a wide one: one (metric, source) row per non-zero count;
    ``count`` gives the SQL of a count from its column name."""
    values = ", ".join(
        f"({metrics[0]}, {0 if old_source is None else old_source}, {count.format(name)})"
        for name, metrics, old_source in COUNTS
    )
    op.execute(
        f"INSERT INTO {target} (tenant_id, campaign_id, bucket_start, metric, source, n) "
        f"SELECT tenant_id, campaign_id, {bucket}, v.metric, v.source, v.n FROM {source} "
        f"CROSS JOIN LATERAL (VALUES {values}) AS v(metric, source, n) WHERE v.n > 0"
    )


def downgrade() -> None:
    for table in ("campaign_minutes", "campaign_hours"):
        op.execute(f"ALTER TABLE {table} RENAME TO {table}_new")
        op.execute(f"ALTER INDEX {table}_pkey RENAME TO {table}_new_pkey")
        op.execute(NARROW.format(table=table))
    op.execute(NARROW.format(table="campaign_quarter_hours"))
    _unpivot("campaign_minutes", "campaign_minutes_new", "bucket_start", "{0}")
    total = " + ".join(f"q{q}_{{0}}" for q in QUARTERS)
    _unpivot("campaign_hours", "campaign_hours_new", "bucket_start", f"({total})")
    for q in QUARTERS:
        _unpivot(
            "campaign_quarter_hours",
            "campaign_hours_new",
            f"bucket_start + interval '{15 * q} minutes'",
            f"q{q}_{{0}}",
        )
    op.execute("DROP TABLE campaign_minutes_new")
    op.execute("DROP TABLE campaign_hours_new")
