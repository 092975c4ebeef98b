"""Who is on the other end of a request, as far as Heard can trust the reverse proxies in front of it.

Behind a TLS reverse proxy the connecting address is the proxy's, and the client's address and scheme come in
``X-Forwarded-For`` and ``X-Forwarded-Proto``. Those headers are believed only from the proxies listed in
``HEARD_TRUSTED_PROXIES`` (addresses or CIDR networks; none by default):

* ``client_address``: walk ``X-Forwarded-For`` from the right (each proxy appends the address it was connected
  from) past trusted proxies; the first hop that is not one is the client. Everything to its left was written
  by the client and is never believed, so a child's or a staff member's own ``X-Forwarded-For`` can neither
  dodge a rate limit nor pose as someone else.
* ``is_https``: the connection is TLS, or a trusted proxy says (``X-Forwarded-Proto``) it received HTTPS.

The chat widget's rate limits and the review app (HSTS, and the staff login limit) all ask these two
functions, so the rule lives here only.
"""

from __future__ import annotations

import ipaddress
import re

from aiohttp import web

from bot.config import IPNetwork, get_settings

UNKNOWN = "unknown"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_BRACKETED = re.compile(r"^\[([^\]]+)\](?::\d+)?$")  # [2001:db8::1]:443
_IPV4_PORT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3}):\d+$")  # 203.0.113.7:51234


def parse_address(text: str) -> IPAddress | None:
    """An IP address from one hop of a forwarding header (a port or IPv6 brackets allowed), or None."""
    text = text.strip().strip('"')
    for pattern in (_BRACKETED, _IPV4_PORT):
        found = pattern.match(text)
        if found:
            text = found.group(1)
            break
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IPAddress | None, proxies: tuple[IPNetwork, ...]) -> bool:
    return address is not None and any(address in network for network in proxies)


def _forwarded_hops(request: web.Request) -> list[str]:
    """Every hop of every ``X-Forwarded-For`` header, left to right."""
    hops: list[str] = []
    for header in request.headers.getall("X-Forwarded-For", []):
        hops.extend(hop for hop in header.split(",") if hop.strip())
    return hops


def client_address(request: web.Request) -> str:
    """The client's IP address: the right-most hop that is not a trusted proxy (``UNKNOWN`` if none)."""
    proxies = get_settings().web.trusted_proxies
    peer = parse_address(request.remote or "")
    if not _trusted(peer, proxies):
        return str(peer) if peer is not None else (request.remote or UNKNOWN)
    nearest = peer
    for hop in reversed(_forwarded_hops(request)):
        address = parse_address(hop)
        if address is None:  # only a client writes rubbish; the last proxy we believe saw the client
            break
        nearest = address
        if not _trusted(address, proxies):
            break
    return str(nearest)


def is_https(request: web.Request) -> bool:
    """Whether the client reached Heard over HTTPS (its own TLS, or a trusted proxy's ``X-Forwarded-Proto``)."""
    if request.secure:
        return True
    if not _trusted(parse_address(request.remote or ""), get_settings().web.trusted_proxies):
        return False
    schemes = [s.strip().lower() for h in request.headers.getall("X-Forwarded-Proto", []) for s in h.split(",")]
    return bool(schemes) and schemes[-1] == "https"
