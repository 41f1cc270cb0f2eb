"""Token verification on arbitrary and altered tokens: InvalidToken or genuine claims,
never another exception."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emailtrack.common.tokens import InvalidToken, TokenKeys, sign, verify
from emailtrack.v1 import events_pb2

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEYS = TokenKeys.parse("k1:" + "a" * 43 + ",k2:" + "b" * 43)
V1_KEYS = TokenKeys.parse("k1:" + "a" * 43 + ",k2:" + "b" * 43, version="v1")


def genuine(campaign: str, link: str, keys: TokenKeys = KEYS) -> str:
    claims = events_pb2.TokenClaims(
        tenant_id="t",
        campaign_id=campaign,
        message_id="m",
        recipient_id="r",
        kind=events_pb2.HIT_KIND_CLICK,
        link_url=link,
    )
    claims.sent_at.FromDatetime(NOW)
    return sign(claims, keys)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="v12.k2abcAZ09-_=", max_size=200))
def test_arbitrary_text_is_rejected_cleanly(token: str) -> None:
    with contextlib.suppress(InvalidToken):
        verify(token, KEYS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=80), st.data())
def test_altered_tokens_are_rejected_and_genuine_ones_verify(
    campaign: str, link: str, data: st.DataObject
) -> None:
    token = genuine(campaign, link)
    original = verify(token, KEYS, NOW)
    assert original.campaign_id == campaign
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.characters(codec="ascii"))
    altered = token[:position] + replacement + token[position + 1 :]
    if altered == token:
        return
    with pytest.raises(InvalidToken):  # canonical base64: every real change is rejected
        verify(altered, KEYS, NOW)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=80), st.data())
def test_altered_v1_tokens_in_mail_already_sent_are_rejected(
    campaign: str, link: str, data: st.DataObject
) -> None:
    token = genuine(campaign, link, V1_KEYS)
    assert verify(token, KEYS, NOW).campaign_id == campaign
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.characters(codec="ascii"))
    altered = token[:position] + replacement + token[position + 1 :]
    if altered == token:
        return
    with pytest.raises(InvalidToken):
        verify(altered, KEYS, NOW)
