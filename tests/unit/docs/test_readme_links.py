"""The README's links lead somewhere: every relative link names an existing file (and, with a
``#fragment``, one of its headings), and its Documentation table lists every page of docs/
exactly once (a newcomer found docs/security.md twice and docs/webhooks.md not at all)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.readme_try_it import README, section

LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-") for h in headings}


def test_every_relative_link_of_the_readme_resolves() -> None:
    broken = []
    for target in LINK.findall(README.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, fragment = target.partition("#")
        page = README.parent / path
        if not page.is_file() or (fragment and fragment not in anchors(page)):
            broken.append(target)
    assert broken == []


def test_the_documentation_table_lists_each_page_of_docs_once() -> None:
    listed = re.findall(
        r"^\| \[(docs/[^\]]+\.md)\]", section(README.read_text(), "## Documentation"), re.MULTILINE
    )
    pages = sorted(f"docs/{p.name}" for p in (README.parent / "docs").glob("*.md"))
    assert sorted(listed) == pages
