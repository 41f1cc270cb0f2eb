"""classify_smtp_reply on replies worded as the providers' postmaster pages and common MTAs."""

import pytest

from services.bounce.domain import REASONS, classify_smtp_reply, status_codes

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


@pytest.mark.parametrize(
    ("code", "status", "text", "reason"),
    [
        # A relaying MTA's own "5.1.1" around the remote reply: the reply's words win.
        (550, "5.1.1", "550 [SUSPEND] Mailbox currently suspended", "suspended"),
        (550, "5.1.1", "552 mailbox is full", "mailbox_full"),
        (550, "5.1.1", "550 max message size exceeded", "message_too_big"),
        # Protocol-level classes (X.7.3 security, X.5.x syntax) yield to a named cause.
        (553, "5.7.3", "553 5.7.3 CONTENT REJECT: dspam check", "spam_detected"),
        (501, "5.5.4", "501 5.5.4 recipient does not exist", "user_unknown"),
        (501, "5.5.4", "501 5.5.4 bad parameter", "syntax_error"),
        # X.1.0 (other address status) beside a bare refusal: the address was refused.
        (550, "5.1.0", "550 5.1.0 Address rejected.", "user_unknown"),
        (550, "5.5.0", "550 5.5.0 Address rejected.", "policy_violation"),
        # X.1.3 (bad destination address syntax) is an unknown user, as in Sisimai.
        (501, "5.1.3", "501 5.1.3 bad address", "user_unknown"),
        # A definitive status still beats a later, generic phrase.
        (550, "5.1.1", "550 5.1.1 user unknown; spam filtered", "user_unknown"),
        # X.4.4 (unable to route) is an unknown host when the text names nothing else (as
        # Sisimai's status table names it); routing wording keeps network_error.
        (550, "5.4.4", "550 5.4.4 Unable to deliver", "host_unknown"),
        (451, "4.4.4", "451 4.4.4 mail loop detected", "network_error"),
        # A message over the hop limit is looping (RFC 5321 section 6.3), not too big.
        (554, "", "554 sorry, this message exceeds the maximum number of hops", "network_error"),
        (552, "", "552 message exceeds fixed maximum message size", "message_too_big"),
        # A filter's, a no-mail domain's or a content status decides over later wording
        # (policy, system, virus ...); only the causes Sisimai reads before it outweigh it.
        (550, "5.2.1", "550 5.2.1 temporary local problem", "filtered"),
        (554, "5.6.0", "554 5.6.0 denied by policy", "content_error"),
        (550, "5.2.1", "550 5.2.1 relay access denied", "no_relaying"),
        (554, "5.6.0", "554 5.6.0 message looks like spam", "spam_detected"),
        # 500-507 with text naming no cause: the command or its arguments were refused.
        (501, "5.0.0", "501 5.0.0 ip frequency limited", "syntax_error"),
        (550, "5.0.0", "550 5.0.0 ip frequency limited", "undefined"),
    ],
)
def test_strong_phrases_and_text_first_statuses(code, status, text, reason):
    assert classify_smtp_reply(code, status, text).reason == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # The local delivery agents' own messages (the families Sisimai::MDA documents).
        ("mail.local: user missing home directory", "user_unknown"),
        ("maildrop: cannot find system user", "user_unknown"),
        ("vdeliver: invalid or unknown base user or domain", "user_unknown"),
        ("vdeliver: user name does not refer to a virtual user", "user_unknown"),
        ("mail.local: temporary file write error", "system_error"),
        ("procmail: no space left to finish writing", "system_full"),
        ("maildrop: maildir over quota.", "mailbox_full"),
        ("Quota exceeded (mailbox for user is full)", "mailbox_full"),
    ],
)
def test_local_delivery_agent_messages(text, reason):
    assert classify_smtp_reply(550, "", text).reason == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # The MTA families' own wording (Exim, qmail-ldap, OpenSMTPD, amavisd, Domino ...).
        ("all host address lookups failed permanently", "host_unknown"),
        ("all relevant MX records point to non-existent hosts", "host_unknown"),
        ("Illegal host/domain name found", "host_unknown"),
        ("Destination seem to reject all mails", "not_accepted"),
        ("System not accepting network messages", "not_accepted"),
        ("Requested action not taken: mailbox unavailable (not enough free space)", "system_full"),
        ("malformed address: a@b.example> may not follow <a@b.example", "syntax_error"),
        ("delivery to pipe forbidden", "system_error"),
        ("Unable to contact LDAP server", "system_error"),
        ('Too many "Received" headers - suspected mail loop', "content_error"),
        ("All routes to destination blocked", "network_error"),
        ("Temporary failure in MX lookup", "network_error"),
        ("Message has exceeded maximum hop count", "network_error"),
        ("Could not retrieve credentials", "security_error"),
        ("Mailaddress is administratively disabled", "suspended"),
        ("The message exeeded the maximum size the user accepts", "exceed_limit"),
        ("Domino ディレクトリには見つかりません", "user_unknown"),
        ("Utilisateur ann (ann@example.fr) non répertorié dans l'annuaire Domino", "user_unknown"),
        # The same with its accents mis-decoded (UTF-8 read as Latin-1; an unknown byte).
        ("Utilisateur ann non rÃ©pertoriÃ© dans lâ€™annuaire Domino", "user_unknown"),
        ("Utilisateur ann non r\ufffdpertori\ufffd dans l'annuaire Domino", "user_unknown"),
        ("Cannot route mail to user", "filtered"),
        ("You are not a member of this mailing list", "rejected"),
        ("Duplicated Message-ID", "system_error"),
        ("The user(s) account is temporarily limited.", "suspended"),
        ("User (kijitora@example.jp) unknown.", "user_unknown"),
    ],
)
def test_mta_family_wording(text, reason):
    assert classify_smtp_reply(550, "", text).reason == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # The sending host refused for what it is (Sisimai's Blocked wording; a failed name
        # lookup of its IP is the missing PTR Sisimai 5 split out as RequirePTR).
        ("Access denied. IP name lookup failed", "require_ptr"),
        ("Dynamic/zombied/spam IPs blocked", "blocked"),
        ("Please use the SMTP server of your ISP", "blocked"),
        ("Helo command rejected: Host not found", "blocked"),
        ("SMTP error from remote mail server after initial connection:", "blocked"),
        ("Service not available, closing transmission channel", "blocked"),
        ("Bad sender IP address", "blocked"),
        ("said: 550 blocked", "blocked"),
        ("Rejected due to a poor email reputation score", "bad_reputation"),
        # RFC 5321's 554 "Transaction failed" (SystemError's list); its unsigned-DSN refusal
        # is Rejected's.
        ("554 Transaction failed", "system_error"),
        ("Transaction failed unsigned DSN for <a@b.example>", "rejected"),
        # Exchange's own resolver and DNS codes.
        ("5.1.1 RESOLVER.ADR.ExRecipNotFound; not found", "user_unknown"),
        ("5.5.3 RESOLVER.ADR.RecipLimit; too many recipients", "too_many_conn"),
        ("5.1.4 RESOLVER.ADR.Ambiguous; ambiguous address", "system_error"),
        ("5.4.4 SMTPSEND.DNS.MxLoopback; DNS records point back to this server", "network_error"),
        # Office 365's edge blocking of a recipient not in its directory.
        ("5.4.1 [a@b.example]: Recipient address rejected: Access denied", "user_unknown"),
        # Security and unknown-mailbox wording.
        ("Authentication turned on in your email client", "security_error"),
        ("Executable files are not allowed in compressed files", "security_error"),
        ("Mailbox kijitora does not exist", "user_unknown"),
        ("<kijitora@example.org> not found", "user_unknown"),
        # A sending quota is the sender's rate, a header too big is content, an mbox file
        # over its limit is a full mailbox, an executable attachment a virus risk.
        ("Throttling failure: Daily message quota exceeded", "speeding"),
        ("Header size exceeds maximum permitted", "content_error"),
        ("Mail file size exceeds the maximum size allowed for mail delivery", "mailbox_full"),
        ("It has a potentially executable attachment", "virus_detected"),
        # A named policy keeps its reason even with the word blocked.
        (
            "This message was blocked because its content presents a potential risk",
            "policy_violation",
        ),
    ],
)
def test_sisimai_regex_list_wording(text, reason):
    assert classify_smtp_reply(550, "", text).reason == reason


@pytest.mark.parametrize(
    ("text", "statuses"),
    [
        ("550 5.1.1 user unknown", ["5.1.1"]),
        ("550-5.7.1 blocked; 4.4.7 expired", ["5.7.1", "4.4.7"]),
        ("version 15.1.1 and 1.5.1.1 and 5.1.1.2", []),  # inside longer numbers
        ("x2.0.0 at start", ["2.0.0"]),
        ("5.1.1", ["5.1.1"]),
        ("5.1.10.", ["5.1.10"]),
        (".5.1.1 and 25.1.1", []),  # a dot or digit before the class digit
    ],
)
def test_status_pattern_finds_statuses_not_inside_longer_numbers(text, statuses):
    found = [".".join(m.groups()) for m in status_codes.STATUS_RE.finditer(text)]
    assert found == statuses
