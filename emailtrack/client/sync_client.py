"""The blocking client: one channel per distinct address, every call with the API key, a
deadline and retries on UNAVAILABLE or RESOURCE_EXHAUSTED."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import grpc

from emailtrack.client import calls
from emailtrack.client.options import ClientOptions
from emailtrack.client.requests import (
    INSTRUMENT_BATCH,
    REGISTER_BATCH,
    batches,
    instrument_mime_request,
    message_to_instrument,
    resolve_recipient_id,
)
from emailtrack.v1 import (
    analytics_pb2,
    analytics_pb2_grpc,
    events_pb2,
    recipient_pb2,
    recipient_pb2_grpc,
    tracking_edge_pb2,
    tracking_edge_pb2_grpc,
)

R = TypeVar("R")


class EmailtrackClient:
    """Blocking client for sending infrastructure.

    Example::

        from emailtrack.client import ClientOptions, EmailtrackClient, registration

        with EmailtrackClient(ClientOptions(api_key="et_live_...")) as client:
            client.register_messages("acme", [registration("m-1", "welcome", ["ada@example.com"])])
            done = client.instrument_html(
                tenant_id="acme", campaign_id="welcome", message_id="m-1",
                recipient_email="ada@example.com", html="<a href='https://example.com'>hi</a>",
            )
            send(done.html, headers=done.headers)       # your mailer
            client.mark_sent("acme", "m-1", ["ada@example.com"])
            print(client.campaign_stats("acme", "welcome").opens.unique.total)
    """

    def __init__(self, options: ClientOptions | None = None) -> None:
        self.options = options or ClientOptions()
        self._channels: dict[str, grpc.Channel] = {}
        endpoints = self.options.endpoints
        self._stubs: dict[str, Any] = {
            "tracking_edge": tracking_edge_pb2_grpc.TrackingEdgeServiceStub(
                self._channel(endpoints.tracking_edge)
            ),
            "recipient": recipient_pb2_grpc.RecipientServiceStub(
                self._channel(endpoints.recipient)
            ),
            "analytics": analytics_pb2_grpc.AnalyticsServiceStub(
                self._channel(endpoints.analytics)
            ),
        }

    def _channel(self, target: str) -> grpc.Channel:
        if target not in self._channels:
            credentials = self.options.channel_credentials()
            options = self.options.channel_options()
            self._channels[target] = (
                grpc.secure_channel(target, credentials, options)
                if credentials is not None
                else grpc.insecure_channel(target, options)
            )
        return self._channels[target]

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()

    def __enter__(self) -> EmailtrackClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, call: calls.Call[R]) -> R:
        """Runs one call: deadline, API key, retries with backoff on UNAVAILABLE or
        RESOURCE_EXHAUSTED."""
        method = getattr(self._stubs[call.service], call.method)
        retry = self.options.retry
        attempt = 1
        while True:
            try:
                reply = method(
                    call.request, timeout=self.options.deadline_s, metadata=self.options.metadata()
                )
                return call.result(reply)
            except grpc.RpcError as exc:
                if not retry.should_retry(exc.code(), attempt):
                    raise
            time.sleep(retry.backoff_s(attempt))
            attempt += 1

    def instrument_html(
        self,
        *,
        tenant_id: str,
        campaign_id: str,
        message_id: str,
        recipient_email: str = "",
        recipient_id: str = "",
        html: str = "",
        text: str = "",
        options: tracking_edge_pb2.InstrumentOptions | None = None,
    ) -> tracking_edge_pb2.InstrumentedMessage:
        """Signed click links, open pixel and List-Unsubscribe headers for one message.

        Give ``recipient_email`` (the id is derived from it as the services do) or
        ``recipient_id``. ``client.instrument_html(tenant_id="acme", campaign_id="c",
        message_id="m-1", recipient_email="ada@example.com", html=html).html``"""
        message = message_to_instrument(
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            message_id=message_id,
            recipient_id=resolve_recipient_id(tenant_id, recipient_email, recipient_id),
            html=html,
            text=text,
            options=options,
        )
        return self.run(calls.instrument_message(message))

    def instrument_many(
        self,
        messages: Iterable[tracking_edge_pb2.MessageToInstrument],
        batch_size: int = INSTRUMENT_BATCH,
    ) -> Iterator[tracking_edge_pb2.InstrumentedMessage]:
        """Instruments a large send in batches (one call per ``batch_size`` messages), lazily
        and in order: ``for done in client.instrument_many(messages): send(done)``."""
        for batch in batches(messages, batch_size):
            yield from self.run(calls.instrument_messages(batch))

    def instrument_mime(
        self,
        mime: bytes,
        *,
        tenant_id: str = "",
        campaign_id: str = "",
        message_id: str = "",
        recipient_id: str = "",
        strip_dkim_signature: bool = False,
        options: tracking_edge_pb2.InstrumentOptions | None = None,
    ) -> tracking_edge_pb2.InstrumentMimeResponse:
        """Instruments a whole RFC 5322 message; empty ids are read from its X-Emailtrack-*
        headers, and a DKIM-signed message is refused unless ``strip_dkim_signature``.
        ``client.instrument_mime(raw, tenant_id="acme", recipient_id=rid).mime``"""
        request = instrument_mime_request(
            mime,
            tenant_id=tenant_id,
            campaign_id=campaign_id,
            message_id=message_id,
            recipient_id=recipient_id,
            strip_dkim_signature=strip_dkim_signature,
            options=options,
        )
        return self.run(calls.instrument_mime(request))

    def instrument_mime_batch(
        self, requests: Sequence[tracking_edge_pb2.InstrumentMimeRequest]
    ) -> list[tracking_edge_pb2.InstrumentMimeResult]:
        """Instruments several messages in one call (build each with
        ``emailtrack.client.instrument_mime_request``; at most 1,000 and 48 MiB per call): one
        result per request, in order, each with ``response`` or, when that message was refused,
        ``refusal`` and ``error`` (the others are still instrumented)."""
        return self.run(calls.instrument_mime_batch(list(requests)))

    def register_messages(
        self,
        tenant_id: str,
        registrations: Iterable[recipient_pb2.MessageRegistration],
        batch_size: int = REGISTER_BATCH,
    ) -> recipient_pb2.RegisterMessagesResponse:
        """Registers messages and their recipients (idempotent), ``batch_size`` per call;
        build each with ``emailtrack.client.registration(...)``. Returns the summed counts."""
        total = recipient_pb2.RegisterMessagesResponse()
        for batch in batches(registrations, batch_size):
            reply = self.run(calls.register_messages(tenant_id, batch))
            total.messages += reply.messages
            total.recipients += reply.recipients
        return total

    def mark_sent(self, tenant_id: str, message_id: str, emails: Iterable[str]) -> int:
        """Reports the message handed to the next hop for these recipients; returns how many
        recipients changed state."""
        return self.run(calls.mark_delivery("sent", tenant_id, message_id, emails))

    def mark_sent_batch(self, tenant_id: str, sent: dict[str, list[str]]) -> int:
        """Marks many messages sent in one call (message id -> recipients), all or none;
        returns how many recipients changed state."""
        return self.run(calls.mark_sent_batch(tenant_id, sent))

    def mark_delivered(self, tenant_id: str, message_id: str, emails: Iterable[str]) -> int:
        return self.run(calls.mark_delivery("delivered", tenant_id, message_id, emails))

    def mark_deferred(
        self, tenant_id: str, message_id: str, emails: Iterable[str], reason: str
    ) -> int:
        return self.run(calls.mark_delivery("deferred", tenant_id, message_id, emails, reason))

    def mark_failed(
        self,
        tenant_id: str,
        message_id: str,
        emails: Iterable[str],
        reason: str,
        bounce_type: events_pb2.BounceType = events_pb2.BOUNCE_TYPE_UNSPECIFIED,
    ) -> int:
        """A permanent failure; ``BOUNCE_TYPE_HARD`` suppresses the recipients at once."""
        return self.run(
            calls.mark_delivery("failed", tenant_id, message_id, emails, reason, bounce_type)
        )

    def check_sendable(
        self, tenant_id: str, emails: Iterable[str], list_id: str = ""
    ) -> list[recipient_pb2.SendableVerdict]:
        """Whether each address may be sent to (suppressions, unsubscribes), with the reason."""
        return self.run(calls.check_sendable(tenant_id, emails, list_id))

    def campaign_stats(self, tenant_id: str, campaign_id: str) -> analytics_pb2.CampaignStats:
        """Live campaign statistics: ``client.campaign_stats("acme", "welcome").sent``."""
        return self.run(calls.campaign_stats(tenant_id, campaign_id))
