"""Generic reply-text phrases mapped to bounce reasons, tried after the enhanced status.

The phrases are the common wording of Postfix, Exim, Sendmail, qmail, Exchange, Domino and
content filters, checked against Sisimai's documented per-reason phrase lists (whose taxonomy
this follows). Order matters: the first matching rule wins, so a specific cause (a temporary
DNS failure, a domain without mail service) comes before the broader one (unknown host).
"""

from __future__ import annotations

from services.bounce.domain import localised_wording as lw
from services.bounce.domain import taxonomy as t
from services.bounce.domain.address_rules import ADDRESS_RULES
from services.bounce.domain.family_rules import FAMILY_RULES
from services.bounce.domain.provider_rules import GOOGLE_RELAY_RULES
from services.bounce.domain.sending_side_rules import SENDING_SIDE_RULES
from services.bounce.domain.text_rules import CONNECTION_RULE, TextRule, rule

GENERIC_RULES: tuple[TextRule, ...] = (
    *GOOGLE_RELAY_RULES,
    *FAMILY_RULES,
    rule(
        "generic.system_full",
        t.SYSTEM_FULL,
        r"insufficient system (?:storage|resources)",
        r"mail system full",
        r"no space left",
    ),
    *ADDRESS_RULES,
    # qmail's SMTP-AUTH patch refuses to relay for an unauthenticated client (Sisimai's
    # SecurityError list), in the words of its rcpthosts relay refusal below.
    rule("generic.relay_needs_auth", t.SECURITY_ERROR, r"you don'?t authenticate"),
    rule(
        "generic.no_relaying",
        t.NO_RELAYING,
        # "Relaying to <a> denied" (Kerio), "Relay rejected for policy reasons" (Domino).
        r"relay(?:ing)? (?:to \S+ )?(?:access )?(?:is )?"
        r"(?:denied|not permitted|not allowed|prohibited|refused|rejected)",
        r"unable to relay",
        r"(?:do not|don't|not permitted to|cannot) relay",
        r"relay not permitted",
        r"as a relay",
        r"rcpthosts",
        r"(?:not allowed|unable) to relay",
        r"insecure mail relay",
        r"not an open relay",
        r"relaying mail to",
        r"\bnot a gateway\b",
        r"not local host",
        r"requires authentication when attempting to send to a non-local",
        r"not configured to relay",
        r"delivery is not allowed to this address",  # hMailServer's relay refusal
    ),
    rule("localised.no_relaying", t.NO_RELAYING, *lw.NO_RELAYING),
    rule("generic.virus_named", t.VIRUS_DETECTED, r"virus or spam", r"potentially executable"),
    rule(
        "generic.spam_verdict",
        t.SPAM_DETECTED,
        r"(?:identified|detected|classified|rejected|considered|flagged|marked) as (?:spam|junk)",
        r"(?:appears|seems|looks) (?:to be |like |similar to )?spam",
        r"antispam checks",
        r"spam (?:score|points|content|rejection|detected|blocked|email)",
        r"scored [\d.]+ spam",
        r"rejecting banned content",  # amavisd's content verdict (Sisimai: spamdetected)
        # A listed URL in the content, and the lists Sisimai's SpamDetected names (AT&T's
        # abuse block, imedia's DRBL, a "spam list" denial).
        r"black ?listed ur[il]\b",
        r"blocked for abuse",
        r"denied due to spam list",
        r"drbl\.imedia\.ru",
    ),
    *SENDING_SIDE_RULES,
    rule("generic.unauthenticated", t.AUTH_FAILURE, r"unauthenticated"),
    rule("generic.virus", t.VIRUS_DETECTED, r"virus", r"malware", r"infected"),
    rule("localised.virus", t.VIRUS_DETECTED, *lw.VIRUS),
    rule(
        "generic.spam",
        t.SPAM_DETECTED,
        r"spam",
        r"unsolicited",
        r"junk mail",
        r"bulk (?:e-?)?mail",
        r"\buce\b",
        r"\bube\b",
        r"\b(?:uri|sur)bl\b",
        r"mass ?mail",
        r"content reject",
    ),
    rule("localised.spam", t.SPAM_DETECTED, *lw.SPAM),
    rule(
        "generic.too_many_conn",
        t.TOO_MANY_CONN,
        r"too many (?:(?:concurrent|simultaneous|smtp|open|parallel) )*(?:connections|sessions)",
        r"all (?:server )?ports are busy",  # postscreen: no smtpd process free
        # Too many recipients for one session or message is the same class of limit for
        # Sisimai (TooManyConn's list, its 5.5.3 status name, its Exchange tables).
        r"too many recipients",
        r"recipient limit",
        r"connection (?:rate )?limit",
        r"maximum connection",
        r"trop de connexions",
        r"max (?:emails|defers and failures) per hour",
        r"too many errors from your ip",
        r"numerous attempts to deliver",
        # A limit on the messages of one SMTP session (Yahoo's "Max message per connection").
        r"(?:messages?|mails?) per (?:connection|session)",
    ),
    rule("localised.too_many_conn", t.TOO_MANY_CONN, *lw.TOO_MANY_CONN),
    rule(
        "generic.speeding",
        t.SPEEDING,
        r"too many (?:messages|concurrent)",
        r"rate ?limit",
        r"\brate (?:over ?limit|exceeded)",
        r"too much (?:e-?)?mail from",  # Postfix's smtpd_client_message_rate_limit
        r"throttl",
        r"slow down",
        r"too (?:fast|often)",
    ),
    rule(
        "generic.expired",
        t.EXPIRED,
        r"expired",
        r"too long (?:in|on) (?:the )?queue",
        r"in the queue too long",
        r"delivery failed \d+ attempts",
        r"maximum (?:delivery attempts|time)",
        r"retry (?:timeout|time) (?:exceeded|reached)",
        r"not been collected",
        r"message timed out",
        r"not (?:delivered|reachable) within",
        r"all hosts have been failing",
        r"retry time not reached for any host",
        r"unable to deliver message after multiple retries",
        r"could not be delivered for more than",
        r"delivery attempts will continue",
        r"failed to deliver to domain",
        r"could not find a gateway",
        r"have been failing for a long time",
        r"has been delayed",
    ),
    rule("localised.expired", t.EXPIRED, *lw.EXPIRED),
    rule(
        "generic.mailer",
        t.MAILER_ERROR,
        r"command (?:died|output|failed)",
        r"mailer error",
        r"exit (?:code|status)",
        r"\bexit \d+",
        r"x-unix; ?\d+",
        r"pipe to \|",
        r"^procmail:",
        r"bin/(?:procmail|maildrop)",
        r"local delivery failed",
    ),
    rule(
        # No route to the host (ICMP unreachable, RFC 3463 X.4.4 "unable to route"): a
        # routing failure, which stays network_error when the MTA gives up; only a host
        # that did not answer is retried until the queue period expires (X.4.1, below).
        "generic.no_route",
        t.NETWORK_ERROR,
        r"no route to host",
        r"(?:network|host) (?:is )?unreachable",
    ),
    rule(
        CONNECTION_RULE,
        t.NETWORK_ERROR,
        r"connection (?:was )?(?:refused|timed out|reset|closed|dropped|to .{0,60}failed)",
        r"(?:could not|couldn't|unable to|wasn't able to) (?:connect|establish|initiate)",
        r"did not accept our requests to connect",
        r"lost connection",
        r"(?:did not|does not|not) respond",
        r"no answer",
    ),
    rule(
        # A loop the MTA itself broke (Sendmail, Postfix) is its configuration's fault, not
        # the network's; Sisimai lists both phrases under systemerror.
        "generic.loop_broken",
        t.SYSTEM_ERROR,
        r"aliasing/forwarding loop broken",
        r"would create a mail loop",
    ),
    rule(
        "generic.network",
        t.NETWORK_ERROR,
        r"too many hops",
        r"hop count exceeded",
        r"maximum (?:number of )?hops?\b",
        r"(?:mail(?:ing)?|routing) loop",
        r"looping",
        r"forwarding loop",
        r"unable to resolve route",
    ),
    rule(
        "generic.system",
        t.SYSTEM_ERROR,
        r"(?:system|server|internal|local) error",
        r"error in processing",
        r"temporary (?:local |server )?(?:problem|failure)",
        r"resources? (?:temporarily )?unavailable",
        r"service (?:currently )?(?:not available|unavailable)",
        r"loops back to myself",
        r"(?:mail system|server|local|system) config(?:uration)? (?:error|problem)",
        r"several matches found",
        r"could not load drd",
        r"interrupted system call",
        r"trouble creating files",  # qmail-queue could not write its queue
        r"encountered an error while being processed",
        r"loop was found in the mail exchanger",
        r"(?:queue |temporary )?file write error",
        r"remote server is misconfigured",
        r"timeout waiting for input",
        r"\btransaction failed\b(?! unsigned dsn)",  # RFC 5321's 554 text
    ),
    rule("localised.temporary_failure", t.SYSTEM_ERROR, *lw.TEMPORARY_FAILURE),
    rule(
        # The message breaks RFC 5322 (its section 3.6: From and Date required, the originator,
        # destination, identification and Subject fields at most once, each in its syntax):
        # named as such, or a required field missing, a field's value invalid, a field twice.
        "generic.not_rfc_compliant",
        t.NOT_COMPLIANT_RFC,
        r"not (?:rfc ?)?(?:2822|5322|822)[ -]compliant",
        r"(?:not|non)[ -]?compliant with rfc ?(?:2822|5322|822)",
        r"\brfc ?(?:2822|5322|822)(?: section [\d.]+)?[ -]compliant",
        r"\bnot rfc[ -]compliant",
        r"violat\w* (?:of )?(?:the )?rfc ?(?:2822|5322|822)\b",
        r"rfc ?(?:2822|5322|822) violation",
        r"rfcmessagenoncompliant",
        r"\b(?:missing|without|lacks?|lacking|no) (?:an? |the )?(?:valid |required |proper )?"
        r"(?:address in (?:the )?)?'?(?:from|date|message[- ]?id)\b'?:? ?(?:header|field)",
        r"\b(?:missing|no) (?:an? )?(?:required|mandatory) header",
        r"(?:required|mandatory) header(?: field)?s?(?: '?[\w-]+'?:?)? (?:is |are )?"
        r"(?:missing|absent|not present)",
        r"(?<![\w-])(?:from|date|message[- ]?id|sender)'?:? (?:header|field)(?: line)? "
        r"(?:is )?(?:missing|absent|empty|not present|invalid|malformed|not valid)",
        r"(?:invalid|malformed|illegal|broken|improper|syntax error in(?: the)?) '?"
        r"(?:from|sender|reply-to|to|cc|date|message[- ]?id)'?:? (?:header|field)",
        r"multiple (?:from|sender|date|subject|to|message-id)(?::| header| field)",
        # Gmail: "Messages with multiple addresses in From: header are not accepted".
        r"messages with multiple addresses",
        r"(?:duplicate|more than one) (?:from|sender|date|subject|message-id)\b",
        r"duplicate header",
    ),
    rule(
        "generic.content",
        t.CONTENT_ERROR,
        r"(?:invalid|malformed|missing|duplicate|bad) [\w-]* ?header",
        r"header (?:syntax|field|line)",
        r"\bno [\w-]+ (?:header|field)",
        r"\bmime\b",
        r"lines? too long",
        r"bare (?:lf|cr|newlines?|line ?feeds?)\b",
        r"barelinefeeds",
        r"rfc ?(?:2|5)?822",
        r"message content",
        r"messages without [\w-]+: fields",
        r"8-bit data in message header",
        r"improperly-formatted binary content",
        r"unnecessary base64 encoding",
        r"message is malformed",
    ),
    rule(
        "generic.syntax",
        t.SYNTAX_ERROR,
        r"syntax error",
        r"command (?:not recogni[sz]ed|unrecogni[sz]ed)",
        r"unrecogni[sz]ed command",
        r"bad sequence of commands",
        r"parameters? (?:not recogni[sz]ed|unrecogni[sz]ed)",  # RFC 5321's 555
    ),
    rule(
        "generic.security",
        t.SECURITY_ERROR,
        r"authentication (?:is )?required",
        r"starttls",
        r"\btls\b",
        r"must authenticate",
    ),
    rule(
        "generic.policy_named",
        t.POLICY_VIOLATION,
        r"not subscribed to this group",
        r"members-only list",
        r"closed mailing list",
        r"illegal attachment",
        # An attachment type the site forbids (amavis's "BANNED: P=..." verdict).
        r"\bbanned: p=",
        r"(?:banned|forbidden|prohibited|disallowed) (?:attachment|file ?(?:name|type|extension))",
        r"headers? are not accepted",
        r"organizational settings",
        r"message given low priority",
        r"protocol violation",
        r"do not accept messages containing images",
        r"without solving a captcha",
        r"content presents a potential",
    ),
    rule(
        "generic.filtered",
        t.FILTERED,
        r"filter",
        r"refused by recipient",
        r"recipient refuses",
        r"not authori[sz]ed to receive",
        r"moderat",
        r"not accepting (?:any )?mail with",
        r"not accepting any mail",
        r"due to recipient preferences",
        r"user refuses to receive",
        r"only accepting mail from specific",
        r"bounced address",
        r"due to extended inactivity",
        r"restricted sms e-?mail",
        r"due to user rules",
        r"not found recipient account",
        r"this account is protected by",
        r"\buser reject",
        r"refuse to receive mail",
        r"blocked by the recipient",
    ),
    rule("generic.policy", t.POLICY_VIOLATION, r"polic(?:y|ies)", r"prohibited"),
    # qmail-remote ends every permanent failure with "Giving up on <host>." (it stops trying
    # that host: qmail-remote.c), whatever the reply said: it names the retry period only
    # when no wording above names a cause (Sisimai reads Expired after most other reasons).
    rule("generic.gave_up_on_host", t.EXPIRED, r"giving up on"),
)

# Words that only say "refused", naming no cause: they yield to what the enhanced status means
# (a bare "5.7.1 Access denied" is the security class's refusal, as in Sisimai, whose reasons
# list no such bare words) and name a policy refusal only when the status says nothing.
WEAK_RULES: tuple[TextRule, ...] = (
    # A bare "blocked" is most often the sending host blocked (Sisimai: "said: 550 blocked").
    rule("generic.refused_blocked", t.BLOCKED, r"\bblocked\b"),
    rule("generic.refused", t.POLICY_VIOLATION, r"not allowed", r"access denied", r"rejected"),
)
