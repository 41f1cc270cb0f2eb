"""``python -m emailtrack.relay``: the relay process (the container's entry point; the CLI's
``emailtrack relay`` runs the same thing)."""

from __future__ import annotations

import sys

from emailtrack.common.config import ConfigError
from emailtrack.common.logs import setup_logging
from emailtrack.relay.config import RelaySettings
from emailtrack.relay.server import serve


def main() -> int:
    try:
        settings = RelaySettings.from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging("relay")
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
