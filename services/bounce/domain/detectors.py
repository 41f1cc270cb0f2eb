"""flufl.bounce's detector chain, with its SimpleMatch/SimpleWarning pattern sets pre-screened.

SimpleMatch tries each of its dozens of (start, end, address) pattern sets against every body
line in turn, which makes it the costliest detector. A pattern set whose start pattern matches
no line can contribute nothing, so each set is first tested once against the whole body text
(multi-line mode: a superset of the per-line test) and only the candidates are run; that test is
itself skipped when the body lacks the pattern's required literals (``literals``, compared
case-folded since the patterns ignore case). The Yahoo, Yale and AOL detectors only accept mail
from their own domains, so they are skipped when the From header cannot name it; the Qmail and
Exchange detectors when the body lacks the text they start reading after. Results are
identical to ``flufl.bounce.all_failures``; the detector order is flufl's own.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import Any

from flufl.bounce._detectors import exchange as exchange_detector
from flufl.bounce._detectors import qmail as qmail_detector
from flufl.bounce._detectors.aol import AOL
from flufl.bounce._detectors.exchange import Exchange
from flufl.bounce._detectors.qmail import Qmail
from flufl.bounce._detectors.simplematch import SimpleMatch
from flufl.bounce._detectors.simplewarning import SimpleWarning
from flufl.bounce._detectors.yahoo import Yahoo
from flufl.bounce._detectors.yale import Yale
from flufl.bounce._scan import _DETECTORS

from services.bounce.domain.literals import Alternatives, may_match, required_literals

Failures = tuple[frozenset[bytes], frozenset[bytes]]
PatternSet = tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]
Screen = tuple[Alternatives | None, re.Pattern[str], PatternSet]


def _folded(literals: Alternatives | None) -> Alternatives | None:
    return None if literals is None else frozenset(literal.casefold() for literal in literals)


def _screens(patterns: list[PatternSet]) -> list[Screen]:
    return [
        (
            _folded(required_literals(start.pattern)),
            re.compile(start.pattern, start.flags | re.M),
            (start, end, address),
        )
        for start, end, address in patterns
    ]


_SCREENED: dict[type, list[Screen]] = {
    cls: _screens(cls.PATTERNS) for cls in (SimpleMatch, SimpleWarning)
}
# Text the lower-cased From header must contain for these detectors to report anything: each
# first checks the sender (mailer-daemon@yahoo..., mailer-daemon at yale.edu, ...@aol.com).
_SENDER_GATES: dict[type, str] = {Yahoo: "yahoo", Yale: "yale", AOL: "aol.com"}
# Text one of which the body must contain for these detectors to report anything: Qmail
# starts reading after a line that begins with one of its intro tags, Exchange after a line
# with its start phrase (both compared as written, as the detectors do).
_BODY_GATES: dict[type, Alternatives | None] = {
    Qmail: frozenset(qmail_detector.introtags),
    Exchange: required_literals(exchange_detector.scre.pattern),
}


def _body_text(msg: Message) -> str:
    """The text ``email.iterators.body_line_iterator`` yields, as one string."""
    return "".join(payload for part in msg.walk() if isinstance(payload := part.get_payload(), str))


def all_failures(msg: Message) -> Failures:
    """(temporary, permanent) failed addresses, as ``flufl.bounce.all_failures`` returns."""
    text = _body_text(msg)
    folded = text.casefold()
    sender = str(msg.get("from", "")).lower()
    for detector_class in _DETECTORS:
        gate = _SENDER_GATES.get(detector_class)
        if gate is not None and gate not in sender:
            continue
        if detector_class in _BODY_GATES and not may_match(_BODY_GATES[detector_class], text):
            continue
        detector: Any = detector_class()  # SimpleMatch/SimpleWarning get their PATTERNS set
        screens = _SCREENED.get(detector_class)
        if screens is not None:
            detector.PATTERNS = [
                patterns
                for literals, screen, patterns in screens
                if may_match(literals, folded) and screen.search(text)
            ]
            if not detector.PATTERNS:
                continue
        temporary, permanent = detector.process(msg)
        if temporary or permanent:
            return frozenset(temporary), frozenset(permanent)
    return frozenset(), frozenset()
