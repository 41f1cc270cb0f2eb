"""The README's "Try it" section as the commands a reader types: its fenced shell blocks, one
entry per command (backslash continuations joined, comment lines dropped). The browser test
(tests/e2e/test_readme_path.py) runs exactly ``TRY_IT``; tests/unit/docs/test_readme_try_it.py
checks that the README's blocks are still ``TRY_IT``, so the README and the test cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Try it"
FENCE = re.compile(r"^```(?:bash|sh|shell)\n(.*?)^```$", re.MULTILINE | re.DOTALL)

START = "make up"
PASSWORD = "cut -d: -f2 .emailtrack/dashboard-users"
WRITE_EMAIL = (
    'echo \'<html><body><p>Hello Ada!</p><p><a href="https://example.com/">Read our news</a>'
    "</p></body></html>' > email.html"
)
INSTRUMENT = (
    ".venv/bin/emailtrack message instrument --tenant demo --campaign welcome --message-id m1 "
    "--to ada@example.com --html email.html --output tracked.html --sent"
)
EXPORT_MESSAGES = ".venv/bin/emailtrack campaign messages welcome --tenant demo --csv messages.csv"
EXPORT = ".venv/bin/emailtrack campaign export welcome --tenant demo --bucket minute -o welcome.csv"
TRY_IT = [START, PASSWORD, WRITE_EMAIL, INSTRUMENT, EXPORT_MESSAGES, EXPORT]


def section(text: str, heading: str = SECTION) -> str:
    """The text under the first ``## `` heading starting with ``heading``, to the next one."""
    found = re.search(rf"^{re.escape(heading)}", text, re.MULTILINE)
    assert found is not None, f"no section {heading!r}"
    end = text.find("\n## ", found.end())
    return text[found.start() : end if end >= 0 else len(text)]


def commands(text: str) -> list[str]:
    """The commands of the fenced shell blocks of ``text``, in order."""
    found: list[str] = []
    for block in FENCE.findall(text):
        pending = ""
        for line in block.splitlines():
            stripped = line.strip()
            if not pending and (not stripped or stripped.startswith("#")):
                continue
            if stripped.endswith("\\"):
                pending += stripped[:-1].rstrip() + " "
                continue
            found.append(pending + stripped)
            pending = ""
        if pending:
            found.append(pending.rstrip())
    return found


def readme_try_it(readme: Path = README) -> list[str]:
    return commands(section(readme.read_text()))
