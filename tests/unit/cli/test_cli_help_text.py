"""Every `--help` reads in sentences: a docstring wrapped in the source is one line in the
command listing (when the terminal is wide enough), never cut at the source's line breaks; and
flags read as flags (``--json``, not ``--json <bool>``, which suggests ``--json true``)."""

from __future__ import annotations

import inspect
import re
from typing import Any

import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from emailtrack.cli import app

WIDE = 240


def _groups(
    group: TyperGroup, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], TyperGroup]]:
    found = [(path, group)]
    for name, command in group.commands.items():
        if isinstance(command, TyperGroup):
            found.extend(_groups(command, (*path, name)))
    return found


def _summary(command: Any) -> str:
    """The first paragraph of the help, as one line of words (Markdown code marks dropped)."""
    first = inspect.cleandoc(command.help or "").split("\n\n")[0]
    return " ".join(first.replace("`", "").split())


def _lines(output: str) -> list[str]:
    return [" ".join(line.strip("│ ").split()) for line in output.splitlines()]


def test_every_command_summary_is_one_line_in_its_group_listing() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    checked = 0
    for path, group in _groups(root):
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDE)})
        assert result.exit_code == 0, result.output
        lines = _lines(result.output)
        for name, command in group.commands.items():
            summary = _summary(command)
            if not summary or len(summary) > WIDE - 40:
                continue
            listed = [line for line in lines if re.match(rf"{re.escape(name)} ", line)]
            assert any(line.endswith(summary) for line in listed), (path, name, listed, summary)
            checked += 1
    assert checked > 40  # every group was walked


def _commands(group: TyperGroup, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, TyperGroup):
            found.extend(_commands(command, (*path, name)))
        else:
            found.append((*path, name))
    return found


def test_flags_render_as_flags_in_every_help() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    paths = _commands(root)
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": str(WIDE)})
        assert result.exit_code == 0, result.output
        assert "<bool>" not in result.output, (path, result.output)
        lines = _lines(result.output)
        assert "--help Show this message and exit." in lines, (path, result.output)
    listing = CliRunner().invoke(app, ["campaign", "list", "--help"], env={"COLUMNS": str(WIDE)})
    assert "--json Print JSON for scripts instead of tables." in _lines(listing.output)
    assert "--page-size <int range> [1<=x<=500] Campaigns per page." in _lines(listing.output)
    assert len(paths) > 60  # every command was walked
