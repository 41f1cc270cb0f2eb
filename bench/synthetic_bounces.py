"""Synthetic bounce messages for the differential harness (bench/bounce_synthetic.py).

Each ``Case`` puts one diagnostic text (bench/sisimai_texts.py) into one carrier — a standard
RFC 3464 DSN, or a Postfix-, Exim- or qmail-style plain-text bounce — with a varied SMTP reply
code (or none), enhanced status (none, the generic X.0.0, one from Sisimai's SMTP::Status
table, which mostly contradicts the text, or two that disagree: the report's and the remote
server's), SMTP stage (RCPT TO, MAIL FROM, end of DATA, none) and DSN Action (failed,
delayed). Generation is deterministic (a seeded RNG). ``part`` splits the texts by a fixed
hash: "study" texts are read while fixing rules, "held" texts never are.
"""

from __future__ import annotations

import hashlib
import random
import textwrap
from dataclasses import dataclass

from sisimai_texts import SourceText, corpus_texts, reason_texts, rhost_texts, status_table

CARRIERS = ("dsn", "postfix", "exim", "qmail")
STAGES = ("RCPT", "MAIL", "DATA", "")
STATUS_MODES = ("none", "generic", "table", "conflict")
SENDER = "sender@sender.example"
_FAILURE_CODES = (550, 550, 550, 554, 553, 552, 551, 501, 500)
_TEMPORARY_CODES = (450, 451, 452, 421)


@dataclass(frozen=True, slots=True)
class Case:
    """One synthetic bounce: a diagnostic text in a carrier, with its varied context."""

    number: int
    carrier: str
    source: SourceText
    code: int  # 0: no reply code written
    status: str  # "" none; the report's (DSN Status:) or the only one written
    remote_status: str  # the remote server's, written in the diagnostic ("" none)
    status_mode: str
    stage: str
    action: str  # failed | delayed

    @property
    def recipient(self) -> str:
        domain = self.source.host.partition(".")[2] if self.source.host else "dest.example"
        return f"rcpt{self.number}@{domain}"

    @property
    def host(self) -> str:
        return self.source.host or "mx.dest.example"

    @property
    def written_status(self) -> str:
        """The status a reader should report (the remote server's, else the report's)."""
        return self.remote_status or self.status

    def reply(self) -> str:
        """The remote server's reply line as the carrier quotes it."""
        words = [str(self.code)] if self.code else []
        words += [self.remote_status] if self.remote_status else []
        return " ".join([*words, self.source.text])


def part(source: SourceText) -> str:
    """ "study" or "held": a fixed hash of the text (the same text is always in one part)."""
    digest = hashlib.sha256(source.text.encode("utf-8")).digest()
    return "held" if digest[0] % 2 else "study"


# (carrier, action, status) each documented phrase is written in alone (bounce_synthetic.py
# --phrases): a DSN and a text bounce, with and without the neutral status of the class.
PHRASE_CONTEXTS = (
    ("dsn", "failed", ""),
    ("dsn", "failed", "5.0.0"),
    ("dsn", "delayed", ""),
    ("dsn", "delayed", "4.0.0"),
    ("postfix", "failed", ""),
    ("postfix", "failed", "5.0.0"),
)


def phrase_cases() -> list[Case]:
    """Every phrase of Sisimai's reason lists and receiver tables standing alone (no reply
    code, no stage) in each of ``PHRASE_CONTEXTS``."""
    cases: list[Case] = []
    for source in (*reason_texts(), *rhost_texts()):
        for carrier, action, status in PHRASE_CONTEXTS:
            report, remote = (status, "") if carrier == "dsn" else ("", status)
            mode = "generic" if status else "none"
            case = Case(len(cases), carrier, source, 0, report, remote, mode, "", action)
            cases.append(case)
    return cases


def _status(rng: random.Random, klass: str, table: list[str]) -> str:
    same_class = [s for s in table if s[0] == klass]
    return rng.choice(same_class)


def generate(count: int, seed: int = 14) -> list[Case]:
    """``count`` cases over every text source, with their context varied by ``seed``."""
    rng = random.Random(seed)
    texts = [*reason_texts(), *rhost_texts(), *corpus_texts()]
    table = sorted(status_table())
    cases = []
    for number in range(count):
        source = texts[number % len(texts)] if number < len(texts) else rng.choice(texts)
        carrier = rng.choice(CARRIERS)
        action = "delayed" if carrier == "dsn" and rng.random() < 0.15 else "failed"
        roll = rng.random()
        if action == "delayed" or roll < 0.1:
            code = rng.choice(_TEMPORARY_CODES)
        elif roll < 0.9:
            code = rng.choice(_FAILURE_CODES)
        else:
            code = 0
        klass = str(code)[0] if code else ("4" if action == "delayed" else "5")
        mode = rng.choice(STATUS_MODES)
        status = remote = ""
        if mode == "generic":
            status = f"{klass}.0.0"
        elif mode == "table":
            status = _status(rng, klass, table)
        elif mode == "conflict":
            status, remote = _status(rng, klass, table), _status(rng, klass, table)
        if carrier != "dsn" and status and not remote:
            status, remote = "", status  # a text bounce writes the status in the reply
        elif carrier != "dsn" and remote:
            status = ""  # ... and has no report status of its own
        elif carrier == "dsn" and mode == "table" and rng.random() < 0.5:
            remote = status  # written both in Status: and in the diagnostic
        stage = rng.choice(STAGES)
        cases.append(Case(number, carrier, source, code, status, remote, mode, stage, action))
    return cases


_HEAD = """\
From: {sender_name}
To: {SENDER}
Subject: {subject}
Date: Mon, 7 Dec 2026 06:00:00 +0000
Message-ID: <bounce{number}@mail.sender.example>
MIME-Version: 1.0
"""
_ORIGINAL = f"""\
From: Sender <{SENDER}>
To: <{{recipient}}>
Subject: Hello
Message-ID: <original{{number}}@mail.sender.example>

Hello.
"""
_POSTFIX_STAGES = {"RCPT": "RCPT TO", "MAIL": "MAIL FROM", "DATA": "end of DATA"}


def _postfix_line(case: Case) -> str:
    stage = _POSTFIX_STAGES.get(case.stage)
    said = f"host {case.host}[192.0.2.1] said: {case.reply()}"
    return f"{said} (in reply to {stage} command)" if stage else said


def _wrapped(line: str) -> str:
    """``line`` wrapped as Postfix wraps its notification (80 columns, indent 4)."""
    return "\n".join(
        textwrap.wrap(line, 80, subsequent_indent="    ", break_long_words=False,
                      break_on_hyphens=False)
    )  # fmt: skip


def _dsn(case: Case) -> str:
    boundary = f"dsn-{case.number}"
    status = f"Status: {case.status}\n" if case.status else ""
    head = _HEAD.format(
        sender_name="Mail Delivery Subsystem <postmaster@mail.sender.example>",
        SENDER=SENDER,
        subject="Delivery Status Notification",
        number=case.number,
    )
    report = f'multipart/report; report-type=delivery-status; boundary="{boundary}"'
    return f"""{head}Content-Type: {report}

--{boundary}
Content-Type: text/plain; charset=us-ascii

This is an automatically generated Delivery Status Notification.

Delivery to the following recipient {"has been delayed" if case.action == "delayed" else "failed"}:

     {case.recipient}

--{boundary}
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.sender.example
Arrival-Date: Mon, 7 Dec 2026 05:59:00 +0000

Final-Recipient: rfc822; {case.recipient}
Action: {case.action}
{status}Remote-MTA: dns; {case.host}
Diagnostic-Code: smtp; {_postfix_line(case).split(" said: ", 1)[1]}
Last-Attempt-Date: Mon, 7 Dec 2026 06:00:00 +0000

--{boundary}
Content-Type: message/rfc822

{_ORIGINAL.format(recipient=case.recipient, number=case.number)}
--{boundary}--
"""


def _postfix(case: Case) -> str:
    head = _HEAD.format(
        sender_name="MAILER-DAEMON@mail.sender.example (Mail Delivery System)",
        SENDER=SENDER,
        subject="Undelivered Mail Returned to Sender",
        number=case.number,
    )
    return f"""{head}Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.sender.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

                   The mail system

{_wrapped(f"<{case.recipient}>: {_postfix_line(case)}")}

--- Below this line is a copy of the message.

{_ORIGINAL.format(recipient=case.recipient, number=case.number)}"""


_EXIM_STAGES = {
    "RCPT": "after RCPT TO:<{recipient}>",
    "MAIL": f"after MAIL FROM:<{SENDER}> SIZE=1024",
    "DATA": "after end of data",
}


def _exim(case: Case) -> str:
    head = _HEAD.format(
        sender_name="Mail Delivery System <Mailer-Daemon@mail.sender.example>",
        SENDER=SENDER,
        subject="Mail delivery failed: returning message to sender",
        number=case.number,
    )
    stage = _EXIM_STAGES.get(case.stage, "")
    detail = f"    host {case.host} [192.0.2.1]\n"
    if stage:
        after = stage.format(recipient=case.recipient)
        detail += f"    SMTP error from remote mail server {after}:\n"
    return f"""{head}X-Failed-Recipients: {case.recipient}
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {case.recipient}
{detail}    {case.reply()}

------ This is a copy of the message, including all the headers. ------

{_ORIGINAL.format(recipient=case.recipient, number=case.number)}"""


_QMAIL_STAGES = {
    "RCPT": "192.0.2.1 does not like recipient.\n",
    "MAIL": "Connected to 192.0.2.1 but sender was rejected.\n",
    "DATA": "192.0.2.1 failed after I sent the message.\n",
}


def _qmail(case: Case) -> str:
    head = _HEAD.format(
        sender_name="MAILER-DAEMON@mail.sender.example",
        SENDER=SENDER,
        subject="failure notice",
        number=case.number,
    )
    stage = _QMAIL_STAGES.get(case.stage, "")
    return f"""{head}Content-Type: text/plain; charset=us-ascii

Hi. This is the qmail-send program at mail.sender.example.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<{case.recipient}>:
{stage}Remote host said: {case.reply()}
Giving up on 192.0.2.1.

--- Below this line is a copy of the message.

{_ORIGINAL.format(recipient=case.recipient, number=case.number)}"""


_RENDERERS = {"dsn": _dsn, "postfix": _postfix, "exim": _exim, "qmail": _qmail}


def render(case: Case) -> bytes:
    """The raw message of ``case`` (CRLF-free, UTF-8)."""
    return _RENDERERS[case.carrier](case).encode("utf-8")
