"""One classifier over the shipped snapshots, built once for the tests that need it, and
``classify_hit`` over it (the service builds its own with ``Classifier.load()``)."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from services.tracking_edge.domain.classify import (
    DEFAULT_DUPLICATE_WINDOW,
    Classifier,
    HitFeatures,
    HitHistory,
    Verdict,
)


@cache
def shared_classifier() -> Classifier:
    return Classifier.load()


def classify_hit(
    hit: HitFeatures,
    history: HitHistory,
    *,
    duplicate_window: timedelta = DEFAULT_DUPLICATE_WINDOW,
) -> Verdict:
    return shared_classifier().classify(hit, history, duplicate_window=duplicate_window)
