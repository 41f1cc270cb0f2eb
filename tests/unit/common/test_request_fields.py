"""The shared request-field rules: ids, page sizes and page tokens."""

from __future__ import annotations

import base64

import pytest

from emailtrack.common.request_fields import (
    MAX_ID_LENGTH,
    InvalidRequest,
    check_id,
    check_page_size,
    decode_page_token,
    encode_page_token,
)


def test_ids_allow_any_printable_text_within_the_length() -> None:
    for value in ("spring/2026", "Frühling 2026", "a" * MAX_ID_LENGTH, "x?y#z%2F"):
        assert check_id("campaign_id", value) == value
    assert check_id("list_id", "", required=False) == ""


@pytest.mark.parametrize("value", ["", "a\x00b", "tab\there", "zero\u200bwidth", "a" * 257])
def test_ids_refuse_control_characters_empty_and_long_values(value: str) -> None:
    with pytest.raises(InvalidRequest):
        check_id("campaign_id", value)


def test_page_size_defaults_caps_and_refuses_negative() -> None:
    assert check_page_size(0, 50, 500) == 50
    assert check_page_size(7, 50, 500) == 7
    assert check_page_size(10_000, 50, 500) == 500
    with pytest.raises(InvalidRequest):
        check_page_size(-5, 50, 500)


def test_page_tokens_round_trip() -> None:
    token = encode_page_token("c:", "spring/2026 ü")
    assert decode_page_token("c:", token) == "spring/2026 ü"
    assert decode_page_token("c:", "") == ""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "!!",
        "\u00e9",
        _b64(b"c:a\x00b"),  # NUL inside the key (PostgreSQL text cannot hold it)
        _b64(b"x:other-prefix"),
        _b64(b"c:"),
        _b64(b"\xff\xfe"),  # not UTF-8
        _b64(b"c:abc") + "=",  # padded: not the canonical spelling
        "YzphYh",  # unused low bits set: a second spelling of "c:ab"
        "A" * 5000,
    ],
)
def test_page_tokens_refuse_what_this_code_never_issues(token: str) -> None:
    with pytest.raises(InvalidRequest):
        decode_page_token("c:", token)
