"""Indexes for the operator lists: a campaign's messages in message-id order (the per-message
list pages through them by key) and recipients by lower-cased address prefix (recipient
search)."""

from alembic import op

revision = "0004_campaign_message_order"
down_revision = "0003_api_keys"


def upgrade() -> None:
    op.create_index(
        "messages_campaign_order", "messages", ["tenant_id", "campaign_id", "message_id"]
    )
    op.drop_index("messages_campaign", table_name="messages")
    op.execute(
        "CREATE INDEX recipients_email_prefix "
        "ON recipients (tenant_id, lower(email) text_pattern_ops)"
    )


def downgrade() -> None:
    op.drop_index("recipients_email_prefix", table_name="recipients")
    op.create_index("messages_campaign", "messages", ["tenant_id", "campaign_id"])
    op.drop_index("messages_campaign_order", table_name="messages")
