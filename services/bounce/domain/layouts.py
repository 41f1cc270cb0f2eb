"""Direct readers for the Exim and Exchange plain-text bounce layouts.

Both layouts announce the failed recipients with a fixed sentence and then list them, one per
line, each followed by its (often indented) diagnostic. Reading them directly is exact and far
cheaper than flufl.bounce's heuristic detectors, which stay the fallback for everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    rf"^[ \t]*(?:<({_ADDRESS})>|({_ADDRESS}))[ \t]*(?::|$)"
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
