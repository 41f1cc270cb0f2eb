"""A failure notice McAfee's or MessageLabs' gateway or Hotmail wrote itself, naming an unknown
user in its fixed wording, is user_unknown at any stage (as Sisimai's modules for these
families read it); the same words in any other writer's notice, with no stage proven, stay a
filter's refusal."""

import email

import pytest

from services.bounce.domain import parse_bounce_message
from services.bounce.domain.gateways import HOTMAIL, MCAFEE, MESSAGELABS, gateway_of


def _dsn(headers: str, diagnostic: str) -> bytes:
    return (
        f"{headers}To: sender@sender.example\nMessage-ID: <g1@gateway.example>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="b"\n\n--b\nContent-Type: text/plain\n\nDelivery failed.\n\n'
        "--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; gateway.example\n\n"
        "Final-Recipient: rfc822; kijitora@example.jp\nAction: failed\nStatus: 5.0.0\n"
        f"Remote-MTA: dns; mx.example.jp\nDiagnostic-Code: smtp; {diagnostic}\n\n--b--\n"
    ).encode()


MESSAGELABS_HEADERS = (
    "From: MAILER-DAEMON@messagelabs.com\nSubject: Mail Delivery Failure\n"
    "X-Msg-Ref: server-6.tower-32.messagelabs.com!1700000000!1234!1\n"
)
MCAFEE_HEADERS = (
    "From: postmaster@gateway.example\nSubject: Delivery Status\n"
    "X-NAI-Header: Modified by McAfee Email Gateway\n"
)
HOTMAIL_HEADERS = (
    "From: postmaster@hotmail.com\nSubject: Delivery Status Notification (Failure)\n"
    "X-Message-Delivery: Vj0xLjE7dXM9MDtsPTA7YT0wO0Q9MTtHRD0xO1NDTD0w\n"
    "Received: from BAY0-HMR01.bay0.hotmail.com ([192.0.2.60]) by mail.hotmail.com\n"
)
OTHER_HEADERS = "From: MAILER-DAEMON@mx.example.net\nSubject: Delivery Status Notification\n"


@pytest.mark.parametrize(
    ("headers", "gateway"),
    [
        (MESSAGELABS_HEADERS, MESSAGELABS),
        (MCAFEE_HEADERS, MCAFEE),
        (HOTMAIL_HEADERS, HOTMAIL),
        (OTHER_HEADERS, ""),
        # One Hotmail mark alone (the subject) is any MTA's DSN subject.
        ("From: postmaster@example.net\nSubject: Delivery Status Notification\n", ""),
    ],
)
def test_a_gateway_is_known_by_the_headers_it_writes(headers, gateway):
    assert gateway_of(email.message_from_bytes(_dsn(headers, "550 No such user"))) == gateway


@pytest.mark.parametrize(
    ("headers", "diagnostic", "expected"),
    [
        (MESSAGELABS_HEADERS, "550 No such user", ("user_unknown", "hard")),
        (MCAFEE_HEADERS, "550 Unknown user kijitora@example.jp", ("user_unknown", "hard")),
        (
            HOTMAIL_HEADERS,
            "550 Requested action not taken: mailbox unavailable",
            ("user_unknown", "hard"),
        ),
        # Another writer's notice quoting the same words, no stage proven: filtered.
        (OTHER_HEADERS, "550 No such user", ("filtered", "soft")),
        # The gateway's notice with other wording keeps the stage rule.
        (MESSAGELABS_HEADERS, "550 Recipient unknown", ("filtered", "soft")),
    ],
)
def test_a_gateways_own_unknown_user_wording_stands_at_any_stage(headers, diagnostic, expected):
    (recipient,) = parse_bounce_message(_dsn(headers, diagnostic)).recipients
    classification = recipient.classification
    assert (classification.reason, classification.bounce_type) == expected
