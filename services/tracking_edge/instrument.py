"""Instrumenting one message: signs the tokens for its pixel, links, honeypot and
unsubscribe URL, and applies them to the HTML and text parts. The unsubscribe token (in the
link and in List-Unsubscribe) carries `options.list_id`: that list only, or every list when
empty."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from emailtrack.common import mail_headers, tracking_urls
from emailtrack.common.errors import InvalidArgument
from emailtrack.common.request_fields import InvalidRequest, check_id
from emailtrack.common.tokens import TokenKeys, sign
from emailtrack.v1 import events_pb2, tracking_edge_pb2
from services.tracking_edge.domain.domains import InvalidDomain, host_of
from services.tracking_edge.domain.list_unsubscribe import list_unsubscribe_headers
from services.tracking_edge.domain.rewrite_html import TrackedLink, instrument_html
from services.tracking_edge.domain.rewrite_text import instrument_text
from services.tracking_edge.tenant_domains import TenantDomains

MAX_BODY_BYTES = 10 * 1024 * 1024


class InvalidInput(InvalidArgument):
    """The request cannot be instrumented; the message says why."""


def _validate(message: tracking_edge_pb2.MessageToInstrument) -> None:
    validate_ids_and_options(message)
    if not message.html and not message.text:
        raise InvalidInput("html or text is required")
    if len(message.html.encode()) + len(message.text.encode()) > MAX_BODY_BYTES:
        raise InvalidInput(f"message body exceeds {MAX_BODY_BYTES} bytes")


def validate_ids_and_options(message: tracking_edge_pb2.MessageToInstrument) -> None:
    """Checks the ids and options of a message (its bodies are checked by the caller)."""
    for field in ("tenant_id", "campaign_id", "message_id", "recipient_id"):
        try:
            check_id(field, getattr(message, field))
        except InvalidRequest as exc:  # InvalidInput: the stream forms answer per message
            raise InvalidInput(str(exc)) from exc
    try:
        check_id("options.list_id", message.options.list_id, required=False)
    except InvalidRequest as exc:
        raise InvalidInput(str(exc)) from exc
    mailto = message.options.unsubscribe_mailto
    if mailto and ("@" not in mailto or any(c in mailto for c in "<>, \r\n")):
        raise InvalidInput("options.unsubscribe_mailto must be a plain email address")


def _of_kind(base: events_pb2.TokenClaims, kind: events_pb2.HitKind) -> events_pb2.TokenClaims:
    claims = events_pb2.TokenClaims()
    claims.CopyFrom(base)
    claims.kind = kind
    return claims


def _shifted(click_url: Callable[[str, int], str], offset: int, url: str, index: int) -> str:
    """``click_url`` for a body whose link indexes start at ``offset`` in the message."""
    return click_url(url, index + offset)


class Instrumenter:
    """Signs and applies tokens; links live on the tenant's tracking domain when it has a
    verified one (``domains``), else on ``public_base_url``. Every token records the host its
    URL names, and the gateway answers it on that host only."""

    def __init__(
        self, public_base_url: str, keys: TokenKeys, domains: TenantDomains | None = None
    ) -> None:
        self.default_base_url = public_base_url
        self.keys = keys
        self.domains = domains

    def _base_url(self, message: tracking_edge_pb2.MessageToInstrument) -> str:
        requested = message.options.tracking_domain
        if self.domains is None:
            if requested:
                raise InvalidInput("tracking domains are not enabled on this deployment")
            return self.default_base_url
        try:
            return self.domains.base_url(message.tenant_id, requested, self.default_base_url)
        except InvalidDomain as exc:
            raise InvalidInput(f"options.tracking_domain: {exc}") from exc

    @staticmethod
    def _message_claims(
        message: tracking_edge_pb2.MessageToInstrument, host: str
    ) -> events_pb2.TokenClaims:
        """What every token of ``message`` says (one ``sent_at`` for all of them); each token
        copies it and adds its kind (copying costs a tenth of building claims anew)."""
        claims = events_pb2.TokenClaims(
            tenant_id=message.tenant_id,
            campaign_id=message.campaign_id,
            message_id=message.message_id,
            recipient_id=message.recipient_id,
            sequence_step=message.sequence_step,
            variant=message.variant,
            tracking_host=host,
        )
        if message.HasField("sent_at"):
            claims.sent_at.CopyFrom(message.sent_at)
        else:
            claims.sent_at.FromDatetime(datetime.now(UTC).replace(microsecond=0))
        return claims

    def _click_url(self, base: events_pb2.TokenClaims, base_url: str, url: str, index: int) -> str:
        claims = _of_kind(base, events_pb2.HIT_KIND_CLICK)
        claims.link_url = url
        claims.link_index = index
        return tracking_urls.click_url(base_url, sign(claims, self.keys))

    @staticmethod
    def _add_links(result: tracking_edge_pb2.InstrumentedMessage, links: list[TrackedLink]) -> None:
        for index, original, tracking in links:
            result.links.add(index=index, original_url=original, tracking_url=tracking)

    def instrument(
        self, message: tracking_edge_pb2.MessageToInstrument
    ) -> tracking_edge_pb2.InstrumentedMessage:
        _validate(message)
        result, htmls, texts = self.instrument_bodies(
            message, [message.html] if message.html else [], [message.text] if message.text else []
        )
        result.html = htmls[0] if htmls else ""
        result.text = texts[0] if texts else ""
        return result

    def instrument_bodies(
        self,
        message: tracking_edge_pb2.MessageToInstrument,
        htmls: Sequence[str],
        texts: Sequence[str],
    ) -> tuple[tracking_edge_pb2.InstrumentedMessage, list[str], list[str]]:
        """Instruments several HTML and text bodies of one message (the parts of a MIME
        message) with one set of tokens: links are indexed across all HTML bodies in order, then
        text URLs reuse those indexes. The ids and options must be valid already. Returns the
        result (links, pixel, unsubscribe URL, headers; no bodies) and the instrumented bodies."""
        options = message.options
        base_url = self._base_url(message)
        base = self._message_claims(message, host_of(base_url))
        unsubscribe_claims = _of_kind(base, events_pb2.HIT_KIND_UNSUBSCRIBE)
        unsubscribe_claims.list_id = options.list_id  # per-list; empty: global
        unsubscribe = tracking_urls.unsubscribe_url(base_url, sign(unsubscribe_claims, self.keys))
        pixel = tracking_urls.pixel_url(
            base_url, sign(_of_kind(base, events_pb2.HIT_KIND_OPEN), self.keys)
        )

        def click_url(url: str, index: int) -> str:
            if options.disable_click_tracking:
                return url
            return self._click_url(base, base_url, url, index)

        honeypot = None
        if not options.disable_honeypot and not options.disable_click_tracking:
            claims = _of_kind(base, events_pb2.HIT_KIND_CLICK)
            claims.honeypot = True
            claims.link_url = base_url.rstrip("/") + "/"
            claims.link_index = -1
            honeypot = tracking_urls.click_url(base_url, sign(claims, self.keys))
        result = tracking_edge_pb2.InstrumentedMessage(
            message_id=message.message_id, unsubscribe_url=unsubscribe
        )
        known_indexes: dict[str, int] = {}
        next_index = 0
        html_outputs: list[str] = []
        for body in htmls:
            html = instrument_html(
                body,
                click_url=partial(_shifted, click_url, next_index),
                pixel_url=None if options.disable_open_tracking else pixel,
                unsubscribe_url=unsubscribe,
                honeypot_url=honeypot,
            )
            html_outputs.append(html.html)
            links = [link._replace(index=link.index + next_index) for link in html.links]
            self._add_links(result, links)
            for link in links:
                known_indexes.setdefault(link.original_url, link.index)
            next_index += len(links)
            if not options.disable_open_tracking:
                result.pixel_url = pixel
        text_outputs: list[str] = []
        for body in texts:
            text = instrument_text(
                body,
                click_url=click_url,
                unsubscribe_url=unsubscribe,
                start_index=next_index,
                known_indexes=known_indexes,
            )
            text_outputs.append(text.text)
            self._add_links(result, text.links)
            for link in text.links:
                known_indexes.setdefault(link.original_url, link.index)
            next_index += len(text.links)
        for name, value in (
            (mail_headers.TENANT_HEADER, message.tenant_id),
            (mail_headers.CAMPAIGN_HEADER, message.campaign_id),
            (mail_headers.MESSAGE_HEADER, message.message_id),
        ):
            result.headers.add(name=name, value=value)
        if not options.omit_list_unsubscribe:
            try:
                headers = list_unsubscribe_headers(unsubscribe, options.unsubscribe_mailto or None)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc
            for name, value in headers:
                result.headers.add(name=name, value=value)
        return result, html_outputs, text_outputs
