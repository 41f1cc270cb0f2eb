"""Gateway process: validates configuration, then serves the ASGI app with granian workers."""

from __future__ import annotations

import logging
import sys

from granian import Granian
from granian.constants import Interfaces

from emailtrack.common.config import ConfigError
from emailtrack.common.kafka_io import ensure_topics
from emailtrack.common.logs import setup_logging
from gateway.config import GatewaySettings

log = logging.getLogger("gateway")


def main() -> int:
    setup_logging("gateway")
    try:
        settings = GatewaySettings.from_env()
    except ConfigError as exc:
        log.error("configuration error: %s", exc)
        return 2
    ensure_topics(settings.kafka)
    Granian(
        "gateway.app:create_app",
        factory=True,
        address=settings.bind_host,
        port=settings.http_port,
        interface=Interfaces.ASGI,
        workers=settings.http_workers,
        backlog=2048,
        log_access=False,
        respawn_failed_workers=True,
    ).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
