"""The providers' reply-line sets as bench/bounce_providers.py loads them: their shape only.

No line is parsed here: the held-apart sets' verdicts are counted by the bench, never shown.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from services.bounce.domain.taxonomy import SISIMAI_NAMES

ROOT = Path(__file__).resolve().parents[3]
FIELDS = {"vendor", "host", "code", "status", "text", "reason", "note"}
ENHANCED_STATUS = re.compile(r"[45]\.\d{1,3}\.\d{1,3}")


@pytest.fixture
def providers(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("bounce_providers")


def test_every_set_file_is_one_the_bench_scores(providers: ModuleType) -> None:
    on_disk = {path.name for path in providers.PROVIDERS.glob("*.json")}
    assert on_disk == set(providers.SETS.values())


def test_every_line_has_the_fields_a_reply_code_and_a_reason_of_the_taxonomy(
    providers: ModuleType,
) -> None:
    for name in providers.SETS:
        entries = providers.load(name)
        assert entries, name
        for entry in entries:
            assert set(entry) == FIELDS, (name, entry["text"])
            assert entry["reason"] in SISIMAI_NAMES, (name, entry["text"])
            assert isinstance(entry["code"], int) and 400 <= entry["code"] < 600, (name, entry)
            status = entry["status"]
            assert status == "" or ENHANCED_STATUS.fullmatch(status), (name, entry["text"])


def test_no_reply_line_is_in_two_sets_even_with_other_numbers(providers: ModuleType) -> None:
    seen: dict[str, str] = {}
    for name in providers.SETS:
        for entry in providers.load(name):
            wording = re.sub(r"\d+", "#", entry["text"])
            assert wording not in seen, (name, seen.get(wording), entry["text"])
            seen[wording] = name
