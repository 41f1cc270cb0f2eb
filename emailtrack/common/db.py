"""PostgreSQL access: SQLAlchemy 2 engines on psycopg 3, and Alembic migrations per service."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from psycopg import Connection
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Accepts ``postgresql://`` (as CloudNativePG produces) and selects the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextmanager
def raw_transaction(engine: Engine) -> Iterator[Connection[tuple[Any, ...]]]:
    """A pooled psycopg connection (for COPY and hand-written SQL on hot paths) in one
    transaction: committed when the block ends, rolled back when it raises."""
    pooled = engine.raw_connection()
    try:
        conn: Connection[tuple[Any, ...]] = pooled.driver_connection  # type: ignore[assignment]  # psycopg's connection behind SQLAlchemy's pool
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    finally:
        pooled.close()


@contextmanager
def raw_statement(engine: Engine) -> Iterator[Connection[tuple[Any, ...]]]:
    """A pooled psycopg connection in autocommit mode, for a block that runs ONE statement:
    the statement is its own transaction (as atomic as in ``raw_transaction``), without the
    BEGIN and COMMIT round trips. The connection goes back to the pool as it came."""
    pooled = engine.raw_connection()
    try:
        conn: Connection[tuple[Any, ...]] = pooled.driver_connection  # type: ignore[assignment]  # psycopg's connection behind SQLAlchemy's pool
        conn.autocommit = True
        try:
            yield conn
        finally:
            if not conn.closed:
                conn.autocommit = False
    finally:
        pooled.close()


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


MIGRATION_LOCK_ID = 0x656D6C74  # "emlt": serialises concurrent `migrate` runs (pods starting)


def migrate(url: str, migrations_dir: Path, revision: str = "head") -> None:
    """Runs the Alembic migrations in ``migrations_dir`` up to ``revision``, holding a
    PostgreSQL advisory lock so that replicas starting together queue instead of racing."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            try:
                command.upgrade(config, revision)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
    finally:
        engine.dispose()
