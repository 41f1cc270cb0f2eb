"""Tracking domains: each tenant's own hostnames for its tracking links, with the DNS TXT
token that proves ownership. A domain is verified for at most one tenant.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "tracking_domains",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("domain", sa.Text, primary_key=True),
        sa.Column("verification_token", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "tracking_domains_verified_once",
        "tracking_domains",
        ["domain"],
        unique=True,
        postgresql_where=sa.text("verified_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("tracking_domains")
