"""Unknown-user wording and the SMTP stage (Sisimai's UserUnknown/Filtered decision order):
the wording proves a missing mailbox only with an X.1.0/1/3 status, a reply before DATA, or the
final system's own directory lookup; otherwise it is a filter's refusal (filtered, soft)."""

from pathlib import Path

import pytest

from services.bounce.domain import classify_smtp_reply, parse_bounce_message
from services.bounce.domain.smtp_rules import specific_status
from services.bounce.domain.smtp_stage import smtp_stage, sole_stage

CORPUS = Path(__file__).resolve().parents[2] / "data" / "bounces"
HEAD = (
    "From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example\n"
    "Subject: Delivery failure\nMessage-ID: <s1@mx.example.net>\n\n"
)


def _reason(body: str) -> tuple[str, str]:
    (r,) = parse_bounce_message((HEAD + body).encode()).recipients
    return r.classification.reason, r.classification.bounce_type


def _corpus_reasons(name: str) -> set[str]:
    parsed = parse_bounce_message((CORPUS / name).read_bytes())
    return {r.classification.reason for r in parsed.recipients}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # No status, no stage: the wording alone does not prove the mailbox missing.
        ("<kijitora@example.org>: 550 user unknown\n", ("filtered", "soft")),
        # An X.1.1 status settles it whatever the stage.
        ("<kijitora@example.org>: 550 5.1.1 user unknown\n", ("user_unknown", "hard")),
        # A reply to RCPT TO settles it (Postfix wording).
        (
            "<kijitora@example.org>: host mx.example.org said: 550 user unknown "
            "(in reply to RCPT TO command)\n",
            ("user_unknown", "hard"),
        ),
        # qmail-remote names the stage in its own words.
        (
            "<kijitora@example.org>:\n192.0.2.1 does not like recipient.\n"
            "Remote host said: 550 no such user\nGiving up on 192.0.2.1.\n",
            ("user_unknown", "hard"),
        ),
        (
            "<kijitora@example.org>:\n192.0.2.1 failed after I sent the message.\n"
            "Remote host said: 554 no such user\n",
            ("filtered", "soft"),
        ),
        # The final system's local delivery agent needs no stage either.
        (
            "<kijitora@example.org>:\nmail.local: unknown user: kijitora\n",
            ("user_unknown", "hard"),
        ),
        # The final system's directory lookup (Domino) needs no stage.
        (
            "<kijitora@example.org>:\nUser kijitora (kijitora@example.org) not listed in "
            "Domino Directory\n",
            ("user_unknown", "hard"),
        ),
    ],
)
def test_unknown_user_wording_needs_status_stage_or_directory(body, expected):
    assert _reason(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A bare refusal in reply to MAIL FROM refused the envelope sender.
        (
            "<kijitora@example.org>: host mx.example.org said: 550 5.7.1 Access denied "
            "(in reply to MAIL FROM command)\n",
            ("rejected", "soft"),
        ),
        # The same words at RCPT TO are the security class's refusal its status names.
        (
            "<kijitora@example.org>: host mx.example.org said: 550 5.7.1 Access denied "
            "(in reply to RCPT TO command)\n",
            ("security_error", "soft"),
        ),
        # A refusal at MAIL FROM that names its cause keeps it.
        (
            "<kijitora@example.org>: host mx.example.org said: 552 5.3.4 Message size exceeds "
            "fixed limit (in reply to MAIL FROM command)\n",
            ("message_too_big", "soft"),
        ),
    ],
)
def test_a_causeless_refusal_at_mail_from_is_the_sender_rejected(body, expected):
    assert _reason(body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Text no rule explains stays on_hold in reply to MAIL FROM (Sisimai: onhold).
        (
            "<kijitora@example.org>: host mx.example.org said: 550 5.0.0 IPBL1001 "
            "(in reply to MAIL FROM command)\n",
            ("on_hold", "soft"),
        ),
        # Unknown-address wording in reply to MAIL FROM proves nothing about the recipient
        # (no recipient was named yet): the status or code says what it can, else on_hold.
        (
            "<kijitora@example.org>: host mx.example.org said: 550 5.0.0 recipient not found "
            "(in reply to MAIL FROM command)\n",
            ("on_hold", "soft"),
        ),
        (
            "<kijitora@example.org>: host mx.example.org said: 501 5.0.0 user unknown "
            "(in reply to MAIL FROM command)\n",
            ("syntax_error", "soft"),
        ),
        (
            "<kijitora@example.org>: host mx.example.org said: 552 5.3.0 no such user "
            "(in reply to MAIL FROM command)\n",
            ("system_error", "soft"),
        ),
        # ... and a status naming the recipient's address cannot make it hard there.
        (
            "<kijitora@example.org>: host mx.example.org said: 550 5.1.10 no such user "
            "(in reply to MAIL FROM command)\n",
            ("on_hold", "soft"),
        ),
        # qmail's own words for a refused envelope sender.
        (
            "<kijitora@example.org>:\nConnected to 192.0.2.1 but sender was rejected.\n"
            "Remote host said: 553 5.0.0 no thanks\nGiving up on 192.0.2.1.\n",
            ("rejected", "soft"),
        ),
        # ... whatever the reply names: the refused thing was the sender.
        (
            "<kijitora@example.org>:\nConnected to 192.0.2.1 but sender was rejected.\n"
            "Remote host said: 552 quota exceeded\nGiving up on 192.0.2.1.\n",
            ("rejected", "soft"),
        ),
        # "does not like recipient" names the stage only: the reply's own cause decides.
        (
            "<kijitora@example.org>:\n192.0.2.1 does not like recipient.\n"
            "Remote host said: 554 Relay access denied\nGiving up on 192.0.2.1.\n",
            ("no_relaying", "soft"),
        ),
    ],
)
def test_mail_from_and_qmail_stages_decide_as_sisimai(body, expected):
    assert _reason(body) == expected


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("192.0.2.1 does not like recipient.", "RCPT"),
        ("Connected to 192.0.2.1 but sender was rejected.", "MAIL"),
        ("192.0.2.1 failed on DATA command.", "DATA"),
        ("550 550 5.1.1 <a@b.example>... User Unknown (state 14).", "RCPT"),
        ("550 550 Unknown user a@b.example (state 18).", "DATA"),
        ("RCPT TO:<a@b.example> 550 unknown", "RCPT"),
        # A lower-case word is prose, not a command name.
        ("the mail from your data was rejected", ""),
    ],
)
def test_stage_wording_of_qmail_gmail_and_command_names(text, stage):
    assert smtp_stage(text) == stage


def test_a_notification_naming_one_stage_lends_it_to_every_recipient():
    assert sole_stage(">>> RCPT To:<a@b.example>\n<<< 550 no such user\n") == "RCPT"
    mixed = "in reply to RCPT TO command\n\nin reply to end of DATA command\n"
    assert sole_stage(mixed) == ""


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("flufl/qmail_04.txt", "user_unknown"),  # "does not like recipient"
        ("flufl/microsoft_01.txt", "user_unknown"),  # Exchange: recipient name not recognized
        ("bounceparser/gmail-via-sendmail.unknown.msg", "user_unknown"),  # >>> RCPT transcript
        ("flufl/simple_05.txt", "filtered"),  # no status, no stage, no directory lookup
    ],
)
def test_real_messages(name, reason):
    assert _corpus_reasons(name) == {reason}


@pytest.mark.parametrize(
    ("status", "diagnostic", "expected"),
    [
        ("5.0.0", "550 5.7.1 Message rejected", "5.7.1"),
        ("5.1.1", "550 5.7.1 Message rejected", "5.7.1"),  # the remote server's code wins
        ("5.1.1", "550 5.7.26 unauthenticated", "5.1.1"),  # two-digit details: the report's
        ("5.2.2", "552 mailbox full", "5.2.2"),
        ("", "550 5.1.1 unknown", "5.1.1"),
    ],
)
def test_reported_status_prefers_the_remote_servers_detailed_code(status, diagnostic, expected):
    assert specific_status(status, diagnostic) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("550 Unrouteable address", "host_unknown"),  # Exim: the domain could not be routed
        ("554 5.4.6 aliasing/forwarding loop broken", "system_error"),  # the MTA broke a loop
        ("554 it would create a mail loop", "system_error"),
        ("554 5.4.6 mail loop detected", "network_error"),  # a routing loop
    ],
)
def test_exim_routing_and_loops_read_as_sisimai_lists_them(text, reason):
    assert classify_smtp_reply(0, "", text).reason == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("550 550 Unknown user a@b.example (state 18).", "filtered"),
        ("550 550 5.2.2 <a@b.example>... Mailbox Full (state 14).", "mailbox_full"),  # status
        ("550 550 5.7.1 <a@b.example>... Access denied (state 13).", "blocked"),
        ("500 Remote server does not support TLS (state 6).", "system_error"),
        ("DNS Error: Could not contact DNS servers", "expired"),
        # An inline "(state 9):" is not the relayed-reply layout: the text decides.
        ("SMTP Error (state 9): 550 5.7.1 blocked by ROTA DNSBL", "blocked"),
    ],
)
def test_gmail_relay_notices_follow_their_session_state(text, reason):
    assert classify_smtp_reply(0, "", text).reason == reason
