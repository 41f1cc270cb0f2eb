"""The campaign page's sequence and A/B sections: the campaign's definition (name, status,
steps, variants) from CampaignService, each step's and each variant's figures from
analytics' segments, and the variant comparison with its significance verdicts (against the
first defined variant, the control; analytics' default, the largest group, otherwise)."""

from __future__ import annotations

from typing import Any

from emailtrack.presentation import campaign_views
from emailtrack.v1 import analytics_pb2
from gateway.operator.api import campaign_fetch
from gateway.operator.api.backend import Backend


def segment_rows(
    defined: list[dict[str, Any]], id_key: str, segments: list[dict[str, Any]], segment_key: str
) -> list[dict[str, Any]]:
    """One row per defined step or variant (in the campaign's order, with its name and
    figures, None before any event), then segments the definition does not name (messages
    registered without a step or variant, or campaigns never defined)."""
    figures = {s[segment_key]: s["stats"] for s in segments}
    rows = [
        {**item, "id": item[id_key], "stats": figures.pop(item[id_key], None)} for item in defined
    ]
    rows += [{"id": key, "name": "", "stats": stats} for key, stats in figures.items()]
    return rows


def control(definition: dict[str, Any] | None) -> str:
    """The first defined variant (conventionally the control), "" when there is none."""
    variants = definition["variants"] if definition else []
    return variants[0]["variant_id"] if variants else ""


async def load(backend: Backend, tenant_id: str, campaign_id: str) -> dict[str, Any]:
    definition = await campaign_fetch.definition(backend, tenant_id, campaign_id)
    steps = await campaign_fetch.segments(
        backend, tenant_id, campaign_id, analytics_pb2.SEGMENT_DIMENSION_SEQUENCE_STEP
    )
    variants = await campaign_fetch.segments(
        backend, tenant_id, campaign_id, analytics_pb2.SEGMENT_DIMENSION_VARIANT
    )
    comparison = await campaign_fetch.variants(
        backend, tenant_id, campaign_id, baseline=control(definition)
    )
    return {
        "definition": definition,
        "steps": segment_rows(
            definition["steps"] if definition else [], "step_id", steps, "sequence_step"
        ),
        "variants": segment_rows(
            definition["variants"] if definition else [], "variant_id", variants, "variant"
        ),
        "comparison": comparison,
        "headline": campaign_views.headline(comparison),
    }
