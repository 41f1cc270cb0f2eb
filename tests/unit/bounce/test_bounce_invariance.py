"""Bounce verdicts that must not change when transport rewrites a message without changing its
meaning (bench/bounce_invariance.py counts them over the corpus): one test per cause found, on
small messages written here, each sent both ways."""

from __future__ import annotations

import base64
import quopri

from services.bounce.domain import parse_bounce_message


def verdict(raw: bytes) -> tuple[str, list[tuple[str, str, str, str]]]:
    parsed = parse_bounce_message(raw)
    recipients = [
        (r.address, r.classification.reason, r.classification.bounce_type, r.status)
        for r in parsed.recipients
    ]
    return parsed.kind, sorted(recipients)


def single_part(headers: str, body: str, encoding: str = "") -> bytes:
    """A one-part text message; its body sent as it is or base64/quoted-printable encoded."""
    data = body.replace("\n", "\r\n").encode()
    if encoding == "base64":
        data = base64.encodebytes(data)
    elif encoding == "quoted-printable":
        data = quopri.encodestring(data)
    cte = f"Content-Transfer-Encoding: {encoding}\n" if encoding else ""
    return (headers + "Content-Type: text/plain\n" + cte + "\n").encode() + data


# A layout that only flufl.bounce's detectors read (SMTP32's "Failed addresses follow").
SMTP32_HEADERS = (
    "From: <MAILER-DAEMON@mail.example.net>\nTo: news@shop.example\n"
    "Subject: mail failed, returning to sender\n"
)
SMTP32_BODY = (
    "|------------------------- Message log follows: -------------------------|\n"
    " no valid recipients were found for this message\n"
    "|------------------------- Failed addresses follow: ---------------------|\n"
    " ann@example.org ... unknown host\n"
    "|------------------------- Message text follows: ------------------------|\n"
)


def test_a_layout_read_by_the_flufl_detectors_is_read_when_base64_encoded():
    plain = verdict(single_part(SMTP32_HEADERS, SMTP32_BODY))
    assert plain[1] and plain[1][0][0] == "ann@example.org"
    assert verdict(single_part(SMTP32_HEADERS, SMTP32_BODY, "base64")) == plain
