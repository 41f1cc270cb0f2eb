"""The whole-notice sets as bench/bounce_notices.py loads them: their shape only.

No message is parsed here: a held folder's verdicts are counted by the bench, never shown.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from services.bounce.domain.taxonomy import SISIMAI_NAMES


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[3] / "bench"))
    return importlib.import_module("bounce_notices")


def test_the_bench_scores_every_labelled_folder_study_first(notices: ModuleType) -> None:
    on_disk = {path.parent.name for path in notices.NOTICES.glob("*/labels.json")}
    folders = notices.folders()
    assert {folder.name for folder in folders} == on_disk
    assert folders[0].name == notices.STUDY


def test_every_label_names_a_file_of_its_folder_and_every_message_is_labelled(
    notices: ModuleType,
) -> None:
    for folder in notices.folders():
        labels = notices.load(folder)
        assert labels, folder.name
        assert set(labels) == {path.name for path in folder.glob("*.eml")}, folder.name


def test_every_label_names_recipients_and_a_reason_of_the_taxonomy(notices: ModuleType) -> None:
    for folder in notices.folders():
        for name, label in notices.load(folder).items():
            assert label["recipients"] and all("@" in a for a in label["recipients"]), name
            assert label["reason"] in SISIMAI_NAMES, name
            assert label["language"] and label["system"], name
