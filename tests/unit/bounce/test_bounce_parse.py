"""parse_bounce_message on constructed DSNs, ARF reports, auto-replies and malformed input.

The messages here are synthetic (built for these tests); real ones are in tests/data/bounces.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from services.bounce.domain import parse_bounce_message

ORIGINAL_HEADERS = """\
From: News <news@sender.example>
To: alice@example.org
Subject: Our news
Message-ID: <orig-123@sender.example>
X-Emailtrack-Tenant: tenant-7
X-Emailtrack-Campaign: camp-42
X-Emailtrack-Message: msg-9001
"""


def dsn(
    action: str, status: str, diagnostic: str, returned_type: str = "text/rfc822-headers"
) -> bytes:
    return f"""\
From: Mail Delivery System <MAILER-DAEMON@mx.sender.example>
To: bounces@sender.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.sender.example.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: rfc822; alice@example.org
Original-Recipient: rfc822;alice@example.org
Action: {action}
Status: {status}
Remote-MTA: dns; gmail-smtp-in.l.google.com
Diagnostic-Code: smtp; {diagnostic}

Final-Recipient: rfc822; bob@example.org
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B
Content-Type: {returned_type}

{ORIGINAL_HEADERS}
--B--
""".encode()


def test_rfc3464_dsn_with_two_recipients_and_emailtrack_headers():
    parsed = parse_bounce_message(
        dsn(
            "failed", "5.1.1", "550-5.1.1 The email account that you tried to reach does not exist."
        )
    )
    assert parsed.kind == "bounce"
    assert parsed.format == "postfix"  # an RFC 3464 DSN in Postfix's own wording
    assert [r.address for r in parsed.recipients] == ["alice@example.org", "bob@example.org"]
    first = parsed.recipients[0]
    assert (first.status, first.smtp_code, first.action) == ("5.1.1", "550", "failed")
    assert first.remote_mta == "gmail-smtp-in.l.google.com"
    assert first.classification.reason == "user_unknown"
    assert first.classification.bounce_type == "hard"
    assert parsed.original_message_id == "<orig-123@sender.example>"
    assert (parsed.tenant_id, parsed.campaign_id, parsed.message_id) == (
        "tenant-7",
        "camp-42",
        "msg-9001",
    )


def test_nul_characters_never_reach_the_parsed_fields():
    parsed = parse_bounce_message(
        dsn("failed", "5.1.1", "550 5.1.1 user\x00 unknown").replace(b"camp-42", b"camp\x00-42")
    )
    assert parsed.kind == "bounce" and parsed.campaign_id == "camp-42"
    assert all("\x00" not in r.diagnostic for r in parsed.recipients)
    assert parsed.recipients[0].classification.reason == "user_unknown"


def test_returned_message_as_message_rfc822():
    parsed = parse_bounce_message(
        dsn("failed", "5.2.2", "552 5.2.2 mailbox full", returned_type="message/rfc822")
    )
    assert parsed.recipients[0].classification.reason == "mailbox_full"
    assert parsed.campaign_id == "camp-42"


def test_delayed_dsn_is_a_soft_bounce():
    parsed = parse_bounce_message(dsn("delayed", "4.4.1", "421 4.4.1 connection timed out"))
    assert parsed.kind == "bounce"
    assert {r.action for r in parsed.recipients} == {"delayed"}
    assert parsed.recipients[0].classification.bounce_type == "soft"


def test_delivered_dsn_is_a_delivery_report():
    parsed = parse_bounce_message(dsn("delivered", "2.0.0", "250 2.0.0 OK"))
    assert parsed.kind == "delivery_report"
    assert parsed.recipients[0].classification.reason == "delivered"


ARF = b"""\
From: Yahoo! Mail AntiSpam Feedback <feedback@arf.mail.yahoo.com>
To: fbl@sender.example
Subject: FW: Our news
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="A"

--A
Content-Type: text/plain

This is an email abuse report.

--A
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: Yahoo!-Mail-Feedback/1.0
Version: 1
Original-Mail-From: <bounces@sender.example>
Original-Rcpt-To: <carol@example.net>
Reporting-MTA: dns; fbl.example.net

--A
Content-Type: message/rfc822

From: News <news@sender.example>
To: carol@example.net
Message-ID: <orig-777@sender.example>
X-Emailtrack-Tenant: tenant-1

Hello
--A--
"""


def test_arf_report_is_a_complaint():
    parsed = parse_bounce_message(ARF)
    assert (parsed.kind, parsed.format, parsed.feedback_type) == ("complaint", "arf", "abuse")
    assert [r.address for r in parsed.recipients] == ["carol@example.net"]
    assert parsed.recipients[0].classification.reason == "feedback"
    assert parsed.original_message_id == "<orig-777@sender.example>"
    assert parsed.tenant_id == "tenant-1"


def test_arf_without_original_rcpt_to_uses_returned_to():
    parsed = parse_bounce_message(ARF.replace(b"Original-Rcpt-To: <carol@example.net>\n", b""))
    assert [r.address for r in parsed.recipients] == ["carol@example.net"]


def auto_reply(headers: str) -> bytes:
    return (
        "From: Dave <dave@example.com>\nTo: news@sender.example\n"
        f"{headers}In-Reply-To: <orig-5@sender.example>\n\nI am away until Monday.\n"
    ).encode()


def test_rfc3834_auto_submitted_is_an_auto_reply():
    parsed = parse_bounce_message(
        auto_reply("Subject: Re: Our news\nAuto-Submitted: auto-replied\n")
    )
    assert parsed.kind == "auto_reply"
    assert parsed.original_message_id == "<orig-5@sender.example>"
    assert parsed.recipients[0].classification.reason == "vacation"
    assert parsed.recipients[0].classification.bounce_type == ""


def test_out_of_office_subject_is_an_auto_reply():
    parsed = parse_bounce_message(auto_reply("Subject: Automatic reply: Our news\n"))
    assert parsed.kind == "auto_reply"


def test_x_autoreply_header_is_an_auto_reply():
    assert (
        parse_bounce_message(auto_reply("Subject: Re: x\nX-Autoreply: yes\n")).kind == "auto_reply"
    )


def test_human_reply_is_unknown():
    assert parse_bounce_message(auto_reply("Subject: Re: Our news\n")).kind == "unknown"


def test_sieve_reject_marked_auto_replied_stays_a_bounce():
    raw = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@example.org>\n"
        b"Subject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied (rejected)\n\n"
        b"<erin@example.org>: host mx.example.org said: 552 5.2.2 Mailbox full\n"
    )
    parsed = parse_bounce_message(raw)
    assert parsed.kind == "bounce"
    assert parsed.recipients[0].classification.reason == "mailbox_full"


def test_qmail_text_bounce_with_quoted_emailtrack_headers():
    raw = b"""\
From: MAILER-DAEMON@mx.example.org
Subject: failure notice

Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<frank@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Message-ID: <orig-9@sender.example>
X-Emailtrack-Campaign: camp-3
"""
    parsed = parse_bounce_message(raw)
    assert (parsed.kind, parsed.format) == ("bounce", "qmail")
    assert [r.address for r in parsed.recipients] == ["frank@example.org"]
    assert parsed.recipients[0].classification.reason == "user_unknown"
    assert (parsed.original_message_id, parsed.campaign_id) == ("<orig-9@sender.example>", "camp-3")


def test_plain_message_is_unknown():
    parsed = parse_bounce_message(b"From: a@example.com\nSubject: hello\n\nhi\n")
    assert (parsed.kind, parsed.recipients) == ("unknown", ())


def test_empty_and_truncated_input_is_unknown():
    assert parse_bounce_message(b"").kind == "unknown"
    truncated = dsn("failed", "5.1.1", "550 user unknown")[:300]
    assert parse_bounce_message(truncated).kind in ("unknown", "bounce")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(raw):
    parsed = parse_bounce_message(raw)
    assert parsed.kind in ("bounce", "complaint", "auto_reply", "delivery_report", "unknown")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=0, max_value=4000))
def test_corrupted_reports_never_raise(noise, cut):
    for base in (dsn("failed", "5.1.1", "550 5.1.1 unknown"), ARF):
        parse_bounce_message(base[:cut] + noise + base[cut:])


def test_a_failure_stating_no_cause_is_undefined_and_soft():
    """A bare "Status: 5.0.0" with an empty diagnostic says nothing about the address: undefined
    and soft (Sisimai's softbounce for undefined), never a suppression on no evidence."""
    raw = b"""\
From: Mail Delivery System <MAILER-DAEMON@mx.sender.example>
To: bounces@sender.example
Subject: Delivery report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.sender.example

Final-Recipient: rfc822; alice@example.org
Action: failed
Status: 5.0.0

--B--
"""
    (first,) = parse_bounce_message(raw).recipients
    assert (first.classification.reason, first.classification.bounce_type) == ("undefined", "soft")
    assert first.status == "5.0.0"


def test_postfix_text_bounce_reads_the_wrapped_reply_whole():
    """Postfix 2.3+ without a DSN part: "This is the mail system at host ..." names the
    layout, and the recipient's reply wrapped over indented lines is read whole."""
    raw = (
        b"From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)\n"
        b"To: bounces@sender.example\nSubject: Undelivered Mail Returned to Sender\n\n"
        b"This is the mail system at host mx.sender.example.\n\n"
        b"I'm sorry to have to inform you that your message could not\n"
        b"be delivered to one or more recipients. It's attached below.\n\n"
        b"<alice@example.org>: host mx.example.org[192.0.2.1] said: 553 5.6.0 host\n"
        b"    unknown\n"
    )
    parsed = parse_bounce_message(raw)
    (recipient,) = parsed.recipients
    assert parsed.format == "postfix"
    assert recipient.classification.reason == "host_unknown"
    assert recipient.diagnostic.endswith("host unknown")


def test_postfix_text_bounce_naming_a_provider_host_stays_postfix():
    """The remote host's name (Office 365 here) does not make Postfix's notice an NDR."""
    raw = (
        b"From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)\n"
        b"To: bounces@sender.example\nSubject: Undelivered Mail Returned to Sender\n\n"
        b"This is the mail system at host mx.sender.example.\n\n"
        b"<alice@example.org>: host\n"
        b"    example-org.mail.protection.outlook.com[192.0.2.1] said: 550 5.1.10\n"
        b"    RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\n"
        b"    (in reply to RCPT TO command)\n"
    )
    parsed = parse_bounce_message(raw)
    (recipient,) = parsed.recipients
    assert parsed.format == "postfix"
    assert "RecipientNotFound" in recipient.diagnostic
    assert recipient.classification.reason == "user_unknown"


def test_eight_bit_text_labelled_us_ascii_is_read_as_utf8():
    """MTAs label their own text us-ascii and quote a remote reply in UTF-8: valid UTF-8 is
    read as such, not as replacement characters."""
    raw = (
        "From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)\n"
        "To: bounces@sender.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 8bit\n\n"
        "This is the mail system at host mx.sender.example.\n\n"
        "<ann@example.fr>: host mx.example.fr[192.0.2.1] said: 550 5.1.1 Adresse inconnue :\n"
        "    boîte ann introuvable (in reply to RCPT TO command)\n"
    ).encode()
    (failed,) = parse_bounce_message(raw).recipients
    assert "inconnue : boîte ann introuvable" in failed.diagnostic
    assert failed.classification.reason == "user_unknown"


def test_unexplained_local_delivery_failure_is_a_mailer_error():
    """Diagnostic-Code: X-Unix (a local delivery program) or X-Postfix (the MTA's own failure)
    that no rule explains, beside a status naming no cause: the mailer failed (Sisimai's
    mailererror), soft. An SMTP diagnostic alike stays unexplained."""
    for local in ("X-Unix; 127", "X-Postfix; something odd happened"):
        raw = dsn("failed", "5.0.0", "x").replace(b"smtp; x", local.encode())
        for failed in parse_bounce_message(raw).recipients:
            assert (failed.classification.reason, failed.classification.bounce_type) == (
                "mailer_error",
                "soft",
            )
    (smtp, _) = parse_bounce_message(dsn("failed", "5.0.0", "something odd happened")).recipients
    assert smtp.classification.reason == "on_hold"
    named = dsn("failed", "5.0.0", "x").replace(b"smtp; x", b"X-Unix; mailbox full")
    assert parse_bounce_message(named).recipients[0].classification.reason == "mailbox_full"


def test_bad_connection_given_up_stays_a_network_error():
    """A connection failure the MTA gave up on is expired, except X.4.2 (bad connection: it was
    made, then broken), which RFC 3463 and Sisimai's status table name a network error."""
    lost = dsn(
        "failed", "4.4.2", "lost connection with mx.example.org[192.0.2.1] while sending RCPT TO"
    )
    assert parse_bounce_message(lost).recipients[0].classification.reason == "network_error"
    no_answer = dsn(
        "failed", "4.4.1", "connect to mx.example.org[192.0.2.1]:25: Connection timed out"
    )
    assert parse_bounce_message(no_answer).recipients[0].classification.reason == "expired"


POSTFIX_TEXT = """\
From: MAILER-DAEMON@mx.sender.example (Mail Delivery System)
To: bounces@sender.example
Subject: Undelivered Mail Returned to Sender

This is the mail system at host mx.sender.example.

                   The mail system

<ann@example.org> (expanded from <list@example.org>): host
    mx.example.org[192.0.2.1] said: 550 5.1.1 <ann@example.org>: Recipient
    address rejected: User unknown (in reply to RCPT TO command)

<bob@example.net>: host mx.example.net[192.0.2.2] said: 552 5.2.2 Mailbox full
    (in reply to RCPT TO command)

<carol@example.com>: connect to mx.example.com[192.0.2.3]:25: Connection timed
    out
"""


def test_postfix_text_alias_expansion_and_each_recipients_own_status():
    """Postfix's text report names an alias's expansion before the colon ("<ann@...>
    (expanded from <list@...>):"): ann is the recipient, the list its original recipient. A
    recipient whose own text has no status does not take another recipient's."""
    ann, bob, carol = parse_bounce_message(POSTFIX_TEXT.encode()).recipients
    assert (ann.address, ann.original_recipient, ann.status) == (
        "ann@example.org",
        "list@example.org",
        "5.1.1",
    )
    assert (bob.address, bob.status) == ("bob@example.net", "5.2.2")
    assert (carol.address, carol.status, carol.classification.reason) == (
        "carol@example.com",
        "",
        "expired",
    )


def test_a_recipient_without_a_cause_does_not_take_another_recipients():
    """In a layout giving each recipient its own block (qmail's "<address>:" paragraphs), a
    recipient whose block names no cause falls back to the notification without the other
    blocks: one recipient's "over quota" is not another's."""
    raw = (
        b"From: MAILER-DAEMON@mail.example.org\nTo: bounces@sender.example\n"
        b"Subject: failure notice\n\n"
        b"Hi. This is the qmail-send program at mail.example.org.\n"
        b"I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"
        b"<dave@example.org>:\nThis address no longer accepts mail.\n\n"
        b"<erin@example.org>:\nuser is over quota\n\n"
        b"--- Below this line is a copy of the message.\n"
    )
    dave, erin = parse_bounce_message(raw).recipients
    assert (dave.address, dave.classification.reason) == ("dave@example.org", "on_hold")
    assert (erin.address, erin.classification.reason) == ("erin@example.org", "mailbox_full")
