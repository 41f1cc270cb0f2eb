"""Operator commands of the recipient process: ``cleanup`` runs one retention pass (for a
CronJob), then exits."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from emailtrack.common.config import ConfigError, ServiceSettings
from emailtrack.common.db import make_engine
from emailtrack.common.logs import setup_logging
from services.recipient.background import RetentionJob
from services.recipient.config import RecipientSettings
from services.recipient.store.messages import MessageStore
from services.recipient.store.rows import Database

log = logging.getLogger(__name__)


def cleanup(name: str, argv: Sequence[str]) -> int:
    """One retention pass, then exit (0; 2 on a configuration error)."""
    setup_logging(name)
    try:
        settings = ServiceSettings.from_env(name)
        config = RecipientSettings.from_env()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    engine = make_engine(settings.database_url)
    try:
        job = RetentionJob(MessageStore(Database(engine), config.rules()), config.retention, 0)
        job.run_once()
    finally:
        engine.dispose()
    return 0
