"""Pure bounce-handling domain: SMTP reply classification and inbound report parsing."""

from services.bounce.domain.parse import FailedRecipient, ParsedBounce, parse_bounce_message
from services.bounce.domain.smtp_rules import classify_smtp_reply
from services.bounce.domain.taxonomy import REASONS, SmtpClassification

__all__ = [
    "REASONS",
    "FailedRecipient",
    "ParsedBounce",
    "SmtpClassification",
    "classify_smtp_reply",
    "parse_bounce_message",
]
