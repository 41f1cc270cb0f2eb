"""Recognises template/merge tags (Handlebars, Jinja, Liquid, Mailchimp, AMPscript, ERB, Smarty)
in URLs, and the placeholders senders use for their unsubscribe link.

A URL that still contains a merge tag is rendered per recipient by the sender's templating engine
after we instrument, so we must not sign or rewrite it.
"""

import re

_TEMPLATE_TAG = re.compile(
    r"""
      \{\{ | \}\} | \{% | %\}        # Handlebars, Jinja, Liquid, Django
    | \*\| | \|\*                    # Mailchimp *|MERGE|*
    | %%                             # Salesforce Marketing Cloud %%name%%
    | \{\$ | \$\{                    # Smarty {$x}, JS/FreeMarker ${x}
    | <% | %>                        # ERB, EJS, ASP
    | \[\[ | \]\]                    # [[double bracket]] tags
    | %(?![0-9A-Fa-f]{2})[A-Za-z_]\w+%   # %name% (but never a %XX percent-escape)
    | \[[A-Za-z_][\w.-]*\](?![=\[])  # [unsubscribe], [FNAME] (not a query key like a[b]=1)
    """,
    re.VERBOSE,
)

_UNSUB_NAME = r"[\w.-]*(?:unsub|opt[_-]?out)[\w.-]*"
_UNSUBSCRIBE_FORMS = (
    rf"\{{\{{\{{?\s*{_UNSUB_NAME}\s*\}}\}}\}}?",  # {{unsubscribe_url}}, {{{ unsubscribe }}}
    rf"\{{%\s*{_UNSUB_NAME}\s*%\}}",  # {% unsubscribe %}
    rf"\*\|\s*{_UNSUB_NAME}\s*\|\*",  # *|UNSUB|*
    rf"%%?{_UNSUB_NAME}%%?",  # %unsubscribe_url%, %%unsubscribe%%
    rf"\[\[?{_UNSUB_NAME}\]\]?(?!\()",  # [unsubscribe] (not a Markdown link text)
    rf"\{{\$\s*{_UNSUB_NAME}\s*\}}",  # {$unsubscribe}
    rf"\$\{{\s*{_UNSUB_NAME}\s*\}}",  # ${unsubscribe}
    rf"<%[-=]?\s*{_UNSUB_NAME}\s*%>",  # <%asm_group_unsubscribe_raw_url%>
)
UNSUBSCRIBE_PLACEHOLDER = re.compile("|".join(_UNSUBSCRIBE_FORMS), re.IGNORECASE)
"""Matches one unsubscribe placeholder; `fullmatch` it for an href, `finditer` it in text."""


def has_template_tag(url: str) -> bool:
    """True when `url` (entity-decoded) contains a merge tag anywhere."""
    return _TEMPLATE_TAG.search(url) is not None


def is_unsubscribe_placeholder(value: str) -> bool:
    """True when the whole (entity-decoded) href is an unsubscribe placeholder."""
    return UNSUBSCRIBE_PLACEHOLDER.fullmatch(value.strip()) is not None
