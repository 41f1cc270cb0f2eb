"""Hit classification for the tracking edge: human, privacy proxy, security scanner or bot."""

from services.tracking_edge.domain.classify.classifier import (
    DEFAULT_DUPLICATE_WINDOW,
    Classifier,
)
from services.tracking_edge.domain.classify.rules import RuleSettings
from services.tracking_edge.domain.classify.types import (
    HitFeatures,
    HitHistory,
    HitKind,
    PriorHit,
    Source,
    Verdict,
)

__all__ = [
    "DEFAULT_DUPLICATE_WINDOW",
    "Classifier",
    "HitFeatures",
    "HitHistory",
    "HitKind",
    "PriorHit",
    "RuleSettings",
    "Source",
    "Verdict",
]
