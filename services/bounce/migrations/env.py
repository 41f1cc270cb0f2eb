"""Alembic environment of the bounce service."""

from emailtrack.common.migration_env import run_migrations

run_migrations()
