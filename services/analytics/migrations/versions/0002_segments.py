"""Campaign segments, mailboxes, warmup, usage and deleted campaigns: the sending mailbox of
each event; per-(message, recipient) facts of every kind with their count and first time
(in ``firsts``); message attributes (step, variant, mailbox) learnt from any event; warmup
events kept apart; tracked events per tenant and day; tombstones of deleted campaigns.
"""

from alembic import op

revision = "0002"
down_revision = "0001"

SCHEMA = [
    "ALTER TABLE events ADD COLUMN mailbox text NOT NULL DEFAULT ''",
    "ALTER TABLE firsts ADD COLUMN hits bigint NOT NULL DEFAULT 0",
    "ALTER TABLE firsts ADD COLUMN first_at timestamptz",
    """
    CREATE TABLE message_attributes (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        message_id text NOT NULL,
        sequence_step text NOT NULL,
        variant text NOT NULL,
        mailbox text NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id, message_id)
    )
    """,
    "CREATE INDEX message_attributes_mailbox ON message_attributes (tenant_id, mailbox)",
    """
    CREATE TABLE warmup_events (
        event_id text PRIMARY KEY,
        tenant_id text NOT NULL,
        mailbox text NOT NULL,
        event_type smallint NOT NULL,
        occurred_at timestamptz NOT NULL
    )
    """,
    "CREATE INDEX warmup_events_mailbox ON warmup_events (tenant_id, mailbox, occurred_at)",
    """
    CREATE TABLE tenant_usage_days (
        tenant_id text NOT NULL,
        day date NOT NULL,
        metric smallint NOT NULL,
        n bigint NOT NULL,
        PRIMARY KEY (tenant_id, day, metric)
    )
    """,
    """
    CREATE TABLE deleted_campaigns (
        tenant_id text NOT NULL,
        campaign_id text NOT NULL,
        deleted_at timestamptz NOT NULL,
        dropped_events bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, campaign_id)
    )
    """,
]


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    for table in ("deleted_campaigns", "tenant_usage_days", "warmup_events", "message_attributes"):
        op.execute(f"DROP TABLE {table}")
    op.execute("ALTER TABLE firsts DROP COLUMN first_at")
    op.execute("ALTER TABLE firsts DROP COLUMN hits")
    op.execute("ALTER TABLE events DROP COLUMN mailbox")
