"""Events table: one row per ingested event, unique by event id.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("event_type", sa.SmallInteger, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("campaign_id", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("recipient_id", sa.Text, nullable=False),
        sa.Column("source", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("first", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("link_url", sa.Text, nullable=False, server_default=""),
        sa.Column("ingested_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_index("events_campaign", "events", ["tenant_id", "campaign_id", "event_type"])


def downgrade() -> None:
    op.drop_table("events")
