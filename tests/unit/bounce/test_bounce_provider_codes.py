"""Large receivers' documented reply codes (issue 14 round 9b): one test per rule written from
tests/data/bounces/synthetic/providers/study.json, and the study set through the parse path."""

import pytest

from services.bounce.domain import classify_smtp_reply
from tests.unit.bounce.conftest import load_bench

GMAIL = "gmail-smtp-in.l.google.com"
OUTLOOK = "example-com.mail.protection.outlook.com"
YAHOO = "mta5.am0.yahoodns.net"


@pytest.mark.parametrize(
    ("code", "status", "text", "mx_host", "reason", "rule"),
    [
        (
            550,
            "5.7.1",
            "The IP you're using to send mail is not authorized to send email directly to our "
            "servers. Please use the SMTP relay at your service provider instead.",
            GMAIL,
            "blocked",
            "google.ip_refused",
        ),
        (
            421,
            "4.7.0",
            "IP not in whitelist for RCPT domain, closing connection.",
            GMAIL,
            "blocked",
            "google.ip_refused",
        ),
        (
            421,
            "4.7.0",
            "TLS required for RCPT domain, closing connection.",
            GMAIL,
            "failed_starttls",
            "google.tls_required",
        ),
        (
            550,
            "5.7.1",
            "Messages missing a valid Message-ID header are not accepted.",
            GMAIL,
            "not_compliant_rfc",
            "google.rfc5322",
        ),
        (
            550,
            "5.7.511",
            "Access denied, banned sender[sender@example.org]. To request removal from this "
            "list, forward this message to delist@microsoft.com.",
            OUTLOOK,
            "blocked",
            "microsoft.blocked",
        ),
        (
            421,
            "",
            "Max message per connection reached, closing transmission channel",
            YAHOO,
            "too_many_conn",
            "yahoo.per_connection",
        ),
    ],
)
def test_a_documented_provider_code_names_its_cause(code, status, text, mx_host, reason, rule):
    found = classify_smtp_reply(code, status, text, mx_host)
    assert (found.reason, found.matched_rule) == (reason, rule)


def test_a_banned_recipient_is_not_a_banned_sender():
    # "banned sender" must not catch Exchange Online's "banned recipient" (a suspended mailbox).
    found = classify_smtp_reply(550, "5.7.1", "Access denied, banned recipient", OUTLOOK)
    assert found.reason == "suspended"


def test_the_study_set_reads_as_its_vendors_document_it():
    providers = load_bench("bounce_providers.py")
    misses = [
        (s.line, s.ours_reason, s.ours_type)
        for s in providers.score(providers.load("study"))
        if (s.ours_reason, s.ours_type) != (s.expected_reason, s.expected_type)
    ]
    assert misses == []
