"""Bounce service settings from the environment: webhook secrets (all optional: a provider
without its secret answers FAILED_PRECONDITION instead of accepting unverified events) and the
replay-protection tolerances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from emailtrack.common.config import ConfigError, env_int, env_list, env_str
from services.bounce.webhooks.freshness import (
    DEFAULT_SNS_TOLERANCE,
    DEFAULT_TOLERANCE,
    ReplayPolicy,
)
from services.bounce.webhooks.handler import WebhookSecrets
from services.bounce.webhooks.signatures import load_sendgrid_key


def _seconds(name: str, default: timedelta, env: Mapping[str, str] | None) -> timedelta:
    value = env_int(name, int(default.total_seconds()), env)
    if value <= 0:
        raise ConfigError(f"{name} must be a positive number of seconds")
    return timedelta(seconds=value)


DEFAULT_OUTCOME_RETENTION_DAYS = 395  # 13 months, as the tracking edge keeps its hits


def _retention(env: Mapping[str, str] | None) -> timedelta | None:
    days = env_int("EMAILTRACK_OUTCOME_RETENTION_DAYS", DEFAULT_OUTCOME_RETENTION_DAYS, env)
    if days < 0:
        raise ConfigError("EMAILTRACK_OUTCOME_RETENTION_DAYS must not be negative")
    return timedelta(days=days) if days else None


@dataclass(frozen=True)
class BounceConfig:
    secrets: WebhookSecrets
    # RecipientService address, asked which message a reply answers.
    recipient_addr: str = "127.0.0.1:15052"
    replay: ReplayPolicy = field(default_factory=ReplayPolicy)
    # outcomes recorded longer ago are deleted (EMAILTRACK_OUTCOME_RETENTION_DAYS, 0: kept)
    outcome_retention: timedelta | None = timedelta(days=DEFAULT_OUTCOME_RETENTION_DAYS)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BounceConfig:
        sendgrid_key = env_str("EMAILTRACK_SENDGRID_PUBLIC_KEY", "", env)
        try:
            public_key = load_sendgrid_key(sendgrid_key) if sendgrid_key else None
        except ValueError as exc:
            raise ConfigError(f"EMAILTRACK_SENDGRID_PUBLIC_KEY: {exc}") from exc
        # Several tokens while rotating; the single-token variable is still read.
        postmark = env_list("EMAILTRACK_POSTMARK_WEBHOOK_TOKENS", env)
        postmark += [t for t in [env_str("EMAILTRACK_POSTMARK_WEBHOOK_TOKEN", "", env)] if t]
        return cls(
            WebhookSecrets(
                sendgrid_public_key=public_key,
                mailgun_signing_key=env_str("EMAILTRACK_MAILGUN_SIGNING_KEY", "", env),
                postmark_tokens=tuple(postmark),
                mandrill_key=env_str("EMAILTRACK_MANDRILL_WEBHOOK_KEY", "", env),
                ses_topic_arns=frozenset(env_list("EMAILTRACK_SES_TOPIC_ARNS", env)),
            ),
            env_str("EMAILTRACK_RECIPIENT_ADDR", "127.0.0.1:15052", env),
            ReplayPolicy(
                _seconds("EMAILTRACK_WEBHOOK_TOLERANCE_SECONDS", DEFAULT_TOLERANCE, env),
                _seconds("EMAILTRACK_SNS_TOLERANCE_SECONDS", DEFAULT_SNS_TOLERANCE, env),
            ),
            _retention(env),
        )
