"""Operator commands of the bounce process: ``parse FILE... [--json]`` parses bounce mail
offline (``parse_files``); ``emailtrack bounce parse`` runs this same command."""

from __future__ import annotations

from collections.abc import Sequence

from services.bounce import parse_files

COMMANDS = ("parse",)


def run(name: str, argv: Sequence[str]) -> int:
    """Exit 0 every message parsed as a report, 1 some is not a bounce, 2 some input unreadable."""
    return parse_files.run(list(argv)[1:])  # argv[0] is the command name
