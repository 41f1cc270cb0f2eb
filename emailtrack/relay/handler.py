"""The relay's SMTP transaction (an aiosmtpd handler).

RCPT: a recipient the recipient service will not send to (suppressed, unsubscribed) is
refused with 550 and the reason; if that service cannot answer, 451 (fail closed).
DATA: the message is registered once under one message id (the X-Emailtrack-Message header, or
a digest of tenant and Message-ID (or content), so a client's retry reuses it); then it is
instrumented with each recipient's tokens (all recipients at once, in calls shared with the
other sessions; a refusal, such as a DKIM signature, refuses the message before anything is
sent) and relayed to the upstream once per recipient; the recipients the upstream took are
marked sent (the EMAIL_SENT event). Any failure answers 4xx
so the client keeps the message and retries, nothing is queued here; a recipient already relayed
by an earlier attempt is not sent twice. A permanent upstream refusal is passed on as 5xx
when no recipient of the transaction was relayed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import format_datetime, getaddresses
from ipaddress import ip_address
from typing import Any

import grpc

from emailtrack.client import AsyncEmailtrackClient, instrument_mime_request, registration
from emailtrack.common import mail_headers
from emailtrack.common.identity import address_key, recipient_id_for
from emailtrack.common.metrics import RELAY_RECIPIENTS
from emailtrack.relay.coalesce import Coalescer
from emailtrack.relay.config import RelaySettings
from emailtrack.relay.upstream import Upstream, UpstreamRefused
from emailtrack.v1 import recipient_pb2, tracking_edge_pb2

log = logging.getLogger(__name__)
RELAYED_MEMORY = 100_000
RELAYED_TTL_S = 3600.0
_HEADERS = BytesHeaderParser(policy=compat32)
_UPSTREAM_MAIL_OPTIONS = ("BODY=8BITMIME", "SMTPUTF8")
MARK_BATCH = 200  # messages per MarkSentBatch; a batch over the service's bound is split
INSTRUMENT_BATCH = 64  # messages per InstrumentMimeBatch call
INSTRUMENT_BATCH_BYTES = 8 * 1024 * 1024  # and their bytes (a larger message goes alone)
INSTRUMENT_ROUND_BYTES = 16 * 1024 * 1024  # instrumented copies of one message held at once
_ONE_ITEM_CODES = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.FAILED_PRECONDITION,
    }
)


class RelayedRecently:
    """(content digest, recipient) pairs relayed in the last hour, so that a client retrying a
    transaction that failed half-way does not send the same message twice (bounded). Keyed by
    the bytes received, not the Message-ID: a different message reusing a Message-ID is still
    sent."""

    def __init__(self, capacity: int = RELAYED_MEMORY, ttl_s: float = RELAYED_TTL_S) -> None:
        self.capacity = capacity
        self.ttl_s = ttl_s
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def __contains__(self, key: tuple[str, str]) -> bool:
        added = self._seen.get(key)
        return added is not None and time.monotonic() - added < self.ttl_s

    def add(self, key: tuple[str, str]) -> None:
        self._seen[key] = time.monotonic()
        self._seen.move_to_end(key)
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)


class RelayHandler:
    def __init__(
        self, settings: RelaySettings, client: AsyncEmailtrackClient, upstream: Upstream
    ) -> None:
        self.settings = settings
        self.client = client
        self.upstream = upstream
        self.relayed = RelayedRecently()
        tenant = settings.tenant_id
        spacing = settings.batch_interval_s
        self.sendable: Coalescer[str, recipient_pb2.SendableVerdict] = Coalescer(
            lambda emails: client.check_sendable(tenant, emails),
            _bad_input,
            min_interval_s=spacing,
        )
        self.registrations: Coalescer[recipient_pb2.MessageRegistration, None] = Coalescer(
            lambda batch: self._register(tenant, batch), _bad_input, min_interval_s=spacing
        )
        self.instruments: Coalescer[
            tracking_edge_pb2.InstrumentMimeRequest, tracking_edge_pb2.InstrumentMimeResult
        ] = Coalescer(
            client.instrument_mime_batch,
            _bad_input,
            max_batch=INSTRUMENT_BATCH,
            size_of=lambda request: len(request.mime),
            max_size=INSTRUMENT_BATCH_BYTES,
            min_interval_s=spacing,
        )
        self.sent_marks: Coalescer[tuple[str, list[str]], None] = Coalescer(
            lambda batch: self._mark_sent(tenant, batch),
            _refused,
            max_batch=MARK_BATCH,
            min_interval_s=spacing,
        )

    async def _register(
        self, tenant: str, batch: list[recipient_pb2.MessageRegistration]
    ) -> list[None]:
        await self.client.register_messages(tenant, batch)
        return [None] * len(batch)

    async def _mark_sent(self, tenant: str, batch: list[tuple[str, list[str]]]) -> list[None]:
        sent: dict[str, list[str]] = {}
        for message_id, recipients in batch:
            sent.setdefault(message_id, []).extend(recipients)
        await self.client.mark_sent_batch(tenant, sent)
        return [None] * len(batch)

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        if not session.authenticated and not self._trusted(session.peer):
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    def _trusted(self, peer: Any) -> bool:
        try:
            address = ip_address(peer[0] if isinstance(peer, tuple) else peer)
        except ValueError:
            return False
        return any(address in network for network in self.settings.trusted_networks)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        try:
            verdict = await self.sendable.submit(address)
        except grpc.RpcError as exc:
            log.warning("recipient service unavailable for RCPT: %s", exc)
            RELAY_RECIPIENTS.labels("deferred").inc()
            return "451 4.3.0 Recipient check unavailable, try again later"
        if not verdict.sendable:
            RELAY_RECIPIENTS.labels("suppressed").inc()
            return f"550 5.7.1 <{address}> is suppressed: {_one_line(verdict.reason)}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        headers = _HEADERS.parsebytes(content)
        tenant = self.settings.tenant_id
        campaign = str(headers.get(mail_headers.CAMPAIGN_HEADER, "")).strip()
        campaign = campaign or self.settings.default_campaign
        message_id = _message_id(tenant, headers, content)
        digest = hashlib.sha256(content).hexdigest()
        content = _received(server, session, message_id) + content
        registration = _registration(message_id, campaign, headers, envelope.rcpt_tos)
        pending = [r for r in envelope.rcpt_tos if (digest, address_key(r)) not in self.relayed]
        rounds = _rounds(pending, len(content)) or [[]]
        # Registration and the first round's instrumenting run side by side (both are done
        # before anything is sent): one wait fewer per message.
        registered, first_round = await asyncio.gather(
            self.registrations.submit(registration),
            self._instrument(content, campaign, message_id, rounds[0]),
            return_exceptions=True,
        )
        if isinstance(first_round, _Refusal):
            return _refuse(first_round, len(envelope.rcpt_tos))
        if isinstance(registered, grpc.RpcError):
            log.warning("registration failed: %s", registered)
            RELAY_RECIPIENTS.labels("deferred").inc(len(envelope.rcpt_tos))
            return "451 4.3.0 Registration unavailable, try again later"
        if isinstance(registered, BaseException):
            raise registered
        if isinstance(first_round, BaseException):
            raise first_round
        sent: list[str] = []
        refusals: list[UpstreamRefused] = []
        instrumented = first_round
        for number, chunk in enumerate(rounds):
            if number:
                try:
                    instrumented = await self._instrument(content, campaign, message_id, chunk)
                except _Refusal as refusal:
                    return _refuse(refusal, len(envelope.rcpt_tos) - len(sent))
            for recipient, data in zip(chunk, instrumented, strict=True):
                try:
                    await asyncio.to_thread(
                        self.upstream.send, envelope.mail_from, recipient, data, _options(envelope)
                    )
                except UpstreamRefused as refused:
                    log.warning("upstream refused %s: %s", message_id, refused)
                    RELAY_RECIPIENTS.labels("refused" if refused.permanent else "deferred").inc()
                    refusals.append(refused)
                    continue
                RELAY_RECIPIENTS.labels("relayed").inc()
                self.relayed.add((digest, address_key(recipient)))
                sent.append(recipient)
        if sent:
            try:
                await self.sent_marks.submit((message_id, sent))
            except grpc.RpcError as exc:  # the mail is out: its sent event is what we lose
                log.error("relayed %s but could not mark it sent: %s", message_id, exc)
        return _data_reply(sent, refusals)

    async def _instrument(
        self, content: bytes, campaign: str, message_id: str, recipients: list[str]
    ) -> list[bytes]:
        """The message instrumented for each recipient, in order (their requests join the
        other sessions' in shared InstrumentMimeBatch calls)."""
        tenant = self.settings.tenant_id
        requests = [
            instrument_mime_request(
                content,
                strip_dkim_signature=self.settings.strip_dkim,
                tenant_id=tenant,
                campaign_id=campaign,
                message_id=message_id,
                recipient_id=recipient_id_for(tenant, recipient),
            )
            for recipient in recipients
        ]
        try:
            results = await asyncio.gather(*(self.instruments.submit(r) for r in requests))
        except grpc.RpcError as exc:
            code, details = exc.code(), _one_line(exc.details() or "")
            if code == grpc.StatusCode.INVALID_ARGUMENT:
                raise _Refusal(f"554 5.6.0 {details}") from None
            log.warning("instrumenting failed: %s", exc)
            raise _Refusal("451 4.3.0 Tracking unavailable, try again later") from None
        for result in results:
            if result.refusal == tracking_edge_pb2.INSTRUMENT_MIME_REFUSAL_DKIM_SIGNATURE_PRESENT:
                raise _Refusal(f"550 5.7.1 {_one_line(result.error)}")
            if result.refusal != tracking_edge_pb2.INSTRUMENT_MIME_REFUSAL_UNSPECIFIED:
                raise _Refusal(f"554 5.6.0 {_one_line(result.error)}")
        return [bytes(result.response.mime) for result in results]


def _bad_input(exc: Exception) -> bool:
    return isinstance(exc, grpc.RpcError) and exc.code() == grpc.StatusCode.INVALID_ARGUMENT


def _refused(exc: Exception) -> bool:
    """A batched mark the service refused for one of its messages (retried one by one)."""
    return isinstance(exc, grpc.RpcError) and exc.code() in _ONE_ITEM_CODES


class _Refusal(Exception):
    """The SMTP reply that ends the transaction."""


def _refuse(refusal: _Refusal, recipients: int) -> str:
    """Counts the recipients the refusal leaves unsent; the reply for the client."""
    RELAY_RECIPIENTS.labels("deferred" if str(refusal).startswith("4") else "refused").inc(
        recipients
    )
    return str(refusal)


def _message_id(tenant: str, headers: Message, content: bytes) -> str:
    given = str(headers.get(mail_headers.MESSAGE_HEADER, "")).strip()
    if given:
        return given
    smtp_id = str(headers.get("Message-ID", "")).strip()
    source = smtp_id.encode() if smtp_id else hashlib.sha256(content).digest()
    return "relay-" + hashlib.sha256(tenant.encode() + b"\x00" + source).hexdigest()[:24]


def _received(server: Any, session: Any, message_id: str) -> bytes:
    """The RFC 5321 4.4 trace field a relay adds, first in the header section."""
    peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
    protocol = "ESMTP" + ("S" if session.ssl else "") + ("A" if session.authenticated else "")
    helo = _one_line(str(session.host_name or "unknown"))[:100]
    return (
        f"Received: from {helo} ([{peer}])\r\n\tby {server.hostname} (emailtrack relay) "
        f"with {protocol} id {message_id};\r\n\t{format_datetime(datetime.now(UTC))}\r\n"
    ).encode("utf-8", "replace")


def _registration(
    message_id: str, campaign: str, headers: Message, recipients: list[str]
) -> recipient_pb2.MessageRegistration:
    to = {address_key(a) for _, a in getaddresses([str(v) for v in headers.get_all("To", [])])}
    cc = {address_key(a) for _, a in getaddresses([str(v) for v in headers.get_all("Cc", [])])}
    return registration(
        message_id,
        campaign,
        [r for r in recipients if address_key(r) in to],
        cc=[r for r in recipients if address_key(r) in cc and address_key(r) not in to],
        bcc=[r for r in recipients if address_key(r) not in to | cc],
        smtp_message_id=str(headers.get("Message-ID", "")).strip(),
    )


def _rounds(recipients: list[str], size: int) -> list[list[str]]:
    """The recipients cut into rounds whose instrumented copies fit INSTRUMENT_ROUND_BYTES."""
    per_round = max(1, INSTRUMENT_ROUND_BYTES // max(size, 1))
    return [recipients[i : i + per_round] for i in range(0, len(recipients), per_round)]


def _options(envelope: Any) -> list[str]:
    return [o for o in envelope.mail_options if o.upper() in _UPSTREAM_MAIL_OPTIONS]


def _data_reply(sent: list[str], refusals: list[UpstreamRefused]) -> str:
    if not refusals:
        return "250 2.0.0 Message relayed"
    first = refusals[0]
    if not sent and all(refusal.permanent for refusal in refusals):
        return f"{first.code} {_one_line(first.text)}"
    return f"451 4.4.0 Upstream did not take the message, try again later ({_one_line(str(first))})"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:400]
