"""One webhook request to outcomes: verify it (signature, token or SNS certificate), then map
the provider's payload. SNS SubscriptionConfirmation messages are confirmed by fetching their
(validated) SubscribeURL through an injected fetcher."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import ec

from services.bounce.domain.outcomes import Outcome
from services.bounce.webhooks import mailgun, mandrill, postmark, sendgrid, ses
from services.bounce.webhooks.common import (
    InvalidSignature,
    MalformedPayload,
    NotConfigured,
    load_json,
    require,
)
from services.bounce.webhooks.signatures import verify_postmark, verify_sendgrid
from services.bounce.webhooks.sns import SnsVerifier, is_sns_url

log = logging.getLogger(__name__)
PROVIDERS = ("sendgrid", "mailgun", "postmark", "ses", "mandrill")


@dataclass(frozen=True)
class WebhookSecrets:
    """Verification material per provider (see docs/bounce.md for the env variables)."""

    sendgrid_public_key: ec.EllipticCurvePublicKey | None = None
    mailgun_signing_key: str = ""
    postmark_token: str = ""
    mandrill_key: str = ""
    # Topic ARNs accepted from SNS; empty = any topic whose message verifies.
    ses_topic_arns: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class WebhookResult:
    outcomes: list[Outcome]
    subscribe_url: str = ""


class WebhookHandler:
    """Verifies and maps webhook requests; ``confirm`` fetches an SNS SubscribeURL."""

    def __init__(
        self, secrets: WebhookSecrets, sns: SnsVerifier, confirm: Callable[[str], None]
    ) -> None:
        self.secrets = secrets
        self.sns = sns
        self.confirm = confirm

    def handle(
        self, provider: str, tenant_id: str, headers: Mapping[str, str], body: bytes, url: str
    ) -> WebhookResult:
        """Raises InvalidSignature, MalformedPayload or NotConfigured (nothing recorded)."""
        s = self.secrets
        if provider == "sendgrid":
            verify_sendgrid(s.sendgrid_public_key, headers, body)
            return WebhookResult(sendgrid.parse(tenant_id, body))
        if provider == "mailgun":
            return WebhookResult(mailgun.parse(tenant_id, body, s.mailgun_signing_key))
        if provider == "postmark":
            verify_postmark(s.postmark_token, url, headers)
            return WebhookResult(postmark.parse(tenant_id, body))
        if provider == "mandrill":
            return WebhookResult(mandrill.parse(tenant_id, body, url, headers, s.mandrill_key))
        if provider == "ses":
            return self._sns(tenant_id, body)
        raise MalformedPayload(f"unknown provider {provider!r}")

    def _sns(self, tenant_id: str, body: bytes) -> WebhookResult:
        message = load_json(body)
        kind = require(message, "Type", str, "SNS message")
        self.sns.verify(message)
        topic = str(message.get("TopicArn", ""))
        if self.secrets.ses_topic_arns and topic not in self.secrets.ses_topic_arns:
            raise InvalidSignature(f"SNS topic {topic!r} is not accepted")
        if kind == "SubscriptionConfirmation":
            subscribe_url = require(message, "SubscribeURL", str, "SNS message")
            if not is_sns_url(subscribe_url):
                raise MalformedPayload("SubscribeURL is not an Amazon SNS URL")
            self.confirm(subscribe_url)
            log.info("confirmed SNS subscription to %s for tenant %s", topic, tenant_id)
            return WebhookResult([], subscribe_url)
        if kind != "Notification":
            return WebhookResult([])
        notice = load_json(require(message, "Message", str, "SNS message").encode())
        return WebhookResult(ses.parse(tenant_id, notice))


__all__ = [
    "PROVIDERS",
    "InvalidSignature",
    "MalformedPayload",
    "NotConfigured",
    "WebhookHandler",
    "WebhookResult",
    "WebhookSecrets",
]
