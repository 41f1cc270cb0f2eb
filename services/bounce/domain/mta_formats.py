"""Non-standard (plain-text) bounces: notification text, MTA format and failed recipients.

Recipient addresses come from direct readers of unambiguous layouts (postfix/qmail lists, Exim,
Exchange), else from flufl.bounce's detectors (tuned on Mailman's corpus of real bounces); this
module adds the format name and each recipient's own diagnostic text.
"""

from __future__ import annotations

import email.utils
import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

from services.bounce.domain import detectors, layouts, recipient_lines
from services.bounce.domain.literals import (
    CaselessScreened,
    first_occurrence,
    may_match,
    required_literals,
)
from services.bounce.domain.mime_tree import TRANSFER_ENCODINGS, decoded_subject, decoded_text

_MAX_TEXT = 16_000
_DETECTOR_TEXT = 6_000
# Lines after which a text bounce quotes the returned message.
_RETURNED_MARKER_RE = re.compile(
    r"^[ \t-]*(?:"
    r"-+ ?below this line is a copy of the message"
    r"|-+ ?this is a copy of the message"
    r"|-+ ?(?:the )?original message(?: follows| headers)?"
    r"|original message (?:follows|headers)"
    r"|-+ ?(?:returned|original) (?:mail|message)(?: follows)?"
    r"|-+ ?(?:start of returned message|message header follows|header of the source mail)"
    r"|message headers follow"
    r"|a copy of the original message below"
    r"|-+ ?rfc822 headers"
    r"|your message reads \(in part\)"
    r"|old message:"
    r").*$",
    re.MULTILINE,
)
# Applied to lower-cased text, from the line holding the first of the literals one of which it
# needs (literals.first_occurrence).
_RETURNED_MARKER_SCREEN = tuple(
    sorted(required_literals(_RETURNED_MARKER_RE.pattern) or ("",), key=lambda s: (len(s), s))
)
_TAG_RE = re.compile(r"<[^>]{0,500}>")
# "<address>:" opening a paragraph; Postfix writes an alias's expansion between the two:
# "<ann@example.org> (expanded from <list@example.org>): host ... said: ...".
_ANGLE_ADDRESS_LINE_RE = re.compile(
    r"^\s*<([^<>\s@]+@[^<>\s@]+)>(?:[ \t]+\(expanded from:? <([^<>\s@]+@[^<>\s@]+)>\))?:",
    re.MULTILINE,
)
_LONE_ADDRESS_LINE_RE = re.compile(
    r"^[ \t]*[\"'<]?([^<>\s@\"'\uff1a]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)[\"'>]?[ \t]*$",
    re.MULTILINE,
)
_PARAGRAPH_SPLIT_RE = re.compile(r"\n[ \t]*\n")
_LISTED_FORMATS = ("postfix", "qmail", "yahoo")
_DELAY_RE = re.compile(
    r"warning|delayed|not yet been delivered|will (?:continue|keep) (?:to )?(?:try|attempt)", re.I
)
_DELAY = CaselessScreened(_DELAY_RE)
_BOUNCE_FROM_RE = re.compile(
    r"mailer-daemon|postmaster|mail delivery|mdaemon|delivery subsystem", re.I
)
_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|delivery (?:status|failure|failed|notification|problem|report)|returned mail"
    r"|failure notice|mail delivery failed|non-?delivery|could not be delivered|delayed mail"
    r"|mail error|failed mail|not delivered|delivery warning|mail system error",
    re.IGNORECASE,
)

# Applied to lower-cased text (a case-sensitive search keeps re's fast literal scan).
_FORMAT_SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Postfix's own opening (bounce(5)) names the author; host names after it (a relay to
    # Gmail or Office 365) are only the remote side.
    ("postfix", re.compile(r"this is the (?:mail system at host|postfix program)")),
    ("ses", re.compile(r"amazonses\.com")),
    ("gmail", re.compile(r"googlemail\.com|mail\.gmail\.com|\bgsmtp\b|google\.com")),
    ("yahoo", re.compile(r"yahoo(?:inc)?\.com|yahoo\.[a-z.]+>|message from yahoo")),
    (
        "exchange",
        re.compile(
            r"msexch|did not reach the following recipient|delivery has failed to these recipients"
            r"|protection\.outlook\.com|microsoft exchange|couldn't be delivered to",
        ),
    ),
    ("postfix", re.compile(r"postfix|i'm sorry to have to inform you that the message")),
    ("qmail", re.compile(r"qmail|below this line is a copy of the message")),
    ("exim", re.compile(r"created automatically by mail delivery software|\bexim\b")),
    ("fml", re.compile(r"<\d+\.fml[^@>\s]*@")),  # the fml list server's Message-ID
    (
        "sendmail",
        re.compile(r"transcript of session follows|the original message was received at"),
    ),
)

_FORMAT_SCREENS = tuple(
    (name, required_literals(signature.pattern), signature)
    for name, signature in _FORMAT_SIGNATURES
)
_LAYOUT_READERS = {
    "exim": layouts.exim_recipients,
    "exchange": layouts.exchange_recipients,
    "sendmail": layouts.sendmail_recipients,
    "fml": layouts.sentence_recipients,
}
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TextRecipient:
    """A recipient found in a plain-text bounce, with the text that explains its failure."""

    address: str
    action: str
    diagnostic: str
    original_recipient: str = ""  # the address it was expanded from (an alias, a list)
    # Read from a layout that gives each recipient its own block (postfix/qmail paragraphs,
    # Exim, Exchange, Sendmail): the other recipients' blocks say nothing about this one.
    own_block: bool = False


def _content_type(part: Message, known: Mapping[int, str]) -> str:
    return known.get(id(part)) or part.get_content_type()


def _own_text_parts(msg: Message, known: Mapping[int, str]) -> list[Message]:
    """Text parts of ``msg`` that are not inside a returned (message/*) part."""
    if msg.is_multipart():
        parts: list[Message] = []
        for sub in msg.get_payload():
            if isinstance(sub, Message) and not _content_type(sub, known).startswith("message/"):
                parts.extend(_own_text_parts(sub, known))
        return parts
    # A multipart whose boundary cannot be found (a broken Content-Type) is one text body.
    return [msg] if _content_type(msg, known).startswith(("text/", "multipart/")) else []


def split_notification(msg: Message, known: Mapping[int, str] | None = None) -> tuple[str, str]:
    """Return (notification text, returned text) of ``msg``; HTML is reduced to text.
    ``known`` maps ``id(part)`` to the content types of parts already looked at."""
    chunks: list[str] = []
    known = known or {}
    for part in _own_text_parts(msg, known):
        subtype = _content_type(part, known).partition("/")[2]
        if subtype in ("rfc822-headers", "rfc822"):
            continue
        text = decoded_text(part)
        if subtype == "html":
            text = html.unescape(_TAG_RE.sub(" ", text))
        chunks.append(text)
    text = "\n".join(chunks)[:_MAX_TEXT].replace("\r\n", "\n")
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two: keep offsets aligned
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    # A marker is one line holding one of the screen's literals: start at the first such line.
    first = first_occurrence(_RETURNED_MARKER_SCREEN, lowered)
    if first < 0:
        return text, ""
    marker = _RETURNED_MARKER_RE.search(lowered, lowered.rfind("\n", 0, first) + 1)
    if marker is None:
        return text, ""
    return text[: marker.start()], text[marker.end() :]


def detect_format(msg: Message, notification: str) -> str:
    """Name the MTA or provider that wrote the bounce, or "generic"."""
    haystack = " ".join(
        [str(msg.get("from", "")), str(msg.get("message-id", "")), notification[:3000]]
    ).lower()
    for name, screen, signature in _FORMAT_SCREENS:
        if may_match(screen, haystack) and signature.search(haystack):
            return name
    return "generic"


def looks_like_bounce(msg: Message, null_sender: bool = True) -> bool:
    """True if the sender or subject is that of a delivery failure notice, or (when
    ``null_sender``) it came with an empty Return-Path (RFC 3834 auto-replies do too)."""
    sender = str(msg.get("from", ""))
    return bool(
        _BOUNCE_FROM_RE.search(sender)
        or sender.strip() == "<>"
        or _BOUNCE_SUBJECT_RE.search(decoded_subject(msg))
        or (null_sender and str(msg.get("return-path", "")).strip() == "<>")
    )


def _without_returned_message(part: Message) -> Message:
    """A shallow copy of ``part`` minus returned messages and overlong text, for the detectors.

    flufl.bounce's heuristic detectors scan every body line, including the returned original;
    the failure report is always in the first few kilobytes. Most read the body as it is sent,
    so a base64 or quoted-printable text part (not an attachment) is given to them decoded
    (its bytes held as the parser holds 8-bit text) and no longer declared encoded.
    """
    # copy.copy(part), without the generic copy protocol (Message defines no copy hooks).
    clone = object.__new__(type(part))
    clone.__dict__.update(part.__dict__)
    payload = part.get_payload()
    encoding = str(part.get("content-transfer-encoding", "")).lower()
    text = part.get_content_maintype() == "text"
    if encoding in TRANSFER_ENCODINGS and isinstance(payload, str) and text:
        decoded = part.get_payload(decode=True)
        payload = decoded.decode("ascii", "surrogateescape") if isinstance(decoded, bytes) else ""
        del clone["content-transfer-encoding"]  # (rebuilds the clone's own field list)
        clone.set_payload(payload)
    if isinstance(payload, list):
        clone.set_payload(
            [
                _without_returned_message(sub)
                for sub in payload
                if isinstance(sub, Message) and sub.get_content_type() != "message/rfc822"
            ]
        )
    elif isinstance(payload, str) and len(payload) > _DETECTOR_TEXT:
        clone.set_payload(payload[:_DETECTOR_TEXT])
    return clone


def _flufl_failures(msg: Message) -> tuple[list[str], list[str]]:
    try:
        temporary, permanent = detectors.all_failures(_without_returned_message(msg))
    except Exception:  # a detector choking on odd input must not lose the whole message
        log.debug("flufl.bounce failed on a message", exc_info=True)
        return [], []

    def decoded(addresses: frozenset[bytes]) -> list[str]:
        return sorted(a.decode("utf-8", errors="replace") for a in addresses)

    return decoded(temporary), decoded(permanent)


def snippet(notification: str, address: str) -> str:
    """The paragraph of ``notification`` that starts where ``address`` is first named."""
    start = notification.lower().find(address.lower())
    if start < 0:
        return ""
    line_start = notification.rfind("\n", 0, start) + 1
    end = notification.find("\n\n", start)
    end = len(notification) if end < 0 else end
    return notification[line_start : min(end, start + 1000)]


def _listed_recipients(notification: str) -> list[TextRecipient]:
    """Recipients of the postfix/qmail layout: consecutive paragraphs starting "<address>:"."""
    found: list[TextRecipient] = []
    for paragraph in _PARAGRAPH_SPLIT_RE.split(notification):
        match = _ANGLE_ADDRESS_LINE_RE.match(paragraph)
        if match is None:
            if found:
                break
            continue
        found.append(
            TextRecipient(match.group(1), "failed", paragraph.strip(), match.group(2) or "", True)
        )
    return found


def text_recipients(
    msg: Message, notification: str, fmt: str, excluded: frozenset[str] = frozenset()
) -> list[TextRecipient]:
    """Failed recipients of a plain-text bounce, each with its own diagnostic text.

    The postfix/qmail/yahoo, Exim and Exchange layouts are read directly (they are
    unambiguous and flufl.bounce's heuristic detectors are the costliest step); everything
    else, and any of those whose layout is not recognised, goes through flufl.bounce. What
    flufl.bounce finds among the ``excluded`` addresses (``recipient_lines.false_recipients``:
    a quoted Message-ID, the sender) does not stop the search for the real recipients.
    """
    if fmt in _LISTED_FORMATS and not _DELAY.search(notification):
        listed = _listed_recipients(notification)
        if listed:
            return listed
    reader = _LAYOUT_READERS.get(fmt)
    if reader is not None:
        read = reader(notification)
        if read:
            return [TextRecipient(r.address, r.action, r.diagnostic, own_block=True) for r in read]
    temporary, permanent = _flufl_failures(msg)
    if excluded:
        temporary, permanent = (
            [a for a in found if not recipient_lines.is_false_recipient(a, excluded)]
            for found in (temporary, permanent)
        )
    if not temporary and not permanent:
        laid_out = layouts.listed_recipients(notification)
        if laid_out:
            return [TextRecipient(r.address, r.action, r.diagnostic) for r in laid_out]
        lines = recipient_lines.line_recipients(notification)
        if lines:
            return [TextRecipient(r.address, "failed", r.diagnostic) for r in lines]
        # Exim, Gmail and Google Groups name the failed recipients in a header.
        failed = email.utils.getaddresses([str(msg.get("x-failed-recipients", ""))])
        if any("@" in a for _, a in failed):
            text = notification[:1000]
            return [
                TextRecipient(a, "failed", snippet(notification, a) or text)
                for _, a in failed
                if "@" in a
            ]
        permanent = list(
            dict.fromkeys(m.group(1) for m in _ANGLE_ADDRESS_LINE_RE.finditer(notification))
        )
    if not temporary and not permanent and looks_like_bounce(msg, null_sender=False):
        # Last resort for a failure notice: an address standing alone on a line.
        permanent = list(dict.fromkeys(_LONE_ADDRESS_LINE_RE.findall(notification)))
    found = [(a, "delayed") for a in temporary] + [(a, "failed") for a in permanent]
    return [TextRecipient(a, action, snippet(notification, a)) for a, action in found]
