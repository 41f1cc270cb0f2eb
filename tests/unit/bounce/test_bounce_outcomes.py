"""Outcomes of parsed bounce mail: kinds, deterministic ids, tenant precedence, events."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import events_pb2
from services.bounce.codec import event_of
from services.bounce.domain import parse_bounce_message
from services.bounce.domain.outcomes import Outcome, outcomes_from_bounce, without_nul

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_dsn_bounce_outcome_and_event():
    raw = (CORPUS / "flufl" / "dsn_01.txt").read_bytes()
    (outcome,) = outcomes_from_bounce(parse_bounce_message(raw), raw, "acme", NOW)
    assert (outcome.kind, outcome.reason, outcome.source) == ("bounce", "mailbox_full", "dsn")
    again = outcomes_from_bounce(parse_bounce_message(raw), raw, "acme", NOW)[0]
    other_tenant = outcomes_from_bounce(parse_bounce_message(raw), raw, "zeta", NOW)[0]
    assert again.event_id == outcome.event_id != other_tenant.event_id
    event = event_of(outcome, events_pb2.TraceContext())
    assert event.type == events_pb2.EVENT_TYPE_EMAIL_BOUNCE
    assert event.recipient_id == recipient_id_for("acme", "userx@example.com")
    assert event.delivery.reason == "mailbox_full"


# Synthetic ARF report (RFC 5965 layout), built for this test.
ARF = b"""\
From: Feedback Loop <fbl@isp.example>
To: fbl@sender.example
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="R"

--R
Content-Type: text/plain

This is an email abuse report.

--R
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ExampleFBL/1.0
Version: 1
Original-Rcpt-To: <carol@example.net>

--R
Content-Type: text/rfc822-headers

From: News <news@sender.example>
To: carol@example.net
Message-ID: <orig-1@sender.example>
--R--
"""


def test_complaint_and_delay_kinds():
    (complaint,) = outcomes_from_bounce(parse_bounce_message(ARF), ARF, "t", NOW)
    assert (complaint.kind, complaint.address, complaint.feedback_type) == (
        "complaint",
        "carol@example.net",
        "abuse",
    )
    delay = (CORPUS / "flufl" / "simple_03.txt").read_bytes()
    (deferred,) = outcomes_from_bounce(parse_bounce_message(delay), delay, "t", NOW)
    assert deferred.kind == "deferred" and deferred.bounce_type == "soft"


def test_auto_reply_has_no_outcome():
    raw = (CORPUS / "flufl" / "qmail_08.txt").read_bytes()
    assert outcomes_from_bounce(parse_bounce_message(raw), raw, "t", NOW) == []


def test_nul_characters_are_replaced_before_storage():
    dirty = Outcome("e1", "bounce", "t", "a@example.org", NOW, "mailgun", diagnostic="550\x00x")
    assert without_nul(dirty).diagnostic == "550\ufffdx"
    clean = Outcome("e2", "bounce", "t", "a@example.org", NOW, "mailgun", diagnostic="550")
    assert without_nul(clean) is clean
