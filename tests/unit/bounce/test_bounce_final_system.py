"""Round 6 of the Sisimai differential (ORACLE.md): the final system's own answers, routes, and
which of a status and a named cause decides.

Exchange 2007+'s categorizer codes (RESOLVER.ADR.RecipNotFound) and qmail-local's "no mailbox
here by that name" are the final system's directory answer: unknown user at any stage but MAIL
FROM (no recipient named yet). A route that does not exist (no route to host, unreachable) stays
network_error when the MTA gives up; only an unanswered host becomes expired. A definitive
status naming a cause of Sisimai's first reason order yields to wording naming a cause placed
before it there. Proofpoint's documented IP-reputation refusal is blocked.
"""

import pytest

from services.bounce.domain import classify_smtp_reply, parse_bounce_message


def _dsn(diagnostic: str, status: str = "5.0.0") -> tuple[str, str]:
    raw = (
        "From: MAILER-DAEMON@relay.sender.example\nTo: bounces@sender.example\n"
        "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <r6@relay.sender.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; relay.sender.example\n\n"
        "Final-Recipient: rfc822; kijitora@example.org\nAction: failed\n"
        f"Status: {status}\nDiagnostic-Code: {diagnostic}\n\n--B--\n"
    )
    (recipient,) = parse_bounce_message(raw.encode()).recipients
    return recipient.classification.reason, recipient.classification.bounce_type


@pytest.mark.parametrize(
    ("diagnostic", "expected"),
    [
        # Exchange's resolver: the recipient is not in the final system's directory.
        ("smtp; 550 RESOLVER.ADR.RecipNotFound; not found", ("user_unknown", "hard")),
        ("smtp; 550 RESOLVER.ADR.ExRecipNotFound; not found", ("user_unknown", "hard")),
        # qmail-local's own answer, relayed without its "(#5.1.1)".
        ("x-unix; Sorry, no mailbox here by that name.", ("user_unknown", "hard")),
        # Other unknown-user wording with no stage stays a filter's refusal.
        ("smtp; 550 user unknown", ("filtered", "soft")),
    ],
)
def test_final_system_directory_answers_need_no_stage(diagnostic, expected):
    assert _dsn(diagnostic) == expected


def test_a_directory_answer_to_mail_from_is_not_about_the_recipient():
    reason, bounce_type = _dsn(
        "smtp; 550 RESOLVER.ADR.RecipNotFound; not found (in reply to MAIL FROM command)"
    )
    assert (reason, bounce_type) == ("on_hold", "soft")


@pytest.mark.parametrize(
    ("diagnostic", "status", "expected"),
    [
        # Postfix gives up after its queue lifetime: a route that does not exist is named.
        (
            "X-Postfix; connect to mx.example.org[192.0.2.1]:25: No route to host",
            "4.4.1",
            ("network_error", "soft"),
        ),
        ("smtp; 5.4.0 host is unreachable", "5.4.0", ("network_error", "soft")),
        # A host that never answered was retried until the queue period ran out.
        (
            "X-Postfix; connect to mx.example.org[192.0.2.1]:25: Connection timed out",
            "4.4.1",
            ("expired", "soft"),
        ),
    ],
)
def test_routing_failures_stay_network_errors_when_given_up(diagnostic, status, expected):
    assert _dsn(diagnostic, status) == expected


@pytest.mark.parametrize(
    "text",
    ["553 5.4.0 bad-recipient", "551 there is no one at this address"],
)
def test_unknown_recipient_wording(text):
    assert classify_smtp_reply(0, "", f"{text} (in reply to RCPT TO command)").reason == (
        "user_unknown"
    )


@pytest.mark.parametrize(
    ("code", "status", "text", "reason"),
    [
        # Wording placed before the status's cause in the order decides.
        (554, "5.1.7", "554 5.1.7 Relay access denied", "no_relaying"),
        (550, "5.2.4", "550 5.2.4 unable to relay for example.org", "no_relaying"),
        (552, "5.5.3", "552 5.5.3 relaying denied", "no_relaying"),
        (550, "5.1.2", "550 5.1.2 user unknown", "user_unknown"),
        # Wording placed after it does not.
        (550, "5.1.7", "550 5.1.7 sender address blocked", "rejected"),
        (550, "5.5.3", "550 5.5.3 blocked using zen.spamhaus.org", "too_many_conn"),
        # A status outside the order (system full) is read after the whole order (round 8a:
        # Sisimai's NoRelaying reads only wording, before any such status's name) ...
        (452, "4.3.1", "452 4.3.1 unable to relay for example.org", "no_relaying"),
        # ... and a moved mailbox's status decides over unknown-address wording.
        (551, "5.1.6", "551 not our customer", "has_moved"),
    ],
)
def test_named_cause_against_definitive_status_follows_the_first_order(code, status, text, reason):
    assert classify_smtp_reply(code, status, text).reason == reason


def test_proofpoint_ip_reputation_refusal_is_blocked():
    # Proofpoint's documented refusal of the sending IP, under a loose security status.
    text = "554 5.7.0 Blocked - see https://ipcheck.proofpoint.com/?ip=192.0.2.1"
    assert classify_smtp_reply(554, "", text, "mx0a-001.pphosted.com").reason == "blocked"
