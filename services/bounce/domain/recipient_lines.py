"""Failed recipients of plain-text bounces in layouts no dedicated reader knows, and the
addresses that must never be taken for a failed recipient.

These general shapes cover most small MTAs (OpenSMTPD, DragonFly dma, Apache James, FML,
InterScan, Verizon-style gateways, Japanese carriers):

- Sendmail's verdict line after its transcript: ``550 <address>... User unknown``;
- an SMTP transcript: ``RCPT TO:<address>`` sent, then a 4xx/5xx reply (Sendmail's
  ">>> RCPT To:" / "<<< 550", InterScan's "Sent <<<" / "Received >>>");
- a labelled line: "Recipient: address", "Failed recipient(s): address", "Original address:",
  "Unknown user: address", or the label alone with the address on the next line;
- an address line with its reason: ``address: 550 5.1.1 ...``, ``<address>... User unknown``,
  ``address [User unknown]``;
- an announced address: ``>>> address <address>``, ``RCPT TO: address`` among message
  details, ``... rejected recipient <address>``, ``undeliverable to address``, ``There was an
  error delivering your mail to <address>`` (DragonFly dma), ``Your message to <address>
  couldn't be delivered.`` (Office 365);
- an address opening its line with the reason after it: ``address Host not reachable`` (Zoho).

A bounce also names addresses that did not fail: the sender's own address (the bounce's To,
the original's Return-Path, often quoted in the report), Message-IDs (``<id@host>`` looks like an
address) and delivery programs (``"|/usr/bin/procmail -f-"``); ``false_recipients`` collects
them so they are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from email.message import Message

from services.bounce.domain.literals import CaselessScreened

# (Full-width punctuation, as the colon after a Chinese label such as "收件人", ends it too.)
_ADDRESS = (
    r"[^\s<>\[\]()@:;,\"'|/\uff1a\uff0c、\uff08\uff09\uff1c\uff1e]+"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_TRANSCRIPT_RE = re.compile(
    rf"rcpt to:?\s*<?({_ADDRESS})>?[^\n]*\n(?:[^\n]*\n){{0,2}}?[^\n]*?\b([45]\d\d[ -][^\n]*)",
    re.IGNORECASE,
)
# Sendmail's own verdict per recipient after its transcript: "550 <address>... User unknown".
_REPLY_LINE_RE = re.compile(
    rf"^[ \t]*([45]\d\d)[ \t]+<({_ADDRESS})>\.\.\.[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE
)
_LABELLED_RE = re.compile(
    r"^[ \t]*(?:failed |intended |original |unknown |bad |invalid )?"
    r"(?:recipient(?:\(s\)|s)?|address(?:ee)?|user|mailbox)(?: address)?[ \t]*:[ \t]*\n?[ \t]*"
    rf"<?({_ADDRESS})>?[ \t]*(.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_CAUSE_LABEL_RE = re.compile(r"[ \t]*(?:unknown|bad|invalid) ", re.IGNORECASE)
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
_REPLY_CODE_RE = re.compile(r"\b[245]\d\d\b|\b[245]\.\d{1,3}\.\d{1,3}\b")
_REASON_LINE_RE = re.compile(
    rf"^[ \t]*<?({_ADDRESS})>?(?::|\.\.\.|[ \t]+\[)[ \t]*(\S.*)$",
    re.MULTILINE,
)
# Sendmail-style announcements (">>> address <address>") and a bare "RCPT TO: address" among
# the message details some gateways print (Apache James, Verizon).
_ANNOUNCED_RE = re.compile(
    rf"^[ \t]*(?:>>>|rcpt to:)[ \t]*<?({_ADDRESS})>?(.*)$"
    r"|(?:rejected recipient|undeliverable to|(?:error|failure) delivering your (?:mail|message) to"
    rf"|could not be delivered to:?)[ \t]*<?({_ADDRESS})>?(.*)$"
    # "Message could not be delivered to mobile." and the recipient on the next line (Verizon)
    rf"|could not be delivered[^\n]*\n[ \t]*to:[ \t]*<?({_ADDRESS})>?(.*)$"
    # Office 365's headline: "Your message to a@b couldn't be delivered."
    rf"|your message to[ \t]+<?({_ADDRESS})>?([ \t]+(?:couldn't|could not|cannot) be delivered.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# Localised notices' recipient labels (Japanese carriers' "宛先:", QQ's "收件人" and a full-width
# colon, Naver's "받는 사람:", Mail.ru's "Получатель:", ...), the address on the label's line
# or the next one.
_LOCALISED_LABEL_RE = re.compile(
    r"^[ \t]*(?:(?:宛先|あて先|送信先|受信者)(?:メール)?(?:アドレス)?|受取人"
    r"|empf(?:ä|ae|a)nger(?:adresse)?|adresse des empf(?:ä|ae|a)ngers"
    r"|(?:adresse du )?destinataire|(?:direcci[oó]n del |indirizzo (?:del )?)?destinatari[oa]"
    r"|(?:endere[cç]o do )?destinat[aá]rio|(?:адрес )?получател[ья]|адресат"
    r"|收件人(?:地址|邮箱|郵箱)?|收件者|收信人|收件地址|받는 ?(?:사람|주소)|수신(?:자|인)"
    r"|adresat|odbiorca|ontvanger|geadresseerde|p[řr][ií]jemce)[ \t]*[:\uff1a][ \t]*\n?[ \t]*"
    rf"<?({_ADDRESS})>?(.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# A localised headline naming the recipient: "Ihre Nachricht an <address> konnte nicht
# zugestellt werden" (Exchange Online), "Votre message à <address> n'a pas pu être remis", "您发送
# 到 <address> 的邮件被退回" (NetEase), "Ваше письмо ... получателю <address>".
_LOCALISED_ANNOUNCED_RE = re.compile(
    r"(?:ihre nachricht an|votre message (?:à|a)|su mensaje (?:a|para)|il (?:tuo|suo) messaggio a"
    r"|sua mensagem para|uw bericht aan|发送到|發送到|发给|發給|寄给|寄給"
    r"|(?:письмо|сообщение)[^\n]{0,40}?(?:получателю|адресату|на адрес))"
    rf"[ \t]*<?({_ADDRESS})>?(.*)$",
    re.IGNORECASE | re.MULTILINE,
)
# Zoho's "address reason" lines: the address opens the line, its reason follows in words.
_ADDRESS_TEXT_RE = re.compile(rf"^({_ADDRESS})[ \t]+((?!wrote\b)[A-Za-z][^\n]*)$", re.MULTILINE)
# The case-insensitive shapes run only on text holding one of their literals (literals.py).
_SCREENED = {
    pattern: CaselessScreened(pattern)
    for pattern in (_TRANSCRIPT_RE, _REPLY_LINE_RE, _LABELLED_RE, _ANNOUNCED_RE)
} | {  # words of two CJK or Hangul characters ("发给", "宛先", "수신") are screens there
    pattern: CaselessScreened(pattern, min_length=2)
    for pattern in (_LOCALISED_LABEL_RE, _LOCALISED_ANNOUNCED_RE)
}
_MAX_TEXT = 8000
_MAX_FOUND = 50


@dataclass(frozen=True, slots=True)
class LineRecipient:
    """A recipient read from one of the general shapes, with its own diagnostic text."""

    address: str
    diagnostic: str


def _collect(pairs: list[tuple[str, str]]) -> list[LineRecipient]:
    found: dict[str, LineRecipient] = {}
    for address, diagnostic in pairs[:_MAX_FOUND]:
        found.setdefault(address.lower(), LineRecipient(address, " ".join(diagnostic.split())))
    return list(found.values())


def _address_and_rest(match: re.Match[str]) -> tuple[str, str]:
    """(address, rest of the line) of a match whose alternatives each capture both."""
    groups = match.groups()
    index = next(i for i in range(0, len(groups), 2) if groups[i])
    return groups[index], groups[index + 1] or ""


def _finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    screened = _SCREENED.get(pattern)
    return pattern.finditer(text) if screened is None else screened.finditer(text)


def _labelled_diagnostics(
    text: str, pairs: list[tuple[str, str]], matches: list[re.Match[str]]
) -> list[tuple[str, str]]:
    """Each labelled recipient's own diagnostic. A label that states the cause ("Unknown user:
    a@b", IMail) is the diagnostic too. A label with nothing after the address opens a block
    of fields about that recipient (Messaging Server's "Recipient address:", then "Reason:"
    and "Diagnostic code:" lines): its diagnostic runs to the first blank line or the next
    recipient's label, so each recipient keeps its own reply, when that block quotes a reply
    code or status (else it is other metadata, such as Office 365's original message details)."""
    found = []
    for index, ((address, rest), match) in enumerate(zip(pairs, matches, strict=True)):
        if _CAUSE_LABEL_RE.match(match.group(0)):
            found.append((address, match.group(0)))
            continue
        if rest.strip():
            found.append((address, rest))
            continue
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        blank = _BLANK_LINE_RE.search(text, match.end(), end)
        block = text[match.end() : blank.start() if blank else end]
        found.append((address, block if _REPLY_CODE_RE.search(block) else rest))
    return found


def line_recipients(notification: str) -> list[LineRecipient]:
    """Failed recipients of the first general shape present in ``notification``."""
    text = notification[:_MAX_TEXT]
    replies = [(m.group(2), f"{m.group(1)} {m.group(3)}") for m in _finditer(_REPLY_LINE_RE, text)]
    if replies:
        # The remote server's own reply in the transcript, when there is one, says more.
        said = {
            a.lower(): reply for a, reply in map(_address_and_rest, _finditer(_TRANSCRIPT_RE, text))
        }
        return _collect([(a, f"{said.get(a.lower(), '')} {verdict}") for a, verdict in replies])
    for pattern in (
        _TRANSCRIPT_RE,
        _LABELLED_RE,
        _LOCALISED_LABEL_RE,
        _REASON_LINE_RE,
        _ANNOUNCED_RE,
        _LOCALISED_ANNOUNCED_RE,
        _ADDRESS_TEXT_RE,
    ):
        matches = list(_finditer(pattern, text))
        pairs = [_address_and_rest(m) for m in matches]
        if pattern in (_LABELLED_RE, _LOCALISED_LABEL_RE):
            pairs = _labelled_diagnostics(text, pairs, matches)
        if pattern is _REASON_LINE_RE:
            pairs = [(a, reason) for a, reason in pairs if not reason.lower().startswith("//")]
        if pairs:
            return _collect(pairs)
    return []


_HEADER_ADDRESS_RE = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


def _addresses(*values: object) -> set[str]:
    return {a.lower() for v in values if v for a in _HEADER_ADDRESS_RE.findall(str(v))}


_ID_FIELD_RE = re.compile(
    r"^[ \t]*(?:message-id|in-reply-to|references)[ \t]*:[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE
)
_ID_FIELD = CaselessScreened(_ID_FIELD_RE)


def false_recipients(
    msg: Message, returned_headers: Message | None, notification: str = ""
) -> set[str]:
    """Lower-cased addresses in a bounce that are not failed recipients: where the bounce was
    delivered (the envelope sender of the original), the original's Return-Path, and every
    Message-ID around (the ``notification`` text too may quote the original's header lines).
    The original's From is not excluded: a list member's own post can bounce back to them."""
    excluded = _addresses(msg.get("to"), msg.get("delivered-to"))
    ids = [msg.get("message-id"), msg.get("in-reply-to"), msg.get("references")]
    if returned_headers is not None:
        excluded |= _addresses(returned_headers.get("return-path"))
        ids += [returned_headers.get("message-id"), returned_headers.get("references")]
    ids += _ID_FIELD.findall(notification[:_MAX_TEXT])
    for value in ids:
        excluded |= {i.lower() for i in re.findall(r"<([^<>\s]+@[^<>\s]+)>", str(value or ""))}
    return excluded


def is_false_recipient(address: str, excluded: AbstractSet[str]) -> bool:
    """True for an excluded address, a delivery program or a path (``|/bin/prog``, ``/var``)."""
    lowered = address.lower().strip("<>\"'")
    local = lowered.rpartition("@")[0]
    return lowered in excluded or "|" in lowered or local.startswith("/") or "/" in local
