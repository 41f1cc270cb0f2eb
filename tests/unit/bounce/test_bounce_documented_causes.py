"""Round 10 of the Sisimai differential (ORACLE.md): causes receivers document, each read by one
general rule however they word it — TLS required or failed (RFC 3207, 4954, 8689), sender
authentication (SPF, DKIM, DMARC, a required authentication level), a missing PTR, reputation,
a message breaking RFC 5322 section 3.6, a block notice pointing at its page — and Exchange
Online's documented 5.7.5xx statuses. The replies are written for these tests in the receivers'
and MTAs' wording, in a DSN (with the receiver as Remote-MTA) and in a Postfix text report."""

import pytest

from services.bounce.domain import classify_smtp_reply, parse_bounce_message
from services.bounce.domain.rhost_rules import receiver_reason

OUTLOOK = "example-org.mail.protection.outlook.com"


def _dsn(reply: str, remote_mta: str = "mx.example.org", status: str = "5.0.0") -> str:
    """The reason of a failed DSN quoting ``reply`` from ``remote_mta`` at RCPT TO."""
    raw = (
        "From: postmaster@mx.example.net\nTo: bounces@sender.example\n"
        "Subject: Delivery Status Notification (Failure)\nMessage-ID: <c1@mx.example.net>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nDelivery to rcpt@example.org failed.\n\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        f"Final-Recipient: rfc822; rcpt@example.org\nAction: failed\nStatus: {status}\n"
        f"Remote-MTA: dns; {remote_mta}\nDiagnostic-Code: smtp; {reply}\n\n--b--\n"
    )
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    return recipient.classification.reason


def _postfix(reply: str, host: str = "mx.example.org", stage: str = "RCPT TO") -> str:
    """The reason of a Postfix text report of ``reply`` from ``host`` at ``stage``."""
    raw = (
        "From: MAILER-DAEMON@mx.example.net\nTo: bounces@sender.example\n"
        "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <c2@mx.example.net>\n\n"
        "This is the mail system at host mx.example.net.\n\n"
        f"<rcpt@example.org>: host {host}[192.0.2.25] said: {reply} (in reply to {stage} "
        "command)\n"
    )
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    return recipient.classification.reason


def _both(reply: str, host: str = "mx.example.org") -> tuple[str, str]:
    return _dsn(reply, host), _postfix(reply, host)


@pytest.mark.parametrize(
    "reply",
    [
        "530 5.7.0 Must issue a STARTTLS command first",  # RFC 3207, Postfix smtpd
        "421 4.7.0 TLS required for this domain, closing connection",
        "550 5.7.1 This server requires a secure connection",
        "554 5.7.0 Encryption required",
        "538 5.7.11 Encryption required for requested authentication mechanism",  # RFC 4954
        "550 5.7.30 REQUIRETLS support required",  # RFC 8689
        "550 5.7.321 starttls-not-supported: Destination mail server must support TLS",
        "553 This route requires TLS version 1.2 or greater",
        "454 4.7.0 TLS negotiation failed",
    ],
)
def test_tls_required_or_failed(reply):
    assert _both(reply) == ("failed_starttls", "failed_starttls")


def test_tls_required_as_the_sending_mta_words_it():
    # Postfix's and Exim's own reasons when the next hop offers no TLS that policy requires.
    for text in (
        "TLS is required, but was not offered by host mx.example.org[192.0.2.25]",
        "a TLS session is required, but the server did not offer TLS support",
        "Cannot start TLS: handshake failure",
    ):
        assert _dsn(text, status="4.7.4") == "failed_starttls"


def test_smtp_auth_stays_a_security_error():
    assert _both("530 5.7.0 Authentication required") == ("security_error", "security_error")
    assert classify_smtp_reply(550, "5.7.10", "").reason == "failed_starttls"


@pytest.mark.parametrize(
    "reply",
    [
        "550 5.7.1 Message rejected: DKIM authentication failed",
        "550 5.7.1 Email rejected: the sending domain failed authentication checks",
        "550 5.7.515 Access denied, sending domain example.org doesn't meet the required "
        "authentication level.",
        "550 5.7.1 Rejected by sender policy framework: 192.0.2.1 is not permitted",
    ],
)
def test_sender_authentication(reply):
    assert _both(reply) == ("auth_failure", "auth_failure")


@pytest.mark.parametrize(
    "reply",
    [
        "554 5.6.0 Message has no From: header",
        "550 5.7.1 Missing required header field: Date",
        "554 5.7.1 From header is missing or invalid",
        "550 5.7.1 Invalid From: header",
        "550 5.7.1 Messages missing a valid Date header are not accepted",
        "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant and "
        "include a valid From address",
        "554 Message not allowed - Headers are not RFC compliant[291]",
    ],
)
def test_message_breaking_rfc_5322_section_3_6(reply):
    assert _both(reply) == ("not_compliant_rfc", "not_compliant_rfc")


def test_other_header_errors_stay_content_errors():
    assert _both("554 No Resent-From field given") == ("content_error", "content_error")
    assert _both("550 5.7.1 Invalid X-Mailer header") == ("content_error", "content_error")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]", "require_ptr"),
        ("450 4.7.1 Client host rejected: cannot find your reverse hostname", "require_ptr"),
        ("550 5.7.1 Access denied. IP name lookup failed [192.0.2.1]", "require_ptr"),
        ("550 5.7.1 Rejected: sender IP reputation too low", "bad_reputation"),
        ("554 5.7.1 Your domain reputation is too low to deliver here", "bad_reputation"),
        ("550 5.7.0 Blocked - see https://postmaster.example.net/?ip=192.0.2.1", "blocked"),
        ("554 5.7.1 Refused - see https://postmaster.example.net/blocked", "blocked"),
        ("421 Max message per connection reached, closing transmission channel", "too_many_conn"),
    ],
)
def test_sending_host_causes(reply, reason):
    assert _both(reply) == (reason, reason)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            "550 5.7.511 Access denied, banned sender[sender@example.org]. To request removal "
            "from this list, forward this message to delist@microsoft.com.",
            "blocked",
        ),
        ("550 5.7.512 Access denied, message must be RFC 5322 compliant", "not_compliant_rfc"),
        ("550 5.7.515 Access denied, sending domain example.org", "auth_failure"),
        ("550 5.7.509 Access denied, sending domain example.org", "auth_failure"),
        ("550 5.7.750 Service unavailable. Client blocked", "rejected"),
    ],
)
def test_exchange_online_statuses(reply, reason):
    assert _both(reply, OUTLOOK) == (reason, reason)
    assert receiver_reason(reply, OUTLOOK, "example.org") == (reason, "exchange_online")


def test_exchange_online_statuses_need_its_host():
    assert receiver_reason("550 5.7.511 Access denied", "mx.example.org", "example.org") == (
        "",
        "",
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        # Gmail's statuses for its 2024 sender requirements are not the IANA registry's: its
        # 7.29 (ARC failure there) says no TLS, its 7.30 (REQUIRETLS there) a DKIM failure.
        (
            "421 4.7.29 Your email has been rate limited because this message wasn't sent "
            "over a TLS connection.",
            "failed_starttls",
        ),
        (
            "421 4.7.30 Your email has been rate limited because DKIM authentication didn't "
            "pass for this message.",
            "auth_failure",
        ),
    ],
)
def test_gmail_statuses_for_sender_requirements(reply, reason):
    assert classify_smtp_reply(0, "", reply, "gmail-smtp-in.l.google.com").reason == reason
