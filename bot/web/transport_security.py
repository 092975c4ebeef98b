"""HTTP Strict Transport Security: once a browser has reached Heard over HTTPS, it never uses plain HTTP for
it again (for a year), so a child's words and a staff member's session cannot be read or changed on the way.

Sent on every answer given over HTTPS (``client_address.is_https``: Heard's own TLS, or a trusted proxy's
``X-Forwarded-Proto: https``), never over plain HTTP, where a browser would ignore it anyway.
"""

from __future__ import annotations

from aiohttp import web

from bot.web.client_address import is_https

HSTS = "max-age=31536000; includeSubDomains"


def add_hsts(request: web.Request, response: web.StreamResponse) -> None:
    """Add ``Strict-Transport-Security`` to ``response`` when ``request`` came over HTTPS."""
    if is_https(request):
        response.headers.setdefault("Strict-Transport-Security", HSTS)


async def hsts_on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """``app.on_response_prepare`` hook: HSTS on every answer of the app (pages, API, static files)."""
    add_hsts(request, response)
