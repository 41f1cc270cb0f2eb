"""classify_smtp_reply on replies worded as the providers' postmaster pages and common MTAs."""

import pytest

from services.bounce.domain import REASONS, classify_smtp_reply

GMAIL = "gmail-smtp-in.l.google.com"
OUTLOOK = "example-com.mail.protection.outlook.com"
YAHOO = "mta5.am0.yahoodns.net"

CASES = [
    # (code, status, text, mx_host, reason, bounce_type, retry)
    (
        550,
        "5.1.1",
        "The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or unnecessary spaces.",
        GMAIL,
        "user_unknown",
        "hard",
        "do_not_retry",
    ),
    (
        452,
        "4.2.2",
        "The email account that you tried to reach is over quota. Please direct "
        "the recipient to https://support.google.com/mail/?p=OverQuotaTemp",
        GMAIL,
        "mailbox_full",
        "soft",
        "retry_later",
    ),
    (
        550,
        "5.2.1",
        "The email account that you tried to reach is disabled.",
        GMAIL,
        "suspended",
        "soft",
        "retry_after_fix",
    ),
    (
        550,
        "5.7.1",
        "Our system has detected that this message is likely unsolicited mail. To "
        "reduce the amount of spam sent to Gmail, this message has been blocked.",
        GMAIL,
        "spam_detected",
        "soft",
        "retry_after_fix",
    ),
    (
        550,
        "5.7.25",
        "The IP address sending this message does not have a PTR record setup, or "
        "the corresponding forward DNS entry does not point to the sending IP.",
        GMAIL,
        "require_ptr",
        "soft",
        "retry_after_fix",
    ),
    (
        550,
        "5.7.26",
        "This message does not have authentication information or fails to pass "
        "authentication checks (SPF or DKIM).",
        GMAIL,
        "auth_failure",
        "soft",
        "retry_after_fix",
    ),
    (
        421,
        "4.7.0",
        "This message is suspicious due to the very low reputation of the sending IP address.",
        GMAIL,
        "bad_reputation",
        "soft",
        "retry_later",
    ),
    (
        552,
        "5.3.4",
        "Your message exceeded Google's message size limits.",
        GMAIL,
        "message_too_big",
        "soft",
        "retry_after_fix",
    ),
    (
        550,
        "5.7.1",
        "Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your "
        "Internet service provider since part of their network is on our block list (S3150).",
        OUTLOOK,
        "blocked",
        "soft",
        "retry_after_fix",
    ),
    (
        550,
        "5.1.10",
        "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        OUTLOOK,
        "user_unknown",
        "hard",
        "do_not_retry",
    ),
    (
        550,
        "5.4.1",
        "Recipient address rejected: Access denied. AS(201806281) "
        "[DM6NAM10FT001.eop-nam10.prod.protection.outlook.com]",
        OUTLOOK,
        "user_unknown",
        "hard",
        "do_not_retry",
    ),
    (
        550,
        "5.7.509",
        "Access denied, sending domain example.com does not pass DMARC "
        "verification and has a DMARC policy of reject.",
        OUTLOOK,
        "auth_failure",
        "soft",
        "retry_after_fix",
    ),
    (
        421,
        "",
        "RP-001 (BAY004-MC1F41) Unfortunately, some messages from 192.0.2.1 weren't "
        "sent. Please try again. We have limits for how many messages can be sent per hour and "
        "per day.",
        "mx1.hotmail.com",
        "speeding",
        "soft",
        "retry_later",
    ),
    (
        554,
        "",
        "delivery error: dd This user doesn't have a yahoo.com account "
        "(someone@yahoo.com) [0] - mta1.mail.bf1.yahoo.com",
        YAHOO,
        "user_unknown",
        "hard",
        "do_not_retry",
    ),
    (
        554,
        "",
        "delivery error: dd Sorry your message to someone@yahoo.com cannot be delivered. "
        "This mailbox is disabled (554.30).",
        YAHOO,
        "suspended",
        "soft",
        "retry_after_fix",
    ),
    (
        421,
        "4.7.0",
        "[TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected "
        "volume or user complaints",
        YAHOO,
        "bad_reputation",  # deferred for the complaints the IP drew (Sisimai 5: badreputation)
        "soft",
        "retry_later",
    ),
    (
        553,
        "5.7.1",
        "[BL21] Connections will not be accepted from 192.0.2.1, because the ip is "
        "in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes",
        YAHOO,
        "blocked",
        "soft",
        "retry_after_fix",
    ),
    (
        554,
        "5.7.9",
        "Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes",
        YAHOO,
        "policy_violation",
        "soft",
        "retry_after_fix",
    ),
    # Generic MTA wording, no provider.
    (
        550,
        "5.1.1",
        "<bob@example.org>: Recipient address rejected: User unknown in local recipient table",
        "",
        "user_unknown",
        "hard",
        "do_not_retry",
    ),
    (550, "", "No such user here", "", "user_unknown", "hard", "do_not_retry"),
    (
        552,
        "",
        "Requested mail action aborted: exceeded storage allocation (mailbox full)",
        "",
        "mailbox_full",
        "soft",
        "retry_later",
    ),
    (
        554,
        "5.7.1",
        "Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
        "",
        "blocked",
        "soft",
        "retry_after_fix",
    ),
    (
        554,
        "5.7.1",
        "<x@example.org>: Relay access denied",
        "",
        "no_relaying",
        "soft",
        "retry_after_fix",
    ),
    (
        550,
        "",
        "Host or domain name not found. Name service error for name=example.invalid",
        "",
        "host_unknown",
        "hard",
        "do_not_retry",
    ),
    (
        554,
        "5.6.0",
        "Message contains invalid header",
        "",
        "content_error",
        "soft",
        "retry_after_fix",
    ),
    # Too many recipients is a session limit, as Sisimai names it (toomanyconn, X.5.3).
    (452, "4.5.3", "Too many recipients", "", "too_many_conn", "soft", "retry_later"),
    (
        421,
        "4.7.0",
        "Too many connections from your IP, slow down",
        "",
        "too_many_conn",
        "soft",
        "retry_later",
    ),
    (
        554,
        "5.7.1",
        "Message rejected because it contains a virus",
        "",
        "virus_detected",
        "soft",
        "retry_after_fix",
    ),
    (
        550,
        "5.1.6",
        "Recipient has moved; no forwarding address",
        "",
        "has_moved",
        "hard",
        "do_not_retry",
    ),
    (556, "5.1.10", "Recipient address has null MX", "", "not_accepted", "hard", "do_not_retry"),
    (
        550,
        "5.1.7",
        "Sender address rejected: Domain not found",
        "",
        "rejected",
        "soft",
        "retry_after_fix",
    ),
    (
        451,
        "4.3.0",
        "Temporary local problem - please try later",
        "",
        "system_error",
        "soft",
        "retry_later",
    ),
    (
        500,
        "5.5.2",
        "Syntax error, command unrecognized",
        "",
        "syntax_error",
        "soft",
        "retry_after_fix",
    ),
    (
        530,
        "5.7.0",
        "Must issue a STARTTLS command first",
        "",
        "failed_starttls",
        "soft",
        "retry_after_fix",
    ),
    (550, "", "Message rejected: looks like spam", "", "spam_detected", "soft", "retry_after_fix"),
    (550, "", "Administrative prohibition", "", "rejected", "soft", "retry_after_fix"),
    # The sender's own address on a list is the sender refused, not the sending IP blocked.
    (550, "", "Sender address has been blacklisted", "", "rejected", "soft", "retry_after_fix"),
    (554, "", "Sender is in my black list", "", "rejected", "soft", "retry_after_fix"),
    (550, "", "Server does not accept mail from you", "", "rejected", "soft", "retry_after_fix"),
    # Bare refusal words yield to the status's meaning, and name a policy refusal without one.
    (550, "5.7.1", "Message rejected", "", "security_error", "soft", "retry_after_fix"),
    (550, "5.2.0", "Message rejected", "", "filtered", "soft", "retry_after_fix"),
    (550, "", "Access denied", "", "policy_violation", "soft", "retry_after_fix"),
    # ... but a loose status that means no refusal (X.4.1 "no answer from host") does not
    # outweigh them.
    (550, "5.4.1", "Message rejected", "", "policy_violation", "soft", "retry_after_fix"),
    (550, "5.7.1", "Denied by policy", "", "policy_violation", "soft", "retry_after_fix"),
    # RFC 3463 codes read as their registry meaning (Sisimai's SMTP::Status names them alike).
    (550, "5.2.4", "", "", "filtered", "soft", "retry_after_fix"),
    (554, "5.3.2", "", "", "not_accepted", "hard", "do_not_retry"),
    (550, "5.1.0", "", "", "user_unknown", "hard", "do_not_retry"),
    # ... while a domain that takes no mail at all is not_accepted.
    (556, "", "Domain does not accept mail", "", "not_accepted", "hard", "do_not_retry"),
    # RFC 5321's bare 554 text names a failure of the transaction, not of the address:
    # system_error, soft (Sisimai's SystemError list has it), so it suppresses no one.
    (554, "", "Transaction failed", "", "system_error", "soft", "retry_later"),
    (554, "", "Failed", "", "undefined", "hard", "do_not_retry"),
    (451, "", "Try again", "", "undefined", "soft", "retry_later"),
    (250, "2.0.0", "OK queued as 12345", "", "delivered", "", "do_not_retry"),
]


@pytest.mark.parametrize(
    ("code", "status", "text", "mx_host", "reason", "bounce_type", "retry"),
    CASES,
    ids=[f"{c[4]}-{i}" for i, c in enumerate(CASES)],
)
def test_classify_provider_and_generic_replies(
    code, status, text, mx_host, reason, bounce_type, retry
):
    result = classify_smtp_reply(code, status, text, mx_host=mx_host)
    assert (result.reason, result.bounce_type, result.retry) == (reason, bounce_type, retry)
    assert result.reason in REASONS
    assert result.matched_rule


def test_status_alone_is_enough():
    result = classify_smtp_reply(0, "5.2.2", "")
    assert (result.reason, result.bounce_type, result.matched_rule) == (
        "mailbox_full",
        "soft",
        "status.5.2.2",
    )


def test_code_and_status_found_in_text_when_not_given():
    result = classify_smtp_reply(0, "", "host mx.example.org said: 550 5.1.1 <a@example.org>...")
    assert (result.reason, result.bounce_type) == ("user_unknown", "hard")


def test_four_hundred_code_makes_any_reason_soft():
    result = classify_smtp_reply(450, "4.1.1", "mailbox unavailable")
    assert (result.bounce_type, result.retry) == ("soft", "retry_later")


def test_provider_named_by_domain_is_tried_first():
    result = classify_smtp_reply(
        550, "", "This user doesn't have a ymail.com account", domain="ymail.com"
    )
    assert result.matched_rule == "yahoo.no_account"


def test_success_quoted_in_transcript_does_not_hide_failure():
    text = "220 mx ready\n250 ok\nRCPT To:<a@example.org>\n552 Message would exceed mailbox quota"
    assert classify_smtp_reply(0, "", text).reason == "mailbox_full"


def test_nothing_known_is_undefined():
    result = classify_smtp_reply(0, "", "")
    assert (result.reason, result.bounce_type, result.matched_rule) == ("undefined", "soft", "none")
