"""Exim/Exchange layout readers and the screened flufl detector chain."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import flufl.bounce
import pytest

from services.bounce.domain import detectors, layouts, mta_formats

FLUFL = Path(__file__).resolve().parents[2] / "data" / "bounces" / "flufl"

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


@pytest.mark.parametrize("path", sorted(FLUFL.glob("*.txt")), ids=lambda p: p.name)
def test_screened_detectors_equal_flufl(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    trimmed = mta_formats._without_returned_message(msg)
    assert detectors.all_failures(trimmed) == flufl.bounce.all_failures(trimmed)
