"""Readers for the layouts of MTA families we hold no real message of (issue 14): each shape on
a small message written here in the layout the family's Sisimai::Lhost module documents
(synthetic, like tests/data/bounces/synthetic/), through the whole parse."""

from __future__ import annotations

import json

from services.bounce.domain import parse_bounce_message
from services.bounce.domain.parse import ParsedBounce

RETURNED = """Return-Path: <sender@sender.example>
From: Sender <sender@sender.example>
To: ann@example.org
Subject: News
Message-ID: <20260101.1A2B@mail.sender.example>

Hello.
"""


def parse(headers: str, body: str) -> ParsedBounce:
    return parse_bounce_message(f"{headers}\n{body}".encode())


def found(parsed: ParsedBounce) -> dict[str, tuple[str, str]]:
    return {
        r.address: (r.classification.reason, r.classification.bounce_type)
        for r in parsed.recipients
    }


def test_sendmail_v5_verdict_lines_name_every_recipient_with_the_remote_reply():
    parsed = parse(
        "From: MAILER-DAEMON@mx.example.org\nTo: sender@sender.example\n"
        "Subject: Returned mail: User unknown\n",
        "   ----- Transcript of session follows -----\n"
        ">>> RCPT To:<ann@example.org>\n<<< 552 4.2.2 <ann@example.org>... Mailbox full\n"
        "552 <ann@example.org>... Mailbox full\n550 <bob@example.net>... User unknown\n\n"
        f"   ----- Unsent message follows -----\n{RETURNED}",
    )
    assert set(found(parsed)) == {"ann@example.org", "bob@example.net"}
    ann = next(r for r in parsed.recipients if r.address == "ann@example.org")
    assert ann.status == "4.2.2"  # the remote server's reply in the transcript says more


def test_kddi_could_not_be_delivered_to_with_a_colon():
    parsed = parse(
        "From: no-reply@ezweb.dion.ne.jp\nTo: sender@sender.example\nSubject: Returned mail\n",
        "Your mail sent on: Sun, 12 Apr 2026 18:30:10 +0900\n"
        "  Could not be delivered to: <ann@ezweb.ne.jp>\n  As their mailbox is full.\n",
    )
    assert found(parsed) == {"ann@ezweb.ne.jp": ("mailbox_full", "soft")}


def test_fml_notice_names_the_address_closing_its_sentence():
    parsed = parse(
        "From: members-admin@lists.example.jp\nTo: sender@sender.example\n"
        "Subject: NOT MEMBER article from sender@sender.example\nX-MLServer: fml [fml 8.0]\n"
        "Message-Id: <20260412183100.FML12345@lists.example.jp>\n",
        "You are not a member of this mailing list <members@lists.example.jp>.\n",
    )
    assert parsed.kind == "bounce"
    assert found(parsed) == {"members@lists.example.jp": ("rejected", "soft")}


def test_a_label_stating_the_cause_is_the_diagnostic():
    parsed = parse(
        "From: postmaster@mail.example.org\nTo: sender@sender.example\n"
        "Subject: Undeliverable Mail\nX-Mailer: <SMTP32 v8.22>\n",
        "Unknown user: ann@example.org\n\nOriginal message follows.\n",
    )
    assert found(parsed) == {"ann@example.org": ("user_unknown", "hard")}


def test_messaging_server_recipient_blocks_keep_their_own_reply():
    """Oracle Messaging Server lists each recipient as a block of fields ("Recipient address:",
    "Reason:", "Diagnostic code:"); each recipient is classified by its own block."""
    block = (
        "  Recipient address: {0}\n"
        "  Reason: Remote SMTP server has rejected address\n"
        "  Diagnostic code: smtp;{1}\n"
        "  Remote system: dns;mx.example.org (TCP|192.0.2.1|2525|192.0.2.2|25)\n\n"
    )
    parsed = parse(
        "From: Internet Mail Delivery <postmaster@ms.example.org>\nTo: sender@sender.example\n"
        "Subject: Delivery Notification: Delivery has failed\n",
        "Your message cannot be delivered to the following recipients:\n\n"
        + block.format("ann@example.org", "550 5.1.1 <ann@example.org>... User unknown")
        + block.format("bob@example.org", "552 5.2.2 <bob@example.org>... Mailbox full"),
    )
    assert found(parsed) == {
        "ann@example.org": ("user_unknown", "hard"),
        "bob@example.org": ("mailbox_full", "soft"),
    }
    assert [r.status for r in parsed.recipients] == ["5.1.1", "5.2.2"]


def test_zoho_address_reason_lines_and_a_quoted_message_id_is_no_recipient():
    parsed = parse(
        "From: mailer-daemon@mail.zoho.com\nTo: sender@sender.example\n"
        "Subject: Undelivered Mail Returned to Sender\n",
        "This message was created automatically by mail delivery software.\n\n"
        "ann@example.org Host not reachable\n"
        "bob@example.net Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 User unknown\n\n"
        f"Received:from mail.zoho.com by mx.zohomail.com\n{RETURNED}",
    )
    assert found(parsed) == {
        "ann@example.org": ("expired", "soft"),
        "bob@example.net": ("user_unknown", "hard"),
    }


def test_gmx_quotes_the_failed_address_in_its_exim_layout():
    parsed = parse(
        'From: "Mail Delivery System" <mailer-daemon@gmx.net>\nTo: sender@sender.example\n'
        "Subject: Mail delivery failed: returning message to sender\n",
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of\n"
        "its recipients. This is a permanent error. The following address\nfailed:\n\n"
        '"ann@example.org":\ndelivery retry timeout exceeded\n',
    )
    assert found(parsed) == {"ann@example.org": ("expired", "soft")}


def test_verizon_names_the_recipient_on_the_line_after_its_failure_sentence():
    parsed = parse(
        "From: sysadmin@mms.vzwpix.com\nTo: sender@sender.example\n"
        "Subject: Message could not be delivered\n",
        "Message could not be delivered to mobile.\nTo: 2125550100@vzwpix.com\n"
        "From: sender@sender.example\nError: No valid recipients for this MM\n",
    )
    assert found(parsed) == {"2125550100@vzwpix.com": ("user_unknown", "hard")}


def test_written_in_dsn_groups_that_start_with_action_keep_every_recipient():
    parsed = parse(
        "From: MAILER-DAEMON@amazonses.example\nTo: sender@sender.example\n"
        "Subject: Undelivered: News\n",
        "Technical report:\n\nReporting-MTA: dsn; a1.smtp-out.example\n\n"
        "Action: failed\nFinal-Recipient: rfc822; ann@example.org\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\nStatus: 5.2.2\n"
        "Action: failed\nFinal-Recipient: rfc822; bob@example.net\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\nStatus: 5.1.1\n",
    )
    assert found(parsed) == {
        "ann@example.org": ("mailbox_full", "soft"),
        "bob@example.net": ("user_unknown", "hard"),
    }


def test_powermta_bounce_category_is_its_verdict():
    parsed = parse(
        "From: postmaster@pmta.example.org\nTo: sender@sender.example\nSubject: Delivery report\n"
        'MIME-Version: 1.0\nContent-Type: multipart/report; boundary="b"\n',
        "--b\nContent-Type: text/plain\n\nHello, this is the mail server on pmta.example.org.\n\n"
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; pmta.example.org\n\n"
        "Final-Recipient: rfc822; ann@example.org\nAction: failed\nStatus: 5.0.0\n"
        "Diagnostic-Code: smtp; 550 Rejected\nX-PowerMTA-BounceCategory: quota-issues\n\n--b--\n",
    )
    assert found(parsed) == {"ann@example.org": ("mailbox_full", "soft")}


def test_facebook_response_code_names_the_cause():
    parsed = parse(
        "From: Facebook <mailer-daemon@mx.facebook.com>\nTo: sender@sender.example\n"
        "Subject: Sorry, your message could not be delivered\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; boundary="b"\n',
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; 10.1.2.3\n\n"
        "Final-Recipient: rfc822; ann@facebook.com\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 RCP-P2 Refused due to recipient preferences\n\n--b--\n",
    )
    assert found(parsed) == {"ann@facebook.com": ("filtered", "soft")}


def test_office365_headline_names_the_recipient():
    parsed = parse(
        "From: Microsoft Outlook <postmaster@contoso.example>\nTo: sender@sender.example\n"
        "Subject: Undeliverable: News\n",
        "Your message to ann@example.org couldn't be delivered.\n\nOriginal Message Details\n"
        "Recipient Address:      ann@example.org\n",
    )
    assert set(found(parsed)) == {"ann@example.org"}


def test_ses_notification_mail_with_the_sns_signature_after_the_json():
    message = (
        '{"notificationType": "Bounce", "bounce": {"bounceType": "Permanent", '
        '"bouncedRecipients": [{"emailAddress": "ann@example.org", "status": "5.1.1", '
        '"action": "failed", "diagnosticCode": "smtp; 550 5.1.1 User unknown"}]}}'
    )
    envelope = '{"Type": "Notification", "Message": ' + json.dumps(message) + "}"
    parsed = parse(
        "From: AWS Notifications <no-reply@sns.amazonaws.com>\nTo: sender@sender.example\n"
        "Subject: AWS Notification Message\n",
        f"{envelope}\n\n--\nIf you wish to stop receiving notifications from this topic, ...\n",
    )
    assert found(parsed) == {"ann@example.org": ("user_unknown", "hard")}
