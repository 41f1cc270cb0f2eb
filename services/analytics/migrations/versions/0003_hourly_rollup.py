"""Hourly rollup: totals per UTC hour (``campaign_hours``), maintained by ingestion from newly
inserted events only. Hour and day timelines read it whenever the requested zone's hour (or
day) boundaries fall on UTC hours over the range; other zones keep using quarter hours.
Existing data is backfilled from ``campaign_quarter_hours`` (quarter hours nest in UTC hours).
"""

from alembic import op

revision = "0003"
down_revision = "0002"

SCHEMA = [
    """
    CREATE TABLE campaign_hours (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        bucket_start timestamptz NOT NULL,
        metric smallint NOT NULL,
        source smallint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id, bucket_start, metric, source)
    )
    """,
    """
    INSERT INTO campaign_hours (tenant_id, campaign_id, bucket_start, metric, source, n)
    SELECT tenant_id, campaign_id, date_trunc('hour', bucket_start, 'UTC'), metric, source,
           sum(n)
    FROM campaign_quarter_hours GROUP BY 1, 2, 3, 4, 5
    """,
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE campaign_hours")
