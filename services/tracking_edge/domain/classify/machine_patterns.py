"""Generic shapes of automated user agents that bot lists miss (no product names needed).

Each rule describes how automated clients write their UA, not which ones exist:

- a contact for the operator: ``+https://…`` (RFC 9110's product comment convention for
  robots), ``+mailto:…`` or an e-mail address, ``compatible; Name; url``;
- ``Mozilla/5.0 (compatible; Name[/1.0][; …])`` with nothing after the comment: the crawler
  idiom of borrowing Mozilla's prefix (MSIE, Konqueror and Outlook's ``ms-office`` are real
  clients with the same prefix and are excluded);
- a complete browser UA followed by a product token that says what the tool is (``…Safari/537.36
  SiteScanner/2.1``), with an agent inside WebKit's ``(KHTML, like Gecko; compatible; X)``,
  or with a product token before ``Mozilla/`` (``tool.ai/scan Mozilla/5.0 (…``);
- ``Mozilla/5.0 (Name)`` or ``Mozilla/5.0 Name`` with no platform: no browser writes that;
- an HTTP library's own UA, with or without an OS token (``python-requests/2.31 (Linux)``);
- headless browsers and automation drivers.

Mail clients are matched before these rules (mail_clients.py), so a mail app that sends an
HTTP library's UA with its own name in it is still a reader.
"""

from __future__ import annotations

import re

CONTACT = re.compile(
    r"\+https?://|\+?mailto:|[\w.+-]+(?:@|\[at\]|\(at\))[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b|"
    r"\bcompatible; ?[^;()]+; ?\+?https?://",
    re.IGNORECASE,
)

HEADLESS = re.compile(
    r"HeadlessChrome|PhantomJS|Puppeteer|Playwright|Selenium|SlimerJS|Headless|WebDriver|"
    r"\bjsdom/",
    re.IGNORECASE,
)

# First item of a "compatible;" comment that real browsers send.
_COMPATIBLE_CLIENT = re.compile(
    r"^(?:MSIE|Konqueror|Windows|Linux|X11|Macintosh|Mac OS|iPhone|iPad|Android|U$|I$|"
    r"BlackBerry|Nokia|Symbian|Series|Opera|ms-office)",
    re.IGNORECASE,
)
_COMPATIBLE_ONLY = re.compile(
    r"^Mozilla/\d\.\d \(compatible(?:;\s*([^;)]*))?[^)]*\)\s*$", re.IGNORECASE
)
# "Mozilla/5.0 (One comment)" with no platform in it, or "Mozilla/5.0 word" with no comment.
_LONE_COMMENT = re.compile(r"^Mozilla/\d\.\d \(([^()]*)\)\s*$")
_NO_COMMENT = re.compile(r"^Mozilla/\d\.\d[ ;]+[^(\s][^(]*$")
_PLATFORM = re.compile(
    r"Windows|Macintosh|Mac OS|X11|Linux|Android|iPhone|iPad|iPod|CPU|MSIE|Mobile|BlackBerry|"
    r"Symbian|Nokia|Tizen|KAIOS|PlayStation|Nintendo|Xbox|SMART-TV|Web0S|CrOS",
    re.IGNORECASE,
)
# Browsers never add to WebKit's "(KHTML, like Gecko)" comment; agents do ("; compatible; X").
_KHTML_EXTRA = re.compile(r"\(KHTML, like Gecko[;,][^)]+\)")
# A product token before "Mozilla/": an agent prefixing a browser UA it borrows.
_PREFIXED = re.compile(r"^[\w.-]+/[\w.-]+ Mozilla/\d\.\d \(")

# Product tokens browsers, in-app browsers and WebViews append after "Safari/…", "Gecko/…" or
# "Firefox/…"; anything else with a tool word after a complete browser UA is an agent.
_TOOL_WORD = re.compile(
    r"bot\b|crawl|spider|scan|agent|check|monitor|preview|fetch|probe|audit|valid|secur|"
    r"http|python|java\b|curl|wget|render|capture|screenshot|archiv|lighthouse|sandbox|"
    r"analy[sz]|detect|inspect|test|proxy|link|url|safe|threat|phish|malware|index|verif|"
    r"diagnos|synthetic|measure|research|survey|prospect|assess|\bseo\b|uptime|compliance",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"(?<![\w.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:ai|io|com|net|org|fr|de)(?![\w.])")
_BROWSER_END = re.compile(
    r"(?:Safari|Firefox|Chrome|Edge?|Edg|OPR|Version|Mobile|Gecko|Trident)/[\w.]+\)?\s+(.+)$"
)

HTTP_LIBRARY = re.compile(
    r"^(?:python-requests|python-urllib|Python-urllib|Python/|aiohttp|httpx|HTTPie|urllib3|"
    r"PycURL|okhttp|Go-http-client|Go \d|Java/|Apache-HttpClient|Jakarta Commons|"
    r"Apache-HttpAsyncClient|curl/|Wget/|libwww-perl|LWP::|lwp-|axios/|node-fetch|undici|"
    r"got \(|Dart/|Faraday|Ruby|PHP/|GuzzleHttp|WinHTTP|Microsoft-CryptoAPI|Microsoft BITS|"
    r"RestSharp|PostmanRuntime|insomnia|reqwest|hyper/|Typhoeus|Mechanize|Scrapy|"
    r"HttpClient|AHC/|Jetty|Netty|libcurl|http\.rb|rest-client|Zend_Http|WordPress/|"
    r"Deno/|Bun/|colly|fasthttp|aws-sdk|Boto|cpp-httplib|Embarcadero|Indy Library)",
    re.IGNORECASE,
)


def compatible_only_crawler(user_agent: str) -> bool:
    """``Mozilla/5.0 (compatible; Name…)``, ``Mozilla/5.0 (Name)`` or ``Mozilla/5.0 Name`` and
    nothing else, Name not a real client or platform."""
    match = _COMPATIBLE_ONLY.match(user_agent)
    if match:
        return not _COMPATIBLE_CLIENT.match((match.group(1) or "").strip())
    lone = _LONE_COMMENT.match(user_agent)
    if lone:
        return not _PLATFORM.search(lone.group(1))
    return bool(_NO_COMMENT.match(user_agent)) and not _PLATFORM.search(user_agent)


def appended_tool_token(user_agent: str) -> bool:
    """A complete browser UA followed by a token naming a tool (scanner, checker, agent)."""
    match = _BROWSER_END.search(user_agent)
    if not match:
        return False
    tail = match.group(1)
    # the tail may itself be more browser tokens: drop those before looking for a tool word
    tail = re.sub(r"(?:Safari|Chrome|Mobile|Version|Edg\w*|OPR)/[\w.]+", "", tail)
    return bool(_TOOL_WORD.search(tail) or _DOMAIN.search(tail))


def machine_shape(user_agent: str) -> str:
    """The generic automated shape a UA has (an agent name), or ""."""
    if not user_agent:
        return "empty_user_agent"
    if HEADLESS.search(user_agent):
        return "headless_browser"
    if HTTP_LIBRARY.match(user_agent):
        return "http_library"
    if CONTACT.search(user_agent):
        return "self_identified_robot"
    if compatible_only_crawler(user_agent):
        return "compatible_crawler"
    if _KHTML_EXTRA.search(user_agent) or _PREFIXED.match(user_agent):
        return "browser_with_agent_token"
    if appended_tool_token(user_agent):
        return "browser_with_agent_token"
    return ""
