"""Tracking edge settings from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from emailtrack.common.config import env_str
from emailtrack.common.tokens import TokenKeys


@dataclass(frozen=True)
class TrackingEdgeSettings:
    public_base_url: str
    token_keys: TokenKeys

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TrackingEdgeSettings:
        return cls(
            public_base_url=env_str("EMAILTRACK_PUBLIC_BASE_URL", "http://127.0.0.1:8080", env),
            token_keys=TokenKeys.from_env(env),
        )
