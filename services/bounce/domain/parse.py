"""parse_bounce_message: one inbound raw message to a bounce, complaint, auto-reply or report.

Decision order: ARF or JMRP feedback report (complaint); RFC 3464 delivery-status (bounce, or
delivery_report if every action is delivered/relayed/expanded); auto-reply (auto_reply); text
bounce, warning or success notice (bounce, delivery_report); otherwise unknown, with hints that
may make it a human reply (domain/replies.py). Malformed input never raises.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import logging
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Literal

from services.bounce.domain import (
    arf,
    autoreply,
    dsn,
    gateways,
    mta_formats,
    notice_actions,
    original,
    recipient_lines,
    replies,
    ses_mail,
)
from services.bounce.domain import taxonomy as t
from services.bounce.domain.header_blocks import header_block
from services.bounce.domain.mime_tree import parse_message, trim_transfer_encodings
from services.bounce.domain.smtp_rules import (
    classify_smtp_reply,
    reply_code_in,
    specific_status,
    status_in_text,
)
from services.bounce.domain.smtp_stage import (
    OVER_STATUS_SUFFIX,
    STAGE_SENSITIVE_REASONS,
    after_acceptance,
    smtp_stage,
    sole_stage,
)
from services.bounce.domain.status_codes import normalise_status
from services.bounce.domain.taxonomy import SmtpClassification
from services.bounce.domain.text_rules import CONNECTION_RULE

Kind = Literal["bounce", "complaint", "auto_reply", "delivery_report", "unknown"]

_SUCCESS_ACTIONS = {"delivered", "relayed", "expanded"}
_UNEXPLAINED = {t.UNDEFINED, t.NETWORK_ERROR}
_NO_CAUSE = {t.UNDEFINED, t.ON_HOLD}
_NETWORK_UNNAMED = ("status.", "code.", CONNECTION_RULE)  # rules naming no network failure
_LOCAL_TYPES = {"x-unix", "x-postfix"}  # Diagnostic-Code types of failures outside SMTP
_LETTER_RE = re.compile(r"[^\W\d_]")  # any letter: the text says more than a code
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FailedRecipient:
    """A recipient the report is about, with what happened to it."""

    address: str
    status: str
    smtp_code: str
    diagnostic: str
    classification: SmtpClassification
    remote_mta: str = ""
    action: str = ""
    original_recipient: str = ""  # as first addressed, when the report names another


@dataclass(frozen=True, slots=True)
class ParsedBounce:
    """Everything a bounce mailbox message tells about the original message."""

    kind: Kind
    recipients: tuple[FailedRecipient, ...] = ()
    original_message_id: str = ""
    format: str = ""
    feedback_type: str = ""
    tenant_id: str = ""
    campaign_id: str = ""
    message_id: str = ""  # X-Emailtrack-Message of the original
    # For mail that is none of the above: what may make it a reply to one of our messages.
    reply: replies.ReplyHints = field(default_factory=replies.ReplyHints)


def _code_str(code: int) -> str:
    return str(code) if code else ""


def _classify(
    status: str,
    text: str,
    fallback_text: str,
    mx_host: str,
    domain: str,
    action: str,
    notification: str = "",
    source: Message | None = None,
) -> tuple[SmtpClassification, int]:
    """Classify a recipient's own text, else the notification around it. A delivery the MTA
    gave up on ("failed") after transient connection failures has expired. A gateway's own
    wording for an unknown user (``gateways``; ``source`` is the notice) stands at any stage."""
    code = reply_code_in(text)
    result = classify_smtp_reply(code, status, text, mx_host, domain)
    if result.reason == t.UNDEFINED and fallback_text:
        code = code or reply_code_in(fallback_text)
        result = classify_smtp_reply(code, status, fallback_text, mx_host, domain)
    if (
        action in ("failed", "delayed")
        and result.matched_rule == CONNECTION_RULE
        and (normalise_status(status) or status_in_text(text, code))[1:] != ".4.2"
    ):
        # The MTA reports its retry schedule: connection failures it kept retrying (X.4.1).
        # X.4.2 (bad connection: made, then broken, as Postfix's "lost connection with ...")
        # stays network_error, as RFC 3463 and Sisimai's status table name it.
        result = t.classification_for(t.EXPIRED, code, f"{CONNECTION_RULE}.gave_up")
    stage_sensitive = result.reason in STAGE_SENSITIVE_REASONS or result.matched_rule.endswith(
        OVER_STATUS_SUFFIX
    )
    if stage_sensitive and not (
        result.reason == t.USER_UNKNOWN
        and source is not None
        and gateways.names_unknown_user(gateways.gateway_of(source), text)
    ):  # only then does the SMTP stage matter
        found_status = (
            normalise_status(status)
            or status_in_text(text, code)
            or status_in_text(fallback_text, code)
        )
        stage = smtp_stage(text, fallback_text)
        if not stage and notification != fallback_text:
            # (smtp_stage found no stage in the notification itself when it was the fallback)
            stage = sole_stage(notification)
        result = after_acceptance(result, code, found_status, stage, f"{text}\n{fallback_text}")
    unnamed = result.reason == t.UNDEFINED or result.matched_rule.startswith(_NETWORK_UNNAMED)
    if action == "delayed" and result.reason in _UNEXPLAINED and unnamed:
        # A delay notice naming no cause is about the retry period itself (X.4.7); wording
        # naming a network failure (Sisimai's NetworkError list) stays that failure.
        result = t.classification_for(t.EXPIRED, code, f"{result.matched_rule}.delayed")
    if result.reason == t.UNDEFINED and _LETTER_RE.search(text):
        # A failure that states something no rule understands: Sisimai's "onhold".
        result = t.classification_for(t.ON_HOLD, code, f"{result.matched_rule}.unexplained")
    elif result.reason == t.UNDEFINED:
        # A failure stated by nothing but a code (a bare "Status: 5.0.0") does not show the
        # address is bad: soft, as Sisimai has it, so no reader is suppressed on no evidence.
        result = t.classification_for(t.UNDEFINED, 0, f"{result.matched_rule}.no_cause")
    if action in ("failed", "delayed"):
        result = t.address_refused(result)
    return result, code


def _domain(address: str) -> str:
    return address.rpartition("@")[2]


def _from_dsn(
    entries: list[dsn.DsnRecipient], notification: str, source: Message | None = None
) -> list[FailedRecipient]:
    recipients = []
    for entry in entries:
        status = normalise_status(entry.status)
        reported = specific_status(status, entry.diagnostic)
        text = f"{entry.diagnostic} {entry.status}".strip()
        if entry.action in _SUCCESS_ACTIONS:
            classification = classify_smtp_reply(250, status or "2.0.0", text)
            code = 0
        else:
            snippet = mta_formats.snippet(notification, entry.address) or notification
            classification, code = _classify(
                reported,
                text,
                snippet,
                entry.remote_mta,
                _domain(entry.address),
                entry.action,
                notification,
                source,
            )
            if entry.diagnostic_type in _LOCAL_TYPES and classification.reason in _NO_CAUSE:
                # A local delivery program's or the MTA's own failure (Diagnostic-Code: X-Unix
                # or X-Postfix) that nothing explains: the mailer failed (Sisimai: mailererror).
                classification = t.classification_for(t.MAILER_ERROR, code, "dsn.local_type")
            if entry.category_reason and entry.action == "failed":
                # The sending MTA's own verdict on this recipient (a bounce category).
                category = t.classification_for(entry.category_reason, code, "dsn.category")
                classification = t.address_refused(category)
        recipients.append(
            FailedRecipient(
                address=entry.address,
                status=reported,
                smtp_code=_code_str(code),
                diagnostic=entry.diagnostic,
                classification=classification,
                remote_mta=entry.remote_mta,
                action=entry.action,
                original_recipient=entry.original_recipient,
            )
        )
    return recipients


def _without_others(
    notification: str,
    entry: mta_formats.TextRecipient,
    entries: list[mta_formats.TextRecipient],
) -> str:
    """The notification a recipient whose own text names no cause falls back to: without the
    other recipients' blocks when a layout gave each its own (one's "over quota" is not
    another's cause). Each block is a stretch of the notification, white space joined."""
    if len(entries) == 1 or not all(other.own_block for other in entries):
        return notification
    common = " ".join(notification.split())
    for other in entries:
        if other is not entry and other.diagnostic:
            common = common.replace(" ".join(other.diagnostic.split()), " ")
    return common


def _shared_status(
    notification: str,
    code: int,
    entry: mta_formats.TextRecipient,
    entries: list[mta_formats.TextRecipient],
) -> str:
    """The notification's status for a recipient whose own text has none, unless that status
    is another recipient's (written in its own text: "<a>: ... 550 5.1.1 ...", then "<b>:
    connect to ...: Connection timed out" is no 5.1.1 for b)."""
    found = status_in_text(notification, code)
    if not found or len(entries) == 1:
        return found
    others = (other.diagnostic for other in entries if other is not entry)
    return "" if any(found in diagnostic for diagnostic in others) else found


def _from_text(
    entries: list[mta_formats.TextRecipient], notification: str, source: Message | None = None
) -> list[FailedRecipient]:
    """The recipients of a text notice, classified; a success notice's are deliveries."""
    recipients = []
    entries = notice_actions.as_warned(entries, notification)
    for entry in entries:
        classification, code = _classify(
            "",
            entry.diagnostic,
            _without_others(notification, entry, entries),
            "",
            _domain(entry.address),
            entry.action,
            notification,
            source,
        )
        recipients.append(
            FailedRecipient(
                address=entry.address,
                status=status_in_text(entry.diagnostic, code)
                or normalise_status(entry.diagnostic)
                or _shared_status(notification, code, entry, entries),
                smtp_code=_code_str(code),
                diagnostic=" ".join(entry.diagnostic.split()),
                classification=classification,
                action=entry.action,
                original_recipient=entry.original_recipient,
            )
        )
    return notice_actions.as_reported(recipients, notification)


def _complaint(
    report: arf.FeedbackReport, headers: Message | None
) -> tuple[list[FailedRecipient], str]:
    feedback_type = arf.feedback_type(report, headers)
    detail = f"Feedback-Type: {feedback_type}; User-Agent: {report.user_agent}"
    feedback = t.classification_for(t.FEEDBACK, 0, f"arf.{feedback_type or 'unknown'}")
    recipients = [
        FailedRecipient(a, "", "", detail, feedback, report.reporting_mta, "complaint")
        for a in arf.complained_recipients(report, headers)
    ]
    return recipients, feedback_type


def _auto_reply(msg: Message) -> list[FailedRecipient]:
    _, sender = email.utils.parseaddr(str(msg.get("from", "")))
    if "@" not in sender:
        return []
    vacation = t.classification_for(t.VACATION, 0, "auto_reply")
    return [FailedRecipient(sender, "", "", "", vacation, "", "auto-replied")]


def _from_ses(ses: ses_mail.SesNotification, extra: dict[str, Any]) -> ParsedBounce:
    """A bounce, delivery or complaint notification of Amazon SES received as mail."""
    entries = [e for e in ses.recipients if "@" in e.address]
    if ses.kind == "complaint":
        feedback = t.classification_for(t.FEEDBACK, 0, f"ses.{ses.feedback_type}")
        recipients = [
            FailedRecipient(e.address, "", "", "", feedback, "", "complaint") for e in entries
        ]
        return ParsedBounce(
            "complaint", tuple(recipients), format="ses", feedback_type=ses.feedback_type, **extra
        )
    kind: Kind = "delivery_report" if ses.kind == "delivery" else "bounce"
    return ParsedBounce(kind, tuple(_from_dsn(entries, "")), format="ses", **extra)


def _kind(recipients: list[FailedRecipient]) -> Kind:
    """A delivery report when every recipient was delivered, relayed or expanded."""
    delivered = bool(recipients) and all(r.action in _SUCCESS_ACTIONS for r in recipients)
    return "delivery_report" if delivered else "bounce"


def _failure_notice(msg: Message) -> bool:
    """Mail from a mailer daemon or titled as a delivery failure: a remote server's reply it
    quotes ("sender not pre-approved") does not make it a challenge/response. (Boxbe's
    challenges come as multipart/report too, so the report type alone does not say.)"""
    return mta_formats.looks_like_bounce(msg, null_sender=False)


def _parse(raw: bytes) -> ParsedBounce:
    # NUL is not allowed in mail (RFC 5322) and PostgreSQL text cannot hold it: dropped here,
    # it can reach no diagnostic, address or id that is stored or published.
    msg = parse_message(raw.replace(b"\x00", b""))
    parts = [(part, part.get_content_type()) for part in msg.walk()]
    trim_transfer_encodings(part for part, _ in parts)
    known = {id(part): content_type for part, content_type in parts}
    notification, returned = mta_formats.split_notification(msg, known)
    fmt = mta_formats.detect_format(msg, notification)
    headers = original.returned_headers(msg, parts)
    ids = original.original_ids(headers, returned)
    extra: dict[str, Any] = {
        "original_message_id": ids.message_id,
        "tenant_id": ids.tenant_id,
        "campaign_id": ids.campaign_id,
        "message_id": ids.emailtrack_message_id,
    }

    feedback = arf.feedback_part(parts)
    if feedback is not None or arf.is_jmrp_report(msg):
        report = arf.parse_feedback_report(feedback) if feedback else arf.JMRP_REPORT
        recipients, feedback_type = _complaint(report, headers)
        return ParsedBounce(
            "complaint", tuple(recipients), format="arf", feedback_type=feedback_type, **extra
        )

    if autoreply.is_challenge_response(notification) and not _failure_notice(msg):
        extra["original_message_id"] = original.replied_message_id(msg) or ids.message_id
        return ParsedBounce("auto_reply", tuple(_auto_reply(msg)), format="challenge", **extra)

    ses = ses_mail.parse_ses_notification(notification)
    if ses is not None:
        return _from_ses(ses, extra)

    dsn_parts = dsn.delivery_status_parts(parts)
    dsn_entries = [entry for part in dsn_parts for entry in dsn.parse_delivery_status(part)]
    if not dsn_parts:
        dsn_entries = dsn.inline_delivery_status(notification)
    if dsn_entries:
        recipients = _from_dsn(dsn_entries, notification, msg)
        dsn_format = fmt if fmt in ("gmail", "yahoo", "exchange", "ses", "postfix") else "rfc3464"
        return ParsedBounce(_kind(recipients), tuple(recipients), format=dsn_format, **extra)

    # The cheap test first: failure notices (most of what reaches here) skip the auto-reply
    # signals (every header name, the subject's patterns in many languages).
    if not mta_formats.looks_like_bounce(msg, null_sender=False) and autoreply.is_auto_reply(msg):
        extra["original_message_id"] = original.replied_message_id(msg) or ids.message_id
        return ParsedBounce("auto_reply", tuple(_auto_reply(msg)), format="auto_reply", **extra)

    returned_headers = headers
    if returned_headers is None and returned:
        returned_headers = header_block(returned.lstrip())
    excluded = recipient_lines.false_recipients(msg, returned_headers, notification)
    text_entries = [
        entry
        for entry in mta_formats.text_recipients(msg, notification, fmt, frozenset(excluded))
        if not recipient_lines.is_false_recipient(entry.address, excluded)
    ] or notice_actions.listed_recipients(notification, excluded)
    if text_entries or mta_formats.looks_like_bounce(msg):
        recipients = _from_text(text_entries, notification, msg)
        return ParsedBounce(_kind(recipients), tuple(recipients), format=fmt, **extra)
    return ParsedBounce("unknown", reply=replies.reply_hints(msg), **extra)


def parse_bounce_message(raw: bytes) -> ParsedBounce:
    """Parse one raw inbound message; anything unparseable yields kind "unknown"."""
    try:
        return _parse(raw)
    except Exception:  # malformed mail must never take the consumer down
        log.debug("unparseable inbound message", exc_info=True)
        return ParsedBounce("unknown")
