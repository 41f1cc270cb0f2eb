"""Keyset paging for the recipient service: its page sizes, over the shared page-token and
page-size rules of ``emailtrack.common.request_fields`` (bad values raise InvalidRequest)."""

from __future__ import annotations

from emailtrack.common.request_fields import (
    check_page_size,
    decode_page_token,
    encode_page_token,
)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
TOKEN_PREFIX = ""  # the recipient service's tokens carry the bare key (as before)


def page_size(requested: int) -> int:
    return check_page_size(requested, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_token(last_key: str) -> str:
    return encode_page_token(TOKEN_PREFIX, last_key)


def decode_token(token: str) -> str:
    """The key after which the next page starts ("" for the first page)."""
    return decode_page_token(TOKEN_PREFIX, token)
