"""Per-tenant filter settings: the source mask a tenant's filtered opens and clicks leave out
(security scanners and bots always; MPP, fetch-on-read proxies, unclassified on request).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE filter_settings (
            tenant_id text PRIMARY KEY,
            excluded_sources integer NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE filter_settings")
