"""PostgreSQL access: SQLAlchemy 2 engines on psycopg 3, and Alembic migrations per service."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Accepts ``postgresql://`` (as CloudNativePG produces) and selects the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, pool_size: int = 5) -> Engine:
    return create_engine(
        normalise_url(url), pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
    )


def ensure_database(url: str) -> None:
    """Creates the database named in ``url`` if the server lacks it (local development)."""
    target = make_url(normalise_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                log.info("created database %s", target.database)
    finally:
        admin.dispose()


def migrate(url: str, migrations_dir: Path, revision: str = "head") -> None:
    """Runs the Alembic migrations in ``migrations_dir`` up to ``revision``."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    command.upgrade(config, revision)
