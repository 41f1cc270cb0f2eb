"""The IANA time zone names every part of emailtrack accepts, once.

The host's zone database lists a few files that are not zones anyone can ask for:
``localtime`` (a link to the machine's own setting on Debian), ``posixrules`` (a template
for POSIX TZ strings) and ``Factory`` (the "no zone configured" placeholder). Python opens
them, PostgreSQL does not know ``localtime``: accepting one in the API and failing in the
database turned a typo into a broken CSV download. The REST API, its OpenAPI enum, the CLI
and the analytics service all check against this one set.
"""

from __future__ import annotations

import functools
import zoneinfo

NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@functools.cache
def zone_names() -> frozenset[str]:
    """IANA zone names this host knows, without the non-zone files above."""
    return frozenset(zoneinfo.available_timezones()) - NOT_ZONES


def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None when it is not an accepted IANA name."""
    if name not in zone_names():
        return None
    return zoneinfo.ZoneInfo(name)
