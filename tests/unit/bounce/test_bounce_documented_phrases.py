"""Round 8c of the Sisimai differential (ORACLE.md): wording of Sisimai's documented per-reason
lists read as Sisimai reads it when it stands alone in a bounce (a DSN or a text report, with or
without the neutral X.0.0 status). The replies are written for these tests in the way MTAs
write them, not copied from any corpus or from the generated harness's texts.
"""

import pytest

from services.bounce.domain import parse_bounce_message

POSTFIX_HEAD = (
    "From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example\n"
    "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <p1@mx.example.net>\n\n"
    "This is the mail system at host mx.example.net.\n\n"
)


def _postfix(reply: str, stage: str = "") -> tuple[str, str]:
    """Reason and hard/soft of a Postfix text report of ``reply`` (at ``stage``, if given)."""
    said = f"<kijitora@example.org>: host mx.example.org[192.0.2.1] said: {reply}"
    body = f"{said} (in reply to {stage} command)\n" if stage else f"{said}\n"
    (recipient,) = parse_bounce_message((POSTFIX_HEAD + body).encode()).recipients
    return recipient.classification.reason, recipient.classification.bounce_type


def _dsn(reply: str, action: str = "failed", status: str = "") -> str:
    """The reason of a DSN whose only diagnostic is ``reply``."""
    status_line = f"Status: {status}\n" if status else ""
    raw = (
        "From: postmaster@mx.example.net\nTo: bounces@sender.example\n"
        "Subject: Delivery Status Notification\nMessage-ID: <d1@mx.example.net>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nDelivery to kijitora@example.org failed.\n\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        f"Final-Recipient: rfc822; kijitora@example.org\nAction: {action}\n{status_line}"
        f"Diagnostic-Code: smtp; {reply}\n\n--b--\n"
    )
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    return recipient.classification.reason


@pytest.mark.parametrize(
    ("reply", "stage", "expected"),
    [
        # Word forms of Sisimai's UserUnknown list that were missing; the wording proves the
        # mailbox unknown only in reply to RCPT TO, else it is a filter's refusal (soft).
        ("550 Unknown e-mail address <kijitora@example.org>", "RCPT TO", ("user_unknown", "hard")),
        ("550 Unknown email address", "", ("filtered", "soft")),
        ("550 User kijitora was not found in this domain", "RCPT TO", ("user_unknown", "hard")),
        ("550 Utilisateur inconnu ! kijitora", "RCPT TO", ("user_unknown", "hard")),
        ("550 Utilisateur inconnu", "end of DATA", ("filtered", "soft")),
    ],
)
def test_unknown_user_word_forms(reply, stage, expected):
    assert _postfix(reply, stage) == expected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        # The remote host closing or refusing the connection to the sender is its block
        # (Sisimai's Blocked list), not a connection failure retried until expiry.
        ("421 Connection dropped due to policy", "blocked"),
        ("Connection refused by mx.example.org", "blocked"),
        ("Connection was dropped by remote host", "blocked"),
        ("Connection reset by peer", "blocked"),
        ("DNS lookup failure: mail.sender.example, try again later", "blocked"),
        ("550 Rejected because the sending MTA or the sender has not passed validation", "blocked"),
        # No gateway toward the domain was found before delivery gave up (Expired's list).
        ("Could not find a gateway for example.org", "expired"),
        # Exim's ACL refusal and the envelope-sender checks of Sisimai's Rejected list.
        ("550 Administrative prohibition", "rejected"),
        ("553 Invalid domain, see <URL:http://www.example.net/why.html>", "rejected"),
        ("550 Recipient addresses rejected : Access denied", "rejected"),
        # Exchange's restricted recipient: the recipient's own filter (Filtered's list).
        ("550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized", "filtered"),
        # Content judged as spam (SpamDetected's list): a listed URL, AT&T's abuse block.
        ("554 Blacklisted URL in message. (www.spam.example)", "spam_detected"),
        ("553 5.3.0 Blocked for abuse. See http://att.net/blocks", "spam_detected"),
        ("550 Message denied due to spam list", "spam_detected"),
        ("550 Your IP is listed in work.drbl.imedia.ru", "spam_detected"),
        # qmail's SMTP-AUTH patch: relaying needs authentication (SecurityError's list), not
        # the plain rcpthosts relay refusal.
        (
            "553 sorry, you don't authenticate or the domain isn't in my list of allowed "
            "rcpthosts (#5.7.1)",
            "security_error",
        ),
        ("553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", "no_relaying"),
        # Too many attempts of this sender (TooManyConn's list).
        ("450 We have already made numerous attempts to deliver this message", "too_many_conn"),
    ],
)
def test_documented_wording_standing_alone(reply, expected):
    assert _postfix(reply)[0] == expected
    assert _dsn(reply) == expected
    assert _dsn(reply, status="5.0.0") == expected


@pytest.mark.parametrize(
    "reply",
    [
        "No route to host",
        "Host is unreachable",
        "Too many hops",
        "Message probably in a routing loop",
    ],
)
def test_a_delay_notice_keeps_the_network_failure_it_names(reply):
    """A delay notice whose reply names a network failure (Sisimai's NetworkError list) is that
    failure, as Sisimai reads it; only a notice naming no cause is about the retry period."""
    assert _dsn(reply, "delayed") == "network_error"
    assert _dsn(reply, "delayed", "4.0.0") == "network_error"
    assert _dsn("Mail could not be delivered yet", "delayed", "4.0.0") == "expired"


def test_gmail_delay_notice_is_expired_whatever_the_reply():
    """Gmail's delay notice ('Delivery to the following recipient has been delayed') is the
    retry period (Sisimai's Gmail module lists it under expired), even where the remote reply
    it quotes would be read as blocked in a final notice."""
    raw = (
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
        "To: sender@gmail.com\nSubject: Delivery Status Notification (Delay)\n"
        "Message-ID: <g1@googlemail.com>\n\n"
        "This is an automatically generated Delivery Status Notification\n\n"
        "THIS IS A WARNING MESSAGE ONLY.\n\nYOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n"
        "Delivery to the following recipient has been delayed:\n\n     kijitora@example.org\n\n"
        "Message will be retried for 2 more day(s)\n\n"
        "Technical details of temporary failure: \nConnection reset by peer\n\n"
        "   ----- Message header follows -----\n\nTo: kijitora@example.org\nSubject: hi\n"
    )
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    assert recipient.classification.reason == "expired"
