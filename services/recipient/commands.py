"""Operator commands of the recipient process: ``cleanup`` runs one retention pass (for a
CronJob), then exits."""

from __future__ import annotations

from collections.abc import Sequence

from emailtrack.common.db import make_engine
from emailtrack.common.logs import setup_logging
from emailtrack.common.service import read_settings
from services.recipient.background import RetentionJob
from services.recipient.config import RecipientSettings
from services.recipient.store.messages import MessageStore
from services.recipient.store.rows import Database


def cleanup(name: str, argv: Sequence[str]) -> int:
    """One retention pass, then exit (0; 2 on a configuration error)."""
    setup_logging(name)
    found = read_settings(name, RecipientSettings.from_env)
    if found is None:
        return 2
    settings, config = found
    engine = make_engine(settings.database_url)
    try:
        job = RetentionJob(MessageStore(Database(engine), config.rules()), config.retention, 0)
        job.run_once()
    finally:
        engine.dispose()
    return 0
