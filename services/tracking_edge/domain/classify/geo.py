"""Country of a client IP from the offline GeoIP2Fast database shipped in its wheel."""

from __future__ import annotations

from geoip2fast import GeoIP2Fast

_UNKNOWN_CODES = frozenset({"", "--", "ZZ"})


class CountryLookup:
    """ISO 3166 country code of an IP, or "" for private, reserved, unknown or invalid ones."""

    def __init__(self, database: GeoIP2Fast | None = None) -> None:
        self._db = database if database is not None else GeoIP2Fast(verbose=False)

    def country(self, ip: str) -> str:
        if not ip:
            return ""
        try:
            result = self._db.lookup(ip)
        except (ValueError, TypeError):
            return ""
        code = result.country_code or ""
        if result.is_private or code in _UNKNOWN_CODES:
            return ""
        return code
