"""Byte-exact scanner for email HTML: finds link attributes and insertion points, no re-serialising.

It follows the WHATWG tokenizer wherever that decides where a tag starts and ends (comments,
bogus comments, raw-text elements, quoted and unquoted attributes, end of input inside a tag), so
what we treat as a link is what the mail client's HTML engine treats as one. One deliberate
extension: the content of downlevel-hidden conditional comments (`<!--[if mso]>...<![endif]-->`)
is scanned as markup, because Outlook renders it (VML buttons, MSO-only tables) and people click
links there. Plain comments, `<script>`, `<style>` and other raw-text elements are skipped.
`<noscript>` is scanned for links (mail clients run no scripts, so its content is markup) but,
like a raw-text element, is never a place to insert anything (with scripting on it is text).
The scan also reports where an unfinished construct at the end of input starts (an unclosed
raw-text element or comment, a tag cut off): content appended at the end would land inside it;
and where the two readings of `<noscript>` part ways (content that, read as markup, runs past its
`</noscript>`, as `<noscript><title></noscript>` does): nothing after that point is the same
for both readings, so insertion points are only taken before it.
"""

import re
from dataclasses import dataclass, field
from html.entities import html5 as _HTML5_ENTITIES

_WS = "\t\n\f\r "
_ATTR_SRC = (
    rf"(?P<name>[^{_WS}/>][^{_WS}/>=]*+)"  # its first character may be '='
    rf"(?:[{_WS}]*+=[{_WS}]*+"
    rf"(?P<value>\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z)|[^{_WS}>\"'][^{_WS}>]*+))?+"
)
_ATTR = re.compile(_ATTR_SRC)
_TAG = re.compile(
    rf"</?(?P<name>[a-zA-Z][^{_WS}/>]*+)"
    rf"(?P<attrs>(?:[{_WS}/]++|{_ATTR_SRC.replace('?P<value>', '?:').replace('?P<name>', '?:')})*+)"
    r"(?P<close>>)?"
)
_COMMENT_END = re.compile(r"--!?>")
_CONDITIONAL_OPEN = re.compile(r"\[if[\t\n\f\r ][^\]>]*\]>", re.IGNORECASE)
_RAW_TEXT = ("script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title")
_RAW_TEXT_END = {name: re.compile(rf"</{name}[{_WS}/>]", re.IGNORECASE) for name in _RAW_TEXT}


def _windows_1252_c1() -> dict[int, str]:
    """0x80-0x9F as windows-1252 reads them (the five bytes it leaves undefined are absent)."""
    table: dict[int, str] = {}
    for code in range(0x80, 0xA0):
        try:
            table[code] = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


# The spec's replacement table for numeric references: NUL and the windows-1252 C1 range.
_NUMERIC_REPLACEMENTS = {0x00: "\ufffd", **_windows_1252_c1()}
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z0-9]+;?)")

_VML_SHAPES = ("shape", "rect", "roundrect", "oval", "line", "polyline", "arc", "curve", "image")
LINK_TAGS = frozenset({"a", "area", "v:group", *(f"v:{shape}" for shape in _VML_SHAPES)})
"""Tags whose `href` is a clickable link: HTML anchors and image-map areas, and the VML shapes
(and groups) that Outlook renders from conditional comments: `<v:roundrect href>` buttons,
`<v:image href>` and `<v:rect href>` banners..."""
_SCRIPT_END_TAG = rf"</script[{_WS}/>]"
_SCRIPT_STATES = {
    "data": re.compile(rf"{_SCRIPT_END_TAG}|<!--", re.IGNORECASE),
    "escaped": re.compile(rf"{_SCRIPT_END_TAG}|-->|<script[{_WS}/>]", re.IGNORECASE),
    "double": re.compile(rf"{_SCRIPT_END_TAG}|-->", re.IGNORECASE),
}
_NOSCRIPT_END = re.compile(rf"</noscript[{_WS}/>]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LinkTag:
    """One link-bearing tag: where its href value token is and what its attributes say."""

    tag: str
    value_start: int
    value_end: int
    href: str
    attributes: dict[str, str]


@dataclass(slots=True)
class ScanResult:
    """What instrumentation needs from a document; positions are string offsets."""

    links: list[LinkTag] = field(default_factory=list)
    body_open_end: int | None = None
    last_body_close_start: int | None = None
    head_close_end: int | None = None
    doctype_end: int | None = None
    unfinished_start: int | None = None
    """Start of the construct the input ends inside (None when it ends in plain data)."""
    base_href: str | None = None
    """The href of the first `<base>` that has one: relative links resolve against it."""
    readings_part_at: int | None = None
    """Start of the first `<noscript>` read differently with scripting on and off."""


def decode_attribute(raw: str) -> str:
    """Decode character references the way HTML does inside an attribute value.

    Unlike `html.unescape`, a legacy reference without ';' followed by '=' or an alphanumeric
    is left alone (`?a=1&copy=2` keeps `&copy`), as browsers do for URLs.
    """
    if "&" not in raw:
        return raw
    return _CHARREF.sub(_decode_reference, raw)


def decode_numeric_reference(digits: str, base: int) -> str:
    """The character a numeric reference stands for, per the HTML spec's "numeric character
    reference end state": NUL, surrogates and values past U+10FFFF become U+FFFD; 0x80-0x9F
    follow the windows-1252 replacement table; every other code point, controls included, is
    kept (`html.unescape` drops controls such as `&#1;`, which browsers keep)."""
    significant = digits.lstrip("0")
    if len(significant) > 8:  # far past U+10FFFF (and too long for int() to be cheap)
        return "\ufffd"
    code = int(significant or "0", base)
    replacement = _NUMERIC_REPLACEMENTS.get(code)
    if replacement is not None:
        return replacement
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return chr(code)


def _decode_reference(match: re.Match[str]) -> str:
    ref = match.group(1)
    if ref[0] == "#":
        hexadecimal = ref[1] in "xX"
        digits = ref[2:] if hexadecimal else ref[1:]
        return decode_numeric_reference(digits.rstrip(";"), 16 if hexadecimal else 10)
    if ref.endswith(";"):
        return _HTML5_ENTITIES.get(ref, match.group(0))
    # Legacy names are keys without ';' in html5; longer alphanumeric runs or '=' block them.
    following = match.string[match.end() : match.end() + 1]
    if ref in _HTML5_ENTITIES and following != "=":
        return _HTML5_ENTITIES[ref]
    return match.group(0)


def scan_html(html: str) -> ScanResult:
    """Scan `html` once and report link tags and insertion points."""
    result = ScanResult()
    _scan_region(html, 0, len(html), result, top_level=True)
    return result


def _scan_region(html: str, pos: int, end: int, result: ScanResult, *, top_level: bool) -> None:
    stopped_at = _scan_until_unfinished(html, pos, end, result, top_level=top_level)
    if top_level and stopped_at is not None:
        result.unfinished_start = stopped_at


def _scan_until_unfinished(
    html: str, pos: int, end: int, result: ScanResult, *, top_level: bool
) -> int | None:
    """Scans [pos, end); returns where an unfinished construct starts, or None."""
    find = html.find
    while True:
        lt = find("<", pos, end)
        if lt < 0 or lt + 1 >= end:
            return None
        following = html[lt + 1]
        if following == "/":
            match = _TAG.match(html, lt, end) if _is_letter(html, lt + 2, end) else None
            if match is None:
                pos = _skip_bogus_end_tag(html, lt, end)
                if pos < 0:
                    return lt
            elif match.group("close") is None:  # input ends inside the tag: it is dropped
                return lt
            else:
                pos = match.end()
                if top_level:
                    _note_end_tag(match.group("name").lower(), lt, pos, result)
        elif _is_letter(html, lt + 1, end):
            match = _TAG.match(html, lt, end)
            if match is None or match.group("close") is None:
                return lt
            pos = match.end()
            name = match.group("name").lower()
            if name in LINK_TAGS:
                link = _link_tag(html, name, match.start("attrs"), match.end("attrs"))
                if link is not None:
                    result.links.append(link)
            elif name == "body":
                if top_level and result.body_open_end is None:
                    result.body_open_end = pos
            elif name == "base" and top_level and result.base_href is None:
                base = _link_tag(html, name, match.start("attrs"), match.end("attrs"))
                result.base_href = None if base is None else base.href
            elif name in _RAW_TEXT_END:
                closing_at = (
                    _script_end(html, pos, end)
                    if name == "script"
                    else _raw_text_end(name, html, pos, end)
                )
                if closing_at is None:
                    return lt
                pos = closing_at
            elif name == "noscript":
                closing = _NOSCRIPT_END.search(html, pos, end)
                content_end = closing.start() if closing else end
                inner = _scan_until_unfinished(html, pos, content_end, result, top_level=False)
                if closing is None:
                    return lt
                if top_level and inner is not None and result.readings_part_at is None:
                    result.readings_part_at = lt
                pos = content_end
            elif name == "plaintext":
                return lt
        elif following == "!":
            if html.startswith("<!--", lt, end):
                pos = _skip_comment(html, lt, end, result)
                if pos < 0:
                    return lt
                continue
            gt = find(">", lt + 2, end)
            if gt < 0:
                return lt
            if top_level and html[lt + 2 : lt + 9].lower() == "doctype":
                result.doctype_end = gt + 1
            pos = gt + 1
        elif following == "?":
            gt = find(">", lt + 2, end)
            if gt < 0:
                return lt
            pos = gt + 1
        else:  # a stray '<' is text
            pos = lt + 1


def _raw_text_end(name: str, html: str, pos: int, end: int) -> int | None:
    closing = _RAW_TEXT_END[name].search(html, pos, end)
    return None if closing is None else closing.start()


def _script_end(html: str, pos: int, end: int) -> int | None:
    """Where the `</script>` that closes a script element starts, following the tokenizer's
    script data states: inside `<!--` (escaped) a `<script` starts a double-escaped run in
    which `</script>` does not close the element; `-->` leaves either state."""
    state = "data"
    while True:
        pattern = _SCRIPT_STATES[state]
        found = pattern.search(html, pos, end)
        if found is None:
            return None
        token = found.group(0)[:3].lower()
        if token == "</s":
            if state != "double":
                return found.start()
            state, pos = "escaped", found.end() - 1
        elif token == "<!-":
            # the dashes of `<!--` count towards `-->` (`<!-->` opens and closes at once)
            state, pos = "escaped", found.start() + 2
        elif token == "-->":
            state, pos = "data", found.end()
        else:  # `<script` inside an escaped run
            state, pos = "double", found.end() - 1


def _skip_bogus_end_tag(html: str, lt: int, end: int) -> int:
    """`</>` is ignored; `</` + non-letter starts a bogus comment up to '>'. -1 at end of input."""
    if html.startswith(">", lt + 2, end):
        return lt + 3
    gt = html.find(">", lt + 2, end)
    return gt + 1 if gt >= 0 else -1


def _is_letter(html: str, index: int, end: int) -> bool:
    return index < end and html[index].isascii() and html[index].isalpha()


def _note_end_tag(name: str, lt: int, after: int, result: ScanResult) -> None:
    if result.readings_part_at is not None:  # past it, positions mean different things
        return
    if name == "body":
        result.last_body_close_start = lt
    elif name == "head" and result.head_close_end is None:
        result.head_close_end = after


def _skip_comment(html: str, lt: int, end: int, result: ScanResult) -> int:
    """The position after the comment, or -1 when the input ends inside it."""
    start = lt + 4
    if html.startswith(">", start, end):  # <!-->
        return start + 1
    if html.startswith("->", start, end):  # <!--->
        return start + 2
    closing = _COMMENT_END.search(html, start, end)
    stop, after = (closing.start(), closing.end()) if closing else (end, -1)
    conditional = _CONDITIONAL_OPEN.match(html, start, stop)
    if conditional is not None:
        _scan_region(html, conditional.end(), stop, result, top_level=False)
    return after


def _link_tag(html: str, tag: str, start: int, end: int) -> LinkTag | None:
    attributes: dict[str, str] = {}
    href_span: tuple[int, int] | None = None
    for attr in _ATTR.finditer(html, start, end):
        value_token = attr.group("value")
        name = attr.group("name").lower()
        if name in attributes:  # the first occurrence wins, as in browsers
            continue
        if value_token is None:
            attributes[name] = ""
            continue
        quoted = value_token[0] in "\"'"
        attributes[name] = decode_attribute(value_token[1:-1] if quoted else value_token)
        if name == "href":
            href_span = attr.span("value")
    if href_span is None:
        return None
    return LinkTag(tag, href_span[0], href_span[1], attributes["href"], attributes)
