"""The relay's SMTP front door over real connections (smtplib), before any service is needed:
an untrusted client without AUTH is refused (no open relay), AUTH is refused before STARTTLS,
an oversized message is refused at MAIL, and RCPT fails closed (451) when the recipient service
cannot say whether the address may be mailed."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest

from emailtrack.platform.ports import free_port
from emailtrack.relay.config import RelaySettings
from emailtrack.relay.passwords import hash_password
from emailtrack.relay.server import RelayServer, relay_in_thread
from tests.tls_certs import self_signed


def settings(**env: str) -> RelaySettings:
    nowhere = f"127.0.0.1:{free_port()}"  # no service listens: nothing here may need one
    return RelaySettings.from_env(
        {
            "EMAILTRACK_RELAY_PORT": "0",
            "EMAILTRACK_RELAY_TENANT": "acme",
            "EMAILTRACK_RELAY_UPSTREAM_HOST": "127.0.0.1",
            "EMAILTRACK_RELAY_UPSTREAM_PORT": str(free_port()),
            "EMAILTRACK_TRACKING_EDGE_ADDR": nowhere,
            "EMAILTRACK_RECIPIENT_ADDR": nowhere,
            **env,
        }
    )


@pytest.fixture
def loopback_untrusted() -> Iterator[RelayServer]:
    with relay_in_thread(settings(EMAILTRACK_RELAY_TRUSTED_NETWORKS="10.0.0.0/8")) as relay:
        yield relay


def test_untrusted_client_without_auth_cannot_relay(loopback_untrusted: RelayServer) -> None:
    with smtplib.SMTP("127.0.0.1", loopback_untrusted.port) as client:
        client.ehlo()
        code, text = client.mail("spammer@example.net")
    assert code == 530 and b"Authentication required" in text


def test_auth_is_refused_before_starttls(tmp_path: Path) -> None:
    cert = self_signed(tmp_path)
    env = {
        "EMAILTRACK_RELAY_TLS_CERT": str(cert.cert),
        "EMAILTRACK_RELAY_TLS_KEY": str(cert.key),
        "EMAILTRACK_RELAY_USERS": f"sender:{hash_password('pw-123456')}",
    }
    with relay_in_thread(settings(**env)) as relay, smtplib.SMTP("127.0.0.1", relay.port) as c:
        c.ehlo()
        assert "auth" not in c.esmtp_features
        code, _ = c.docmd("AUTH", "PLAIN AHNlbmRlcgBwdy0xMjM0NTY=")
        assert code == 530
        code, _ = c.mail("a@example.org")
        assert code == 530


def test_oversized_message_is_refused_at_mail() -> None:
    with (
        relay_in_thread(settings(EMAILTRACK_RELAY_MAX_MESSAGE_BYTES="2000")) as relay,
        smtplib.SMTP("127.0.0.1", relay.port) as client,
        pytest.raises(smtplib.SMTPSenderRefused) as refused,
    ):
        client.sendmail("a@example.org", ["b@example.org"], b"Subject: big\r\n\r\n" + b"x" * 5000)
    assert refused.value.smtp_code == 552


def test_rcpt_fails_closed_when_the_recipient_service_is_down() -> None:
    with relay_in_thread(settings()) as relay, smtplib.SMTP("127.0.0.1", relay.port) as client:
        client.ehlo()
        client.mail("a@example.org")
        code, text = client.rcpt("b@example.org")
    assert code == 451 and b"try again later" in text
