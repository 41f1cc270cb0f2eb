"""The README's Try-it path is the one the browser test follows: its commands are exactly
``TRY_IT`` (run by tests/e2e/test_readme_path.py), and ``make up`` is the ``emailtrack up``
entry point that test starts."""

from __future__ import annotations

import re

from tests.readme_try_it import README, START, TRY_IT, commands, readme_try_it, section


def test_readme_try_it_commands_are_the_tested_ones() -> None:
    assert readme_try_it() == TRY_IT


def test_make_up_runs_the_entry_point_the_test_starts() -> None:
    recipe = re.search(r"^up:.*\n\t(.+)$", (README.parent / "Makefile").read_text(), re.M)
    assert recipe is not None and START == "make up"
    assert recipe.group(1) == "$(BIN)/emailtrack up"


def test_commands_joins_continuations_and_drops_comments() -> None:
    text = "## Try it\n\n```bash\n# a comment\nmake up   \na \\\n  --b c\n```\n\n## Next\n"
    assert commands(section(text)) == ["make up", "a --b c"]
    assert commands("```python\nprint(1)\n```\n") == []
