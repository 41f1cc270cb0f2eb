"""Bounce verdicts that must not change when transport rewrites a message without changing its
meaning: one test per cause found, on small messages written here, each sent both ways; and
no verdict of the corpus changing under any rewrite of bench/bounce_invariance.py."""

from __future__ import annotations

import base64
import quopri

import pytest

from services.bounce.domain import parse_bounce_message
from tests.unit.bounce.conftest import load_bench


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


def feedback_report(report_type: str, original_encoding: str, report_encoding: str = "") -> bytes:
    """An RFC 5965 report whose report fields (typed ``report_type``, sent as they are or
    transfer-encoded) name no recipient and whose original comes as a text part (sent as it
    is, or transfer-encoded; "message" attaches it as message/rfc822)."""
    original = single_part(
        "Received: from out1.shop.example by mx.isp.example; Tue, 2 Jun 2026 09:41:00 +0000\n"
        "From: Shop <news@shop.example>\nTo: dana@isp.example\nSubject: News\n"
        "Message-ID: <news-0206@shop.example>\n",
        "News.\n",
    ).replace(b"Content-Type: text/plain\n", b"")
    part = single_part("", original.decode(), original_encoding.replace("message", ""))
    if original_encoding == "message":
        part = part.replace(b"Content-Type: text/plain", b"Content-Type: message/rfc822")
    fields = single_part(
        "", "Feedback-Type: abuse\nUser-Agent: IspFBL/2.0\nVersion: 1\n", report_encoding
    )
    fields = fields.replace(
        b"Content-Type: text/plain\n", f"Content-Type: {report_type}\n".encode()
    )
    head = (
        "From: Abuse Desk <abuse@isp.example>\nTo: abuse@shop.example\nSubject: Spam report\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; "
        'boundary="b0206"\n\n--b0206\nContent-Type: text/plain\n\nAn abuse report.\n--b0206\n'
    )
    return head.encode() + fields + b"\n--b0206\n" + part + b"\n--b0206--\n"


def test_an_original_sent_as_an_encoded_text_part_names_the_complained_recipient():
    plain = verdict(feedback_report("message/feedback-report", ""))
    assert plain == ("complaint", [("dana@isp.example", "feedback", "", "")])
    for encoding in ("base64", "quoted-printable"):
        assert verdict(feedback_report("message/feedback-report", encoding)) == plain


def test_report_fields_in_an_encoded_mislabelled_text_part_are_read():
    # RFC 5965 reports whose generator typed the report part text/plain (arf.feedback_part)
    plain = verdict(feedback_report("text/plain", "message"))
    assert plain == ("complaint", [("dana@isp.example", "feedback", "", "")])
    assert verdict(feedback_report("text/plain", "message", report_encoding="base64")) == plain


@pytest.fixture(scope="module")
def changed_verdicts() -> dict[str, tuple[int, list[str]]]:
    harness = load_bench("bounce_invariance.py")
    return harness.changed_verdicts(harness.messages())


REWRITES = [*load_bench("mail_transforms.py").TRANSFORMS, "null-return-path", "domain-case"]


@pytest.mark.parametrize("rewrite", REWRITES)
def test_no_verdict_of_the_corpus_changes_under_a_transport_rewrite(rewrite, changed_verdicts):
    applied, changes = changed_verdicts[rewrite]
    assert applied or rewrite == "mbox-from-quoting"  # (no corpus body line starts "From ")
    assert changes == []


def encoded_word(text: str) -> str:
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def test_a_failure_subject_sent_as_encoded_words_is_read_decoded():
    # a failure notice known by its subject alone (it names no full address)
    headers = "From: Mail System <mail@relay.example>\nTo: news@shop.example\nSubject: {}\n"
    body = "Not delivered to dylan.\n"
    plain = verdict(single_part(headers.format("Undeliverable: News"), body))
    assert plain[0] == "bounce"
    encoded = encoded_word("Undeliverable: News")
    assert verdict(single_part(headers.format(encoded), body)) == plain


def test_a_complaint_subject_sent_as_encoded_words_is_read_decoded():
    # Microsoft's JMRP layout (Sisimai::ARF): known by its sender and subject
    jmrp = (
        "From: staff@hotmail.com\nTo: abuse@shop.example\nSubject: {}\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="j1"\n\n--j1\nContent-Type: text/plain\n\n'
        "A complaint.\n--j1\nContent-Type: message/rfc822\n\nFrom: news@shop.example\n"
        "To: eve@hotmail.com\nSubject: News\n\nNews.\n--j1--\n"
    )
    subject = "complaint about message from 192.0.2.1"
    plain = verdict(jmrp.format(subject).encode())
    assert plain == ("complaint", [("eve@hotmail.com", "feedback", "", "")])
    assert verdict(jmrp.format(encoded_word(subject)).encode()) == plain
