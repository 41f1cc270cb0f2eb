"""Accuracy of parse_bounce_message on the labelled corpus of real bounces (tests/data/bounces).

Run with ``-s`` to see the report; ACCURACY.md must match what this run measures.
"""

import json

import pytest

from tests.unit.bounce.conftest import load_bench


@pytest.fixture(scope="module")
def corpus_tools():
    return load_bench("bounce_parse.py")


@pytest.fixture(scope="module")
def results(corpus_tools):
    return corpus_tools.corpus_accuracy()


@pytest.fixture(scope="module")
def accuracy(results):
    return results["all"]


def test_every_corpus_file_is_labelled(corpus_tools):
    labels = json.loads((corpus_tools.CORPUS / "labels.json").read_text())
    on_disk = {
        str(p.relative_to(corpus_tools.CORPUS))
        for p in corpus_tools.CORPUS.rglob("*")
        if p.suffix in (".txt", ".eml", ".msg")
        and p.relative_to(corpus_tools.CORPUS).parts[0] != "synthetic"  # not real mail
    }
    assert on_disk == set(labels)
    assert len(labels) >= 280
    assert all(label.get("source") for label in labels.values())


@pytest.mark.parametrize("source", ["all", "flufl", "bounceparser", "bounced"])
def test_accuracy_thresholds(results, corpus_tools, source):
    accuracy = results[source]
    assert accuracy.ratio(accuracy.kind_ok, accuracy.messages) >= 0.98
    assert accuracy.ratio(accuracy.recipients_ok, accuracy.messages) >= 0.97
    assert accuracy.ratio(accuracy.found_recipients, accuracy.expected_recipients) >= 0.98
    assert accuracy.reason_accuracy >= 0.97


def test_accuracy_report_is_current(results, corpus_tools):
    print("\n" + corpus_tools.render_report(results))
    committed = corpus_tools.ACCURACY_FILE.read_text()
    assert committed == corpus_tools.render_report(results), (
        "regenerate with: python bench/bounce_parse.py --accuracy"
    )
