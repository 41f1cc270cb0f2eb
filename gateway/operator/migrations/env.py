"""Alembic environment of the gateway's operator side (dashboard sessions)."""

from emailtrack.common.migration_env import run_migrations

run_migrations()
