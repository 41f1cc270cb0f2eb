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


AOL_HEADERS = (
    'From: "Mail Delivery Subsystem" <MAILER-DAEMON@AOL.com>\nTo: <news@shop.example>\n'
    "Subject: Mail Delivery Problem\n"
)
AOL_BODY = (
    "Your mail to the following recipients could not be delivered because they are not "
    "accepting mail from news@shop.example:\n\tscreenname\n"
)


def test_a_transfer_encoding_field_with_trailing_white_space_still_decodes():
    encoded = single_part(AOL_HEADERS, AOL_BODY, "quoted-printable")
    assert b"=\r\n" in encoded  # a soft line break the text only reads right once decoded
    plain = verdict(encoded)
    assert plain[1] and plain[1][0][0] == "screenname@aol.com"
    spaced = encoded.replace(b"quoted-printable\n", b"quoted-printable \t\n")
    assert verdict(spaced) == plain


def test_a_folded_subject_is_read_unfolded():
    # RFC 5322 2.2.3: folding is white space; "automatic\n reply" is "automatic reply".
    headers = "From: <ann@example.org>\nTo: <news@shop.example>\nSubject: {}\n"
    body = "I am out of the office until Monday.\n"
    one_line = verdict(single_part(headers.format("Automatic reply: Spring news"), body))
    assert one_line[0] == "auto_reply"
    folded = verdict(single_part(headers.format("Automatic\n reply: Spring news"), body))
    assert folded == one_line
