"""The wording MTA families write in their own notifications, mapped to bounce reasons.

Exim (and Exim-based MXLogic, Mail.ru), qmail with its LDAP and forwarding add-ons, OpenSMTPD,
Zoho, Courier, amavisd, Sun Messaging Server, Domino/Notes (Japanese editions too), the fml list
server, McAfee, au/EZweb and Gmail's relay reports state a cause in phrases of their own that
the generic wording does not cover (Sisimai's Lhost modules document them per family; these
are our own patterns for the same meanings). Part of ``generic_rules.GENERIC_RULES``, tried
first there: they are specific, so they win over broader generic words ("blocked", "loop").
"""

from __future__ import annotations

from services.bounce.domain import taxonomy as t
from services.bounce.domain.text_rules import TextRule, rule

FAMILY_RULES: tuple[TextRule, ...] = (
    rule(
        # Refused at the greeting or HELO (Exim "after initial connection", Postfix "Helo
        # command rejected"): the sending host was refused, whatever words follow.
        "family.refused_at_connect",
        t.BLOCKED,
        r"helo command rejected",
        r"after initial connection",
    ),
    rule(
        "family.host_unknown",
        t.HOST_UNKNOWN,
        r"all host address lookups failed permanently",
        r"all relevant mx records point to non-existent hosts",
        r"illegal host/domain name",
        r"invalid domain name",
        r"remote domain doesn'?t exist",
        r"dns server returned answer with no data",
    ),
    rule(
        "family.not_accepted",
        t.NOT_ACCEPTED,
        r"no host found for existing smtp connection",
        r"destination seems? to reject all mails",
        r"system not accepting network messages",
    ),
    rule(
        "family.system_full",
        t.SYSTEM_FULL,
        r"not enough free space",
    ),
    rule(
        "family.address_syntax",
        t.SYNTAX_ERROR,
        r"angle-brackets nested too deep",
        r"expected word or \"<\"",
        r"domain missing in source-routed address",
        r"malformed address:",
    ),
    rule(
        # A mailing-list server (fml) refusing a non-member's post, or its own loop guard.
        "family.list_refusal",
        t.REJECTED,
        r"not member article from",
        r"not a member of this mailing list",
    ),
    rule(
        "family.list_loop",
        t.SYSTEM_ERROR,
        r"duplicated message-id",
        r"has detected a loop condition",
        r"loop back warning",
    ),
    rule("family.list_security", t.SECURITY_ERROR, r"security alert:"),
    rule(
        "family.system",
        t.SYSTEM_ERROR,
        r"delivery to (?:file|pipe) forbidden",
        r"lmtp error after",
        r"ldap (?:server|attribute)",
        r"homedir creat",
        r"executing qmail-forward",
        r"bad interpreter",
        r"mta failure on relaying",
        r"rejected by next-hop mta",
        r"relay message back to mta",
    ),
    rule(
        "family.content",
        t.CONTENT_ERROR,
        r"too many \"?received\"?:? headers",
    ),
    rule(
        "family.network",
        t.NETWORK_ERROR,
        r"dns lookup failed",
        r"had no relevant answers",
        r"address family mismatch",
        r"all routes to destination blocked",
        r"bad dns lookup error code",
        r"could not retrieve source address",
        r"\bloop detected",
        r"network error on destination",
        r"no valid route to",
        r"no mx found for",
        r"temporary failure in mx lookup",
        r"maximum hop count",
    ),
    rule("family.credentials", t.SECURITY_ERROR, r"could not retrieve credentials"),
    # Zoho gives up on a host it never reached: its retry period ran out.
    rule("family.unreachable", t.EXPIRED, r"^host not reachable"),
    rule(
        "family.suspended",
        t.SUSPENDED,
        r"administrative(?:ly|ely|ley) disabled",
        r"account is temporarily limited",  # au/EZweb
    ),
    rule("family.user_limit", t.EXCEED_LIMIT, r"maximum size the user accepts"),
    rule(
        "family.directory",
        t.USER_UNKNOWN,
        r"ディレクトリ(?:には見つかりません|のリストにありません)",
        # Domino's French edition; its accents often arrive mis-decoded (a wrong charset).
        r"non r\S{1,2}pertori\S{1,2} dans l\S{1,3}annuaire domino",
        r"\buser \([^ ()]+@[^ ()]+\) unknown",  # McAfee
    ),
    rule("family.cannot_route", t.FILTERED, r"cannot route mail to user"),
)
