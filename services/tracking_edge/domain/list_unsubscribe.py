"""Builds the List-Unsubscribe (RFC 2369) and List-Unsubscribe-Post (RFC 8058 one-click) headers."""

import re

_FORBIDDEN = re.compile(r"[\x00-\x20<>\x7f-\U0010ffff]")
ONE_CLICK = ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")


def list_unsubscribe_headers(unsubscribe_url: str, mailto: str | None) -> list[tuple[str, str]]:
    """Header (name, value) pairs: `List-Unsubscribe: <https://...>, <mailto:...>` and, when the
    URL is HTTPS, `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.

    RFC 8058 one-click needs an HTTPS URI, so a plain-http URL (a local deployment) gets the
    RFC 2369 header only. `mailto` may be a bare address or a `mailto:` URI (with `?subject=`...).
    URIs must be ASCII without whitespace or angle brackets, since RFC 2369 encloses each in `<>`:
    percent-encode before calling. Folding long values is left to the message serializer.
    """
    scheme = unsubscribe_url.split(":", 1)[0].lower()
    if scheme not in ("https", "http"):
        raise ValueError(f"List-Unsubscribe needs an http(s) URL, got {unsubscribe_url!r}")
    uris = [unsubscribe_url]
    if mailto is not None:
        uris.append(mailto if mailto.lower().startswith("mailto:") else f"mailto:{mailto}")
    for uri in uris:
        if _FORBIDDEN.search(uri):
            raise ValueError(f"not usable in a List-Unsubscribe header: {uri!r}")
    headers = [("List-Unsubscribe", ", ".join(f"<{uri}>" for uri in uris))]
    if scheme == "https":
        headers.append(ONE_CLICK)
    return headers
