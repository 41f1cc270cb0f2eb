"""Address normalisation: validated by email-validator, IDNA domain, stable ids."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emailtrack.common.identity import recipient_id_for
from services.recipient.domain.addresses import (
    canonical_email,
    normalise,
    recipient_id_of,
    validated,
)
from services.recipient.domain.errors import InvalidArgument


def test_domain_is_lower_cased_and_local_part_kept() -> None:
    address = normalise("t1", "  Ada.Lovelace@Example.COM ")
    assert address.email == "Ada.Lovelace@example.com"
    assert address.recipient_id == recipient_id_for("t1", "ada.lovelace@example.com")


def test_international_domain_is_idna_encoded() -> None:
    assert normalise("t1", "jörg@Bücher.example").email == "jörg@xn--bcher-kva.example"
    unicode_form = normalise("t1", "anna@bücher.example")
    ascii_form = normalise("t1", "anna@xn--bcher-kva.example")
    assert unicode_form == ascii_form


@pytest.mark.parametrize(
    "raw", ["", "   ", "no-at-sign", "two@@example.com", "a@b", "x@-bad-.com", "a" * 400 + "@x.com"]
)
def test_invalid_addresses_are_rejected_with_a_reason(raw: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        normalise("t1", raw)
    assert str(info.value)


def test_ids_depend_on_the_tenant() -> None:
    assert (
        normalise("t1", "a@example.com").recipient_id
        != normalise("t2", "a@example.com").recipient_id
    )


def test_event_addresses_fall_back_to_the_shared_identity_rule() -> None:
    assert recipient_id_of("t1", "A@Example.com") == normalise("t1", "a@example.com").recipient_id
    assert recipient_id_of("t1", "not an address") == recipient_id_for("t1", "not an address")


DOMAINS = [
    "example.com",
    "EXAMPLE.org",
    "Bücher.example",
    "sub.domain.example.co.uk",
    "localhost",
    "-bad.com",
    "a..b.com",
    "x" * 250 + ".com",
    "[192.0.2.1]",
    "例え.jp",
]
LOCAL_ALPHABET = "abcXYZ019.!#$%&'*+/=?^_`{|}~-\" é@"


@settings(max_examples=400, deadline=None)
@given(
    local=st.text(alphabet=LOCAL_ALPHABET, min_size=0, max_size=70),
    domain=st.sampled_from(DOMAINS),
)
def test_cached_domain_path_agrees_with_the_library(local: str, domain: str) -> None:
    text = f"{local}@{domain}"
    try:
        expected: str | None = validated(text.strip())
    except InvalidArgument:
        expected = None
    try:
        got: str | None = canonical_email(text)
    except InvalidArgument:
        got = None
    assert got == expected
