"""`emailtrack relay` between real SMTP peers and the running platform: smtplib and swaks as
clients, an aiosmtpd server as the upstream MTA; messages are instrumented per recipient,
registered, relayed and counted; suppressed recipients, upstream outages, DKIM-signed mail,
STARTTLS and AUTH on both sides."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import smtplib
import ssl
import subprocess
import time
import urllib.request
import uuid
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from emailtrack.client import ClientOptions, EmailtrackClient, Endpoints
from emailtrack.common.grpc_server import client_channel
from emailtrack.common.identity import recipient_id_for
from emailtrack.platform.ports import free_port
from emailtrack.platform.supervisor import Platform
from emailtrack.relay.passwords import hash_password
from emailtrack.relay.server import relay_in_thread
from emailtrack.v1 import recipient_pb2, recipient_pb2_grpc, tracking_edge_pb2
from tests.e2e.smtp_peers import (
    UPSTREAM_PASSWORD,
    UPSTREAM_USER,
    relay_settings,
    upstream_server,
)
from tests.tls_certs import self_signed

pytestmark = pytest.mark.e2e
HTML = '<html><body><p>Spring sale</p><a href="https://shop.example/sale">Shop</a></body></html>'


def sdk(platform: Platform) -> EmailtrackClient:
    ports = platform.ports
    return EmailtrackClient(
        ClientOptions(
            endpoints=Endpoints(
                tracking_edge=f"127.0.0.1:{ports['tracking-edge']}",
                recipient=f"127.0.0.1:{ports['recipient']}",
                analytics=f"127.0.0.1:{ports['analytics']}",
            ),
            api_key=platform.admin_key,
            allow_plaintext_api_key=True,
        )
    )


def newsletter(to: list[str], campaign: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Shop <news@shop.example>"
    message["To"] = ", ".join(to)
    message["Subject"] = "Spring sale"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@shop.example>"
    if campaign:
        message["X-Emailtrack-Campaign"] = campaign
    message.set_content("Spring sale: https://shop.example/sale\n")
    message.add_alternative(HTML, subtype="html")
    return message


def html_of(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def wait_for(predicate, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.2)


def test_mail_through_relay_is_instrumented_per_recipient_and_counted(platform: Platform) -> None:
    tenant, campaign = f"relay-{uuid.uuid4().hex[:6]}", "spring"
    people = ["ada@example.org", "Grace@Example.org"]
    with (
        upstream_server() as upstream,
        relay_in_thread(relay_settings(platform, tenant, upstream.port)) as relay,
        smtplib.SMTP("127.0.0.1", relay.port) as client,
    ):
        message = newsletter(people, campaign)
        message["X-Emailtrack-Tenant"] = "someone-else"  # a header cannot choose the tenant
        refused = client.send_message(message)
        assert refused == {}
    assert len(upstream.received) == 2
    pixels = []
    with sdk(platform) as api:
        for person in people:
            (raw,) = upstream.messages_for(person)
            assert raw.startswith(b"Received: from ") and b"(emailtrack relay) with ESMTP id" in raw
            assert b"X-Emailtrack-Campaign: spring" in raw and b"List-Unsubscribe:" in raw
            assert b"someone-else" not in raw
            html = html_of(raw)
            pixel = re.search(r'<img src="([^"]+/o/[^"]+)"', html)
            assert pixel is not None and "https://shop.example/sale" not in html
            token = pixel.group(1).rsplit("/", 1)[1].removesuffix(".gif")
            claims = api.run(_verify(token))
            assert claims.recipient_id == recipient_id_for(tenant, person)
            assert claims.campaign_id == campaign and claims.tenant_id == tenant
            pixels.append(pixel.group(1))
        urllib.request.urlopen(pixels[0], timeout=10).read()
        wait_for(lambda: api.campaign_stats(tenant, campaign).sent == 2)
        wait_for(lambda: api.campaign_stats(tenant, campaign).opens.total.total == 1)


def _verify(token: str):
    from emailtrack.client.calls import Call

    return Call(
        "tracking_edge",
        "VerifyToken",
        tracking_edge_pb2.VerifyTokenRequest(token=token),
        lambda reply: reply,
    )


def test_suppressed_recipient_is_refused_with_the_reason(platform: Platform) -> None:
    tenant = f"relay-{uuid.uuid4().hex[:6]}"
    address = f"127.0.0.1:{platform.ports['recipient']}"
    with client_channel(address, api_key=platform.admin_key) as channel:
        recipient_pb2_grpc.RecipientServiceStub(channel).Suppress(
            recipient_pb2.SuppressRequest(
                tenant_id=tenant, email="gone@example.org", reason="manual", actor="test"
            ),
            timeout=10,
        )
    with (
        upstream_server() as upstream,
        relay_in_thread(relay_settings(platform, tenant, upstream.port)) as relay,
        smtplib.SMTP("127.0.0.1", relay.port) as client,
    ):
        refused = client.send_message(newsletter(["gone@example.org", "ok@example.org"]))
    code, text = refused["gone@example.org"]
    assert code == 550 and b"suppressed" in text
    assert [rcpts for _, rcpts, _ in upstream.received] == [["ok@example.org"]]


def test_upstream_down_answers_4xx_and_the_retry_relays_each_recipient_once(
    platform: Platform,
) -> None:
    tenant, port = f"relay-{uuid.uuid4().hex[:6]}", free_port()
    people = ["a@example.org", "b@example.org"]
    message = newsletter(people)
    data = message.as_bytes(policy=SMTP)  # an MTA retries with the same bytes
    with relay_in_thread(relay_settings(platform, tenant, port)) as relay:
        with (
            smtplib.SMTP("127.0.0.1", relay.port) as client,
            pytest.raises(smtplib.SMTPDataError) as deferred,
        ):
            client.sendmail("news@shop.example", people, data)
        assert deferred.value.smtp_code == 451
        with upstream_server(port) as upstream, smtplib.SMTP("127.0.0.1", relay.port) as client:
            client.sendmail("news@shop.example", people, data)
            client.sendmail("news@shop.example", people, data)  # a duplicate: not sent twice
            assert sorted(r for _, rcpts, _ in upstream.received for r in rcpts) == people
            other = data.replace(b"Spring sale:", b"Summer sale:")  # same Message-ID
            client.sendmail("news@shop.example", people[:1], other)
            assert len(upstream.received) == 3


def test_dkim_signed_mail_is_refused_permanently(platform: Platform) -> None:
    message = newsletter(["a@example.org"])
    message["DKIM-Signature"] = "v=1; a=rsa-sha256; d=shop.example; s=s1; b=abc"
    with (
        upstream_server() as upstream,
        relay_in_thread(relay_settings(platform, "relay-dkim", upstream.port)) as relay,
        smtplib.SMTP("127.0.0.1", relay.port) as client,
        pytest.raises(smtplib.SMTPDataError) as refused,
    ):
        client.send_message(message)
    assert refused.value.smtp_code == 550 and b"DKIM" in refused.value.smtp_error
    assert upstream.received == []


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks comes from `make system-deps`")
def test_starttls_and_auth_on_both_sides_with_swaks_and_smtplib(
    platform: Platform, tmp_path: Path
) -> None:
    cert = self_signed(tmp_path)
    env = {
        "EMAILTRACK_RELAY_TLS_CERT": str(cert.cert),
        "EMAILTRACK_RELAY_TLS_KEY": str(cert.key),
        "EMAILTRACK_RELAY_USERS": f"sender:{hash_password('s3cret-pass')}",
        "EMAILTRACK_RELAY_UPSTREAM_STARTTLS": "true",
        "EMAILTRACK_RELAY_UPSTREAM_USER": UPSTREAM_USER,
        "EMAILTRACK_RELAY_UPSTREAM_PASSWORD": UPSTREAM_PASSWORD,
        "EMAILTRACK_RELAY_UPSTREAM_CA_FILE": str(cert.cert),
    }
    tenant = f"relay-{uuid.uuid4().hex[:6]}"
    with (
        upstream_server(tls=cert) as upstream,
        relay_in_thread(relay_settings(platform, tenant, upstream.port, **env)) as relay,
    ):
        swaks = ["swaks", "--server", f"127.0.0.1:{relay.port}", "--from", "news@shop.example"]
        sent = subprocess.run(
            [
                *swaks,
                "--to",
                "ada@example.org",
                "--tls",
                "--auth",
                "LOGIN",
                "--auth-user",
                "sender",
                "--auth-password",
                "s3cret-pass",
                "--body",
                "See https://shop.example/",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stdout[-2000:]
        wrong = subprocess.run(
            [
                *swaks,
                "--to",
                "ada@example.org",
                "--tls",
                "--auth",
                "LOGIN",
                "--auth-user",
                "sender",
                "--auth-password",
                "wrong",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert wrong.returncode != 0 and "535" in wrong.stdout
        plain = subprocess.run(
            [*swaks, "--to", "ada@example.org"], capture_output=True, text=True, timeout=60
        )
        assert plain.returncode != 0 and "530" in plain.stdout
        context = ssl.create_default_context(cafile=str(cert.cert))
        with smtplib.SMTP("127.0.0.1", relay.port) as client:
            client.starttls(context=context)
            client.login("sender", "s3cret-pass")
            client.send_message(newsletter(["grace@example.org"]))
    (first,) = upstream.messages_for("ada@example.org")
    assert b"https://shop.example/" not in first and b"/c/" in first
    assert len(upstream.messages_for("grace@example.org")) == 1
