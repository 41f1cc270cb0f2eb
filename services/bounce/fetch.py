"""HTTPS GETs the SNS flow needs (signing certificates, SubscribeURL): short timeout,
bounded size. Callers validate the URL first (webhooks/sns.py)."""

from __future__ import annotations

import urllib.request

_MAX_BYTES = 64 * 1024


def https_get(url: str, timeout_s: float = 5.0) -> bytes:
    if not url.startswith("https://"):
        raise ValueError("only https URLs are fetched")
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return response.read(_MAX_BYTES)


def confirm_subscription(url: str) -> None:
    https_get(url)
