"""A staff member's own account: change the password (the current one is required; an admin-set first
password must be changed before any other page opens, see ``common.auth_middleware``) and make new recovery
codes. A password change ends every other session of the account and starts a fresh one here."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.services.password_policy import MAX_LENGTH, MIN_LENGTH
from bot.usecases.review_staff_account import (
    AccountChange,
    change_password,
    recovery_codes_left,
    renew_recovery_codes,
    set_notify_email,
)
from bot.web.review.auth import client_address, start_session, throttle_message, throttled
from bot.web.review.common import render, run_use_case

WRONG = "Your current password is not right."


async def _page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    staff = request["staff"]
    session = await get_session(request)
    context = {
        "first_time": bool(staff.must_change_password),
        "enrolled": bool(staff.totp_secret),
        "codes_left": recovery_codes_left(staff),
        "notify_email": staff.notify_email or "",
        "min_length": MIN_LENGTH,
        "flash": session.pop("flash", ""),
        "error": error,
    }
    return render(request, "account.html", context, status)


async def account_page(request: web.Request) -> web.Response:
    return await _page(request)


async def _refused(request: web.Request, outcome: AccountChange) -> web.Response:
    """The account page again, saying why ``outcome`` was not ``ok``."""
    if outcome.result == "signed_out":
        (await get_session(request)).invalidate()
        raise web.HTTPSeeOther("/review/login")
    if outcome.result == "throttled":
        return throttled(await _page(request, error=throttle_message(outcome.wait), status=429), outcome.wait)
    if outcome.result == "wrong_password":
        return await _page(request, error=WRONG, status=401)
    return await _page(request, error=outcome.message, status=400)


async def password_submit(request: web.Request) -> web.Response:
    form = await request.post()
    current = str(form.get("current_password", ""))[:MAX_LENGTH + 1]
    new = str(form.get("new_password", ""))[:MAX_LENGTH + 1]
    if not current or not new:
        return await _page(request, error="Enter your current password and a new one.", status=400)
    if new != str(form.get("repeat_password", ""))[:MAX_LENGTH + 1]:
        return await _page(request, error="The two new passwords are not the same.", status=400)
    session = await get_session(request)
    outcome = await run_use_case(
        change_password, request["staff"].id, session.get("staff_version"), current, new, client_address(request)
    )
    if outcome.result != "ok":
        return await _refused(request, outcome)
    fresh = await start_session(request, request["staff"].id, outcome.version)
    fresh["flash"] = "Your password is changed. You are signed out everywhere else."
    raise web.HTTPSeeOther("/review/account")


async def recovery_codes_submit(request: web.Request) -> web.Response:
    form = await request.post()
    current = str(form.get("current_password", ""))[:MAX_LENGTH + 1]
    session = await get_session(request)
    outcome = await run_use_case(
        renew_recovery_codes, request["staff"].id, session.get("staff_version"), current, client_address(request)
    )
    if outcome.result != "ok":
        return await _refused(request, outcome)
    return render(request, "recovery_codes.html", {"codes": outcome.recovery_codes, "next_page": "/review/account"})


async def notify_email_submit(request: web.Request) -> web.Response:
    """Where this staff member is told that something waits for them (never what it says)."""
    form = await request.post()
    problem = await run_use_case(set_notify_email, request["staff"].id, str(form.get("notify_email", ""))[:600])
    if problem:
        return await _page(request, error=problem, status=400)
    (await get_session(request))["flash"] = "Saved. We tell you there when something is waiting for you."
    raise web.HTTPSeeOther("/review/account")
