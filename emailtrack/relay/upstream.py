"""Hands one instrumented message to the upstream MTA with smtplib (STARTTLS and AUTH as
configured), reusing idle connections. Blocking: the relay calls it from worker threads."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import threading
from dataclasses import dataclass

from emailtrack.relay.config import UpstreamSettings

MAX_IDLE = 32


@dataclass(frozen=True)
class UpstreamRefused(Exception):
    """The upstream did not take the message: its reply code and text (or the I/O error)."""

    code: int
    text: str

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    def __str__(self) -> str:
        return f"upstream {self.code} {self.text}"


class Upstream:
    def __init__(self, settings: UpstreamSettings) -> None:
        self.settings = settings
        self._idle: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context(cafile=settings.ca_file)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        try:
            connection.ehlo()
            if s.starttls:
                if not connection.has_extn("starttls"):
                    raise UpstreamRefused(451, "4.7.0 upstream does not offer STARTTLS")
                connection.starttls(context=self._tls)
                connection.ehlo()
            if s.user:
                connection.login(s.user, s.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, mail_from: str, recipient: str, data: bytes, mail_options: list[str]) -> None:
        """Relays one message to one recipient; raises `UpstreamRefused` when it is not taken."""
        try:
            self._send_once(mail_from, recipient, data, mail_options, reuse=True)
        except smtplib.SMTPServerDisconnected:  # an idle connection the upstream had closed
            self._send_once(mail_from, recipient, data, mail_options, reuse=False)

    def _send_once(
        self, mail_from: str, recipient: str, data: bytes, options: list[str], reuse: bool
    ) -> None:
        connection = self._take() if reuse else None
        if connection is None:
            reuse = False
            try:
                connection = self._connect()
            except (OSError, smtplib.SMTPException) as exc:  # configuration or availability:
                raise UpstreamRefused(451, f"4.4.1 upstream unavailable: {exc}") from None
        try:
            connection.sendmail(mail_from, [recipient], data, mail_options=options)
        except smtplib.SMTPServerDisconnected:
            self._close(connection)
            if reuse:
                raise
            raise UpstreamRefused(421, "4.4.2 upstream closed the connection") from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients[recipient]
            self._give_back(connection)
            raise UpstreamRefused(code, text.decode("utf-8", "replace")) from None
        except smtplib.SMTPResponseException as exc:
            self._close(connection)
            raise UpstreamRefused(exc.smtp_code, _text(exc.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._close(connection)
            raise UpstreamRefused(451, f"4.4.1 upstream unreachable: {exc}") from None
        self._give_back(connection)

    def _take(self) -> smtplib.SMTP | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _give_back(self, connection: smtplib.SMTP) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(connection)
                return
        self._close(connection)

    @staticmethod
    def _close(connection: smtplib.SMTP | None) -> None:
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                self._close(connection)


def _text(error: bytes | str) -> str:
    return error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
