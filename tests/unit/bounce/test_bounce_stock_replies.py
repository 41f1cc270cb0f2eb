"""Round 13 of the Sisimai differential (ORACLE.md): the stock replies of mail server and filter
software (Postfix, Exim, Sendmail, qmail, Courier, Cyrus, Exchange Server, Domino, Kerio,
hMailServer, Haraka, rspamd, amavis, greylisting daemons, RFC 5321's own texts), each cause read
by one general rule in its word forms. The replies are written for these tests in the software's
wording (not copied from the study lines), in a DSN with the reply's host as Remote-MTA and in a
Postfix text report."""

import pytest

from services.bounce.domain import classify_smtp_reply, parse_bounce_message


def _dsn(reply: str, status: str = "5.0.0", action: str = "failed") -> str:
    """The reason of a DSN quoting ``reply`` from mx.example.org at RCPT TO."""
    raw = (
        "From: postmaster@mx.example.net\nTo: bounces@sender.example\n"
        "Subject: Delivery Status Notification (Failure)\nMessage-ID: <s1@mx.example.net>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nDelivery to rcpt@example.org failed.\n\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        f"Final-Recipient: rfc822; rcpt@example.org\nAction: {action}\nStatus: {status}\n"
        f"Remote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; {reply}\n\n--b--\n"
    )
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    return recipient.classification.reason


def _postfix(reply: str, stage: str = "RCPT TO") -> str:
    """The reason of a Postfix text report of ``reply`` at ``stage``."""
    raw = (
        "From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example\n"
        "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <s2@mx.example.net>\n\n"
        "This is the mail system at host mx.example.net.\n\n"
        f"<rcpt@example.org>: host mx.example.org[192.0.2.25] said: {reply} (in reply to "
        f"{stage} command)\n"
    )
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    return recipient.classification.reason


def _both(reply: str) -> tuple[str, str]:
    status = "4.0.0" if reply.startswith("4") else "5.0.0"
    action = "delayed" if reply.startswith("4") else "failed"
    return _dsn(reply, status, action), _postfix(reply)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        # Relay refusals however the software words them.
        (
            "550 5.7.1 Relaying to <user@example.net> denied (authentication required)",
            "no_relaying",
        ),
        ("554 Relay rejected for policy reasons.", "no_relaying"),
        ("550 Relay is denied for this client", "no_relaying"),
        ("550 Delivery is not allowed to this address.", "no_relaying"),
        # Session and connection limits.
        ("421 4.3.2 Too many open connections, try later", "too_many_conn"),
        ("421 4.7.0 Too many parallel sessions from your host", "too_many_conn"),
        ("421 4.3.2 All ports are busy", "too_many_conn"),
        (
            "550 Domain example.net has exceeded the max defers and failures per hour "
            "(10/10 (100%)) allowed.",
            "too_many_conn",
        ),
        # Sending rates.
        ("451 4.7.1 Ratelimit reached for this sender", "speeding"),
        ("450 4.7.1 Message rate overlimit - 250 / 1h", "speeding"),
        ("450 4.7.1 Error: too much mail from 192.0.2.9", "speeding"),
        # The server's own trouble.
        ("451 Mail system configuration problem", "system_error"),
        ("451 qq trouble creating files in queue", "system_error"),
        # The envelope sender refused.
        ("553 sorry, your envelope sender was denied (#5.7.1)", "rejected"),
        ("550 5.7.1 Sender is denied by local rules", "rejected"),
        ("451 Could not complete sender verify", "rejected"),
        ("550 5.7.1 Client does not have permission to send as this sender", "rejected"),
        ("550 Mail from <someone@example.net> refused by administrator", "rejected"),
        # Sender authentication: Sender ID (RFC 4406).
        ("550 5.7.1 Sender ID (MAIL FROM) fail", "auth_failure"),
        ("550 5.7.1 SenderID check failed for example.net", "auth_failure"),
        # A DNS list naming the client, and greylisting.
        ("550 5.7.1 Rejected: 192.0.2.9 listed at bl.example.net", "blocked"),
        ("554 Your host is listed in badhosts.example.com", "blocked"),
        ("421 Greylisted for 300 seconds", "blocked"),
        (
            "450 4.2.0 <rcpt@example.org>: Recipient address rejected: Greylisting in effect",
            "blocked",
        ),
        # Missing reverse DNS.
        ("450 4.7.1 Client IP address 192.0.2.9 doesn't resolve", "require_ptr"),
        # Malformed content and headers.
        ("550 5.6.11 message contains bare line feeds", "content_error"),
        ("554 Message contains bare CR characters", "content_error"),
        ("550 message has lines too long for delivery", "content_error"),
        ("554 5.6.0 Mandatory header 'From' is missing", "not_compliant_rfc"),
        # An attachment type the site forbids.
        ("554 5.7.0 Reject, id=1234-05 - BANNED: P=p003,L=1,M=multipart/mixed", "policy_violation"),
        ("552 5.7.1 Forbidden attachment type .scr", "policy_violation"),
        # RFC 5321's own texts.
        ("555 SIZE parameter unrecognized", "syntax_error"),
        ("551 User not local; please try <someone@example.com>", "has_moved"),
    ],
)
def test_stock_reply_names_its_cause(reply, reason):
    assert _both(reply) == (reason, reason)


def test_a_mailbox_file_at_its_size_limit_is_a_full_mailbox():
    text = (
        "cannot update mailbox /var/spool/mail/someone for user someone. "
        "error writing message: File too large"
    )
    assert _dsn(text, "5.2.2") == "mailbox_full"
    # A message "too large" with no mailbox named stays a size refusal.
    assert _both("552 5.3.4 Message too large") == ("message_too_big", "message_too_big")


def test_disk_space_is_the_mailbox_unless_the_status_names_the_system():
    assert classify_smtp_reply(452, "4.4.5", "Insufficient disk space; try again later").reason == (
        "system_full"
    )
    assert classify_smtp_reply(452, "4.3.1", "insufficient disk space").reason == "system_full"
    assert classify_smtp_reply(552, "5.2.2", "insufficient disk space").reason == "mailbox_full"
    assert classify_smtp_reply(550, "", "Insufficient disk space for user").reason == "mailbox_full"


def test_words_near_the_new_forms_keep_their_reading():
    # A relay named with other words is not a refusal; a sender named in other words neither.
    assert classify_smtp_reply(550, "5.1.1", "550 5.1.1 Relay host user unknown").reason == (
        "user_unknown"
    )
    # "listed in" a directory (no DNS list named) is the unknown user's wording.
    assert _both("550 5.1.1 User x@example.org not listed in Domino Directory") == (
        "user_unknown",
        "user_unknown",
    )
    # A sender verification that passed names no refusal of the sender.
    assert classify_smtp_reply(550, "5.1.1", "550 5.1.1 user unknown; sender verify ok").reason == (
        "user_unknown"
    )
    # "mail from <IP> refused" stays the client's block, not the sender's refusal.
    assert classify_smtp_reply(550, "", "Mail from 192.0.2.9 refused: see the list").reason == (
        "blocked"
    )
    # The rate limit's older spelling still reads as before.
    assert classify_smtp_reply(554, "", "554 rate limit exceeded").reason == "speeding"
