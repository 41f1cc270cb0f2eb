"""Analytics schema: raw events partitioned by day, the per-message first-engagement table,
rollups (counters, 15-minute and minute buckets, links, breakdowns, recipients) and the
campaign activity watermark. Needs PostgreSQL >= 18 (``RETURNING old.*`` in ingestion).
"""

from alembic import op

revision = "0001"
down_revision = None

TIME_ROLLUP = """
CREATE TABLE {name} (
    tenant_id text NOT NULL,
    campaign_id text NOT NULL,
    bucket_start timestamptz NOT NULL,
    metric smallint NOT NULL,
    source smallint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, bucket_start, metric, source)
)
"""

SCHEMA = [
    """
    CREATE TABLE events (
        event_id text NOT NULL,
        event_type smallint NOT NULL,
        occurred_at timestamptz NOT NULL,
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        message_id text NOT NULL,
        recipient_id text NOT NULL,
        sequence_step text NOT NULL DEFAULT '',
        variant text NOT NULL DEFAULT '',
        source smallint NOT NULL DEFAULT 0,
        agent text NOT NULL DEFAULT '',
        first boolean NOT NULL DEFAULT false,
        duplicate boolean NOT NULL DEFAULT false,
        link_url text NOT NULL DEFAULT '',
        link_index integer NOT NULL DEFAULT -1,
        email_client text NOT NULL DEFAULT '',
        device text NOT NULL DEFAULT '',
        os text NOT NULL DEFAULT '',
        country text NOT NULL DEFAULT '',
        bounce_type smallint NOT NULL DEFAULT 0,
        reason text NOT NULL DEFAULT '',
        ingested_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, occurred_at)
    ) PARTITION BY RANGE (occurred_at)
    """,
    "CREATE INDEX events_recipient ON events (tenant_id, recipient_id)",
    "CREATE INDEX events_campaign_ingested ON events (tenant_id, campaign_id, ingested_at)",
    """
    CREATE TABLE firsts (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        message_id text NOT NULL,
        recipient_id text NOT NULL,
        kind smallint NOT NULL,
        link_url text NOT NULL,
        link_index integer NOT NULL,
        sources integer NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id, message_id, recipient_id, kind, link_url, link_index)
    )
    """,
    "CREATE INDEX firsts_recipient ON firsts (tenant_id, recipient_id)",
    """
    CREATE TABLE campaign_counters (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        metric smallint NOT NULL,
        source smallint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id, metric, source)
    )
    """,
    TIME_ROLLUP.format(name="campaign_quarter_hours"),
    TIME_ROLLUP.format(name="campaign_minutes"),
    """
    CREATE TABLE campaign_links (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        link_url text NOT NULL,
        link_index integer NOT NULL,
        metric smallint NOT NULL,
        source smallint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id, link_url, link_index, metric, source)
    )
    """,
    """
    CREATE TABLE campaign_breakdown (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        kind smallint NOT NULL,
        dimension smallint NOT NULL,
        value text NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id, kind, dimension, value)
    )
    """,
    """
    CREATE TABLE recipient_engagement (
        tenant_id text NOT NULL,
        recipient_id text NOT NULL,
        opens bigint NOT NULL,
        clicks bigint NOT NULL,
        human_opens bigint NOT NULL,
        human_clicks bigint NOT NULL,
        messages bigint NOT NULL,
        last_engagement_at timestamptz,
        PRIMARY KEY (tenant_id, recipient_id)
    )
    """,
    """
    CREATE TABLE campaign_activity (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        events bigint NOT NULL,
        first_event_at timestamptz NOT NULL,
        last_event_at timestamptz NOT NULL,
        version bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id)
    )
    """,
    """
    CREATE TABLE erased_recipients (
        tenant_id text NOT NULL,
        recipient_id text NOT NULL,
        erased_at timestamptz NOT NULL,
        PRIMARY KEY (tenant_id, recipient_id)
    )
    """,
]

TABLES = (
    "erased_recipients",
    "campaign_activity",
    "recipient_engagement",
    "campaign_breakdown",
    "campaign_links",
    "campaign_minutes",
    "campaign_quarter_hours",
    "campaign_counters",
    "firsts",
    "events",
)


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE {table}")
