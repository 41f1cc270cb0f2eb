"""Verified tracking domains are re-checked periodically: when the re-check last ran, and since
when the TXT record has been missing (cleared when it is found again).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tracking_domains", sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "tracking_domains",
        sa.Column("check_failing_since", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("tracking_domains", "check_failing_since")
    op.drop_column("tracking_domains", "checked_at")
