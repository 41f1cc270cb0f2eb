"""Campaigns (steps, variants, status), sending mailboxes with their last health, warmup
interaction ids, usage counters per billing period; SMTP Message-ID and warmup flag on
message registrations (reply matching).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"

NOW = sa.func.now()


def _at(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=NOW)


def upgrade() -> None:
    op.add_column(
        "messages", sa.Column("smtp_message_id", sa.Text, nullable=False, server_default="")
    )
    op.add_column(
        "messages", sa.Column("warmup", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.create_index(
        "messages_smtp_id",
        "messages",
        ["tenant_id", "smtp_message_id"],
        postgresql_where=sa.text("smtp_message_id <> ''"),
    )
    op.create_index("messages_campaign", "messages", ["tenant_id", "campaign_id"])
    op.create_table(
        "campaigns",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("campaign_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("template_id", sa.Text, nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text), nullable=False),
        sa.Column("steps", postgresql.JSONB, nullable=False),
        sa.Column("variants", postgresql.JSONB, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        # Number of status changes so far: part of each change event's deterministic id.
        sa.Column("changes", sa.Integer, nullable=False, server_default="0"),
        _at("created_at"),
        _at("updated_at"),
    )
    op.create_index("campaigns_tags", "campaigns", ["tags"], postgresql_using="gin")
    op.create_table(
        "mailboxes",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("address", sa.Text, primary_key=True),
        sa.Column("domain", sa.Text, nullable=False),
        sa.Column("daily_limit", sa.Integer, nullable=False),
        sa.Column("warmup_enabled", sa.Boolean, nullable=False),
        sa.Column("health_score", sa.Integer, nullable=False, server_default="-1"),
        sa.Column("health_band", sa.Text, nullable=False, server_default=""),
        sa.Column("health_changes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("health_updated_at", sa.DateTime(timezone=True)),
        _at("registered_at"),
    )
    op.create_table(
        "warmup_interactions",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("interaction_id", sa.Text, primary_key=True),
        _at("recorded_at"),
    )
    op.create_table(
        "usage_counters",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("metric", sa.Text, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "usage_members",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("period", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        # sha256 of the recipient id (erasure keeps the count, not the person) or a mailbox.
        sa.Column("member", sa.Text, primary_key=True),
    )


def downgrade() -> None:
    for table in ("usage_members", "usage_counters", "warmup_interactions", "mailboxes"):
        op.drop_table(table)
    op.drop_table("campaigns")
    op.drop_index("messages_campaign", "messages")
    op.drop_index("messages_smtp_id", "messages")
    op.drop_column("messages", "warmup")
    op.drop_column("messages", "smtp_message_id")
