"""The bounce parser and the SMTP reply classifier on arbitrary input: no exception."""

from __future__ import annotations

from typing import get_args

from hypothesis import given, settings
from hypothesis import strategies as st

from services.bounce.domain import classify_smtp_reply, parse_bounce_message
from services.bounce.domain.parse import Kind

HEADER_LINES = st.sampled_from(
    [
        "From: MAILER-DAEMON@example.com",
        "Subject: Undelivered Mail Returned to Sender",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=B",
        "Content-Type: message/delivery-status",
        "Content-Type: message/feedback-report",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: base64",
        "Content-Transfer-Encoding: quoted-printable",
        "Final-Recipient: rfc822; a@example.com",
        "Action: failed",
        "Status: 5.1.1",
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown",
        "--B",
        "--B--",
        "X-Emailtrack-Message-Id: m1",
        "",
    ]
)
messages = st.lists(HEADER_LINES | st.text(max_size=40), max_size=30).map(
    lambda lines: "\r\n".join(lines).encode("utf-8", "surrogatepass")
)


@settings(max_examples=300, deadline=None)
@given(messages | st.binary(max_size=2000))
def test_parse_bounce_message_never_raises(raw: bytes) -> None:
    parsed = parse_bounce_message(raw)
    assert parsed.kind in get_args(Kind)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(-1000, 100_000),
    st.text(max_size=12) | st.from_regex(r"[245]\.\d{1,3}\.\d{1,3}", fullmatch=True),
    st.text(max_size=200),
    st.text(max_size=40),
    st.text(max_size=40),
)
def test_classify_smtp_reply_never_raises(
    code: int, status: str, text: str, mx_host: str, domain: str
) -> None:
    classify_smtp_reply(code, status, text, mx_host, domain)
