"""flufl.bounce's detector chain, with its SimpleMatch/SimpleWarning pattern sets pre-screened.

SimpleMatch tries each of its dozens of (start, end, address) pattern sets against every body
line in turn, which makes it the costliest detector. A pattern set whose start pattern matches
no line can contribute nothing, so each set is first tested once against the whole body text
(multi-line mode: a superset of the per-line test) and only the candidates are run. Results are
identical to ``flufl.bounce.all_failures``; the detector order is flufl's own.
"""

from __future__ import annotations

import re
from email.message import Message

from flufl.bounce._detectors.simplematch import SimpleMatch
from flufl.bounce._detectors.simplewarning import SimpleWarning
from flufl.bounce._scan import _DETECTORS

Failures = tuple[frozenset[bytes], frozenset[bytes]]
PatternSet = tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]


def _screens(patterns: list[PatternSet]) -> list[tuple[re.Pattern[str], PatternSet]]:
    return [
        (re.compile(start.pattern, start.flags | re.M), (start, end, address))
        for start, end, address in patterns
    ]


_SCREENED = {cls: _screens(cls.PATTERNS) for cls in (SimpleMatch, SimpleWarning)}


def _body_text(msg: Message) -> str:
    """The text ``email.iterators.body_line_iterator`` yields, as one string."""
    return "".join(payload for part in msg.walk() if isinstance(payload := part.get_payload(), str))


def all_failures(msg: Message) -> Failures:
    """(temporary, permanent) failed addresses, as ``flufl.bounce.all_failures`` returns."""
    text: str | None = None
    for detector_class in _DETECTORS:
        detector = detector_class()
        screens = _SCREENED.get(detector_class)
        if screens is not None:
            text = _body_text(msg) if text is None else text
            detector.PATTERNS = [patterns for screen, patterns in screens if screen.search(text)]
            if not detector.PATTERNS:
                continue
        temporary, permanent = detector.process(msg)
        if temporary or permanent:
            return frozenset(temporary), frozenset(permanent)
    return frozenset(), frozenset()
