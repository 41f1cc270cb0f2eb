"""Webhooks schema: endpoints (per tenant, filter, batch mode, failing/disabled state), their
encrypted signing secrets (several while rotating), one delivery row per (endpoint, event)
written in the consumer's transaction before its offset is committed (the unique key absorbs
redelivered records), and the log of attempts.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE endpoints (
            endpoint_id text PRIMARY KEY,
            tenant_id text NOT NULL,
            url text NOT NULL,
            events text[] NOT NULL DEFAULT '{}',
            batch boolean NOT NULL DEFAULT false,
            description text NOT NULL DEFAULT '',
            enabled boolean NOT NULL DEFAULT true,
            disabled_reason text NOT NULL DEFAULT '',
            failing_since timestamptz,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX endpoints_tenant ON endpoints (tenant_id)")
    op.execute(
        """
        CREATE TABLE endpoint_secrets (
            secret_id bigserial PRIMARY KEY,
            endpoint_id text NOT NULL REFERENCES endpoints ON DELETE CASCADE,
            sealed bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz
        )
        """
    )
    op.execute("CREATE INDEX endpoint_secrets_endpoint ON endpoint_secrets (endpoint_id)")
    op.execute(
        """
        CREATE TABLE deliveries (
            delivery_id bigserial PRIMARY KEY,
            endpoint_id text NOT NULL REFERENCES endpoints ON DELETE CASCADE,
            tenant_id text NOT NULL,
            event_id text NOT NULL,
            event_type text NOT NULL,
            recipient_id text NOT NULL DEFAULT '',
            payload text NOT NULL,
            occurred_at timestamptz NOT NULL,
            status text NOT NULL DEFAULT 'pending',
            attempt_count integer NOT NULL DEFAULT 0,
            first_attempt_at timestamptz,
            next_attempt_at timestamptz NOT NULL DEFAULT now(),
            delivered_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (endpoint_id, event_id)
        )
        """
    )
    op.execute(
        "CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending'"
    )
    op.execute("CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, occurred_at)")
    op.execute("CREATE INDEX deliveries_recipient ON deliveries (tenant_id, recipient_id)")
    op.execute(
        """
        CREATE TABLE attempts (
            attempt_id bigserial PRIMARY KEY,
            delivery_id bigint NOT NULL REFERENCES deliveries ON DELETE CASCADE,
            attempted_at timestamptz NOT NULL DEFAULT now(),
            status_code integer NOT NULL,
            latency_ms bigint NOT NULL,
            response_snippet text NOT NULL DEFAULT '',
            error text NOT NULL DEFAULT ''
        )
        """
    )
    op.execute("CREATE INDEX attempts_delivery ON attempts (delivery_id)")


def downgrade() -> None:
    op.execute("DROP TABLE attempts")
    op.execute("DROP TABLE deliveries")
    op.execute("DROP TABLE endpoint_secrets")
    op.execute("DROP TABLE endpoints")
