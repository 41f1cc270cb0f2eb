"""Alembic environment of the webhooks service."""

from emailtrack.common.migration_env import run_migrations

run_migrations()
