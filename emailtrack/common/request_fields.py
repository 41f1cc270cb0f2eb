"""Validation of the values every service takes from callers before they reach a query:
ids (allowed characters, length), page sizes and opaque page tokens. One rule set for every
service; failures raise ``InvalidRequest``, an ``emailtrack.common.errors.InvalidArgument``
that ``@rpc`` answers with INVALID_ARGUMENT and its message. Pure."""

from __future__ import annotations

import base64
import binascii
import unicodedata

from emailtrack.common.errors import InvalidArgument

MAX_ID_LENGTH = 256
MAX_PAGE_KEY_LENGTH = 1024
# Unicode categories refused in ids and page keys: control (NUL included), format,
# surrogate, private use and unassigned code points
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


class InvalidRequest(InvalidArgument):
    """A caller-supplied value that breaks the rules (INVALID_ARGUMENT through ``@rpc``)."""


def _printable(value: str) -> bool:
    return not any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in value)


def check_id(field: str, value: str, required: bool = True) -> str:
    """An id (tenant, campaign, message, list, …): printable characters only (``/``, spaces
    and any script are fine), at most MAX_ID_LENGTH characters. ``""`` passes only when not
    ``required``."""
    if not value:
        if required:
            raise InvalidRequest(f"{field} is required")
        return value
    if len(value) > MAX_ID_LENGTH:
        raise InvalidRequest(f"{field} is longer than {MAX_ID_LENGTH} characters")
    if not _printable(value):
        raise InvalidRequest(
            f"{field} must not contain control characters (nor format or unassigned ones)"
        )
    return value


def check_page_size(requested: int, default: int, maximum: int) -> int:
    """0 means ``default``; larger than ``maximum`` is capped; negative is refused."""
    if requested < 0:
        raise InvalidRequest("page_size must not be negative")
    return min(requested or default, maximum)


def encode_page_token(prefix: str, last_key: str) -> str:
    """An opaque token (canonical unpadded base64url) naming the key a page ended on."""
    return base64.urlsafe_b64encode(f"{prefix}{last_key}".encode()).decode().rstrip("=")


def decode_page_token(prefix: str, token: str) -> str:
    """The key after which the next page starts ("" for the first page). Only tokens this
    code could have issued pass: canonical base64url, UTF-8, the service's ``prefix``, a
    printable key of bounded length."""
    if not token:
        return ""
    invalid = InvalidRequest("page_token is not valid")
    if len(token) > 2 * MAX_PAGE_KEY_LENGTH:
        raise invalid
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
        text = raw.decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise invalid from exc
    if encode_page_token("", text) != token or not text.startswith(prefix):
        raise invalid
    key = text[len(prefix) :]
    if not key or len(key) > MAX_PAGE_KEY_LENGTH or not _printable(key):
        raise invalid
    return key
