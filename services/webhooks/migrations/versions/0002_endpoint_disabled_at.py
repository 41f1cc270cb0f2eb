"""Endpoints remember when they were disabled, so the dashboard can say "disabled since".

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE endpoints ADD COLUMN disabled_at timestamptz")
    op.execute("UPDATE endpoints SET disabled_at = now() WHERE NOT enabled")


def downgrade() -> None:
    op.execute("ALTER TABLE endpoints DROP COLUMN disabled_at")
