"""Exim/Exchange/Sendmail layout readers, the listed-recipient fallback and the screened flufl
detector chain (checked equal to flufl's own on every corpus message)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import flufl.bounce
import pytest

from services.bounce.domain import detectors, layouts, mta_formats

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
MESSAGES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".eml", ".msg"))


def notification_of(name: str) -> str:
    raw = (CORPUS / name).read_bytes()
    return mta_formats.split_notification(email.message_from_bytes(raw))[0]


EXIM = """This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  ann@example.org
    host mx.example.org [192.0.2.1]
    SMTP error from remote mail server after RCPT TO:<ann@example.org>:
    550 5.1.1 <ann@example.org>: Recipient address rejected: User unknown
  bob@example.net
    retry timeout exceeded
"""


def test_exim_reader_splits_recipients_with_their_own_diagnostics():
    ann, bob = layouts.exim_recipients(EXIM)
    assert (ann.address, ann.action) == ("ann@example.org", "failed")
    assert "550 5.1.1" in ann.diagnostic and "retry timeout" not in ann.diagnostic
    assert bob.address == "bob@example.net" and "retry timeout exceeded" in bob.diagnostic


def test_exim_delay_warning_is_deferred():
    text = EXIM.replace(
        "could not be delivered to one or more of its\nrecipients. This is a permanent error. "
        "The following address(es) failed:",
        "has not yet been delivered to the following addresses:",
    )
    assert {r.action for r in layouts.exim_recipients(text)} == {"delayed"}


def test_exchange_reader_handles_x400_smtp_form():
    text = (
        "Your message\n  To: list@example.com\n\ndid not reach the following recipient(s):\n\n"
        "c=US;a= ;p=Corp;o=Hub;dda:SMTP=carol@example.com; on Fri, 4 Oct 2002\n"
        "    The recipient name is not recognized\n"
    )
    (carol,) = layouts.exchange_recipients(text)
    assert carol.address == "carol@example.com" and "not recognized" in carol.diagnostic


def test_unrecognised_layouts_yield_nothing():
    assert layouts.exim_recipients("hello") == [] and layouts.exchange_recipients("hi") == []
    assert layouts.sendmail_recipients("hi") == [] and layouts.listed_recipients("hi") == []


def test_sendmail_reader_prefers_the_reason_line_and_reports_the_alias_source():
    # A real Sendmail report (Mail::DeliveryStatus::BounceParser's corpus): the transcript
    # after the "(reason: ...)" line quotes sendmail's own generic "User unknown".
    listed, source = layouts.sendmail_recipients(notification_of("bounceparser/warning-9.msg"))
    assert (listed.address, source.address) == ("gail.windy@example.com", "Gail.Windy@example.net")
    assert listed.diagnostic == source.diagnostic == "553 Sender Policy Framework (SPF) fail"
    assert listed.action == "failed"


def test_listed_reader_reads_address_lines_after_the_following():
    (listed,) = layouts.listed_recipients(notification_of("bounceparser/novell-with-rhs.msg"))
    assert (listed.address, listed.diagnostic) == (
        "recipient@example.net", "recipient@example.net (user not found)",
    )  # fmt: skip


@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_screened_detectors_equal_flufl(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    trimmed = mta_formats._without_returned_message(msg)
    assert detectors.all_failures(trimmed) == flufl.bounce.all_failures(trimmed)
