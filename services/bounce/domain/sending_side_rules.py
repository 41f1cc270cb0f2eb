"""Reply wording that names the sending side as the cause: its reverse DNS (PTR), its IP or
network on a block list or refused, its reputation, TLS that it did not use or could not set
up, the message's sender authentication (SPF, DKIM, DMARC) and SMTP AUTH.

Part of the generic phrases (``generic_rules.GENERIC_RULES``, in this order, where they stand):
Sisimai 5 split these causes out of its Blocked and SecurityError (RequirePTR, BadReputation,
FailedSTARTTLS, AuthFailure), and the more precise reading comes first.
"""

from __future__ import annotations

from services.bounce.domain import taxonomy as t
from services.bounce.domain.text_rules import TextRule, rule

SENDING_SIDE_RULES: tuple[TextRule, ...] = (
    rule(
        # The sending IP has no reverse name, or one that does not resolve back to it: a
        # missing PTR (RFC 1912 2.1; Postfix's reject_unknown_client_hostname and
        # reject_unknown_reverse_client_hostname, Sendmail's and Exim's name lookups).
        "generic.ptr",
        t.REQUIRE_PTR,
        r"reverse dns",
        r"\bptr\b",
        r"\brdns\b",
        r"reverse (?:lookup|mapping|resolution|hostname)",
        r"cannot find your (?:reverse )?hostname",
        r"(?:ip|host) ?name lookup failed",
        r"cannot resolve your (?:address|ip|hostname)",
        r"\bip (?:address )?\S+ (?:does not|doesn't|did not) resolve",  # Sendmail require_rdns
        r"forward[- ]confirmed",
        r"\bfcrdns\b",
    ),
    rule(
        "generic.blocked",
        t.BLOCKED,
        r"spamhaus",
        r"spamcop",
        r"barracuda",
        r"block ?list",
        r"black ?list",
        r"\b(?:dnsbl|rbl)s?\b",
        r"client host .{0,60}(?:rejected|blocked)",
        r"connections? not accepted from",
        r"not currently accepting mail from your ip",
        r"too many spams from your ip",
        r"\bip (?:address )?(?:\S+ )?(?:is )?(?:blocked|banned|listed|rejected)",
        r"dynamic(?:ally[- ]assigned)? ip",
        r"blocked using [\w-]+\.[\w.-]+",
        r"spam ?list",
        r"is not allowed to send (?:mail )?from",
        r"requires confirmation",
        r"confirm this mail server",
        r"(?:ip|host) (?:is )?(?:on|in) (?:a |our )?(?:black|block)",
        r"was blocked by (?:rota|[\w.-]+bl\b)",
        # Proofpoint's "Blocked - see https://ipcheck.proofpoint.com/?ip=...": its documented
        # refusal of the sending IP for its reputation.
        r"ipcheck\.proofpoint\.com",
        # A block notice pointing at the page that explains it ("550 5.7.0 Blocked - see
        # https://...", Proofpoint's and the receivers behind it, iCloud's among them, as
        # Sisimai's Blocked list has it), and a listing named as the cause.
        r"(?:blocked|refused) - see https?://",
        r"rejected due to listing in",
        # A DNS list named as listing the client ("listed at bl.example.net", Exim's and
        # Sendmail's stock DNSBL refusals).
        r"\blisted (?:at|in|on|by) [\w-]+(?:\.[\w-]+)+",
        # Greylisting: the sending host is held back until it retries.
        r"\bgr[ae]y ?list(?:ed|ing)\b",
        # The sending host itself refused: its address or network (Sisimai's Blocked).
        r"mismatches client ip",
        r"dynamic/zombied",
        r"not accepting connections",
        r"bad ip profile",
        r"\bgo away\b",
        r"host network not allowed",
        r"invalid ip for sending",
        r"(?:mail server at|mail from) \S+ (?:is blocked|refused)",
        r"no access from mail server",
        r"smtp server of your isp",
        r"open proxy",
        r"forbidden by your ip",
        r"listed as abusive",
        r"unresolvable relay host",
        r"not allowed to connect",
        r"currently sending spam",
        r"purported responsible address",
        r"not available, closing transmission channel",
        r"bad sender ip",
        # The sending IP drew complaints (Yahoo) or fails the receiver's sender checks.
        r"temporarily deferred due to user complaints",
        r"unverifiable sending ips",
        r"unverifyable sending ips",
        r"dns lookup failure: .{1,80} try again later",
        r"has not passed validation",
        # The remote host closing or refusing the connection to the sending host.
        r"connection (?:was )?dropped",
        r"connection refused by",
        r"connection reset by peer",
    ),
    rule(
        "generic.reputation",
        t.BAD_REPUTATION,
        r"(?:poor|low|bad)(?: \w+)? reputation",
        r"reputation problems",
        # Throttled for what the sender's address or domain has done (Exchange Online's
        # 4.7.650 "rate limited due to IP reputation"): reputation, not the rate itself.
        r"due to (?:the )?(?:ip |domain |sender )?reputation",
        # The sending IP's, domain's or sender's standing named as the cause.
        r"\b(?:ip|sender|sending|domain|network)(?: address)? reputation\b",
        r"reputation (?:is )?too low",
    ),
    rule(
        # TLS required and not used, or TLS that could not be set up (RFC 3207's "530 5.7.0
        # Must issue a STARTTLS command first", RFC 8689's REQUIRETLS, RFC 4954's "Encryption
        # required", a route or domain requiring TLS, a sender's TLS policy that the receiver
        # did not meet): Sisimai 5's FailedSTARTTLS.
        "generic.tls_required",
        t.FAILED_STARTTLS,
        r"must issue a starttls",
        r"\b(?:starttls|tls|ssl|encryption)(?: \(tls\)| session| connection)? (?:is )?"
        r"(?:required|needed|mandatory)",
        r"(?:requires?|must (?:use|support)) (?:the )?(?:starttls|tls|ssl|encryption)\b",
        r"(?:requires?|must use) an? (?:secure|encrypted|tls) (?:connection|channel|session)",
        r"(?:secure|encrypted) (?:connection|channel|transport) (?:is )?(?:required|needed)",
        r"\brequiretls\b",
        r"(?:not|n't) (?:sent|delivered|received) over (?:a |an )?(?:secure|encrypted|tls|ssl)",
        r"(?:starttls|tls|ssl) (?:negotiation|handshake|session) (?:failed|failure|error)",
        r"(?:cannot|could not|couldn't|unable to|failed to) (?:start|establish|negotiate) "
        r"(?:a )?(?:starttls|tls|ssl|secure)",
        r"\bstarttls (?:failed|failure|error)",
        r"(?:did not|does not|doesn't|didn't|not) (?:offer|support|advertise) (?:the )?starttls",
    ),
    rule(
        # Sender authentication: SPF, DKIM, DMARC, ARC (RFC 7208, 6376, 7489, 8617; RFC 7372's
        # X.7.20-X.7.26) and a receiver's required authentication level. Before SMTP AUTH's
        # wording: "DKIM authentication failed" is about the message's signature.
        "generic.auth",
        t.AUTH_FAILURE,
        r"\bspf\b",
        r"\bdkim\b",
        r"\bdmarc\b",
        r"sender policy framework",
        r"domainkeys",
        r"\bsender ?id\b(?: \((?:pra|mail ?from|mfrom)\))? (?:not permitted|fail|check|validation)",
        r"\barc (?:validation|seal|signature|check)",
        r"authentication (?:level|requirements?|checks?|results?)",
        r"(?:sender|domain|email) authentication",
    ),
    rule(
        "generic.smtp_auth",
        t.SECURITY_ERROR,
        r"authentication (?:credentials invalid|failure|failed|is required)",
        r"unauthenticated senders? not allowed",
        r"authentication is required",
        r"authentication turned on",
        r"verification failure",
        r"is a dead domain",
        r"not subscribed to ses",
        r"not authori[sz]ed to perform ses:",
        r"executable files are not allowed",
    ),
)
