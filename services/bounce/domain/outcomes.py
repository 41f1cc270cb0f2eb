"""Delivery outcomes: what a bounce message or an ESP webhook event says happened to one
recipient, with a deterministic id (the same fact always gets the same id, so replays and
duplicate deliveries are idempotent), and the conversion of a parsed bounce into outcomes."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Literal

from services.bounce.domain.arf import NOT_COMPLAINTS
from services.bounce.domain.parse import FailedRecipient, ParsedBounce
from services.bounce.domain.replies import ReplyHints, ReplyMatch
from services.bounce.domain.status_codes import normalise_status

OutcomeKind = Literal[
    "delivered", "deferred", "bounce", "complaint", "open", "click", "unsubscribe", "reply"
]
OUTCOME_KINDS: frozenset[str] = frozenset(
    {"delivered", "deferred", "bounce", "complaint", "open", "click", "unsubscribe", "reply"}
)
_NAMESPACE = uuid.UUID("5b0c5e3e-8f5d-4a53-9f0e-4d2f3c1a6b71")
_SUCCESS_ACTIONS = {"delivered", "relayed", "expanded"}


def outcome_id(*natural_key: str) -> str:
    """Deterministic event id of a fact identified by ``natural_key``."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(natural_key)))


@dataclass(frozen=True, slots=True)
class Outcome:
    """One classified fact about one recipient of one message."""

    event_id: str
    kind: OutcomeKind
    tenant_id: str
    address: str
    occurred_at: datetime
    source: str  # "dsn", "smtp", "arf", "sendgrid", "mailgun", "postmark", "ses", "mandrill"
    campaign_id: str = ""
    message_id: str = ""
    bounce_type: str = ""  # "hard", "soft" or ""
    reason: str = ""
    smtp_code: str = ""
    enhanced_status: str = ""
    diagnostic: str = ""
    feedback_type: str = ""
    link_url: str = ""
    user_agent: str = ""
    client_ip: str = ""
    sequence_step: str = ""
    variant: str = ""
    mailbox: str = ""
    in_reply_to: str = ""
    reply_message_id: str = ""
    matched_by: str = ""
    warmup: bool = False
    # The ESP's own id of the event a webhook reported (stored for audit and de-duplication).
    esp_event_id: str = ""


def without_nul(outcome: Outcome) -> Outcome:
    """The outcome with any NUL character (a webhook's JSON may carry "\\u0000") replaced by
    U+FFFD: PostgreSQL text cannot hold NUL, and one would fail the whole store call."""
    changed: dict[str, Any] = {
        f.name: value.replace("\x00", "\ufffd")
        for f in fields(outcome)
        if isinstance(value := getattr(outcome, f.name), str) and "\x00" in value
    }
    return replace(outcome, **changed) if changed else outcome


def outcome_kind(parsed: ParsedBounce, recipient: FailedRecipient) -> OutcomeKind | None:
    """What the report says happened to ``recipient`` (None for auto-replies, unknown mail and
    feedback reports that are no complaint: RFC 6650's not-spam, RFC 6591's auth-failure)."""
    if parsed.kind == "complaint":
        # Not-spam and authentication-failure reports are not the recipient's complaint.
        return None if parsed.feedback_type in NOT_COMPLAINTS else "complaint"
    if parsed.kind not in ("bounce", "delivery_report"):
        return None
    if recipient.action in _SUCCESS_ACTIONS:
        return "delivered"
    if recipient.action == "delayed":
        return "deferred"
    return "bounce"


def outcomes_from_bounce(
    parsed: ParsedBounce, raw: bytes, tenant_id: str, received_at: datetime
) -> list[Outcome]:
    """The outcomes of a parsed inbound message (auto-replies and unknown mail have none).

    ``tenant_id`` is the operator's tenant: it wins over any quoted X-Emailtrack-Tenant, so a
    message cannot write into another tenant. The id's natural key is the original
    Message-ID (else the digest of the raw message), the recipient and the outcome kind.
    """
    anchor = parsed.original_message_id or hashlib.sha256(raw).hexdigest()
    outcomes = []
    for recipient in parsed.recipients:
        kind = outcome_kind(parsed, recipient)
        # The address we sent to: the DSN's Original-Recipient when it names another one.
        address = recipient.original_recipient or recipient.address
        if kind is None or "@" not in address:
            continue
        classification = recipient.classification
        is_failure = kind in ("bounce", "deferred")
        outcomes.append(
            Outcome(
                event_id=outcome_id("mail", tenant_id, anchor, address.lower(), kind),
                kind=kind,
                tenant_id=tenant_id,
                address=address,
                occurred_at=received_at,
                source="arf" if kind == "complaint" else "dsn",
                campaign_id=parsed.campaign_id,
                message_id=parsed.message_id,
                bounce_type=classification.bounce_type if is_failure else "",
                reason=classification.reason,
                smtp_code=recipient.smtp_code,
                enhanced_status=normalise_status(recipient.status),
                diagnostic=recipient.diagnostic[:1000],
                feedback_type=parsed.feedback_type,
            )
        )
    return outcomes


def reply_outcome(
    hints: ReplyHints, match: ReplyMatch, raw: bytes, tenant_id: str, received_at: datetime
) -> Outcome:
    """A human reply from ``hints.sender`` to the matched message; its id's natural key is
    the reply's own Message-ID (else the digest of the raw message)."""
    anchor = hints.reply_message_id or hashlib.sha256(raw).hexdigest()
    known = match.message
    return Outcome(
        event_id=outcome_id("reply", tenant_id, anchor),
        kind="reply",
        tenant_id=tenant_id,
        address=hints.sender,
        occurred_at=received_at,
        source="inbound",
        campaign_id=known.campaign_id,
        message_id=known.message_id,
        sequence_step=known.sequence_step,
        variant=known.variant,
        mailbox=known.mailbox,
        in_reply_to=match.in_reply_to,
        reply_message_id=hints.reply_message_id,
        matched_by=match.matched_by,
        warmup=known.warmup and bool(known.mailbox),
    )
