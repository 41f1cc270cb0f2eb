"""One webhook request to outcomes: verify it (signature, token or SNS certificate, and the
freshness of any signed timestamp), then map the provider's payload event by event. The result
carries the events that could not be mapped (for the dead-letter topic) and the nonce the
request claims (Mailgun token, SNS MessageId), so recording can refuse a replay atomically.
SNS SubscriptionConfirmation messages are confirmed by fetching their (validated) SubscribeURL
through an injected fetcher. SNS topics must be configured: none configured accepts none."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ec

from services.bounce.domain.outcomes import Outcome
from services.bounce.webhooks import mailgun, mailgun_legacy, mandrill, postmark, sendgrid, ses
from services.bounce.webhooks.common import (
    InvalidSignature,
    MalformedPayload,
    Mapped,
    NotConfigured,
    RejectedEvent,
    from_iso,
    header,
    load_json,
    require,
)
from services.bounce.webhooks.freshness import (
    Nonce,
    ReplayedRequest,
    ReplayPolicy,
    check_fresh,
    nonce,
)
from services.bounce.webhooks.signatures import verify_postmark, verify_sendgrid
from services.bounce.webhooks.sns import SnsVerifier, is_sns_url

log = logging.getLogger(__name__)
PROVIDERS = ("sendgrid", "mailgun", "postmark", "ses", "mandrill")
Clock = Callable[[], datetime]
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebhookSecrets:
    """Verification material per provider (see docs/bounce.md for the env variables)."""

    sendgrid_public_key: ec.EllipticCurvePublicKey | None = None
    mailgun_signing_key: str = ""
    # Every accepted Postmark token (more than one while rotating).
    postmark_tokens: tuple[str, ...] = ()
    mandrill_key: str = ""
    # Topic ARNs accepted from SNS; none configured = SES webhooks refused (fail closed).
    ses_topic_arns: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class WebhookResult:
    outcomes: list[Outcome]
    subscribe_url: str = ""
    rejected: list[RejectedEvent] = field(default_factory=list)
    nonce: Nonce | None = None

    @classmethod
    def of(cls, mapped: Mapped, claim: Nonce | None = None) -> WebhookResult:
        return cls(mapped.outcomes, rejected=mapped.rejected, nonce=claim)


class WebhookHandler:
    """Verifies and maps webhook requests; ``confirm`` fetches an SNS SubscribeURL."""

    def __init__(
        self,
        secrets: WebhookSecrets,
        sns: SnsVerifier,
        confirm: Callable[[str], None],
        policy: ReplayPolicy | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.secrets = secrets
        self.sns = sns
        self.confirm = confirm
        self.policy = policy or ReplayPolicy()
        self.clock = clock

    def handle(
        self, provider: str, tenant_id: str, headers: Mapping[str, str], body: bytes, url: str
    ) -> WebhookResult:
        """Raises InvalidSignature (forged, stale), MalformedPayload or NotConfigured: then
        nothing may be recorded. A replayed nonce is refused when it is claimed."""
        s, now = self.secrets, self.clock()
        if provider == "sendgrid":
            verify_sendgrid(s.sendgrid_public_key, headers, body, now, self.policy.tolerance)
            return WebhookResult.of(sendgrid.parse(tenant_id, body, now))
        if provider == "mailgun":
            content_type = header(headers, "Content-Type")
            if content_type.lower().startswith(_FORMS):  # legacy (pre-2018) webhooks
                mapped, claim = mailgun_legacy.parse(
                    tenant_id, body, content_type, s.mailgun_signing_key, self.policy, now
                )
            else:
                mapped, claim = mailgun.parse(
                    tenant_id, body, s.mailgun_signing_key, self.policy, now
                )
            return WebhookResult.of(mapped, claim)
        if provider == "postmark":
            verify_postmark(s.postmark_tokens, url, headers)
            return WebhookResult.of(postmark.parse(tenant_id, body, now))
        if provider == "mandrill":
            return WebhookResult.of(
                mandrill.parse(tenant_id, body, url, headers, s.mandrill_key, now)
            )
        if provider == "ses":
            return self._sns(tenant_id, body, now)
        raise MalformedPayload(f"unknown provider {provider!r}")

    def _sns(self, tenant_id: str, body: bytes, now: datetime) -> WebhookResult:
        if not self.secrets.ses_topic_arns:
            raise NotConfigured("EMAILTRACK_SES_TOPIC_ARNS is not set: no SNS topic is accepted")
        message = load_json(body)
        kind = require(message, "Type", str, "SNS message")
        self.sns.verify(message)
        topic = str(message.get("TopicArn", ""))
        if topic not in self.secrets.ses_topic_arns:
            raise InvalidSignature(f"SNS topic {topic!r} is not accepted")
        tolerance = self.policy.sns_tolerance
        signed_at = from_iso(message.get("Timestamp"), "SNS message")
        check_fresh(signed_at, now, tolerance, "SNS message")
        claim = nonce("sns", str(message.get("MessageId", "")), signed_at, tolerance)
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
        return WebhookResult.of(ses.parse(tenant_id, notice, now), claim)


__all__ = [
    "PROVIDERS",
    "InvalidSignature",
    "MalformedPayload",
    "NotConfigured",
    "ReplayedRequest",
    "WebhookHandler",
    "WebhookResult",
    "WebhookSecrets",
]
