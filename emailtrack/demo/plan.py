"""What the demo campaign does, decided up front and deterministically from a seed: who the
recipients are, which sequence step, A/B variant and sending mailbox each message has (variant
B's subject draws clearly more clicks), who replies (and whose out-of-office answers), how
each one behaves (a person on a desktop or a phone, Apple's privacy
proxy, Gmail's image proxy, a link-scanning mail gateway, a bounce, an unsubscribe, silence)
and when each hit happens. Pure: the runner (emailtrack/demo/run.py) performs the steps.

The readers' addresses and user agents are illustrative: the user agents follow the formats
the tracking edge's classifier documents, the IP addresses come from the published ranges it
ships (Apple 17.0.0.0/8, Mimecast 205.139.110.0/24) and from MaxMind's public GeoIP test data."""

from __future__ import annotations

import random
from dataclasses import dataclass

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)
IPHONE_MAIL = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148"
)
MAC_MAIL = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"
)
OUTLOOK = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)"
GMAIL_PROXY = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
)
READER_IPS = ("81.2.69.142", "89.160.20.112", "216.160.83.56", "2.125.160.216", "67.43.156.1")
APPLE_PROXY_IPS = ("17.58.0.11", "17.58.0.37", "17.58.1.90")
SCANNER_IP = "205.139.110.24"
FIRST_NAMES = ("ada", "alan", "grace", "edsger", "barbara", "donald", "frances", "ken", "radia",
               "dennis", "margaret", "tim", "hedy", "john", "katherine", "linus")  # fmt: skip
DOMAINS = ("example.com", "example.org", "example.net")
LINKS = (
    "https://shop.example.com/autumn-sale",
    "https://shop.example.com/new-arrivals",
    "https://blog.example.com/how-we-make-it",
)

# (step id, name, delay in hours after the previous step)
STEPS = (("intro", "Introduction", 0), ("follow-up", "Follow-up for non-clickers", 72))
# (variant id, name, weight): different subjects and templates
VARIANTS = (
    ("A", "Subject 'Our autumn collection is here' (template autumn-a)", 50),
    ("B", "Subject '20% off this week only' (template autumn-b)", 50),
)
TEMPLATES = {"A": "autumn-a", "B": "autumn-b"}
MAILBOXES = ("sales@sender.example", "hello@sender.example")
WARMUP_MAILBOX = MAILBOXES[1]
SENDER_DOMAIN = "sender.example"
# chance that a reader who opened also clicks, per variant
CLICK_CHANCE = {"A": 0.15, "B": 0.85}
HUMAN_REPLIES = {"A": 1, "B": 2}
REAL_SPAN_S = 45.0
# (persona, weight): shares of a realistic list
PERSONAS = (
    ("desktop_reader", 5),
    ("phone_reader", 4),
    ("apple_proxy", 5),
    ("gmail_proxy", 2),
    ("scanned", 2),
    ("bounced", 1),
    ("unsubscriber", 1),
    ("silent", 4),
)


@dataclass(frozen=True)
class Recipient:
    email: str
    message_id: str
    persona: str
    step: str = STEPS[0][0]
    variant: str = VARIANTS[0][0]
    mailbox: str = MAILBOXES[0]

    @property
    def smtp_message_id(self) -> str:
        """The Message-ID header the sender puts on the message."""
        return f"<{self.message_id}@{SENDER_DOMAIN}>"


@dataclass(frozen=True)
class Hit:
    """One HTTP request to the gateway: ``kind`` is open, click or unsubscribe."""

    at_s: float
    email: str
    kind: str
    user_agent: str
    client_ip: str
    link_index: int = 0
    method: str = "GET"
    accept_language: bool = True


@dataclass(frozen=True)
class Plan:
    campaign_id: str
    recipients: tuple[Recipient, ...]
    hits: tuple[Hit, ...]

    def by_persona(self, persona: str) -> list[Recipient]:
        return [r for r in self.recipients if r.persona == persona]

    def repliers(self) -> list[Recipient]:
        """Readers who answer the message (more of them under variant B)."""
        readers = [r for r in self.recipients if r.persona in ("desktop_reader", "phone_reader")]
        return [
            r
            for variant, count in HUMAN_REPLIES.items()
            for r in [x for x in readers if x.variant == variant][:count]
        ]

    def auto_replier(self) -> Recipient | None:
        """A silent recipient whose out-of-office answers (an RFC 3834 auto-reply)."""
        return next(iter(self.by_persona("silent")), None)


def _personas(count: int, rng: random.Random) -> list[str]:
    """Every persona at least once (when count allows), the rest by weight."""
    names = [name for name, _ in PERSONAS]
    chosen = names[: min(count, len(names))]
    weights = [weight for _, weight in PERSONAS]
    chosen += rng.choices(names, weights, k=count - len(chosen))
    rng.shuffle(chosen)
    return chosen


def _gap(rng: random.Random, low: float, high: float, span: float) -> float:
    """Seconds between a person's actions, shortened for demos shorter than REAL_SPAN_S."""
    return rng.uniform(low, high) * min(1.0, span / REAL_SPAN_S)


def _reader_ip(rng: random.Random) -> str:
    """A reader's own address in one of the reader networks: many recipients following links
    from one address within seconds is what a link scanner looks like (the velocity signal)."""
    network = rng.choice(READER_IPS).rsplit(".", 1)[0]
    return f"{network}.{rng.randrange(2, 254)}"


def _reader_hits(r: Recipient, rng: random.Random, span: float) -> list[Hit]:
    ip = _reader_ip(rng)
    at = rng.uniform(0.05, 0.7) * span
    hits: list[Hit] = []
    if r.persona == "desktop_reader":
        agent = rng.choice((CHROME_WINDOWS, OUTLOOK))
    elif r.persona == "phone_reader":
        agent = IPHONE_MAIL
    else:  # unsubscriber: reads on a Mac, then leaves
        agent = MAC_MAIL
    hits.append(Hit(at, r.email, "open", agent, ip))
    if rng.random() < 0.3:
        hits.append(Hit(at + _gap(rng, 2, 6, span), r.email, "open", agent, ip))
    if r.persona == "unsubscriber":
        return [
            *hits,
            Hit(at + _gap(rng, 3, 8, span), r.email, "unsubscribe", agent, ip, 0, "POST"),
        ]
    if rng.random() < CLICK_CHANCE[r.variant]:
        link = rng.randrange(len(LINKS))
        hits.append(Hit(at + _gap(rng, 3, 10, span), r.email, "click", CHROME_WINDOWS, ip, link))
    return hits


def _hits_of(r: Recipient, rng: random.Random, span: float) -> list[Hit]:
    if r.persona in ("desktop_reader", "phone_reader", "unsubscriber"):
        return _reader_hits(r, rng, span)
    if r.persona == "apple_proxy":
        # Mail Privacy Protection fetches the pixel soon after delivery, read or not
        hits = [Hit(rng.uniform(0.0, 0.25) * span, r.email, "open", IPHONE_MAIL,
                    rng.choice(APPLE_PROXY_IPS))]  # fmt: skip
        if rng.random() < CLICK_CHANCE[r.variant] / 2:  # ... and some do read and click
            at = rng.uniform(0.4, 0.9) * span
            hits.append(Hit(at, r.email, "click", IPHONE_MAIL, _reader_ip(rng), 0))
        return hits
    if r.persona == "gmail_proxy":
        return [Hit(rng.uniform(0.1, 0.8) * span, r.email, "open", GMAIL_PROXY, "66.249.84.10")]
    if r.persona == "scanned":
        # the gateway follows every link within a second of delivery, before any reader
        at = rng.uniform(0.0, 0.2) * span
        return [
            Hit(
                at + i * _gap(rng, 0.2, 0.2, span),
                r.email,
                "click",
                CHROME_WINDOWS,
                SCANNER_IP,
                i,
                "GET",
                False,
            )
            for i in range(len(LINKS))
        ]
    return []


def make_plan(campaign_id: str, count: int, span_s: float, seed: int) -> Plan:
    """``count`` recipients of ``campaign_id`` and their hits over ``span_s`` seconds."""
    if count < 1:
        raise ValueError("a demo needs at least one recipient")
    rng = random.Random(seed)
    recipients = tuple(
        Recipient(
            email=f"{FIRST_NAMES[i % len(FIRST_NAMES)]}{i // len(FIRST_NAMES) or ''}"
            f"@{DOMAINS[i % len(DOMAINS)]}",
            message_id=f"{campaign_id}-m{i:04d}",
            persona=persona,
            step=STEPS[1 if i % 3 == 2 else 0][0],
            variant=VARIANTS[i % 2][0],
            mailbox=MAILBOXES[(i // 2) % 2],
        )
        for i, persona in enumerate(_personas(count, rng))
    )
    hits = [hit for r in recipients for hit in _hits_of(r, rng, span_s)]
    return Plan(campaign_id, recipients, tuple(sorted(hits, key=lambda h: h.at_s)))


def message_html(first_name: str, variant: str = VARIANTS[0][0]) -> str:
    links = "".join(f'<p><a href="{url}">{url.rsplit("/", 1)[1]}</a></p>' for url in LINKS)
    pitch = (
        "20% off everything this week only." if variant == "B" else "Our autumn collection is here."
    )
    return f"<html><body><h1>Hello {first_name},</h1><p>{pitch}</p>{links}</body></html>"


def bounce_report(address: str, headers: dict[str, str], message_id: str) -> bytes:
    """An RFC 3464 delivery status notification (user unknown) quoting the original's
    headers, as a receiving MTA would send it back."""
    quoted = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    boundary = "demo-dsn-boundary"
    return (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        "To: bounces@sender.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{message_id}@mx.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain\r\n\r\n"
        f"I'm sorry to have to inform you that your message could not be delivered to "
        f"<{address}>: 550 5.1.1 user unknown.\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {address}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{address}>: Recipient address rejected: "
        "User unknown in virtual mailbox table\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{message_id}@{SENDER_DOMAIN}>\r\n"
        f"To: {address}\r\n"
        f"{quoted}\r\n"
        f"--{boundary}--\r\n"
    ).encode()
