"""classify_smtp_reply on wording alone: strong phrases and text-first statuses, local delivery
agents' messages, MTA families' texts and Sisimai's listed expressions; the status pattern."""

import pytest

from services.bounce.domain import classify_smtp_reply, status_codes


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
