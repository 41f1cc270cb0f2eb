"""Tracking tokens: v2 (AES-GCM-SIV, opaque) and v1 (HMAC, mail already sent) round trips,
tampering, canonical encoding, rotation with retired keys, and expiry that keeps links working."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emailtrack.common.config import ConfigError
from emailtrack.common.tokens import (
    ExpiredToken,
    InvalidToken,
    TokenKeys,
    _b64decode,
    open_token,
    sign,
    verify,
)
from emailtrack.v1 import events_pb2

SECRET_A = "a" * 43
SECRET_B = "b" * 43
V1 = TokenKeys.parse(f"k1:{SECRET_A}", version="v1")
V2 = TokenKeys.parse(f"k1:{SECRET_A}")
BOTH = pytest.mark.parametrize("keys", [V1, V2], ids=["v1", "v2"])


def claims(**overrides: object) -> events_pb2.TokenClaims:
    c = events_pb2.TokenClaims(
        tenant_id="tenant-acme",
        campaign_id="c1",
        message_id="m1",
        recipient_id="ada@example.com",
        kind=events_pb2.HIT_KIND_CLICK,
        link_url="https://example.com/a?b=c",
        link_index=3,
        list_id="weekly",
    )
    c.sent_at.FromDatetime(datetime(2026, 11, 1, tzinfo=UTC))
    for k, v in overrides.items():
        setattr(c, k, v)
    return c


NOW = datetime(2026, 11, 24, tzinfo=UTC)


@BOTH
def test_round_trip_is_url_safe_and_keeps_claims(keys: TokenKeys) -> None:
    token = sign(claims(), keys)
    assert token.startswith(keys.version + ".k1.")
    assert all(ch.isalnum() or ch in "-_." for ch in token)
    decoded = verify(token, keys, now=NOW)
    assert decoded.key_id == "k1"
    assert (decoded.link_url, decoded.link_index, decoded.list_id) == (
        "https://example.com/a?b=c",
        3,
        "weekly",
    )


def _readable(token: str) -> bytes:
    """Every base64url part decoded (at every offset), as a reader of the URL could."""
    seen = b""
    for part in token.split("."):
        for offset in range(4):
            piece = part[offset:]
            seen += base64.urlsafe_b64decode(piece[: len(piece) // 4 * 4])
    return seen


def test_v2_reveals_nothing_of_tenant_recipient_message_or_destination() -> None:
    token = sign(claims(message_id="message-0042"), V2)
    readable = _readable(token) + token.encode()
    for secret in (b"tenant-acme", b"ada@example.com", b"message-0042", b"example.com", b"weekly"):
        assert secret not in readable
    assert b"ada@example.com" in _readable(sign(claims(), V1))  # what v1 leaked


def test_v2_tokens_for_the_same_claims_differ() -> None:
    assert sign(claims(), V2) != sign(claims(), V2)


def test_v1_tokens_in_mail_already_sent_keep_verifying_after_the_switch_to_v2() -> None:
    old = sign(claims(), V1)
    assert verify(old, V2, now=NOW).recipient_id == "ada@example.com"


@BOTH
def test_altered_or_swapped_parts_are_rejected(keys: TokenKeys) -> None:
    token = sign(claims(), keys)
    other = sign(claims(link_url="https://evil.example"), keys)
    if keys.version == "v1":
        version, kid, _payload, tag = token.split(".")
        with pytest.raises(InvalidToken, match="signature"):
            verify(".".join([version, kid, other.split(".")[2], tag]), keys, now=NOW)
    forged_kid = token.replace(".k1.", ".k2.", 1)
    with pytest.raises(InvalidToken):
        verify(forged_kid, TokenKeys.parse(f"k1:{SECRET_A},k2:{SECRET_A}"), now=NOW)
    with pytest.raises(InvalidToken):
        verify(token[:-4], keys, now=NOW)


def test_v2_header_is_authenticated() -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A},k2:{SECRET_A}")
    token = sign(claims(), keys)
    with pytest.raises(InvalidToken, match="authenticate"):
        verify(token.replace("v2.k1.", "v2.k2.", 1), keys, now=NOW)


@BOTH
def test_forged_signature_and_unknown_key_are_rejected(keys: TokenKeys) -> None:
    forged = sign(claims(), TokenKeys.parse(f"k1:{SECRET_B}", version=keys.version))
    with pytest.raises(InvalidToken):
        verify(forged, keys, now=NOW)
    unknown = sign(claims(), TokenKeys.parse(f"k9:{SECRET_A}", version=keys.version))
    with pytest.raises(InvalidToken, match="unknown key"):
        verify(unknown, keys, now=NOW)


def _respell_last_character(part: str) -> str:
    """The same bytes with unused low bits set: a non-canonical spelling."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spare_bits = {2: 4, 3: 2}[len(part) % 4]  # 2 or 3 trailing chars carry 4 or 2 spare bits
    value = alphabet.index(part[-1])
    return part[:-1] + alphabet[value | ((1 << spare_bits) - 1)]


@BOTH
def test_non_canonical_base64_is_rejected(keys: TokenKeys) -> None:
    """Issue 16 finding: one token, one spelling (also for the v1 tag)."""
    for link in ("https://example.com/a", "https://example.com/ab", "https://example.com/abc"):
        token = sign(claims(link_url=link), keys)
        head, last = token.rsplit(".", 1)
        assert verify(token, keys, now=NOW)
        if len(last) % 4 in (2, 3):
            respelled = _respell_last_character(last)
            if respelled != last:
                with pytest.raises(InvalidToken, match="canonical"):
                    verify(f"{head}.{respelled}", keys, now=NOW)
        with pytest.raises(InvalidToken, match="canonical"):
            verify(f"{head}.{last}==", keys, now=NOW)
        with pytest.raises(InvalidToken, match="canonical"):
            verify(f"{head}.{last[:-1]}+", keys, now=NOW)


def test_rotation_retired_keys_verify_and_never_sign() -> None:
    rotated = TokenKeys.parse(f"k2:{SECRET_B}", retired_spec=f"k1:{SECRET_A}")
    for version in ("v1", "v2"):
        old_token = sign(claims(), TokenKeys.parse(f"k1:{SECRET_A}", version=version))
        assert verify(old_token, rotated, now=NOW).key_id == "k1"
    new_token = sign(claims(), rotated)
    assert new_token.split(".")[1] == "k2"
    with pytest.raises(InvalidToken):
        verify(new_token, V2, now=NOW)
    with pytest.raises(ConfigError, match="active key"):
        TokenKeys.parse(f"k2:{SECRET_B}", signing_key_id="k1", retired_spec=f"k1:{SECRET_A}")
    with pytest.raises(ConfigError, match="both active and retired"):
        TokenKeys.parse(f"k1:{SECRET_A}", retired_spec=f"k1:{SECRET_A}")


def test_retired_keys_and_version_come_from_the_environment() -> None:
    keys = TokenKeys.from_env(
        {
            "EMAILTRACK_TOKEN_KEYS": f"k2:{SECRET_B}",
            "EMAILTRACK_TOKEN_RETIRED_KEYS": f"k1:{SECRET_A}",
            "EMAILTRACK_TOKEN_VERSION": "v1",
        }
    )
    assert set(keys.verifying_keys()) == {"k1", "k2"}
    assert sign(claims(), keys).startswith("v1.k2.")
    with pytest.raises(ConfigError, match="version"):
        TokenKeys.parse(f"k1:{SECRET_A}", version="v3")


@BOTH
def test_past_the_maximum_age_a_genuine_token_opens_marked_expired(keys: TokenKeys) -> None:
    short = TokenKeys.parse(f"k1:{SECRET_A}", max_age_days=10, version=keys.version)
    token = sign(claims(), short)
    assert not open_token(token, short, now=datetime(2026, 11, 5, tzinfo=UTC)).expired
    years_later = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=3 * 365)
    late = open_token(token, short, now=years_later)
    assert late.expired and late.claims.link_url == "https://example.com/a?b=c"
    with pytest.raises(ExpiredToken):
        verify(token, short, now=years_later)


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
    list_id=st.text(max_size=40),
    version=st.sampled_from(["v1", "v2"]),
)
def test_any_claims_round_trip(
    tenant: str, url: str, index: int, list_id: str, version: str
) -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}", version=version)
    token = sign(claims(tenant_id=tenant, link_url=url, link_index=index, list_id=list_id), keys)
    decoded = verify(token, keys, now=NOW)
    assert (decoded.tenant_id, decoded.link_url, decoded.link_index, decoded.list_id) == (
        tenant,
        url,
        index,
        list_id,
    )


def test_links_of_8_kb_make_tokens_that_verify() -> None:
    url = "https://example.com/?q=" + "x" * 10_000
    for keys in (V1, V2):
        assert verify(sign(claims(link_url=url), keys), keys, now=NOW).link_url == url


@given(st.text(max_size=300))
def test_garbage_never_verifies_and_never_crashes(garbage: str) -> None:
    with pytest.raises(InvalidToken):
        verify(garbage, V2, now=NOW)


@given(
    position=st.integers(min_value=0, max_value=10_000),
    replacement=st.characters(),
    version=st.sampled_from(["v1", "v2"]),
)
def test_any_single_character_change_is_rejected(
    position: int, replacement: str, version: str
) -> None:
    keys = TokenKeys.parse(f"k1:{SECRET_A}", version=version)
    token = sign(claims(), keys)
    position %= len(token)
    if token[position] == replacement:
        return
    with pytest.raises(InvalidToken):  # canonical encoding: no change is a no-op any more
        verify(token[:position] + replacement + token[position + 1 :], keys, now=NOW)


def _written_by_the_encoder(text: str) -> bytes | None:
    """The reference for canonical base64url: the bytes whose encoding is exactly ``text``
    (decoded leniently, then encoded again), or None when no bytes are spelled so."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:  # binascii.Error is one
        return None
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == text else None


BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _decoded_or_none(text: str) -> bytes | None:
    try:
        return _b64decode(text)
    except InvalidToken:
        return None


def test_a_token_part_decodes_when_the_encoder_spells_it_so() -> None:
    """Canonical decoding, checked without encoding again, accepts exactly the spellings the
    encoder writes, and gives their bytes: every last two characters (with and without
    unused bits set, padding, the other alphabet) after 0, 1 and 4 characters."""
    characters = BASE64URL + "+/="
    for prefix in ("", "Q", "AbC_"):
        for first in characters:
            for last in characters:
                text = prefix + first + last
                assert _decoded_or_none(text) == _written_by_the_encoder(text), text


@given(st.binary(max_size=300))
def test_any_bytes_decode_from_their_encoding(raw: bytes) -> None:
    assert _b64decode(base64.urlsafe_b64encode(raw).rstrip(b"=").decode()) == raw
