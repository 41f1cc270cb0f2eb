from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailtrack.common.config import ConfigError
from emailtrack.common.tokens import InvalidToken, TokenKeys, sign, verify
from emailtrack.v1 import events_pb2

SECRET_A = "a" * 43
SECRET_B = "b" * 43


def claims(**overrides: object) -> events_pb2.TokenClaims:
    c = events_pb2.TokenClaims(
        tenant_id="t1",
        campaign_id="c1",
        message_id="m1",
        recipient_id="r1",
        kind=events_pb2.HIT_KIND_CLICK,
        link_url="https://example.com/a?b=c",
        link_index=3,
    )
    c.sent_at.FromDatetime(datetime(2026, 11, 1, tzinfo=UTC))
    for k, v in overrides.items():
        setattr(c, k, v)
    return c


NOW = datetime(2026, 11, 24, tzinfo=UTC)


def test_round_trip_is_url_safe_and_keeps_claims() -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}")
    token = sign(claims(), keys)
    assert all(ch.isalnum() or ch in "-_." for ch in token)
    decoded = verify(token, keys, now=NOW)
    assert decoded.key_id == "k1"
    assert decoded.link_url == "https://example.com/a?b=c"
    assert decoded.link_index == 3


def test_altered_claims_are_rejected() -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}")
    version, kid, _payload, tag = sign(claims(), keys).split(".")
    other = sign(claims(link_url="https://evil.example"), keys).split(".")[2]
    with pytest.raises(InvalidToken, match="signature"):
        verify(".".join([version, kid, other, tag]), keys, now=NOW)


def test_forged_signature_and_unknown_key_are_rejected() -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}")
    forged = sign(claims(), TokenKeys.parse(f"k1:{SECRET_B}"))
    with pytest.raises(InvalidToken):
        verify(forged, keys, now=NOW)
    with pytest.raises(InvalidToken, match="unknown key"):
        verify(sign(claims(), TokenKeys.parse(f"k9:{SECRET_A}")), keys, now=NOW)


def test_rotation_old_key_still_verifies_new_key_signs() -> None:
    old = TokenKeys.parse(f"k1:{SECRET_A}")
    rotated = TokenKeys.parse(f"k1:{SECRET_A},k2:{SECRET_B}", signing_key_id="k2")
    old_token = sign(claims(), old)
    assert verify(old_token, rotated, now=NOW).key_id == "k1"
    new_token = sign(claims(), rotated)
    assert new_token.split(".")[1] == "k2"
    with pytest.raises(InvalidToken):
        verify(new_token, old, now=NOW)


def test_expired_token_is_rejected() -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}", max_age_days=10)
    token = sign(claims(), keys)
    assert verify(token, keys, now=datetime(2026, 11, 5, tzinfo=UTC))
    with pytest.raises(InvalidToken, match="expired"):
        verify(token, keys, now=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=11))


@pytest.mark.parametrize(
    "spec",
    ["", "k1", "k1:", "bad id!:" + SECRET_A, "k1:short"],
)
def test_bad_key_specs_fail_clearly(spec: str) -> None:
    with pytest.raises(ConfigError):
        TokenKeys.parse(spec)


@given(
    tenant=st.text(max_size=40),
    url=st.text(max_size=200),
    index=st.integers(min_value=-1, max_value=10_000),
)
def test_any_claims_round_trip(tenant: str, url: str, index: int) -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}")
    token = sign(claims(tenant_id=tenant, link_url=url, link_index=index), keys)
    decoded = verify(token, keys, now=NOW)
    assert (decoded.tenant_id, decoded.link_url, decoded.link_index) == (tenant, url, index)


@given(st.text(max_size=300))
def test_garbage_never_verifies_and_never_crashes(garbage: str) -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}")
    with pytest.raises(InvalidToken):
        verify(garbage, keys, now=NOW)


@given(position=st.integers(min_value=0, max_value=10_000), replacement=st.characters())
def test_any_single_character_change_is_rejected(position: int, replacement: str) -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}")
    token = sign(claims(), keys)
    position %= len(token)
    if token[position] == replacement:
        return
    altered = token[:position] + replacement + token[position + 1 :]
    try:
        decoded = verify(altered, keys, now=NOW)
    except InvalidToken:
        return
    # base64 padding bits can absorb a change of the last character without changing bytes
    assert decoded == verify(token, keys, now=NOW)
