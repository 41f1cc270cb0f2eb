"""Receivers' own published error codes (rhost_rules) decide the reason, for their hosts only.
The replies are the receivers' documented wording (Exchange Online, Cox, GoDaddy, Orange,
Spectrum, i.ua,
Tencent QQ, KDDI postmaster pages as Sisimai's Rhost tables quote them)."""

import pytest

from services.bounce.domain import classify_smtp_reply
from services.bounce.domain.rhost_rules import receiver_reason


@pytest.mark.parametrize(
    ("text", "mx_host", "domain", "reason"),
    [
        ("554 5.7.1 Service unavailable; AUP#CXBL", "mx.cox.net", "cox.net", "blocked"),
        ("550 5.1.1 recipient rejected. AUP#CXRCPT", "", "cox.net", "user_unknown"),
        (
            "554 Connection refused. This IP is listed on the Spamhaus Block List (SBL). IB104",
            "smtp.secureserver.net",
            "example.com",
            "blocked",
        ),
        (
            "550 5.5.0 Les emails envoyes vers la messagerie Laposte.net ont ete bloques. "
            "LPN007_510",
            "",
            "laposte.net",
            "blocked",
        ),
        ("421 4.7.0 AUP#1350 too many messages", "", "charter.net", "too_many_conn"),
        (
            "550 Envelope rejected - block policy for envelope from address",
            "eu-smtp-inbound-1.mimecast.com",
            "",
            "rejected",
        ),
        ("554 Maximum email size exceeded", "eu-smtp-inbound.mimecast.com", "", "message_too_big"),
        # Exchange Online's NDR texts, from its hosts (named in the reply or as the MX).
        (
            "550 5.7.606 Access denied, banned sending IP [192.0.2.1]",
            "example-com.mail.protection.outlook.com",
            "example.com",
            "blocked",
        ),
        (
            "550 5.7.1 Service unavailable, Client host [192.0.2.1] ... Client was not "
            "authenticated [BN8NAM12FT052.eop-nam12.prod.protection.outlook.com]",
            "",
            "example.com",
            "no_relaying",
        ),
        (
            "550 5.2.122 The recipient has exceeded their limit for the number of messages",
            "example-com.mail.protection.outlook.com",
            "",
            "too_many_conn",
        ),
        ("550 Mailbox not found. http://err.i.ua/err/2", "mx.email.ua", "i.ua", "user_unknown"),
        ("550 Mail is rejected by recipients", "mx3.qq.com", "qq.com", "filtered"),
        ("550 <a@ezweb.ne.jp>: User unknown", "", "ezweb.ne.jp", "user_unknown"),
    ],
)
def test_receiver_codes(text, mx_host, domain, reason):
    assert classify_smtp_reply(0, "", text, mx_host, domain).reason == reason


def test_a_receivers_table_needs_its_host():
    # Cox's "recipient rejected" is its unknown-user wording; elsewhere it says nothing.
    assert receiver_reason("550 recipient rejected", "mx.example.org", "example.org") == ("", "")
    assert receiver_reason("550 recipient rejected", "", "cox.net") == ("user_unknown", "cox")


def test_a_receiver_code_outside_its_table_falls_through():
    # Orange's code 105 has no documented meaning: the generic rules decide.
    assert receiver_reason("550 OFR_105 mailbox full", "", "orange.fr") == ("", "")
    assert classify_smtp_reply(0, "", "550 OFR_105 mailbox full", "", "orange.fr").reason == (
        "mailbox_full"
    )
