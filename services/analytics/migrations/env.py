"""Alembic environment of the analytics service."""

from emailtrack.common.migration_env import run_migrations

run_migrations()
