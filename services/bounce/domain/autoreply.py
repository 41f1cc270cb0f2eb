"""Recognising auto-replies (vacation, out-of-office, autoresponders), which are not bounces.

Signals, strongest first: RFC 3834 ``Auto-Submitted`` (any value but "no"), the de-facto
headers ``X-Autoreply`` / ``X-Autorespond``, iCloud's ``X-Apple-Action: vacation``,
``Precedence: auto_reply``, and the marker an autoresponder puts in front of the subject, in
common languages (a subject that merely mentions an auto-reply is a person's). The caller
keeps failure notices (which carry Auto-Submitted too) out. (``X-Auto-Response-Suppress`` is
set by senders, so it is not a signal.)
Challenge/response systems (Boxbe, Bluebottle, ...) that hold a message until the sender
proves to be a person also answer automatically; they are auto-replies, not bounces.
"""

from __future__ import annotations

import email.utils
import re
from email.message import Message

from services.bounce.domain.literals import may_match
from services.bounce.domain.mime_tree import decoded_subject

# What autoresponders put in front of the subject ("Automatic reply: ...", RFC 3834 3.1.5's
# "Auto: ..."), by language: phrases no person's subject starts with by chance ...
_SUBJECT_PHRASES = (
    r"auto(?:matic)?[- ]?(?:reply|response|answer)|autoresponse|auto-?responder"
    r"|out of (?:the )?office(?: auto-?reply)?|away from (?:the )?office|vacation (?:reply|message)"
    r"|automatische antwort|auto-?antwort|abwesenheitsnotiz|r[ée]ponse automatique"
    r"|absente? du bureau|respuesta autom[áa]tica|fuera de (?:la )?oficina|risposta automatica"
    r"|fuori (?:sede|ufficio)|resposta autom[áa]tica|fora do escrit[óo]rio|automatisch antwoord"
    r"|automatiskt? svar|autosvar|automaattinen vastaus|automatyczna odpowied[źz]"
    r"|automatick[áa] odpov[ěe][ďd]|autom[āa]tisk[āa] atbilde|automatikus v[áa]lasz"
    r"|otomatik (?:yan[\u0131i]t|cevap)|автоответ|автоматический ответ"
    r"|自動応答|自動返信|不在通知|自动回复|自動回覆"
)
# ... and words that are a marker only as the whole subject or before its delimiter.
_SUBJECT_WORDS = r"auto|ooo|on vacation|absence|abwesenheit|abwesend|afwezig(?:heid)?|fr[åa]nvaro"
_DELIMITER = r"\s*(?:[:\uff1a\])]|$)"
_REPLY_PREFIX = r"\s*(?:re|fwd?|aw|wg|sv|vs|antw|rv|tr|odp|ynt|ответ)\s*:"
_AUTO_SUBJECT_RE = re.compile(
    # the marker first, then ":" or a closing bracket, or nothing else
    rf"^\s*[\[(]?\s*(?:{_SUBJECT_PHRASES}|{_SUBJECT_WORDS}){_DELIMITER}"
    # a bracketed marker anywhere: "Re: ... (Automatic Response)", "[Auto-Reply] ..."
    rf"|[\[(]\s*(?:{_SUBJECT_PHRASES})\s*[\])]"
    # a phrase and its colon further on ("Arpus biroja ... automatiska atbilde: ..."), or a
    # phrase closing the subject after a dash ("Thank you - Automatic reply"), unless the
    # subject is a person's reply or forward ("Re: Automatic reply: ...")
    rf"|^(?!{_REPLY_PREFIX}).*?(?<!\w)(?:{_SUBJECT_PHRASES})\s*[:\uff1a]"
    rf"|^(?!{_REPLY_PREFIX}).*\s[-\u2013]\s*(?:{_SUBJECT_PHRASES})\s*$",
    re.IGNORECASE,
)
# sudo's security notices; Exim's "Mail failure - ..." notices are failures.
_SYSTEM_SUBJECT_RE = re.compile(r"security information for|mail failure -", re.IGNORECASE)
_BOUNCE_AUTO_SUBMITTED_RE = re.compile(r"\((?:rejected|failure|failed)\)", re.IGNORECASE)
# Applied to lower-cased text with whitespace runs collapsed, after a literal screen.
_CHALLENGE_RE = re.compile(
    r"sender not pre-approved|add yourself to my [\w ]{0,20}(?:guest|allowed|approved) ?list"
    r"|listed on my [\w ]{0,20}guest list|address added to the recipient's allowed list"
    r"|(?:verify|prove) (?:that )?you are (?:a )?(?:real )?(?:person|human)"
    r"|your message (?:about .{0,200})?(?:has been |was )waitlisted",
)
_CHALLENGE_SCREEN = frozenset({"pre-approved", "list", "person", "human", "waitlisted"})


def _may_name_root(value: str) -> bool:
    """False only if no address ``email.utils.getaddresses`` reads in ``value`` can have the
    local part "root" (any case): the word is not in it, nor anything the address parser drops
    from inside a word (a comment, a quoted pair's backslash, a line break)."""
    return "root" in value.lower() or any(char in value for char in "(\\\n\r")


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return " ".join(str(value).split()).lower() if value is not None else ""


def is_auto_reply(msg: Message) -> bool:
    """True if ``msg`` is an automatic reply to a message rather than a delivery failure."""
    if _is_system_mail(msg):
        return False
    names = {name.lower() for name in msg}  # one pass over the headers, not one per lookup
    auto_submitted = _header(msg, "auto-submitted") if "auto-submitted" in names else ""
    if auto_submitted.startswith("auto-"):
        # RFC 3834 section 5: auto-replied, auto-generated (Exchange's out-of-office replies)
        # or auto-notified, anything but "no". Sieve "reject" (RFC 5429) marks its refusals
        # "auto-replied (rejected)": a bounce.
        return _BOUNCE_AUTO_SUBMITTED_RE.search(auto_submitted) is None
    if names & {"x-autoreply", "x-autorespond", "x-autoresponder"}:
        return True
    if "x-apple-action" in names and _header(msg, "x-apple-action") == "vacation":
        return True  # iCloud's vacation replies
    if "precedence" in names and _header(msg, "precedence") == "auto_reply":
        return True
    return _AUTO_SUBJECT_RE.search(decoded_subject(msg)) is not None


def _is_system_mail(msg: Message) -> bool:
    """Mail a system sends about itself, automatic but no reply to a message: from or to root,
    sudo's security notices, Exim's failure notices (the mail Sisimai::RFC3834 refuses to read
    as an auto-reply)."""
    addresses = [str(msg.get("from", "")), str(msg.get("to", ""))]
    if any(map(_may_name_root, addresses)):
        pairs = email.utils.getaddresses(addresses)
        if any(address.lower().startswith("root@") for _, address in pairs):
            return True
    return _SYSTEM_SUBJECT_RE.search(decoded_subject(msg)) is not None


def is_challenge_response(notification: str) -> bool:
    """True if the notification asks the sender to confirm being a person before delivery."""
    text = notification[:6000].lower()
    if not may_match(_CHALLENGE_SCREEN, text):
        return False
    return _CHALLENGE_RE.search(" ".join(text.split())) is not None
