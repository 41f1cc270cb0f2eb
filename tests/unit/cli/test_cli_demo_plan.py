"""The demo's plan (pure): every behaviour present, deterministic, well-timed hits, and a
bounce report the bounce service's own parser reads as a hard bounce of the right message."""

from __future__ import annotations

from collections import Counter

import pytest

from emailtrack.demo.plan import PERSONAS, SCANNER_IP, bounce_report, make_plan
from services.bounce.domain.parse import parse_bounce_message


def test_every_persona_appears_and_the_plan_is_deterministic() -> None:
    plan = make_plan("autumn", 40, 45, seed=7)
    assert {r.persona for r in plan.recipients} == {name for name, _ in PERSONAS}
    assert plan == make_plan("autumn", 40, 45, seed=7)
    assert plan != make_plan("autumn", 40, 45, seed=8)
    assert len({r.email for r in plan.recipients}) == 40
    assert len({r.message_id for r in plan.recipients}) == 40


def test_hits_are_ordered_within_the_span_and_fit_each_persona() -> None:
    plan = make_plan("autumn", 60, 30, seed=1)
    times = [hit.at_s for hit in plan.hits]
    assert times == sorted(times) and times[0] >= 0 and times[-1] <= 30 + 10
    persona = {r.email: r.persona for r in plan.recipients}
    kinds = Counter((persona[hit.email], hit.kind) for hit in plan.hits)
    assert kinds[("unsubscriber", "unsubscribe")] == len(plan.by_persona("unsubscriber"))
    assert not any(persona[h.email] in ("silent", "bounced") for h in plan.hits)
    scans = [h for h in plan.hits if persona[h.email] == "scanned"]
    assert scans and all(h.client_ip == SCANNER_IP and not h.accept_language for h in scans)
    proxy_opens = [h for h in plan.hits if persona[h.email] == "apple_proxy" and h.kind == "open"]
    assert all(h.client_ip.startswith("17.") for h in proxy_opens)


def test_zero_span_fires_everything_at_once() -> None:
    assert {hit.at_s for hit in make_plan("now", 20, 0, seed=2).hits} == {0.0}


def test_a_demo_needs_recipients() -> None:
    with pytest.raises(ValueError, match="at least one"):
        make_plan("x", 0, 10, seed=1)


def test_bounce_report_is_a_hard_bounce_of_the_message() -> None:
    headers = {"X-Emailtrack-Tenant": "demo", "X-Emailtrack-Campaign": "autumn",
               "X-Emailtrack-Message": "autumn-m0001"}  # fmt: skip
    parsed = parse_bounce_message(bounce_report("ken@example.net", headers, "autumn-m0001"))
    assert [r.address for r in parsed.recipients] == ["ken@example.net"]
    assert parsed.recipients[0].status == "5.1.1"
    assert (parsed.campaign_id, parsed.message_id) == ("autumn", "autumn-m0001")
