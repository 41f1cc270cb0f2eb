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

from emailtrack.v1 import bounce_pb2
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
        nothing may be recorded. A replayed nonce is refused when it is claimed. ``provider``
        is the name in the webhook URL (see ``provider_name``)."""
        read = READERS.get(PROVIDER_BY_NAME.get(provider, bounce_pb2.ESP_PROVIDER_UNSPECIFIED))
        if read is None:
            raise MalformedPayload(f"unknown provider {provider!r}")
        return read(self, tenant_id, headers, body, url, self.clock())

    def _sendgrid(
        self, tenant_id: str, headers: Mapping[str, str], body: bytes, url: str, now: datetime
    ) -> WebhookResult:
        tolerance = self.policy.tolerance
        verify_sendgrid(self.secrets.sendgrid_public_key, headers, body, now, tolerance)
        return WebhookResult.of(sendgrid.parse(tenant_id, body, now))

    def _mailgun(
        self, tenant_id: str, headers: Mapping[str, str], body: bytes, url: str, now: datetime
    ) -> WebhookResult:
        key = self.secrets.mailgun_signing_key
        content_type = header(headers, "Content-Type")
        if content_type.lower().startswith(_FORMS):  # legacy (pre-2018) webhooks
            mapped, claim = mailgun_legacy.parse(
                tenant_id, body, content_type, key, self.policy, now
            )
        else:
            mapped, claim = mailgun.parse(tenant_id, body, key, self.policy, now)
        return WebhookResult.of(mapped, claim)

    def _postmark(
        self, tenant_id: str, headers: Mapping[str, str], body: bytes, url: str, now: datetime
    ) -> WebhookResult:
        verify_postmark(self.secrets.postmark_tokens, url, headers)
        return WebhookResult.of(postmark.parse(tenant_id, body, now))

    def _mandrill(
        self, tenant_id: str, headers: Mapping[str, str], body: bytes, url: str, now: datetime
    ) -> WebhookResult:
        key = self.secrets.mandrill_key
        return WebhookResult.of(mandrill.parse(tenant_id, body, url, headers, key, now))

    def _ses(
        self, tenant_id: str, headers: Mapping[str, str], body: bytes, url: str, now: datetime
    ) -> WebhookResult:
        return self._sns(tenant_id, body, now)

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


Reader = Callable[[WebhookHandler, str, Mapping[str, str], bytes, str, datetime], WebhookResult]
# The one table of ESPs, keyed by the proto enum: adding an ESP is a BounceService enum value,
# its module here and one line below (the gateway and the servicer derive their names).
READERS: dict[bounce_pb2.EspProvider, Reader] = {
    bounce_pb2.ESP_PROVIDER_SENDGRID: WebhookHandler._sendgrid,
    bounce_pb2.ESP_PROVIDER_MAILGUN: WebhookHandler._mailgun,
    bounce_pb2.ESP_PROVIDER_POSTMARK: WebhookHandler._postmark,
    bounce_pb2.ESP_PROVIDER_SES: WebhookHandler._ses,
    bounce_pb2.ESP_PROVIDER_MANDRILL: WebhookHandler._mandrill,
}


def provider_name(provider: bounce_pb2.EspProvider) -> str:
    """The name of an ESP in webhook URLs: its enum value without the prefix, lower case."""
    return bounce_pb2.EspProvider.Name(provider).removeprefix("ESP_PROVIDER_").lower()


PROVIDER_BY_NAME = {provider_name(provider): provider for provider in READERS}
PROVIDERS = tuple(PROVIDER_BY_NAME)

__all__ = [
    "PROVIDERS",
    "READERS",
    "InvalidSignature",
    "MalformedPayload",
    "NotConfigured",
    "ReplayedRequest",
    "WebhookHandler",
    "WebhookResult",
    "WebhookSecrets",
    "provider_name",
]
