"""Alembic environment of the tracking edge."""

from emailtrack.common.migration_env import run_migrations

run_migrations()
