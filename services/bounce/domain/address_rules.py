"""Generic reply-text phrases about the addresses themselves: moved, sender refused, unknown
mailbox, temporary DNS failure, unknown host. Part of ``generic_rules.GENERIC_RULES`` (in this
order, after the system-full rule): a temporary DNS failure is tried before the unknown host.
The wording is checked against Sisimai's documented per-reason lists (UserUnknown, Rejected,
HostUnknown, NetworkError), written as our own patterns.
"""

from __future__ import annotations

from services.bounce.domain import localised_wording as lw
from services.bounce.domain import taxonomy as t
from services.bounce.domain.text_rules import TextRule, rule

ADDRESS_RULES: tuple[TextRule, ...] = (
    rule(
        "generic.has_moved",
        t.HAS_MOVED,
        r"\bhas moved\b",
        r"changed (?:his|her|their) (?:e-?mail )?address",
        r"user not local; please try",  # RFC 5321's 551
        r"has been replaced by",
    ),
    rule(
        "generic.sender_rejected",
        t.REJECTED,
        r"sender (?:address )?(?:has been |was |is )?"
        r"(?:rejected|denied|refused|unknown|blocked|not allowed|invalid)",
        r"invalid sender",
        r"sender (?:email )?address (?:rejected|not accepted)",
        r"null sender is not allowed",
        r"empty envelope senders? not allowed",
        r"unroutable sender address",
        r"sender domain (?:is empty|must exist)",
        r"mail from not owned by user",
        r"sender (?:address )?verif\w* (?:failed|failure|error|callout)",
        r"(?:could not|unable to|cannot) (?:complete |perform )?sender (?:address )?verif",  # Exim
        r"permissions? to send as",  # Exchange: the client may not send as that sender
        # The sender named as refused (Domino's "Mail from <a> rejected for policy reasons").
        r"mail from <?[^\s<>@]+@[^\s<>]+>? (?:was |is )?(?:rejected|refused|denied)",
        r"domain of sender address",
        r"not accepting mail from",
        r"from address (?:rejected|not allowed)",
        r"bad sender(?! ip)",
        r"\bbatv\b",
        r"bogus mail from",
        r"emetteur invalide",
        r"third-party dsns",
        r"unsigned dsn",
        r"from: domain is invalid",
        r"fully qualified (?:e-?mail )?address required",
        r"returned mail not accepted",
        r"sender not pre-approved",
        r"bouncedeny",
        r"rule imposed mailbox access",
        r"(?:not|no) (?:have )?permission to post",
        r"not allowed to post to this",
        # The sender's own address or domain on a list or judged bogus (not the sending IP).
        r"sender(?: e-?mail)?(?: address| domain)? (?:has been |is )?"
        r"(?:(?:in|on) (?:my|our|the) )?(?:black ?list|spammer)",
        r"without a valid sender domain",
        r"does not accept (?:e-?)?mail from",
        r"senderfilterconfig",
        r"email address is not verified",
        r"delivery not authori[sz]ed",
        r"not a registered gateway user",
        r"access to submit messages",
        r"backscatter protection",
        r"envelope blocked",
        r"empty (?:e-?mail )?address",
        r"administrative prohibition",  # Exim's default ACL refusal (Sisimai's Rejected)
        r"invalid domain, see <url:",
        r"recipient addresses rejected : access denied",
    ),
    # Another language's unknown domain, before its unknown user ("n'existe pas" alone).
    rule("localised.host_unknown", t.HOST_UNKNOWN, *lw.HOST_UNKNOWN),
    rule(
        "generic.user_unknown",
        t.USER_UNKNOWN,
        r"user ?unknown",
        r"unknown (?:or illegal )?(?:e-?mail )?(?:user|recipient|mailbox|local[- ]part|address)",
        r"no such (?:local )?(?:user|mailbox|recipient|account|address|person)",
        r"(?:user|mail ?box|account|recipient|rcpt|address|addressee)(?: name)?(?: \S*@\S*)? "
        r"(?:does not|doesn't|did not|didn't|not) exist",
        r"(?:user|mail ?box|recipient|addressee)(?: name)?(?: \S*@\S*)? (?:is )?not "
        r"(?:found|known|recogni[sz]ed|listed|present)",
        r"is not an? (?:known|valid) (?:user|recipient|mail ?box|address)",
        r"not an? active (?:address|user|account|mailbox)",
        r"bad[-_ ](?:recipient|destination mailbox|address)",
        r"(?:there is )?no one at this address",
        r"badrcptto",
        r"no (?:such )?(?:account|mail ?box|user) (?:by that name|found|here|available)",
        r"non-?existent (?:user|recipient|mail ?box|address|account)",
        r"no valid recipients",
        r"(?:destinataire|utilisateur) inconnu",
        r"invalid (?:or unknown )?(?:virtual |base )?user\b",
        r"does not refer to a (?:virtual )?user",
        r"missing home directory",
        r"cannot find system user",
        r"invalid \w+ username",
        r"recipient is not local",
        r"(?:user|address|recipient) (?:not |un)(?:found|known)",
        r"addressee unknown",
        r"invalid (?:final delivery )?(?:recipient|mailbox|address|user|userid)",
        r"recipient (?:address )?(?:invalid|unknown|not found)",
        r"mail ?box (?:not found|unavailable|does not exist|not available|unknown|is unavailable)",
        r"no mailbox here",
        r"not (?:a )?(?:valid|our) (?:user|recipient|mailbox|customer)",
        r"not listed in (?:domino directory|public name)",
        r"no matches to nameserver query",
        r"does not have a final e?-?mail delivery point",
        r"did not (?:exactly )?match an? .{0,40}address",
        r"address is wrong",
        r"address unknown",
        # qmail's chkuser patch refuses an unknown local user so (the plain "that domain
        # isn't in my list of allowed rcpthosts" is a relay refusal).
        r"that domain or user isn'?t in my list of allowed rcpthosts",
        r"no longer valid",
        r"n'existe pas",
        r"(?:unbekannt|existiert nicht)",
        r"address (?:invalid|not present in directory)",
        r"archived recipient",
        r"can't accept user",
        r"(?:destination )?addresses were unknown",
        r"destination server rejected recipients",
        r"e-?mail address could not be found",
        r"mailbox invalid",
        r"nessun utente simile",
        r"no existe (?:dicha persona|ese usuario)",
        r"account unavailable",
        r"not a local address",
        r"invalid-recipient",
        r"recipient not ok",
        r"envelope recipient has been denied",
        r"following recipients was undeliverable",
        r"email name is not found",
        r"5\.1\.0 address rejected",
        r"(?:user|mail ?box|recipient|account|rcpt) \S+ (?:does not exist|was not found)",
        r"<[^ <>]+@[^ <>]+> not found",
        r"not email addresses",
        # Office 365's directory-based edge blocking of unknown recipients (with 5.4.1).
        r"recipient address rejected: access denied",
    ),
    rule("localised.user_unknown", t.USER_UNKNOWN, *lw.USER_UNKNOWN),
    rule(
        "generic.dns_temporary",
        t.NETWORK_ERROR,
        r"not found, try again",
        r"malformed (?:or unexpected )?name ?server reply",
        r"host name lookup failure",
        r"unrouteable mail domain",
        r"temporary (?:dns|lookup|name resolution) (?:failure|error)",
        r"dns (?:lookup )?(?:timeout|timed out|servfail)",
        r"servfail",
        r"dns records for the destination computer could not be found",
    ),
    rule(
        "generic.host_unknown",
        t.HOST_UNKNOWN,
        r"(?:host|domain)(?: name)? (?:unknown|not found)",
        r"unknown (?:host|domain)",
        r"domain (?:does not|doesn't) exist",
        r"name service error",
        r"no such domain",
        r"unrouteable mail domain",
        r"nxdomain",
        r"name or service not known",
        r"host or domain name not found",
        r"domain (?:is not reachable|must exist)",
        r"unroute?able address",  # Exim: no router could route the domain
        r"mail domain mentioned in email address is unknown",
        r"account or domain may not exist",
        r"non-?existent ?domain",
    ),
)
