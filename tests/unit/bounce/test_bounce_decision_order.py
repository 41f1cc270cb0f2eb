"""Round 5 of the Sisimai differential (ORACLE.md): which of a reply's signals decides.

qmail's "Giving up on <host>." closes every permanent failure and names no cause; too many
recipients is a session limit (Sisimai's toomanyconn, X.5.3); the RFC 7293 owner-change codes
(X.7.17, X.7.18) yield to a reply text naming another cause, and X.7.19 (RRVS test not
completed) is a security refusal, not a moved mailbox. Big receivers' documented wording:
DNSBLs in the plural, throttling for the sender's reputation, "multiple addresses in From:".
"""

import pytest

from services.bounce.domain import classify_smtp_reply, parse_bounce_message
from services.bounce.domain.smtp_rules import status_in_text

QMAIL_HEAD = (
    "From: MAILER-DAEMON@mail.sender.example\nTo: bounces@sender.example\n"
    "Subject: failure notice\nMessage-ID: <q1@mail.sender.example>\n\n"
    "Hi. This is the qmail-send program at mail.sender.example.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
)


def _qmail(paragraph: str) -> tuple[str, str]:
    raw = f"{QMAIL_HEAD}<kijitora@example.org>:\n{paragraph}\n--- Below this line is a copy."
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    return recipient.classification.reason, recipient.classification.bounce_type


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # The reply names the cause; "Giving up on" only says qmail stopped trying the host.
        (
            "192.0.2.1 does not like recipient.\n"
            "Remote host said: 554 5.0.0 Local error in processing\nGiving up on 192.0.2.1.",
            ("system_error", "soft"),
        ),
        (
            "192.0.2.1 failed after I sent the message.\n"
            "Remote host said: 551 5.0.0 Denied by policy\nGiving up on 192.0.2.1.",
            ("policy_violation", "soft"),
        ),
        (
            "192.0.2.1 does not like recipient.\n"
            "Remote host said: 550 Loops back to myself\nGiving up on 192.0.2.1.",
            ("system_error", "soft"),
        ),
        # Nothing else named: giving up is all the paragraph says.
        (
            "Remote host said: 553 5.0.0 sorry\nGiving up on 192.0.2.1.",
            ("expired", "soft"),
        ),
        # qmail-send's own expiry wording.
        (
            "I'm not going to try again; this message has been in the queue too long.",
            ("expired", "soft"),
        ),
    ],
)
def test_qmail_giving_up_on_a_host_yields_to_the_reply(paragraph, expected):
    assert _qmail(paragraph) == expected


@pytest.mark.parametrize(
    ("code", "status", "text", "reason", "bounce_type"),
    [
        # Too many recipients: Sisimai's toomanyconn, by wording and by X.5.3.
        (452, "4.5.3", "Too many recipients", "too_many_conn", "soft"),
        (550, "", "5.5.3 RESOLVER.ADR.RecipLimit; too many recipients", "too_many_conn", "soft"),
        (552, "5.5.3", "Recipient limit reached for this session", "too_many_conn", "soft"),
        (550, "5.5.3", "Requested action not taken", "too_many_conn", "soft"),
        # X.2.3 stays the mailbox's administrative size limit.
        (552, "5.2.3", "Message length exceeds administrative limit", "exceed_limit", "soft"),
        # X.7.17/X.7.18 name a new owner only when the text names no other cause.
        (
            550,
            "5.7.17",
            "Connections not accepted from IP addresses on Spamhaus XBL",
            "blocked",
            "soft",
        ),
        (550, "5.7.17", "Mailbox owner has changed", "has_moved", "hard"),
        (550, "5.7.18", "Domain owner has changed", "has_moved", "hard"),
        (550, "5.7.17", "User unknown", "user_unknown", "hard"),
        # X.7.19: the RRVS test could not be completed; nothing says the owner changed.
        (550, "5.7.19", "RRVS test cannot be completed", "security_error", "soft"),
        (550, "5.7.19", "Peak SMTP relay limit exceeded for customer", "security_error", "soft"),
    ],
)
def test_status_and_wording_decide_as_sisimai_names_them(code, status, text, reason, bounce_type):
    result = classify_smtp_reply(code, status, text)
    assert (result.reason, result.bounce_type) == (reason, bounce_type)


@pytest.mark.parametrize(
    ("code", "status", "text", "mx_host", "reason"),
    [
        # Comcast names DNSBLs in the plural.
        (
            554,
            "",
            "resimta-ch2-18v.sys.comcast.net 192.0.2.1 found on one or more DNSBLs, see "
            "http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
            "mx1.comcast.net",
            "blocked",
        ),
        # Throttled for the sending IP's reputation (Exchange Online 4.7.650, Yahoo TSS04):
        # the cause is the reputation, not the rate (Sisimai 5's badreputation).
        (
            421,
            "4.7.650",
            "The mail server [192.0.2.1] has been temporarily rate limited due to IP "
            "reputation. For e-mail delivery information, see https://postmaster.live.com (S775)",
            "hotmail-com.olc.protection.outlook.com",
            "bad_reputation",
        ),
        (
            421,
            "4.7.0",
            "[TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or "
            "user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
            "mta7.am0.yahoodns.net",
            "bad_reputation",
        ),
        # Yahoo's older deferral for complaints, and a receiver refusing unverified IPs.
        (
            421,
            "4.7.0",
            "[TS01] Messages from 192.0.2.1 temporarily deferred due to user complaints",
            "",
            "blocked",
        ),
        (550, "", "Service permits 5 unverifyable sending IPs", "", "blocked"),
        # amavisd's content verdict.
        (554, "5.7.0", "Reject, id=12345-01 - rejecting banned content", "", "spam_detected"),
        # qmail's chkuser names an unknown local user with the rcpthosts wording...
        (
            553,
            "",
            "sorry, that domain or user isn't in my list of allowed rcpthosts (#5.7.1)",
            "",
            "user_unknown",
        ),
        # ... which, without "or user", is qmail-smtpd's relay refusal.
        (
            553,
            "",
            "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
            "",
            "no_relaying",
        ),
        # A plain rate limit stays speeding.
        (450, "4.7.1", "Rate limit exceeded, slow down", "", "speeding"),
        # Gmail's "multiple addresses in From:" is an RFC 5322 refusal (Sisimai 5's
        # notcompliantrfc), not a local policy.
        (
            550,
            "5.7.1",
            "Messages with multiple addresses in From: header are not accepted.",
            "gmail-smtp-in.l.google.com",
            "not_compliant_rfc",
        ),
    ],
)
def test_receivers_documented_wording(code, status, text, mx_host, reason):
    assert classify_smtp_reply(code, status, text, mx_host).reason == reason


def _delayed_dsn(diagnostic: str, status: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mail.sender.example\nTo: bounces@sender.example\n"
        "Subject: Delayed Mail (still being retried)\nMessage-ID: <d1@mail.sender.example>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="b"\n\n--b\nContent-Type: text/plain\n\nDelivery is delayed.\n\n'
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mail.sender.example\n\n"
        f"Final-Recipient: rfc822; kijitora@example.org\nAction: delayed\nStatus: {status}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n\n--b--\n"
    ).encode()


@pytest.mark.parametrize(
    ("diagnostic", "status", "expected"),
    [
        # The receiver called the address unknown or moved: hard whatever the reply's class
        # (Sisimai's hard/soft is a function of the reason), though delivery is still retried.
        ("450 4.1.1 <kijitora@example.org>: User unknown", "4.1.1", ("user_unknown", "hard")),
        ("451 4.1.6 Mailbox has moved", "4.1.6", ("has_moved", "hard")),
        # Any other reason on a 4xx reply stays soft.
        ("452 4.2.2 Mailbox full", "4.2.2", ("mailbox_full", "soft")),
    ],
)
def test_delayed_report_keeps_the_address_verdict(diagnostic, status, expected):
    parsed = parse_bounce_message(_delayed_dsn(diagnostic, status))
    (recipient,) = parsed.recipients
    assert recipient.action == "delayed"
    classification = recipient.classification
    assert (classification.reason, classification.bounce_type) == expected


def _failed_dsn(report_status: str, diagnostic: str) -> bytes:
    return _delayed_dsn(diagnostic, report_status).replace(b"Action: delayed", b"Action: failed")


@pytest.mark.parametrize(
    ("report_status", "diagnostic", "expected"),
    [
        # The remote server's own detailed code is the one reported and the one classified:
        # the reporting MTA's Status: only sums it up.
        ("5.3.1", "550 5.7.2 CXDNS", ("security_error", "5.7.2")),
        (
            "5.0.0",
            "554 5.1.1 <kijitora@example.org>: unknown or illegal user",
            ("user_unknown", "5.1.1"),
        ),
        ("5.4.3", "554 5.2.2 mailbox full, quota exceeded", ("mailbox_full", "5.2.2")),
        # A generic remote code leaves the report's detailed one in force.
        ("5.1.1", "550 5.0.0 User unknown", ("user_unknown", "5.1.1")),
    ],
)
def test_the_remote_servers_status_is_the_one_classified(report_status, diagnostic, expected):
    (recipient,) = parse_bounce_message(_failed_dsn(report_status, diagnostic)).recipients
    assert (recipient.classification.reason, recipient.status) == expected


EXIM_NOTICE = (
    "From: Mail Delivery System <Mailer-Daemon@mail.sender.example>\n"
    "To: bounces@sender.example\nSubject: Mail delivery failed: returning message to sender\n"
    "Message-ID: <e1@mail.sender.example>\nX-Failed-Recipients: kijitora@example.org\n"
    "Auto-Submitted: auto-replied\n\n"
    "This message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to one or more of its\n"
    "recipients. This is a permanent error. The following address(es) failed:\n\n"
    "  kijitora@example.org\n    host mx.example.org [192.0.2.1]\n"
    "    SMTP error from remote mail server after RCPT TO:<kijitora@example.org>:\n"
    "    {reply}\n"
)


def test_a_bounce_quoting_challenge_wording_is_still_a_bounce():
    # The remote server's reply borrows a challenge/response system's words; the notice
    # itself is a mailer daemon's failure report with its failed recipient.
    raw = EXIM_NOTICE.format(reply="552 5.7.8 sender not pre-approved").encode()
    parsed = parse_bounce_message(raw)
    assert parsed.kind == "bounce"
    (recipient,) = parsed.recipients
    assert (recipient.address, recipient.classification.reason) == (
        "kijitora@example.org",
        "rejected",
    )


def test_a_challenge_response_system_is_still_an_auto_reply():
    raw = (
        b"From: noreply@challenge.example\nTo: bounces@sender.example\n"
        b"Subject: Re: Hello\nMessage-ID: <c1@challenge.example>\n\n"
        b"Your message to kijitora@example.org is waiting: the sender not pre-approved.\n"
        b"Please verify that you are a person by clicking the link below.\n"
    )
    assert parse_bounce_message(raw).kind == "auto_reply"


@pytest.mark.parametrize(
    ("code", "status", "text", "reason", "hard"),
    [
        # A mailbox status beside wording that names another refusal: the wording decides
        # (MTAs send 5.1.1 with any refusal of a recipient), so no live reader is made hard.
        (550, "5.1.1", "Access denied. IP name lookup failed", "require_ptr", "soft"),
        (
            550,
            "5.1.1",
            "Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
            "blocked",
            "soft",
        ),
        (554, "5.1.1", "Relay access denied", "no_relaying", "soft"),
        (550, "5.1.1", "Sender address rejected: Domain not found", "rejected", "soft"),
        # ... and unknown-user wording keeps it hard, whatever else the text names later.
        (550, "5.1.1", "User unknown; client host blacklisted", "user_unknown", "hard"),
        (
            550,
            "5.1.1",
            "<a@example.org>: Recipient address rejected: User unknown in relay recipient table",
            "user_unknown",
            "hard",
        ),
        # A domain status beside a temporary DNS failure: the failure, soft.
        (
            550,
            "5.1.2",
            "Host or domain name not found. Name service error for name=example.jp type=MX: "
            "Host not found, try again",
            "network_error",
            "soft",
        ),
        (550, "5.1.2", "Host or domain name not found", "host_unknown", "hard"),
        # X.3.2 (system not accepting messages) yields to a named cause the same way.
        (
            550,
            "5.3.2",
            "Cyberoam anti spam engine has identified this email as a bulk email",
            "spam_detected",
            "soft",
        ),
        (550, "5.3.2", "System not accepting network messages", "not_accepted", "hard"),
    ],
)
def test_named_refusals_outweigh_a_mailbox_or_system_status(code, status, text, reason, hard):
    result = classify_smtp_reply(code, status, text)
    assert (result.reason, result.bounce_type) == (reason, hard)


@pytest.mark.parametrize(
    ("text", "code", "status"),
    [
        # qmail's and vpopmail's "(#X.Y.Z)" is the refusing program's own status for its
        # error: read before any other status in the text (as Sisimai's SMTP::Status does).
        ("553 5.1.9 <a@example.net>: Sorry, no mailbox here by that name. (#5.1.1)", 553, "5.1.1"),
        ("551 5.0.0 sorry, badrcptto(user mail-box not found) (#5.7.1)", 551, "5.7.1"),
        ("503 RCPT first (#5.5.1)", 503, "5.5.1"),
        # Without one, the first status written.
        ("550 5.1.1 <a@example.net>: User unknown; see 5.7.1 policy", 550, "5.1.1"),
        # A "(#...)" of the other class is skipped, as any status is.
        ("550 5.1.1 user unknown (#4.4.1)", 550, "5.1.1"),
    ],
)
def test_a_qmail_style_status_is_read_first(text, code, status):
    assert status_in_text(text, code) == status
