"""Protobuf conversions: domain classifications, parse results and outcomes to messages."""

from __future__ import annotations

from emailtrack.common.identity import recipient_id_for
from emailtrack.v1 import bounce_pb2, events_pb2
from services.bounce.domain.outcomes import Outcome
from services.bounce.domain.parse import ParsedBounce
from services.bounce.domain.taxonomy import SmtpClassification

BOUNCE_TYPES = {
    "hard": events_pb2.BOUNCE_TYPE_HARD,
    "soft": events_pb2.BOUNCE_TYPE_SOFT,
    "": events_pb2.BOUNCE_TYPE_UNSPECIFIED,
}
RETRY_ADVICE = {
    "do_not_retry": bounce_pb2.RETRY_ADVICE_DO_NOT_RETRY,
    "retry_later": bounce_pb2.RETRY_ADVICE_RETRY_LATER,
    "retry_after_fix": bounce_pb2.RETRY_ADVICE_RETRY_AFTER_FIX,
}
INBOUND_KINDS = {
    "bounce": bounce_pb2.INBOUND_KIND_BOUNCE,
    "complaint": bounce_pb2.INBOUND_KIND_COMPLAINT,
    "auto_reply": bounce_pb2.INBOUND_KIND_AUTO_REPLY,
    "delivery_report": bounce_pb2.INBOUND_KIND_DELIVERY_REPORT,
    "unknown": bounce_pb2.INBOUND_KIND_UNKNOWN,
}
EVENT_TYPES = {
    "delivered": events_pb2.EVENT_TYPE_EMAIL_DELIVERED,
    "deferred": events_pb2.EVENT_TYPE_EMAIL_DEFERRED,
    "bounce": events_pb2.EVENT_TYPE_EMAIL_BOUNCE,
    "complaint": events_pb2.EVENT_TYPE_EMAIL_COMPLAINT,
    "open": events_pb2.EVENT_TYPE_EMAIL_OPEN,
    "click": events_pb2.EVENT_TYPE_EMAIL_CLICK,
    "unsubscribe": events_pb2.EVENT_TYPE_EMAIL_UNSUBSCRIBE,
    "reply": events_pb2.EVENT_TYPE_EMAIL_REPLY,
}


def classification_message(c: SmtpClassification) -> bounce_pb2.SmtpClassification:
    return bounce_pb2.SmtpClassification(
        reason=c.reason,
        bounce_type=BOUNCE_TYPES[c.bounce_type],
        retry=RETRY_ADVICE[c.retry],
        matched_rule=c.matched_rule,
        sisimai_reason=c.sisimai_reason,
    )


def parsed_message(parsed: ParsedBounce) -> bounce_pb2.ParsedMessage:
    return bounce_pb2.ParsedMessage(
        kind=INBOUND_KINDS[parsed.kind],
        recipients=[
            bounce_pb2.FailedRecipient(
                address=r.address,
                status=r.status,
                smtp_code=r.smtp_code,
                diagnostic=r.diagnostic,
                classification=classification_message(r.classification),
                remote_mta=r.remote_mta,
                action=r.action,
                original_recipient=r.original_recipient,
            )
            for r in parsed.recipients
        ],
        original_message_id=parsed.original_message_id,
        format=parsed.format,
        feedback_type=parsed.feedback_type,
        tenant_id=parsed.tenant_id,
        campaign_id=parsed.campaign_id,
        message_id=parsed.message_id,
    )


def event_of(outcome: Outcome, trace: events_pb2.TraceContext) -> events_pb2.Event:
    """The Kafka event of an outcome: delivery payload, engagement/unsubscribe payload for
    the opens, clicks and unsubscribes an ESP reports, reply payload for human replies."""
    event = events_pb2.Event(
        event_id=outcome.event_id,
        type=EVENT_TYPES[outcome.kind],
        tenant_id=outcome.tenant_id,
        campaign_id=outcome.campaign_id,
        message_id=outcome.message_id,
        recipient_id=recipient_id_for(outcome.tenant_id, outcome.address),
        trace=trace,
        sequence_step=outcome.sequence_step,
        variant=outcome.variant,
        mailbox=outcome.mailbox,
        warmup=outcome.warmup,
    )
    event.occurred_at.FromDatetime(outcome.occurred_at)
    if outcome.kind in ("open", "click"):
        event.engagement.link_url = outcome.link_url
        event.engagement.link_index = -1
        event.engagement.user_agent = outcome.user_agent
        event.engagement.client_ip = outcome.client_ip
    elif outcome.kind == "unsubscribe":
        event.unsubscribe.address = outcome.address
    elif outcome.kind == "reply":
        event.reply.address = outcome.address
        event.reply.in_reply_to = outcome.in_reply_to
        event.reply.reply_message_id = outcome.reply_message_id
        event.reply.matched_by = outcome.matched_by
    else:
        event.delivery.CopyFrom(
            events_pb2.DeliveryPayload(
                address=outcome.address,
                bounce_type=BOUNCE_TYPES[outcome.bounce_type],
                reason=outcome.reason,
                smtp_code=outcome.smtp_code,
                enhanced_status=outcome.enhanced_status,
                diagnostic=outcome.diagnostic,
                source=outcome.source,
                feedback_type=outcome.feedback_type,
            )
        )
    return event
