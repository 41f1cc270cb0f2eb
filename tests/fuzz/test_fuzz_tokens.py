"""Token verification on arbitrary and altered tokens: InvalidToken or genuine claims,
never another exception."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from emailtrack.common.tokens import InvalidToken, TokenKeys, sign, verify
from emailtrack.v1 import events_pb2

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEYS = TokenKeys.parse("k1:" + "a" * 43 + ",k2:" + "b" * 43)


def genuine(campaign: str, link: str) -> str:
    claims = events_pb2.TokenClaims(
        tenant_id="t",
        campaign_id=campaign,
        message_id="m",
        recipient_id="r",
        kind=events_pb2.HIT_KIND_CLICK,
        link_url=link,
    )
    claims.sent_at.FromDatetime(NOW)
    return sign(claims, KEYS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.text(alphabet="v1.k2abcAZ09-_=", max_size=200))
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
    try:
        claims = verify(altered, KEYS, NOW)
    except InvalidToken:
        return
    # a no-op change, or one in the unused low bits of the tag's last character
    assert claims == original
