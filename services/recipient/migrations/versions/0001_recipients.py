"""Recipient schema: recipients, lists, memberships, message registrations, suppression
audit, soft bounces, applied event ids, erasure records and the event outbox.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None

NOW = sa.func.now()


def _at(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=NOW)


def upgrade() -> None:
    op.create_table(
        "recipients",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("recipient_id", sa.Text, primary_key=True),
        # NULL while only the id is known (an event arrived before any upsert).
        sa.Column("email", sa.Text),
        sa.Column("status", sa.SmallInteger, nullable=False, server_default="1"),
        sa.Column("status_reason", sa.Text, nullable=False, server_default=""),
        sa.Column("hard_bounces", sa.Integer, nullable=False, server_default="0"),
        sa.Column("soft_bounces", sa.Integer, nullable=False, server_default="0"),
        _at("first_seen_at"),
        _at("last_seen_at"),
        sa.Column("metadata", postgresql.JSONB, nullable=False, server_default="{}"),
        sa.Column("tracking_opt_out", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("recipients_status", "recipients", ["tenant_id", "status", "recipient_id"])
    op.create_table(
        "lists",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("list_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        _at("created_at"),
    )
    op.create_table(
        "list_members",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("list_id", sa.Text, primary_key=True),
        sa.Column("recipient_id", sa.Text, primary_key=True),
        _at("added_at"),
    )
    op.create_index("list_members_recipient", "list_members", ["tenant_id", "recipient_id"])
    op.create_table(
        "list_unsubscribes",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("recipient_id", sa.Text, primary_key=True),
        sa.Column("list_id", sa.Text, primary_key=True),
        _at("unsubscribed_at"),
    )
    op.create_table(
        "messages",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("message_id", sa.Text, primary_key=True),
        sa.Column("campaign_id", sa.Text, nullable=False),
        sa.Column("list_id", sa.Text, nullable=False),
        sa.Column("sequence_step", sa.Text, nullable=False),
        sa.Column("variant", sa.Text, nullable=False),
        sa.Column("mailbox", sa.Text, nullable=False),
        _at("registered_at"),
    )
    op.create_index("messages_registered_at", "messages", ["registered_at"])
    op.create_table(
        "message_recipients",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("message_id", sa.Text, primary_key=True),
        sa.Column("recipient_id", sa.Text, primary_key=True),
        sa.Column("role", sa.SmallInteger, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        _at("updated_at"),
    )
    op.create_index(
        "message_recipients_recipient", "message_recipients", ["tenant_id", "recipient_id"]
    )
    op.create_table(
        "suppression_audit",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("recipient_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("status", sa.SmallInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        _at("at"),
    )
    op.create_index(
        "suppression_audit_recipient", "suppression_audit", ["tenant_id", "recipient_id", "id"]
    )
    op.create_table(
        "soft_bounces",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("recipient_id", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "soft_bounces_recipient", "soft_bounces", ["tenant_id", "recipient_id", "occurred_at"]
    )
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("processed_events_occurred_at", "processed_events", ["occurred_at"])
    op.create_table(
        "erasures",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        # sha256 of the recipient id: enough to ignore replayed events, not to identify anyone.
        sa.Column("subject_hash", sa.Text, primary_key=True),
        # The status at erasure, restored if the address is added again (keeps suppressions).
        sa.Column("status", sa.SmallInteger, nullable=False),
        _at("erased_at"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.LargeBinary),
        sa.Column("batch", sa.LargeBinary, nullable=False),
        _at("created_at"),
    )


def downgrade() -> None:
    for table in (
        "outbox",
        "erasures",
        "processed_events",
        "soft_bounces",
        "suppression_audit",
        "message_recipients",
        "messages",
        "list_unsubscribes",
        "list_members",
        "lists",
        "recipients",
    ):
        op.drop_table(table)
