"""Alembic environment of the recipient service."""

from emailtrack.common.migration_env import run_migrations

run_migrations()
