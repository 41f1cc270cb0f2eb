"""Direct readers for the Exim, Exchange and Sendmail plain-text bounce layouts.

These layouts announce the failed recipients with a fixed sentence and then list them, one per
line, each followed by its (often indented) diagnostic. Reading them directly is exact and far
cheaper than flufl.bounce's heuristic detectors, which stay the fallback for everything else.
``sentence_recipients`` reads the fml list server's notices. ``listed_recipients`` reads the
looser "... to the following: <address> (reason)" lists that many other MTAs write, for
messages none of the detectors understands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.bounce.domain.literals import CaselessScreened

_ADDRESS = r"[^\s<>\[\]()@:;,\"']+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
_EXIM_MARKER_RE = re.compile(
    r"following address(?:\(es\)|es)?\s+(?:failed|has failed)\s*:"
    r"|not yet been delivered to the following address(?:\(es\)|es)?\s*:"
    r"|address to which the message has not yet been delivered is\s*:",
    re.IGNORECASE,
)
_EXIM_DELAY_RE = re.compile(r"not yet been delivered", re.IGNORECASE)
_EXIM_END_RE = re.compile(r"^\s*no action is required on your part", re.IGNORECASE | re.M)
_EXIM_RECIPIENT_RE = re.compile(
    rf"^[ \t]*(?:<({_ADDRESS})>|\"({_ADDRESS})\"|({_ADDRESS}))[ \t]*(?::|$)"  # GMX quotes it
    rf"|^[ \t]*\(generated from ({_ADDRESS})\)",
    re.MULTILINE,
)
_EXCHANGE_MARKER_RE = re.compile(
    r"did not reach the following recipient(?:\(s\)|s)?\s*:"
    r"|delivery has failed to these recipients or (?:distribution lists|groups)\s*:",
    re.IGNORECASE,
)
_EXCHANGE_RECIPIENT_RE = re.compile(
    rf"^[ \t]*(?:\*[ \t]*)?[\[<]?({_ADDRESS})[\]>]?(?:[ \t:]|$)|SMTP=({_ADDRESS})", re.MULTILINE
)
_EXCHANGE_END_RE = re.compile(r"^\s*original message (?:details|headers)", re.I | re.M)
_SENDMAIL_MARKER_RE = re.compile(
    r"-+ ?the following addresses had (permanent fatal|transient non-fatal) errors ?-+", re.I
)
_SENDMAIL_RECIPIENT_RE = re.compile(rf"^[ \t]*<?({_ADDRESS})>?[ \t]*$", re.MULTILINE)
_SENDMAIL_REASON_RE = re.compile(r"\(reason: ((?:[^()]|\([^()]*\))*)\)", re.IGNORECASE)
_EXPANDED_RE = re.compile(rf"\(expanded from:? <?({_ADDRESS})>?\)", re.IGNORECASE)
_LIST_INTRO_RE = re.compile(
    r"(?:to|for) the following(?: recipients?| addresses| address\(es\)| users?)?\s*:"
    r"|following (?:recipients?|addresses|address\(es\)) (?:failed|could not be reached)"
    r"(?: permanently| temporarily)?\s*:"
    r"|following recipients were affected\s*:"
    r"|was not delivered to\s*:",
    re.IGNORECASE,
)
_LIST_INTRO = CaselessScreened(_LIST_INTRO_RE)
_LISTED_LINE_RE = re.compile(
    rf"^[ \t]*(?:\*[ \t]*)?[<\"']?({_ADDRESS})[>\"']?(?:[ \t]*[(:;,-].*)?$"
)
# fml names the address a notice is about at the end of a sentence: "... list <addr>."
_SENTENCE_END_RE = re.compile(rf"^(.*<({_ADDRESS})>\.)[ \t]*$", re.MULTILINE)
_MAX_LISTED = 20
_MAX_BLOCK = 4000


@dataclass(frozen=True, slots=True)
class LayoutRecipient:
    """A recipient listed by a known layout, with its action and its own diagnostic text."""

    address: str
    action: str
    diagnostic: str


def _split(block: str, pattern: re.Pattern[str], action: str) -> list[LayoutRecipient]:
    """One recipient per distinct address line of ``block``; its diagnostic runs to the next
    line naming another address (repeats of the same address stay inside the diagnostic)."""
    starts: list[tuple[str, int]] = []
    for match in pattern.finditer(block):
        address = next(group for group in match.groups() if group)
        if all(address.lower() != known.lower() for known, _ in starts):
            starts.append((address, match.start()))
    found = []
    for index, (address, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(block)
        found.append(LayoutRecipient(address, action, " ".join(block[start:end].split())))
    return found


def exim_recipients(notification: str) -> list[LayoutRecipient]:
    """Recipients of an Exim bounce or delay warning; [] when the layout is not recognised."""
    marker = _EXIM_MARKER_RE.search(notification)
    if marker is None:
        return []
    block = notification[marker.end() : marker.end() + _MAX_BLOCK]
    end = _EXIM_END_RE.search(block)
    if end is not None:
        block = block[: end.start()]
    action = "delayed" if _EXIM_DELAY_RE.search(marker.group(0)) else "failed"
    return _split(block, _EXIM_RECIPIENT_RE, action)


def exchange_recipients(notification: str) -> list[LayoutRecipient]:
    """Recipients of an Exchange non-delivery report; [] when the layout is not recognised."""
    marker = _EXCHANGE_MARKER_RE.search(notification)
    if marker is None:
        return []
    block = notification[marker.end() : marker.end() + _MAX_BLOCK]
    end = _EXCHANGE_END_RE.search(block)
    if end is not None:
        block = block[: end.start()]
    return _split(block, _EXCHANGE_RECIPIENT_RE, "failed")


def sendmail_recipients(notification: str) -> list[LayoutRecipient]:
    """Recipients of a Sendmail "The following addresses had ... errors" report; [] when the
    layout is not recognised. The "(reason: ...)" line is the diagnostic when there is one
    (the session transcript after it also quotes sendmail's own generic verdict). For an
    alias, both the listed address and the one it was "(expanded from: ...)", the address
    that was sent to, are reported (as flufl.bounce does)."""
    marker = _SENDMAIL_MARKER_RE.search(notification)
    if marker is None:
        return []
    action = "failed" if marker.group(1).lower().startswith("permanent") else "delayed"
    block = notification[marker.end() : marker.end() + _MAX_BLOCK]
    found: dict[str, LayoutRecipient] = {}
    for listed in _split(block, _SENDMAIL_RECIPIENT_RE, action):
        reason = _SENDMAIL_REASON_RE.search(listed.diagnostic)
        expanded = _EXPANDED_RE.search(listed.diagnostic)
        diagnostic = reason.group(1).strip() if reason else listed.diagnostic
        for address in (listed.address, expanded.group(1) if expanded else ""):
            if address:
                found.setdefault(address.lower(), LayoutRecipient(address, action, diagnostic))
    return list(found.values())


def listed_recipients(notification: str) -> list[LayoutRecipient]:
    """Addresses listed one per line right after "... to the following:" (each with the rest of
    its line as diagnostic, e.g. "user@example.com (user not found)"); [] if there is no such
    list."""
    intro = _LIST_INTRO.search(notification)
    if intro is None:
        return []
    found: list[LayoutRecipient] = []
    lines = notification[intro.end() : intro.end() + _MAX_BLOCK].splitlines()
    for index, line in enumerate(lines[: _MAX_LISTED + 1]):
        match = _LISTED_LINE_RE.match(line)
        if match is None:
            if found or (index > 1 and line.strip()):
                break
            continue
        found.append(LayoutRecipient(match.group(1), "failed", " ".join(line.split())))
    return found


def sentence_recipients(notification: str) -> list[LayoutRecipient]:
    """Addresses of the fml list server's notices, each closing a sentence ("You are not a
    member of this mailing list <list@example.jp>."), with that sentence as diagnostic."""
    return [
        LayoutRecipient(m.group(2), "failed", " ".join(m.group(1).split()))
        for m in _SENTENCE_END_RE.finditer(notification[:_MAX_BLOCK])
    ][:_MAX_LISTED]
