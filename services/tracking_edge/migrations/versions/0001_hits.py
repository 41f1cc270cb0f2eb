"""Hits table: every verified hit with its classification, the history the classifier
reads (first open, duplicates, bursts, honeypot); tracking opt-outs.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "hits",
        sa.Column("hit_id", sa.Text, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("recipient_id", sa.Text, nullable=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("link_index", sa.Integer, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("honeypot", sa.Boolean, nullable=False),
    )
    op.create_index(
        "hits_by_recipient_message",
        "hits",
        ["tenant_id", "recipient_id", "message_id", "received_at"],
    )
    op.create_table(
        "tracking_opt_outs",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("recipient_id", sa.Text, primary_key=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tracking_opt_outs")
    op.drop_table("hits")
