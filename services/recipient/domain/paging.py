"""Keyset paging for the recipient service: its page sizes, over the shared page-token and
page-size rules of ``emailtrack.common.request_fields`` (bad values raise InvalidRequest)."""

from __future__ import annotations

import json

from emailtrack.common.request_fields import (
    InvalidRequest,
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


def encode_pair_token(first: str, second: str) -> str:
    """A token for a two-part key, such as (message id, recipient id)."""
    return encode_token(json.dumps([first, second]))


def decode_pair_token(token: str) -> tuple[str, str]:
    """The two-part key after which the next page starts (("", "") for the first page)."""
    key = decode_token(token)
    if not key:
        return ("", "")
    try:
        pair = json.loads(key)
    except ValueError as exc:
        raise InvalidRequest("page_token is not valid") from exc
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
        raise InvalidRequest("page_token is not valid")
    return (pair[0], pair[1])
