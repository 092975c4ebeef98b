"""Security of the review app: encrypted session cookies, idle expiry, CSRF tokens and response headers.

* Sessions: ``aiohttp_session.EncryptedCookieStorage`` with the Fernet key ``bot.keys`` derives (HKDF-SHA256)
  from ``HEARD_SECRET_KEY`` for this purpose only. The cookie is ``__Host-heard_review``: HttpOnly,
  SameSite=Strict, Secure, Path=/ and no Domain; under ``HEARD_REVIEW_ALLOW_HTTP=1`` (development on
  http://127.0.0.1 only) it is ``heard_review`` on Path=/review/ without Secure (a browser refuses a
  ``__Host-`` cookie without it).
* Idle expiry: ``HEARD_REVIEW_IDLE_MINUTES`` (default 30) without a request ends the session; any session
  ends after ``HEARD_REVIEW_MAX_HOURS`` (default 12).
* CSRF: one random token per session, put in every form as ``_csrf`` and checked on every POST
  (constant-time comparison; the middleware that refuses a POST is ``common.csrf_middleware``, as it
  renders the refusal page). The JSON API is read-only and uses bearer tokens, never cookies.
* Headers: a CSP that allows no scripts at all, ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``,
  ``X-Content-Type-Options: nosniff`` and ``Cache-Control: no-store`` on every page and API answer.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any, Awaitable, Callable

from aiohttp import web
from aiohttp_session import Session, get_session
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from bot import keys
from bot.config import get_settings
from bot.web.transport_security import add_hsts

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
COOKIE_NAME = "heard_review"  # plain-HTTP development (HEARD_REVIEW_ALLOW_HTTP=1) only
# Over HTTPS: the browser takes a "__Host-" cookie only when it is Secure, has Path=/ and no Domain, so no
# other host (a sibling subdomain) and no plain-HTTP page can set or overwrite the session cookie.
HOST_COOKIE_NAME = "__Host-heard_review"
CSRF_FIELD = "_csrf"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def allow_http() -> bool:
    """``HEARD_REVIEW_ALLOW_HTTP=1``: session cookies without the Secure flag (plain-HTTP development)."""
    return get_settings().review.allow_http


def idle_seconds() -> int:
    return get_settings().review.idle_minutes * 60


def max_session_seconds() -> int:
    """``HEARD_REVIEW_MAX_HOURS`` (default 12): a session ends after this long, however busy."""
    return get_settings().review.max_hours * 3600


def fernet_key() -> Fernet:
    """The session cookie key: ``bot.keys``' key for "review-session", used for nothing else."""
    return keys.fernet_for("review-session")


def cookie_name() -> str:
    """``__Host-heard_review`` (Secure, Path=/), or ``heard_review`` under ``HEARD_REVIEW_ALLOW_HTTP=1``."""
    return COOKIE_NAME if allow_http() else HOST_COOKIE_NAME


def session_storage() -> EncryptedCookieStorage:
    return EncryptedCookieStorage(
        fernet_key(),
        cookie_name=cookie_name(),
        path="/review/" if allow_http() else "/",
        domain=None,
        httponly=True,
        secure=not allow_http(),
        samesite="Strict",
        max_age=None,
    )


def csrf_token(session: Session) -> str:
    """This session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: Session, submitted: Any) -> bool:
    expected = session.get("csrf")
    return bool(expected) and isinstance(submitted, str) and hmac.compare_digest(expected, submitted)


def is_api(request: web.Request) -> bool:
    return request.path.startswith("/review/api/")


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure(exc, request)
        raise
    _secure(response, request)
    return response


def _secure(response: web.StreamResponse, request: web.Request) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if "/static/" in request.path:
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
    else:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    add_hsts(request, response)  # over HTTPS, its own or a trusted proxy's (bot/web/transport_security.py)


@web.middleware
async def idle_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """End a signed-in session after ``HEARD_REVIEW_IDLE_MINUTES`` without a request."""
    if is_api(request) or "/static/" in request.path:
        return await handler(request)
    session = await get_session(request)
    request["review_session"] = session
    now = int(time.time())
    seen = session.get("seen")
    started = session.get("started")
    too_old = started is not None and now - int(started) > max_session_seconds()
    if session.get("staff_id") and ((seen is not None and now - int(seen) > idle_seconds()) or too_old):
        session.invalidate()
        raise web.HTTPSeeOther("/review/login?expired=1")
    if session.get("staff_id"):
        session["seen"] = now
    return await handler(request)
