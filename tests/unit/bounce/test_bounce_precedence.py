"""Round 8a of the Sisimai differential (ORACLE.md): which evidence decides, in Sisimai's order.

Sisimai first tries each cause of its first reason order (mailbox full ... blocked) by its
status or its wording, and reads any other status's name only when none of them held; some of
those causes' wording holds only at some SMTP stages (a spam verdict or a filter's refusal
after RCPT TO, a sender refusal at MAIL FROM or DATA). The messages here are written for these
tests, not taken from any corpus.
"""

import pytest

from services.bounce.domain import classify_smtp_reply, parse_bounce_message

HEAD = (
    "From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example\n"
    "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <p1@mx.example.net>\n\n"
    "This is the mail system at host mx.example.net.\n\n"
)


def _postfix(reply: str, stage: str) -> tuple[str, str]:
    """Reason and hard/soft of a Postfix text report of ``reply`` given at ``stage``."""
    body = (
        f"<kijitora@example.org>: host mx.example.org[192.0.2.1] said: {reply} "
        f"(in reply to {stage} command)\n"
    )
    (recipient,) = parse_bounce_message((HEAD + body).encode()).recipients
    return recipient.classification.reason, recipient.classification.bounce_type


@pytest.mark.parametrize(
    ("code", "status", "text", "reason"),
    [
        # A status naming a cause outside the first order (system full, expired) yields to
        # wording naming a cause of that order.
        (452, "4.3.1", "4.3.1 Relaying denied", "no_relaying"),
        (450, "4.4.7", "4.4.7 Client host blocked using zen.spamhaus.org", "blocked"),
        (452, "4.4.5", "4.4.5 Too many connections from your host", "too_many_conn"),
        # A filter's status (X.2.4) holds in that order only beside unknown-user or filter
        # wording, so it is read after it too.
        (550, "5.2.4", "5.2.4 Client host blocked using zen.spamhaus.org", "blocked"),
        (550, "5.2.4", "5.2.4 Mailing list expansion problem", "filtered"),
        # ... and decides where the wording names nothing of that order.
        (550, "5.3.1", "5.3.1 Mail system full", "system_full"),
        (452, "4.4.7", "4.4.7 Delivery time expired", "expired"),
        # X.4.7 says only that time ran out: any wording naming why decides (Sisimai retries
        # its phrase lists after an "expired" status).
        (451, "4.4.7", "4.4.7 Routing loop detected", "network_error"),
        # Unknown-address wording beside a disabled or moved mailbox's status says the same,
        # less precisely: the status decides.
        (550, "5.7.13", "5.7.13 User unknown", "suspended"),
        (550, "5.1.6", "5.1.6 No such user", "has_moved"),
    ],
)
def test_a_status_outside_the_first_order_yields_to_its_wording(code, status, text, reason):
    assert classify_smtp_reply(code, status, text).reason == reason


@pytest.mark.parametrize(
    ("reply", "stage", "expected"),
    [
        # A spam verdict is about the message: before DATA the status's name decides.
        ("554 5.6.0 Message looks like spam", "RCPT TO", ("content_error", "soft")),
        ("554 5.6.0 Message looks like spam", "end of DATA", ("spam_detected", "soft")),
        ("550 5.2.0 Message looks like spam", "RCPT TO", ("filtered", "soft")),
        # A sender refusal's wording is about the sender at MAIL FROM or DATA; at RCPT TO the
        # status names the cause.
        ("550 5.2.0 Sender address rejected: not owned", "RCPT TO", ("filtered", "soft")),
        ("550 5.2.0 Sender address rejected: not owned", "MAIL FROM", ("rejected", "soft")),
        ("550 5.2.0 Sender address rejected: not owned", "end of DATA", ("rejected", "soft")),
        ("550 5.3.1 Sender address rejected", "RCPT TO", ("system_full", "soft")),
        # ... but never makes the recipient hard: beside a mailbox status it stays the sender's.
        ("550 5.1.1 Sender address rejected: not owned", "RCPT TO", ("rejected", "soft")),
    ],
)
def test_stage_decides_whether_wording_outweighs_the_status(reply, stage, expected):
    assert _postfix(reply, stage) == expected


@pytest.mark.parametrize(
    ("code", "text", "reason"),
    [
        # A 500-507 reply is a command or argument error (RFC 5321); bare refusal words name
        # no other cause.
        (501, "501 Syntax: command rejected", "syntax_error"),
        (500, "500 Command not allowed", "syntax_error"),
        # Other codes keep the bare refusal as a policy refusal, and a named cause decides.
        (550, "550 Command rejected", "policy_violation"),
        (501, "501 Blocked", "blocked"),
    ],
)
def test_a_syntax_reply_code_outweighs_bare_refusal_words(code, text, reason):
    assert classify_smtp_reply(code, "", text).reason == reason


@pytest.mark.parametrize(
    ("code", "status", "text", "reason"),
    [
        # A temporary refusal holds the sending host back (greylisting, rate limits): blocked;
        # the permanent 5.7.1 stays the security class's refusal. (Greylisting named in words
        # is the held-back sending host at any code: test_bounce_stock_replies.)
        (451, "4.7.1", "451 4.7.1 Please come back later", "blocked"),
        (550, "5.7.1", "550 5.7.1 Please come back later", "security_error"),
        # A mailbox disabled for now is suspended; the permanent 5.2.1 a filter's refusal.
        (450, "4.2.1", "450 4.2.1 Requested action aborted", "suspended"),
        (550, "5.2.1", "550 5.2.1 Requested action aborted", "filtered"),
        # No route for now is a network failure, not a domain that does not exist.
        (451, "4.4.4", "451 4.4.4 Unable to route", "network_error"),
        (550, "5.4.4", "550 5.4.4 Unable to route", "host_unknown"),
        # Loose: a named cause still decides; bare refusal words add nothing to a refusal.
        (451, "4.7.1", "451 4.7.1 Recipient address rejected: Mailbox full", "mailbox_full"),
        (451, "4.7.1", "451 4.7.1 Access denied", "blocked"),
    ],
)
def test_transient_statuses_read_as_their_own_class(code, status, text, reason):
    assert classify_smtp_reply(code, status, text).reason == reason
