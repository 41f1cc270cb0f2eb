"""Token length and verify cost: v2 (AES-GCM-SIV, opaque) against v1 (HMAC, readable claims),
measured in the same run on the same claims, with the ratio. Also the cost of the gateway's
redirect-location check (browser_urls.redirect_location) on what v2 tokens carry."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import UTC, datetime

from emailtrack.common.browser_urls import redirect_location
from emailtrack.common.tokens import TokenKeys, open_token, sign
from emailtrack.v1 import events_pb2

SECRET = "s" * 43
LINKS = {
    "short link": "https://example.com/welcome",
    "typical link": "https://shop.example.com/products/spring-sale?utm_source=newsletter"
    "&utm_medium=email&utm_campaign=2026-spring&utm_content=hero-button",
    "8 KB link": "https://example.com/?q=" + "x" * 8192,
}
ROUNDS = 5
PER_ROUND = 20_000


def claims(link: str) -> events_pb2.TokenClaims:
    c = events_pb2.TokenClaims(
        tenant_id="acme-newsletters",
        campaign_id="spring-sale-2026",
        message_id="0193f0a2-7c4e-7b1a-9f3e-5d2c1b0a9e8f",
        recipient_id="ada.lovelace@example.com",
        kind=events_pb2.HIT_KIND_CLICK,
        link_url=link,
        link_index=4,
    )
    c.sent_at.FromDatetime(datetime(2026, 12, 1, tzinfo=UTC))
    return c


def per_call_us(action: Callable[[], object], count: int) -> float:
    """Best-of-rounds CPU microseconds per call (process time: steadier on a shared machine)."""
    samples = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(count):
            action()
        samples.append((time.process_time() - started) / count * 1e6)
    return min(samples)


def main() -> None:
    v1 = TokenKeys.parse(f"k1:{SECRET}", version="v1")
    v2 = TokenKeys.parse(f"k1:{SECRET}")
    print(
        f"{'':14} {'v1 chars':>9} {'v2 chars':>9} {'ratio':>6}   "
        f"{'v1 verify us':>12} {'v2 verify us':>12} {'ratio':>6}"
    )
    for label, link in LINKS.items():
        token_1, token_2 = sign(claims(link), v1), sign(claims(link), v2)
        count = PER_ROUND if len(link) < 1000 else PER_ROUND // 10
        cost_1 = per_call_us(functools.partial(open_token, token_1, v1), count)
        cost_2 = per_call_us(functools.partial(open_token, token_2, v2), count)
        print(
            f"{label:14} {len(token_1):9} {len(token_2):9} {len(token_2) / len(token_1):6.2f}   "
            f"{cost_1:12.2f} {cost_2:12.2f} {cost_2 / cost_1:6.2f}"
        )
    typical = LINKS["typical link"]
    sign_1 = per_call_us(lambda: sign(claims(typical), v1), PER_ROUND)
    sign_2 = per_call_us(lambda: sign(claims(typical), v2), PER_ROUND)
    print(
        f"sign (typical link, claims built each call): v1 {sign_1:.2f} us, v2 {sign_2:.2f} us, "
        f"ratio {sign_2 / sign_1:.2f}"
    )
    location = per_call_us(lambda: redirect_location(typical), PER_ROUND)
    token = sign(claims(typical), v2)
    verify_2 = per_call_us(lambda: open_token(token, v2), PER_ROUND)
    print(
        f"redirect_location (typical link): {location:.2f} us = "
        f"{location / verify_2:.2f} x a v2 verify ({verify_2:.2f} us)"
    )


if __name__ == "__main__":
    main()
