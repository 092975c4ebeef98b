"""Shared helpers of the review app: use cases off the event loop, the signed-in staff member, role checks,
the CSRF check, rendering and error pages.

Handlers call one use case (``bot.usecases.review_*``) per request through ``run_use_case``; they never open
a database session themselves."""

from __future__ import annotations

import asyncio
import functools
from datetime import date, datetime, timezone
from typing import Any, Awaitable, Callable, TypeVar

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import get_session
from bot.db.models import StaffUser
from bot.services import input_bounds
from bot.services.errors import NotAllowed, NotFound
from bot.usecases.review_reads import Asked, refused
from bot.usecases.review_staff_login import signed_in_staff
from bot.web.review.security import CSRF_FIELD, Handler, csrf_ok, csrf_token, is_api

T = TypeVar("T")
ROLE_LABELS = {
    "social_worker": "Social worker",
    "iro": "Independent Reviewing Officer",
    "advocacy": "Advocacy service",
    "duty": "Duty and safeguarding",
    "admin": "Administrator",
    "iv_coordinator": "IV co-ordinator",
    "complaints": "Complaints team",
}
ROLE_HOME = {
    "social_worker": "/review/children",
    "iro": "/review/children",
    "advocacy": "/review/referrals",
    "duty": "/review/alerts",
    "admin": "/review/admin/users",
    "iv_coordinator": "/review/visitor-requests",
    "complaints": "/review/complaints",
}
PUBLIC_PATHS = ("/review/login", "/review/static/")  # the sign-in steps check their own state
FIRST_PASSWORD_PATHS = ("/review/account", "/review/account/password", "/review/logout")

try:
    from zoneinfo import ZoneInfo

    LOCAL_TZ: Any = ZoneInfo("Europe/London")
except Exception:  # pragma: no cover - no tz database
    LOCAL_TZ = timezone.utc


async def run_use_case(use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a use case (which opens and commits its own transaction) in a worker thread, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(use_case, *args, **kwargs))


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the signed-in staff member on every request, and only when the session was made under their
    current session version (so a deactivated account, a sign-out or a password change stops every copy of
    the cookie at once). Until an admin-set first password is changed, only the account page opens."""
    if is_api(request) or request.path.startswith(PUBLIC_PATHS):
        return await handler(request)
    session = await get_session(request)
    staff_id = session.get("staff_id")
    staff = None
    if isinstance(staff_id, int):
        staff = await run_use_case(signed_in_staff, staff_id, session.get("staff_version"))
    if staff is None:
        if staff_id:
            session.invalidate()
        raise web.HTTPSeeOther("/review/login")
    if staff.must_change_password and request.path not in FIRST_PASSWORD_PATHS:
        raise web.HTTPSeeOther("/review/account")
    request["staff"] = staff
    return await handler(request)


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse any POST (outside the bearer-token API) without this session's CSRF token."""
    if request.method == "POST" and not is_api(request):
        session = await get_session(request)
        form = await request.post()
        if not csrf_ok(session, form.get(CSRF_FIELD)):
            return render_error(
                request, 403, "This form has expired. Go back, reload the page and try again."
            )
    return await handler(request)


# A page's path parameter -> the record it names (a refused one is audited as a refused read).
RECORD_PARAMS = {
    "child_id": "child",
    "referral_id": "advocacy_referral",
    "alert_id": "safeguarding_alert",
    "match_id": "visitor_match",
    "request_id": "visitor_request",
    "complaint_id": "complaint",
}


def asked_in_path(request: web.Request) -> Asked | None:
    """The record a page's path names (a child, referral, alert or visitor match), if any."""
    for param, entity_type in RECORD_PARAMS.items():
        if param in request.match_info:
            return Asked(entity_type, request.match_info[param][:64], {"because": "role"})
    return None


def require(*roles: str) -> Callable[[Handler], Handler]:
    """Only staff with one of ``roles`` may use the page; others get 404 (nothing is revealed), and a refused
    page about a record (a duty lead opening a child's record) is audited as a refused read."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def inner(request: web.Request) -> web.StreamResponse:
            staff: StaffUser | None = request.get("staff")
            if staff is None or staff.role not in roles:
                asked = asked_in_path(request) if staff is not None else None
                if asked is not None:
                    await run_use_case(refused, staff, asked)
                return render_error(request, 404, "There is no page here.")
            return await handler(request)

        inner.roles = roles  # type: ignore[attr-defined]
        return inner

    return wrap


@web.middleware
async def refusal_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A record the staff member may not see is answered exactly like one that does not exist (404); a change
    they may not make to one they can see is a 403 saying who may (both audited by ``review_reads.guarded``)."""
    try:
        return await handler(request)
    except NotAllowed as refusal:
        if is_api(request):
            return web.json_response({"error": "not allowed", "message": str(refusal)}, status=403)
        return render_error(request, 403, str(refusal))
    except NotFound:
        if is_api(request):
            return web.json_response({"error": "not found"}, status=404)
        return render_error(request, 404, "There is no page here.")
    except web.HTTPNotFound:
        if is_api(request):
            return web.json_response({"error": "not found"}, status=404)
        return render_error(request, 404, "There is no page here.")


JINJA_KEY = web.AppKey("heard_review_jinja", jinja2.Environment)


def base_context(request: web.Request) -> dict[str, Any]:
    """What every page template gets: the CSRF token, the signed-in staff member and the current path."""
    session = request.get("review_session")
    staff = request.get("staff")
    return {
        "csrf": csrf_token(session) if session is not None else "",
        "staff": staff,
        "role_label": ROLE_LABELS.get(staff.role, "") if staff else "",
        "path": request.path,
        "flash": "",
        "error": "",
    }


def render(request: web.Request, template: str, context: dict[str, Any], status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(
        template, request, {**base_context(request), **context}, status=status, app_key=JINJA_KEY
    )


def render_error(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "error.html", {"status": status, "message": message}, status)


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return f"{value.day} {value:%b %Y}"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LOCAL_TZ)
    return f"{local.day} {local:%b %Y, %H:%M}"


def fmt_datetime_seconds(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(LOCAL_TZ)
    return f"{local.day} {local:%b %Y, %H:%M:%S %Z}"


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def form_int(value: Any) -> int | None:
    """A whole number typed in a form (a setting, a number of days); never a record id (``form_id``)."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def form_id(value: Any) -> int | None:
    """A record id from a form or a query string, or None when it cannot name a record
    (``bot.services.input_bounds``: the one rule for ids from outside)."""
    return input_bounds.record_id(value)


def form_day(value: Any) -> date | None:
    """A day (``2026-12-12``) from a form or a query string, or None when empty, not a date or out of range
    (``bot.services.input_bounds``)."""
    return input_bounds.iso_day(value)


def match_int(request: web.Request, name: str) -> int:
    """A record id in the page's path, or 404 (like a record that does not exist) when it cannot name one."""
    value = form_id(request.match_info.get(name))
    if value is None:
        raise NotFound("bad id")
    return value


Page = Callable[[web.Request], Awaitable[web.StreamResponse]]

