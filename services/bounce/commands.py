"""Operator commands of the bounce process: ``parse FILE... [--json]`` parses bounce mail
offline (``offline_parse``); ``emailtrack bounce parse`` runs this same command."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from services.bounce import offline_parse

COMMANDS = ("parse",)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m services.bounce")
    commands = root.add_subparsers(dest="command", required=True)
    parse = commands.add_parser("parse", help="parse .eml, mbox and Maildir input offline")
    parse.add_argument("files", nargs="+", type=Path, help=".eml files, mbox files, Maildirs")
    parse.add_argument("--json", action="store_true", help='print {"results": [...]} as JSON')
    return root


def run(name: str, argv: Sequence[str]) -> int:
    """Exit 0 every message parsed as a report, 1 some is not a bounce, 2 some input unreadable."""
    args = parser().parse_args(argv)
    results = offline_parse.parse_files(args.files)
    if args.json:
        print(json.dumps({"results": [r.as_dict() for r in results]}, ensure_ascii=False))
    else:
        for result in results:
            print(offline_parse.describe(result))
    return offline_parse.exit_status(results)
