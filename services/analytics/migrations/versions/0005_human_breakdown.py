"""Breakdowns of human hits: ``campaign_breakdown`` also holds, under the event type + 100,
the rows of human hits only (what GetBreakdown answers unless ``include_machine``). Existing
campaigns get theirs from the stored events. The downgrade drops them.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen here: the migration must not change with the code (open 1, click 2, human 1).
OFFSET = 100


def upgrade() -> None:
    op.execute(
        f"""
        INSERT INTO campaign_breakdown (tenant_id, campaign_id, kind, dimension, value, n)
        SELECT tenant_id, campaign_id, event_type + {OFFSET}, d.dimension, d.value, count(*)
        FROM events
             CROSS JOIN LATERAL (VALUES (1, email_client), (2, device), (3, os), (4, country))
             AS d(dimension, value)
        WHERE event_type IN (1, 2) AND source = 1
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (tenant_id, campaign_id, kind, dimension, value) DO NOTHING
        """
    )


def downgrade() -> None:
    op.execute(f"DELETE FROM campaign_breakdown WHERE kind >= {OFFSET}")
