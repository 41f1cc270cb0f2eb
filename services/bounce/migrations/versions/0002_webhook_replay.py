"""Webhook replay protection: single-use nonces (Mailgun tokens, SNS MessageIds) shared by
every worker and replica, each kept until its signed timestamp could no longer pass the
freshness check; and the ESP's own event id on each outcome recorded from a webhook.
"""

from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE webhook_nonces (
            scope text NOT NULL,
            nonce text NOT NULL,
            expires_at timestamptz NOT NULL,
            claimed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (scope, nonce)
        )
        """
    )
    op.execute("CREATE INDEX webhook_nonces_expiry ON webhook_nonces (expires_at)")
    op.execute("ALTER TABLE outcomes ADD COLUMN esp_event_id text NOT NULL DEFAULT ''")


def downgrade() -> None:
    op.execute("ALTER TABLE outcomes DROP COLUMN esp_event_id")
    op.execute("DROP TABLE webhook_nonces")
