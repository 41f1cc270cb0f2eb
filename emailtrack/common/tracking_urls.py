"""The gateway's public tracking URL paths, shared by the tracking edge (which builds the
URLs) and the gateway (which routes them)."""

from __future__ import annotations

PIXEL_PREFIX = "/o/"
PIXEL_SUFFIX = ".gif"
CLICK_PREFIX = "/c/"
UNSUBSCRIBE_PREFIX = "/u/"


def pixel_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PIXEL_PREFIX}{token}{PIXEL_SUFFIX}"


def click_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CLICK_PREFIX}{token}"


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{UNSUBSCRIBE_PREFIX}{token}"
