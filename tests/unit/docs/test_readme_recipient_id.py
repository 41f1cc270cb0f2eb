"""The README's gRPC examples use the real recipient contract: a ``recipient_id`` is the id
derived from tenant and address (docs/recipient.md), never the address itself, and the id the
README prints is the one its one-liner computes."""

from __future__ import annotations

import re

from emailtrack.common.identity import recipient_id_for
from tests.readme_try_it import README


def test_readme_recipient_ids_are_derived_ids_not_addresses() -> None:
    text = README.read_text()
    given = re.findall(r'"recipient_id": "([^"]*)"', text)
    assert given, "the README shows a recipient_id"
    derived = recipient_id_for("acme", "ada@example.com")
    assert given == [derived] * len(given)
    assert f"# prints {derived}," in text
    assert 'r("acme", "ada@example.com")' in text
