"""Bounce schema: one row per recorded outcome (its deterministic event id is the key, so a
duplicate webhook or a bounce fed twice is detected by ON CONFLICT DO NOTHING). Rows hold the
opaque recipient id, never the address, and are deleted when the recipient asks to be erased.
"""

from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE outcomes (
            event_id text PRIMARY KEY,
            tenant_id text NOT NULL,
            recipient_id text NOT NULL,
            kind text NOT NULL,
            source text NOT NULL,
            campaign_id text NOT NULL DEFAULT '',
            message_id text NOT NULL DEFAULT '',
            bounce_type text NOT NULL DEFAULT '',
            reason text NOT NULL DEFAULT '',
            smtp_code text NOT NULL DEFAULT '',
            enhanced_status text NOT NULL DEFAULT '',
            diagnostic text NOT NULL DEFAULT '',
            feedback_type text NOT NULL DEFAULT '',
            occurred_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX outcomes_recipient ON outcomes (tenant_id, recipient_id)")


def downgrade() -> None:
    op.execute("DROP TABLE outcomes")
