"""What analytics holds about given (message, recipient) pairs of one campaign: their
``firsts`` rows (one per kind: first time, hits, OR of the sources), for the per-message list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from services.analytics.store import AnalyticsStore

PAIR_FACTS = """
SELECT f.message_id, f.recipient_id, f.kind, f.sources, f.hits, f.first_at
FROM firsts f
JOIN unnest(%(m)s::text[], %(r)s::text[]) AS k(message_id, recipient_id)
  ON k.message_id = f.message_id AND k.recipient_id = f.recipient_id
WHERE f.tenant_id = %(t)s AND f.campaign_id = %(c)s AND f.link_index = -1 AND f.link_url = ''
ORDER BY 1, 2, 3
"""


@dataclass(frozen=True)
class PairFact:
    message_id: str
    recipient_id: str
    kind: int
    sources: int
    hits: int
    first_at: datetime | None


def pair_facts(
    store: AnalyticsStore, tenant_id: str, campaign_id: str, keys: Sequence[tuple[str, str]]
) -> list[PairFact]:
    """The ``firsts`` rows of the pairs ``keys`` (message id, recipient id)."""
    params = {
        "t": tenant_id,
        "c": campaign_id,
        "m": [m for m, _ in keys],
        "r": [r for _, r in keys],
    }
    with store.connection() as conn:
        return [PairFact(*row) for row in conn.execute(PAIR_FACTS, params).fetchall()]
