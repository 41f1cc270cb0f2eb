"""Country and network operator (ASN name) of a client IP, from the offline GeoIP2Fast
database shipped in its wheel: ``geoip2fast-asn.dat.gz`` (MaxMind GeoLite2 Country + ASN,
IPv4, 2024-06-18, as packaged in PyPI geoip2fast 1.2.2)."""

from __future__ import annotations

from typing import NamedTuple

from geoip2fast import GeoIP2Fast

_UNKNOWN_CODES = frozenset({"", "--", "ZZ"})
ASN_DATABASE = "geoip2fast-asn.dat.gz"


class AddressFacts(NamedTuple):
    """ISO 3166 country code and ASN organisation name; "" when not known."""

    country: str
    asn_name: str


class CountryLookup:
    """Country and ASN name of an IP ("" for private, reserved, unknown or invalid ones)."""

    def __init__(self, database: GeoIP2Fast | None = None) -> None:
        self._db = (
            database
            if database is not None
            else GeoIP2Fast(geoip2fast_data_file=ASN_DATABASE, verbose=False)
        )

    def facts(self, ip: str) -> AddressFacts:
        if not ip:
            return AddressFacts("", "")
        try:
            result = self._db.lookup(ip)
        except (ValueError, TypeError):
            return AddressFacts("", "")
        if result.is_private:
            return AddressFacts("", "")
        code = result.country_code or ""
        asn = getattr(result, "asn_name", "") or ""
        return AddressFacts("" if code in _UNKNOWN_CODES else code, asn)

    def country(self, ip: str) -> str:
        return self.facts(ip).country
