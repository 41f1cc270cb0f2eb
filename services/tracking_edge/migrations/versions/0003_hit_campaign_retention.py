"""Hits carry their campaign (a deleted campaign's hits are erased) and are found by age
(retention).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "hits", sa.Column("campaign_id", sa.Text, nullable=False, server_default=sa.text("''"))
    )
    op.create_index("hits_campaign", "hits", ["tenant_id", "campaign_id"])
    op.create_index("hits_received_at", "hits", ["received_at"])


def downgrade() -> None:
    op.drop_index("hits_received_at", table_name="hits")
    op.drop_index("hits_campaign", table_name="hits")
    op.drop_column("hits", "campaign_id")
