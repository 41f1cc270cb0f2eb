"""Classifies the labelled hit set, reports machine-vs-human precision/recall to ACCURACY.md."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.tracking_edge.domain.classify import (
    HitFeatures,
    HitHistory,
    PriorHit,
    default_classifier,
)

HITS_DIR = Path(__file__).parents[2] / "data" / "hits"
SENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MIN_PRECISION = 0.99
MIN_RECALL = 0.985
MIN_INDEPENDENT_CRAWLERS = 0.95  # crawler-user-agents: not crawlerdetect's own fixtures
MIN_AGENT_AGREEMENT = 0.99


def history_for(name: str, received: datetime) -> HitHistory:
    before = {
        "none": (),
        "opened": (PriorHit("open", received - timedelta(minutes=10), 0, "human"),),
        "burst3": tuple(
            PriorHit("click", received - timedelta(seconds=s), link, "human")
            for link, s in ((1, 4), (2, 3), (3, 1))
        ),
        "honeypot_before": (
            PriorHit("click", received - timedelta(seconds=5), 9, "security_scanner", True),
        ),
        "honeypot_hit": (),
    }
    return HitHistory(before[name])


def hit_for(entry: dict[str, str]) -> HitFeatures:
    received = SENT + timedelta(seconds=int(entry["after_send_s"]))
    return HitFeatures(
        kind=entry["kind"],  # type: ignore[arg-type]
        http_method=entry["method"],
        user_agent=entry["user_agent"],
        client_ip=entry["ip"],
        received_at=received,
        sent_at=SENT,
        headers={"Accept-Language": "en-GB,en;q=0.8", "Accept": "*/*"},
        link_index=0,
        honeypot=entry["history"] == "honeypot_hit",
    )


def test_labelled_set_precision_and_recall() -> None:
    classifier = default_classifier()
    with (HITS_DIR / "labelled_hits.tsv").open(encoding="utf-8", newline="") as handle:
        entries = list(csv.DictReader(handle, delimiter="\t"))
    confusion: Counter[tuple[str, str]] = Counter()
    per_group: dict[str, Counter[str]] = {}
    agent_checks = Counter[str]()
    misses: list[str] = []
    for entry in entries:
        hit = hit_for(entry)
        verdict = classifier.classify(hit, history_for(entry["history"], hit.received_at))
        predicted = "machine" if verdict.is_machine else "human"
        confusion[(entry["label"], predicted)] += 1
        group = per_group.setdefault(entry["group"], Counter())
        group["total"] += 1
        group["correct"] += predicted == entry["label"]
        if entry["source"] or entry["agent"]:
            agrees = (entry["source"] in ("", verdict.source)) and (
                entry["agent"] in ("", verdict.agent)
            )
            agent_checks["agree" if agrees else "disagree"] += 1
        if predicted != entry["label"] and len(misses) < 40:
            misses.append(f"| {entry['group']} | {entry['label']} | `{entry['user_agent'][:90]}` |")
    tp, fp = confusion[("machine", "machine")], confusion[("human", "machine")]
    fn = confusion[("machine", "human")]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    agreement = agent_checks["agree"] / sum(agent_checks.values())
    lines = [
        "# Classifier accuracy on the labelled hit set",
        "",
        "Written by `tests/unit/tracking_edge/test_classify_accuracy.py`; sources in README.md.",
        "",
        f"- hits: {len(entries)}; machine precision **{precision:.4f}**, recall **{recall:.4f}**",
        f"- confusion (label → predicted): {dict(sorted(confusion.items()))}",
        f"- expected source/agent agreement: {agreement:.4f} of {sum(agent_checks.values())}",
        "",
        "| group | hits | correct |",
        "| --- | --- | --- |",
        *(
            f"| {name} | {c['total']} | {c['correct'] / c['total']:.4f} |"
            for name, c in sorted(per_group.items())
        ),
        "",
        "First misclassified hits:",
        "",
        "| group | label | user agent |",
        "| --- | --- | --- |",
        *misses,
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    (HITS_DIR / "ACCURACY.md").write_text(report, encoding="utf-8")
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL
    assert agreement >= MIN_AGENT_AGREEMENT
    independent = per_group["crawler_user_agents"]
    assert independent["correct"] / independent["total"] >= MIN_INDEPENDENT_CRAWLERS
