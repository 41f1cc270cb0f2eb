"""Security vendors recognised by the name of the network (ASN) a hit comes from.

The link scanners of secure email gateways run in their vendors' own networks; the ASN names
come from the offline GeoLite2 ASN database (geo.py). Consulted only for addresses in no IP
snapshot. Vendors whose networks also carry their customers' own browsing (Zscaler's and
Cloudflare's forward proxies and VPNs) are left out: their addresses are no evidence.
"""

from __future__ import annotations

import re
from functools import lru_cache

_VENDOR_NETWORKS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), agent)
    for pattern, agent in (
        (r"PROOFPOINT", "proofpoint"),
        (r"MIMECAST", "mimecast"),
        (r"BARRACUDA", "barracuda"),
        (r"IRONPORT|CISCO-ESA", "cisco_secure_email"),
        (r"FORCEPOINT|WEBSENSE", "forcepoint"),
        (r"TREND ?MICRO", "trend_micro"),
        (r"SOPHOS", "sophos"),
        (r"SYMANTEC|MESSAGELABS|BROADCOM", "symantec"),
        (r"FORTINET", "fortinet"),
        (r"CHECK ?POINT", "check_point"),
        (r"PALO ?ALTO", "palo_alto"),
        (r"FIREEYE|TRELLIX|MUSARUBRA", "trellix"),
        (r"KASPERSKY", "kaspersky"),
        (r"BITDEFENDER", "bitdefender"),
        (r"HORNETSECURITY|HORNET ?SECURITY", "hornetsecurity"),
        (r"VADE ?SECURE|VADESECURE", "vade"),
        (r"ABNORMAL ?SECURITY", "abnormal_security"),
        (r"CYREN", "cyren"),
        (r"SPAMTITAN|TITANHQ", "titanhq"),
        (r"LIBRAESVA", "libraesva"),
    )
)


@lru_cache(maxsize=4096)  # a few thousand networks carry nearly every hit
def scanner_for_network(asn_name: str) -> str:
    """The security vendor operating a network of that name, or ""."""
    if not asn_name:
        return ""
    for pattern, agent in _VENDOR_NETWORKS:
        if pattern.search(asn_name):
            return agent
    return ""
