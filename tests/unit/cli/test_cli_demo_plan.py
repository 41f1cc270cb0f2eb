"""The demo's plan (pure): every behaviour present, deterministic, well-timed hits, a bounce
report the bounce service's own parser reads as a hard bounce of the right message, steps and
variants (B significantly better on clicks, by analytics' own test), replies the bounce
parser takes for reply candidates and an auto-reply it recognises, the campaign's lifecycle."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from emailtrack.demo import lifecycle
from emailtrack.demo.plan import (
    MAILBOXES,
    PERSONAS,
    SCANNER_IP,
    STEPS,
    WARMUP_MAILBOX,
    bounce_report,
    make_plan,
)
from emailtrack.demo.replies import auto_reply, human_reply
from emailtrack.v1 import campaign_pb2
from services.analytics.domain.significance import Proportion, compare
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


def test_messages_spread_over_steps_variants_and_mailboxes() -> None:
    plan = make_plan("autumn", 40, 45, seed=7)
    assert {r.step for r in plan.recipients} == {step for step, _, _ in STEPS}
    assert Counter(r.variant for r in plan.recipients) == {"A": 20, "B": 20}
    assert {r.mailbox for r in plan.recipients} == set(MAILBOXES)
    assert plan.recipients[3].smtp_message_id == "<autumn-m0003@sender.example>"


def test_variant_b_wins_on_clicks_significantly_with_the_default_volume() -> None:
    """What analytics will compute: filtered unique clicks (no scanner) over delivered."""
    plan = make_plan("autumn", 40, 45, seed=7)
    clicked = {h.email for h in plan.hits if h.kind == "click" and h.client_ip != SCANNER_IP}
    delivered = {
        v: [r for r in plan.recipients if r.variant == v and r.persona != "bounced"] for v in "AB"
    }
    a, b = (
        Proportion(sum(r.email in clicked for r in delivered[v]), len(delivered[v])) for v in "AB"
    )
    result = compare("click", "A", "B", a, b)
    assert b.rate > a.rate and result.significant, result.verdict


def test_replies_answer_the_message_and_the_auto_reply_is_recognised() -> None:
    plan = make_plan("autumn", 40, 45, seed=7)
    repliers = plan.repliers()
    assert Counter(r.variant for r in repliers) == {"A": 1, "B": 2}
    assert all(r.persona in ("desktop_reader", "phone_reader") for r in repliers)
    now = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    for replier in repliers:
        parsed = parse_bounce_message(human_reply(replier, now))
        assert parsed.kind == "unknown"  # not a bounce, complaint or auto-reply: a candidate
        assert parsed.reply.sender == replier.email
        assert parsed.reply.answered[0][0] in replier.smtp_message_id
    silent = plan.auto_replier()
    assert silent is not None and silent.persona == "silent"
    assert parse_bounce_message(auto_reply(silent, now)).kind == "auto_reply"


def test_campaign_definition_status_path_and_warmup() -> None:
    plan = make_plan("autumn", 10, 0, seed=1)
    created = lifecycle.create_request(plan, "demo")
    assert [s.step_id for s in created.steps] == ["intro", "follow-up"]
    assert [v.variant_id for v in created.variants] == ["A", "B"]
    assert [m.warmup_enabled for m in lifecycle.mailbox_requests("demo")] == [False, True]
    pb = campaign_pb2
    draft, scheduled = pb.CAMPAIGN_STATUS_DRAFT, pb.CAMPAIGN_STATUS_SCHEDULED
    sending, completed = pb.CAMPAIGN_STATUS_SENDING, pb.CAMPAIGN_STATUS_COMPLETED
    assert lifecycle.status_steps(draft, scheduled) == [scheduled]
    assert lifecycle.status_steps(scheduled, completed) == [sending, completed]
    assert lifecycle.status_steps(completed, sending) == []
    assert lifecycle.status_steps(pb.CAMPAIGN_STATUS_PAUSED, completed) == []
    now = datetime(2026, 11, 2, tzinfo=UTC)
    warmup = lifecycle.warmup_request(plan, "demo", now)
    assert warmup == lifecycle.warmup_request(plan, "demo", now)
    assert {i.mailbox for i in warmup.interactions} == {WARMUP_MAILBOX}
    assert len({i.interaction_id for i in warmup.interactions}) == len(warmup.interactions)
