"""Reading a domain's TXT records with dnspython, bounded in time, for ownership checks."""

from __future__ import annotations

from collections.abc import Sequence

import dns.exception
import dns.resolver

from emailtrack.common.errors import Unavailable

MAX_TXT_VALUES = 64


class DnsUnavailable(Unavailable, RuntimeError):
    """The DNS could not be asked (timeout, no server answered): try again later."""


class TxtLookup:
    """TXT values of a name: from ``nameservers`` (``host`` or ``host:port``) when given,
    else from the system resolver configuration."""

    def __init__(self, nameservers: Sequence[str] = (), timeout_s: float = 5.0) -> None:
        self.resolver = dns.resolver.Resolver(configure=not nameservers)
        if nameservers:
            self.resolver.nameservers = [server.rsplit(":", 1)[0] for server in nameservers]
            ports = {server.rsplit(":", 1)[1] for server in nameservers if ":" in server}
            if len(ports) > 1:
                raise ValueError("all DNS servers must listen on the same port")
            self.resolver.port = int(ports.pop()) if ports else 53
        self.resolver.lifetime = timeout_s
        self.resolver.cache = None

    def txt_values(self, name: str) -> list[str]:
        """The strings of every TXT record at ``name`` (each record's parts joined); empty when
        the name or its TXT records do not exist."""
        try:
            answer = self.resolver.resolve(name, "TXT", raise_on_no_answer=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise DnsUnavailable(f"no DNS answer for {name}: {exc}") from exc
        values = []
        for record in list(answer.rrset or ())[:MAX_TXT_VALUES]:
            values.append(b"".join(record.strings).decode("utf-8", "replace"))
        return values
