"""Literal screens for regular expressions: substrings without which a pattern cannot match.

Bounce texts are long and most rules match none of them; a substring test (``in``, C speed)
rules a pattern out far faster than running it. ``required_literals`` reads a pattern's parse
tree and returns a set of literals of which every match contains at least one, or ``None`` when
it cannot find such a set. The screen is exact: it only skips patterns that could not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:  # the parser behind re.compile; public as sre_parse before Python 3.11
    from re import _constants as _c  # type: ignore[attr-defined]  # private, not in typeshed
    from re import _parser as _sre_parse  # type: ignore[attr-defined]  # private, not in typeshed
except ImportError:  # pragma: no cover - older interpreters
    import sre_constants as _c
    import sre_parse as _sre_parse

_MIN_LENGTH = 3
Alternatives = frozenset[str]


def _best(sets: list[Alternatives]) -> Alternatives:
    """The most selective any-of set: longest shortest member, then fewest members."""
    return max(sets, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: Any, min_length: int = _MIN_LENGTH) -> list[Alternatives]:
    """Any-of literal sets that every match of the parsed sequence ``items`` satisfies."""
    found: list[Alternatives] = []
    run: list[str] = []

    def flush() -> None:
        if len(run) >= min_length:
            found.append(frozenset({"".join(run)}))
        run.clear()

    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        flush()
        if op is _c.SUBPATTERN:
            found.extend(_sequence(arg[-1], min_length))
        elif op is _c.BRANCH:
            branches = [_sequence(branch, min_length) for branch in arg[1]]
            if all(branches):
                found.append(frozenset().union(*(_best(b) for b in branches)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
            found.extend(_sequence(arg[2], min_length))
    flush()
    return found


def required_literals(pattern: str, min_length: int = _MIN_LENGTH) -> Alternatives | None:
    """Literals one of which occurs in every match of ``pattern`` (case as written), or None.

    Only case-sensitive patterns are screened exactly; callers lower-case both sides when the
    pattern is applied with ``re.IGNORECASE`` (a lower-cased literal then still has to occur).
    """
    sets = literal_sets(pattern, min_length)
    return _best(sets) if sets else None


def literal_sets(pattern: str, min_length: int = _MIN_LENGTH) -> list[Alternatives]:
    """Every any-of literal set the parse of ``pattern`` yields (each match of it holds one of
    each set's literals, case as written); none when it cannot be parsed."""
    try:
        parsed = _sre_parse.parse(pattern)
    except re.error:
        return []
    return _sequence(list(parsed), min_length)


def may_match(screen: Alternatives | None, text: str) -> bool:
    """False only if ``text`` contains none of the ``screen`` literals (None screens nothing)."""
    if screen is None:
        return True
    # A plain loop: any() over a generator costs more than the substring tests themselves.
    for literal in screen:  # noqa: SIM110
        if literal in text:
            return True
    return False


def first_occurrence(literals: tuple[str, ...], text: str) -> int:
    """The lowest index of ``text`` where one of ``literals`` starts, -1 if none occurs. Once
    one is found, the others are only looked for before it (shortest first: the commonest)."""
    first = -1
    for literal in literals:
        index = text.find(literal, 0, len(text) if first < 0 else first + len(literal) - 1)
        if index >= 0:
            first = index
    return first


def caseless(text: str) -> str:
    """``text`` lower-cased so that every ASCII literal an ``re.IGNORECASE`` pattern matches in
    ``text`` occurs in it as written in lower case. Besides the letters ``lower`` folds, re
    matches U+0130 (which ``lower`` turns into "i" and a combining dot) and the lower-case
    U+0131 to "i", U+017F to "s"; nothing else outside ASCII matches an ASCII character."""
    if text.isascii():
        return text.lower()
    return text.replace("\u0130", "i").lower().replace("\u0131", "i").replace("\u017f", "s")


def _fix_groups() -> tuple[tuple[str, str], ...]:
    """Each character re's case-insensitive matching treats as one with others beyond their
    lower case (``re._casefix``: U+0131 with "i", U+017F with "s", Cyrillic U+1C83 with U+0441,
    the Greek final sigma with sigma...) and the lowest code point of its group, when that is
    another."""
    from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]  # private

    return tuple(
        (chr(lower), chr(min(others)))
        for lower, others in sorted(_EXTRA_CASES.items())
        if min(others) < lower
    )


_FIX_GROUPS = _fix_groups()


def ignorecase_fold(text: str) -> str:
    """``text`` with each character replaced by one character that every character matching it
    under ``re.IGNORECASE`` is replaced by too (its lower case, then the lowest of its
    ``re._casefix`` group; U+0130 first turned into "i", as re lower-cases it): a literal an
    ``re.IGNORECASE`` pattern matches in ``text`` occurs, folded, in the folded text, whatever
    its script. On ASCII text it is ``text.lower()``."""
    if text.isascii():
        return text.lower()
    folded = text.replace("\u0130", "i").lower()
    for char, lowest in _FIX_GROUPS:
        if char in folded:
            folded = folded.replace(char, lowest)
    return folded


class CaselessScreened:
    """A case-insensitive pattern that is only run on text holding one of its required
    literals: ``search``, ``finditer`` and ``findall`` answer as the pattern's own do. re
    scans ``re.IGNORECASE`` patterns position by position with case folding, over a hundred
    times the cost of folding the text (``ignorecase_fold``) and testing a few substrings."""

    __slots__ = ("fold", "regex", "screen")

    def __init__(self, regex: re.Pattern[str], min_length: int = _MIN_LENGTH) -> None:
        literals = required_literals(regex.pattern, min_length)
        if not literals:
            raise ValueError(f"no literal screens {regex.pattern!r}")
        self.regex = regex
        # ASCII literals need only ``caseless``; others the whole fold (slower on non-ASCII text).
        self.fold = caseless if all(map(str.isascii, literals)) else ignorecase_fold
        self.screen = frozenset(map(self.fold, literals))

    def _absent(self, text: str) -> bool:
        return not may_match(self.screen, self.fold(text))

    def search(self, text: str) -> re.Match[str] | None:
        return None if self._absent(text) else self.regex.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return iter(()) if self._absent(text) else self.regex.finditer(text)

    def findall(self, text: str) -> list[Any]:
        return [] if self._absent(text) else self.regex.findall(text)


def lower_case_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` without ``re.IGNORECASE``, to search the lower-cased copy of an ASCII text:
    there it matches the same spans as ``pattern`` on the text (ASCII letters fold only to
    ASCII letters) without re's per-character case folding, and can be screened by a literal
    test on that copy. Refuses a pattern that writes an upper-case letter outside an escape."""
    if any(char.isupper() for char in re.sub(r"\\.", "", pattern.pattern)):
        raise ValueError(f"pattern not written in lower case: {pattern.pattern!r}")
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


def any_literal_pattern(literals: Alternatives) -> re.Pattern[str]:
    """A pattern that matches wherever one of ``literals`` occurs, the longest one starting
    there: the literals as a trie, so at each position the engine follows one branch per
    character instead of trying every literal in turn (one scan in C instead of a substring
    test per literal)."""
    if not literals or "" in literals:
        raise ValueError("a pattern over no literals (or the empty one) screens nothing")
    trie: dict[str, Any] = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}  # a literal ends here

    def alternation(node: dict[str, Any]) -> str:
        branches = [
            re.escape(char) + alternation(child) for char, child in sorted(node.items()) if char
        ]
        if "" in node:
            branches.append("")  # a literal ends here: tried after every longer one
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return re.compile(alternation(trie))


class LiteralIndex:
    """Which of a fixed set of literals occur in a text, found in one scan of it.

    One trie pattern (``any_literal_pattern``) in a look-ahead finds, at every position, the
    longest literal starting there; the literals occurring at that position are exactly those
    that are prefixes of it. So ``present`` is exact, and a caller with many screens tests each
    with a set operation instead of a substring search per literal.
    """

    __slots__ = ("_pattern", "_prefixes", "literals")

    def __init__(self, literals: Alternatives) -> None:
        self.literals = literals
        self._pattern = re.compile(f"(?=({any_literal_pattern(literals).pattern}))")
        self._prefixes = {
            literal: frozenset(literal[:end] for end in range(1, len(literal) + 1)) & literals
            for literal in literals
        }

    def present(self, text: str) -> frozenset[str]:
        """The literals of this index that occur in ``text``."""
        found = self._pattern.findall(text)
        if not found:
            return frozenset()
        return frozenset().union(*map(self._prefixes.__getitem__, set(found)))
