"""Mail that reports no delivery failure: ARF complaints (RFC 5965, RFC 6650, RFC 6591 and the
Microsoft JMRP layout Sisimai::ARF documents), auto-replies (RFC 3834 and the de-facto signals
Sisimai::RFC3834 reads) and DSNs whose recipients were delivered, relayed, expanded or delayed
(RFC 3464, with the RFC 1891-era action spellings). Every message here is synthetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.bounce.domain import parse_bounce_message
from services.bounce.domain.outcomes import outcome_kind, outcomes_from_bounce

ORIGINAL = """\
From: News <news@sender.example>
To: {to}
Subject: Our news
Message-ID: <orig-1@sender.example>
{extra}
Hello
"""


def feedback_report(fields: str, to: str = "kai@example.net", extra: str = "") -> bytes:
    """An RFC 5965 report with the given feedback-report fields and the original attached."""
    return (
        "From: FBL <fbl@isp.example>\nTo: fbl@sender.example\nSubject: FW: Our news\n"
        "Date: Mon, 04 May 2026 09:00:00 +0000\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nThis is an email abuse report.\n\n"
        f"--B\nContent-Type: message/feedback-report\n\n{fields}\n"
        "--B\nContent-Type: message/rfc822\n\n" + ORIGINAL.format(to=to, extra=extra) + "--B--\n"
    ).encode()


def jmrp(sender: str = "staff@hotmail.com", subject_ip: str = "192.0.2.7") -> bytes:
    """Microsoft's pre-ARF JMRP layout: multipart/mixed, the original attached, its recipient
    in X-HmXmrOriginalRecipient."""
    return (
        f"From: {sender}\nTo: jmrp@sender.example\n"
        f"Subject: complaint about message from {subject_ip}\n"
        "Date: Sat, 09 May 2026 03:14:07 -0700\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="J"\n\n'
        "--J\nContent-Type: text/plain\n\nThis is a JMRP report.\n\n"
        "--J\nContent-Type: message/rfc822\n\n"
        "X-HmXmrOriginalRecipient: <lou@hotmail.example>\n"
        + ORIGINAL.format(to="lou@hotmail.example", extra="")
        + "--J--\n"
    ).encode()


@pytest.mark.parametrize("sender", ["staff@hotmail.com", "complaints@email-abuse.amazonses.com"])
def test_microsoft_jmrp_layout_is_a_complaint_about_the_original_recipient(sender):
    parsed = parse_bounce_message(jmrp(sender))
    assert (parsed.kind, parsed.format, parsed.feedback_type) == ("complaint", "arf", "abuse")
    assert [r.address for r in parsed.recipients] == ["lou@hotmail.example"]
    assert parsed.recipients[0].classification.reason == "feedback"
    assert parsed.original_message_id == "<orig-1@sender.example>"


def test_a_multipart_mixed_message_from_elsewhere_is_no_jmrp_report():
    parsed = parse_bounce_message(jmrp("someone@hotmail.example"))
    assert parsed.kind != "complaint"


def test_hotmail_original_recipient_beats_an_undisclosed_to():
    raw = feedback_report(
        "Feedback-Type: abuse\nUser-Agent: Hotmail FBL\nVersion: 0.1\n",
        to="Undisclosed recipients:;",
        extra="X-HmXmrOriginalRecipient: <mo@outlook.example>\n",
    )
    parsed = parse_bounce_message(raw)
    assert [r.address for r in parsed.recipients] == ["mo@outlook.example"]


def test_a_redacted_original_rcpt_to_falls_back_to_the_original_to():
    raw = feedback_report("Feedback-Type: abuse\nVersion: 1\nOriginal-Rcpt-To: redacted@\n")
    assert [r.address for r in parse_bounce_message(raw).recipients] == ["kai@example.net"]


@pytest.mark.parametrize(
    ("feedback_type", "outcome"),
    [("abuse", "complaint"), ("fraud", "complaint"), ("not-spam", None), ("auth-failure", None)],
)
def test_not_spam_and_auth_failure_reports_are_no_complaints(feedback_type, outcome):
    """RFC 6650's not-spam says the recipient wants the mail; RFC 6591's auth-failure reports a
    failed SPF/DKIM/DMARC check, not the recipient's word: neither may suppress the address."""
    raw = feedback_report(f"Feedback-Type: {feedback_type}\nOriginal-Rcpt-To: <kai@example.net>\n")
    parsed = parse_bounce_message(raw)
    assert (parsed.kind, parsed.feedback_type) == ("complaint", feedback_type)
    assert outcome_kind(parsed, parsed.recipients[0]) == outcome
    outcomes = outcomes_from_bounce(parsed, raw, "t", datetime(2026, 5, 4, tzinfo=UTC))
    kinds = [o.kind for o in outcomes]
    assert kinds == ([outcome] if outcome else [])


def delivery_status(action: str, status: str, diagnostic: str = "") -> bytes:
    """An RFC 3464 report on one recipient."""
    code = f"Diagnostic-Code: smtp; {diagnostic}\n" if diagnostic else ""
    return (
        "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.dest.example>\n"
        "To: news@sender.example\nSubject: Delivery report\n"
        "Date: Thu, 21 May 2026 07:07:07 +0000\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="D"\n\n'
        "--D\nContent-Type: text/plain\n\nA report on your message.\n\n"
        "--D\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.dest.example\n\n"
        f"Final-Recipient: rfc822; ned@dest.example\nAction: {action}\nStatus: {status}\n{code}"
        "\n--D--\n"
    ).encode()


@pytest.mark.parametrize(
    ("action", "status", "kind", "outcome", "bounce_type"),
    [
        ("deliverable", "2.1.5", "delivery_report", "delivered", ""),
        ("Delivered", "2.0.0", "delivery_report", "delivered", ""),
        ("relayed (to non-DSN-aware mailer)", "2.0.0", "delivery_report", "delivered", ""),
        ("expired", "4.4.7", "bounce", "deferred", "soft"),
        ("failure", "5.1.1", "bounce", "bounce", "hard"),
    ],
)
def test_rfc1891_action_spellings_read_as_rfc3464_actions(
    action, status, kind, outcome, bounce_type
):
    """RFC 1891-era reports wrote deliverable / expired / failure where RFC 3464 has delivered /
    delayed / failed (Sisimai::RFC1894 maps them so); a success must never become a bounce."""
    parsed = parse_bounce_message(delivery_status(action, status))
    (recipient,) = parsed.recipients
    assert parsed.kind == kind
    assert outcome_kind(parsed, recipient) == outcome
    assert recipient.classification.bounce_type == bounce_type


def test_a_success_status_without_an_action_is_a_delivery():
    parsed = parse_bounce_message(delivery_status("", "2.0.0", "250 2.0.0 OK"))
    assert parsed.kind == "delivery_report"
    assert outcome_kind(parsed, parsed.recipients[0]) == "delivered"


def text_notice(subject: str, body: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.dest.example (Mail Delivery System)\n"
        f"To: news@sender.example\nSubject: {subject}\nDate: Mon, 25 May 2026 10:00:00 +0000\n"
        f"MIME-Version: 1.0\nContent-Type: text/plain\n\n{body}"
    ).encode()


@pytest.mark.parametrize(
    ("subject", "body", "action"),
    [
        (
            "Successful Mail Delivery Report",
            "This is the mail system at host mx.dest.example.\n\nYour message was successfully"
            " delivered to the destination(s)\nlisted below.\n\n                   The mail system"
            "\n\n<zoe@dest.example>: delivery via mx2.dest.example[192.0.2.60]:25: 250 2.0.0 Ok"
            "\n",
            "delivered",
        ),
        (
            "Delivered: Our news",
            "Your message has been delivered to the following recipients:\n\n"
            "zoe@dest.example (zoe@dest.example)\n\nSubject: Our news\n",
            "delivered",
        ),
        (
            "Relayed: Our news",
            "Delivery to these recipients or groups is complete, but no delivery notification was"
            " sent by the destination server:\n\nzoe@dest.example (zoe@dest.example)\n\n"
            "Subject: Our news\n",
            "relayed",
        ),
    ],
)
def test_a_text_success_notice_is_a_delivery_report(subject, body, action):
    """A relay may drop the delivery-status part of a success notice: its text still says the
    recipient was delivered (or relayed), and a delivered recipient must never be a bounce."""
    parsed = parse_bounce_message(text_notice(subject, body))
    (recipient,) = parsed.recipients
    assert (parsed.kind, recipient.address, recipient.action) == (
        "delivery_report",
        "zoe@dest.example",
        action,
    )
    assert recipient.classification.reason == "delivered"
    assert outcome_kind(parsed, recipient) == "delivered"


def test_a_failure_notice_quoting_the_word_delivered_stays_a_bounce():
    body = (
        "This is the mail system at host mx.dest.example.\n\nI'm sorry to have to inform you that"
        " your message could not\nbe delivered to one or more recipients.\n\n<zoe@dest.example>:"
        " host mx2.dest.example said: 550 5.1.1 User unknown (in reply to RCPT TO command)\n"
    )
    parsed = parse_bounce_message(text_notice("Undelivered Mail Returned to Sender", body))
    assert parsed.kind == "bounce"
    assert parsed.recipients[0].classification.reason == "user_unknown"


def reply(headers: str, subject: str) -> bytes:
    return (
        f"From: Pat Doe <pat@example.com>\nTo: news@sender.example\nSubject: {subject}\n"
        f"{headers}Date: Mon, 11 May 2026 09:00:00 +0000\nIn-Reply-To: <orig-1@sender.example>\n"
        "\nI am away until Monday.\n"
    ).encode()


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Automatic reply settings for the shared mailbox",
        "Absence of VAT number on invoice 2026-118",
        "Out of office tomorrow, can we move the call?",
        "Re: why does your auto-reply say I am unsubscribed?",
        "Re: Automatic reply: Product update",
    ],
)
def test_a_subject_that_only_mentions_an_auto_reply_is_no_auto_reply(subject):
    """Sisimai::RFC3834 reads a subject only by the marker an autoresponder puts in front
    ("Auto:", "Automatic reply:", "Out of Office:"); a person's subject may use the words."""
    assert parse_bounce_message(reply("", subject)).kind == "unknown"


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Product update",
        "AUTO: Smith, John is out of the office (returning 05/18/2026)",
        "Out of Office AutoReply: Product update",
        "Auto Response: Product update",
        "[Auto-Reply] Product update",
        "Re: Product update (Automatic Response)",
        "Thank you for your message - Automatic reply",
        "Automatische Antwort: Produktneuheiten",
        "Abwesenheitsnotiz: Produktneuheiten",
        "Réponse automatique : Nouveautés",
        "Respuesta automática: Novedades",
        "Risposta automatica: Novità",
        "Automatisch antwoord: Nieuws",
        "Autosvar: Nyheter",
        "Automaattinen vastaus: Uutiset",
        "Автоответ: Новости",
        "自動応答: お知らせ",
        "Ārpus biroja atrašanās automātiskā atbilde: Jaunumi",
    ],
)
def test_autoresponder_subject_markers_in_several_languages(subject):
    assert parse_bounce_message(reply("", subject)).kind == "auto_reply"


@pytest.mark.parametrize(
    "header", ["Auto-Submitted: auto-generated\n", "X-Apple-Action: vacation\n"]
)
def test_auto_generated_and_apple_vacation_replies_are_auto_replies(header):
    """RFC 3834 section 5: any Auto-Submitted value but "no" marks automatic mail (Exchange's
    out-of-office replies say auto-generated); iCloud marks its vacation replies X-Apple-Action."""
    parsed = parse_bounce_message(reply(header, "Re: Product update"))
    assert parsed.kind == "auto_reply"
    assert parsed.recipients[0].classification.reason == "vacation"


def test_a_failure_notice_marked_auto_generated_stays_a_bounce():
    raw = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.dest.example>\n"
        b"To: news@sender.example\nSubject: Returned mail: see transcript for details\n"
        b"Auto-Submitted: auto-generated (failure)\nDate: Mon, 11 May 2026 09:00:00 +0000\n\n"
        b"   ----- The following addresses had permanent fatal errors -----\n<ole@dest.example>\n"
        b"    (reason: 550 5.1.1 User unknown)\n"
    )
    parsed = parse_bounce_message(raw)
    assert parsed.kind == "bounce"
    assert [r.address for r in parsed.recipients] == ["ole@dest.example"]


def test_a_feedback_report_with_a_mislabelled_report_part_is_still_a_complaint():
    """RFC 5965 section 2: the top-level report-type says feedback-report; the fields may sit in
    a part a generator labelled text/plain."""
    raw = feedback_report("Feedback-Type: abuse\nOriginal-Rcpt-To: <kai@example.net>\n")
    raw = raw.replace(b"Content-Type: message/feedback-report", b"Content-Type: text/plain")
    parsed = parse_bounce_message(raw)
    assert (parsed.kind, parsed.feedback_type) == ("complaint", "abuse")
    assert [r.address for r in parsed.recipients] == ["kai@example.net"]


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        (
            "Delayed Mail (still being retried)",
            "This is the mail system at host mx.relay.example.\n\n"
            "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n\n"
            "<ann@soft.example>: host mx.soft.example[203.0.113.9] said: 450 4.1.1 <ann@soft."
            "example>: Recipient address rejected: User unknown (in reply to RCPT TO command)\n",
        ),
        (
            "Warning: could not send message for past 4 hours",
            "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
            "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n\n"
            "   ----- Transcript of session follows -----\n"
            "<ann@soft.example>... Deferred: 452 4.2.2 Mailbox full\n"
            "Will keep trying until message is 5 days old\n",
        ),
        (
            "Delivery delayed:News",
            "Delivery is delayed to these recipients or groups:\n\nann@soft.example "
            "(ann@soft.example)\n\nSubject: News\n\nThis message hasn't been delivered yet. "
            "Delivery will continue to be attempted.\n\nDiagnostic information for "
            "administrators:\n\nann@soft.example\nRemote Server returned '400 4.4.7 Message "
            "delayed'\n",
        ),
    ],
)
def test_a_text_warning_is_a_deferral_never_a_bounce(subject, body):
    """Postfix's, Sendmail's and Exchange's delay warnings without their delivery-status part:
    the MTA is still retrying, so the recipient is deferred, whatever the remote server said."""
    parsed = parse_bounce_message(text_notice(subject, body))
    (recipient,) = parsed.recipients
    assert (recipient.address, recipient.action) == ("ann@soft.example", "delayed")
    assert outcome_kind(parsed, recipient) == "deferred"


@pytest.mark.parametrize(
    ("sender", "to", "subject"),
    [
        ("root@host.sender.example", "news@sender.example", "Cron <root@host> backup"),
        ("ops@sender.example", "root@host.sender.example", "Automatic reply: backup"),
        ("sudo@host.sender.example", "news@sender.example", "*** SECURITY information for host"),
    ],
)
def test_system_mail_is_no_auto_reply(sender, to, subject):
    """Sisimai::RFC3834 refuses mail from or to root@ and sudo's security notices: automatic,
    but no reply to a message."""
    raw = (
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nAuto-Submitted: auto-generated\n"
        "Date: Sat, 30 May 2026 03:00:01 +0000\n\nrotated 3 mailboxes\n"
    ).encode()
    assert parse_bounce_message(raw).kind != "auto_reply"


def test_an_original_attached_as_text_still_names_the_complained_recipient():
    """RFC 5965 section 2 (d): the third part is the original or its header; a generator may
    label it text/plain. Its To names the recipient, its Message-ID the message complained of."""
    raw = feedback_report("Feedback-Type: abuse\nVersion: 1\n")
    raw = raw.replace(b"--B\nContent-Type: message/rfc822", b"--B\nContent-Type: text/plain")
    parsed = parse_bounce_message(raw)
    assert [r.address for r in parsed.recipients] == ["kai@example.net"]
    assert parsed.original_message_id == "<orig-1@sender.example>"
