"""API keys: the public prefix, the SHA-256 of the secret (never the secret), the tenant
(``*`` for operator keys), scopes, revocation (possibly in the future: a rotation's grace)
and a coarse last-used time.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_api_keys"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("prefix", sa.Text, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.Text), nullable=False),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("secret_hash", sa.LargeBinary, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
    )
    op.create_index("api_keys_tenant", "api_keys", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("api_keys_tenant", "api_keys")
    op.drop_table("api_keys")
