"""Staff sign-in and sign-out: the password, then a second factor (a TOTP code from an authenticator app or
a single-use recovery code; or setting one up), then a fresh session bound to the staff member's session
version. See ``bot.usecases.review_staff_login`` for the rules (throttling by client address, no account
lock-out, everything audited).

Between the steps the encrypted session cookie holds only ``pending`` (the staff id, session version, when
the password was given and, while setting up, the new TOTP secret); it opens no page but the next step and
lapses after ``PENDING_SECONDS``.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from aiohttp_session import Session, get_session, new_session

from bot.usecases.review_staff_login import (
    SignInStep,
    check_password,
    check_second_factor,
    enrol_second_factor,
    enrolment_uri,
    new_enrolment_secret,
    sign_out,
)
from bot.web.client_address import client_address
from bot.web.review.common import ROLE_HOME, render, run_use_case
from bot.web.review.security import csrf_token

PENDING_SECONDS = 10 * 60
ACCOUNT_PAGE = "/review/account"
NEXT_PAGE = {"code": "/review/login/code", "enrol": "/review/login/enrol"}


def throttled(response: web.Response, wait: int) -> web.Response:
    """Mark a 429 page with ``Retry-After``."""
    response.headers["Retry-After"] = str(wait)
    return response


def throttle_message(wait: int) -> str:
    return f"Too many failed attempts from this network. Wait {wait} seconds, then try again."


def _pending(session: Session, step: str) -> dict[str, Any] | None:
    pending = session.get("pending")
    if not isinstance(pending, dict) or pending.get("step") != step:
        return None
    if not isinstance(pending.get("at"), int) or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return pending


async def start_session(request: web.Request, staff_id: int, version: int) -> Session:
    """A fresh session (new id and CSRF token) for a signed-in staff member at session ``version``."""
    session = await new_session(request)
    session["staff_id"] = staff_id
    session["staff_version"] = version
    session["seen"] = session["started"] = int(time.time())
    csrf_token(session)
    request["review_session"] = session
    return session


async def _signed_in(request: web.Request, step: SignInStep) -> web.Response:
    session = await start_session(request, step.staff_id, step.version)
    used_a_recovery_code = step.recovery_codes_left is not None
    if used_a_recovery_code:  # shown on the account page, next to the button that makes new ones
        session["flash"] = (
            f"You signed in with a recovery code. You have {step.recovery_codes_left} left. "
            "If you lost your phone, ask an administrator to reset your sign-in codes."
        )
    next_page = ACCOUNT_PAGE if step.must_change_password or used_a_recovery_code else ROLE_HOME[step.role]
    raise web.HTTPSeeOther(next_page)


async def login_page(request: web.Request) -> web.Response:
    session = await get_session(request)
    if session.get("staff_id"):
        raise web.HTTPSeeOther("/review/")
    message = (
        "You were signed out because the page was not used for a while." if "expired" in request.query else ""
    )
    if "restart" in request.query:
        message = "Sign in again, please: that took too long or the account changed."
    return render(request, "login.html", {"info": message, "username": ""})


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    if not username or not password:
        return render(
            request, "login.html", {"error": "Enter your username and password.", "username": username}, 400
        )
    step = await run_use_case(check_password, username, password, client_address(request))
    if step.result == "throttled":
        page = render(request, "login.html", {"error": throttle_message(step.wait), "username": username}, 429)
        return throttled(page, step.wait)
    if step.result == "ok":
        return await _signed_in(request, step)
    if step.result not in NEXT_PAGE:
        return render(
            request, "login.html", {"error": "That username or password is not right.", "username": username}, 401
        )
    session = await new_session(request)  # a fresh session id and CSRF token once the password is right
    pending = {"id": step.staff_id, "v": step.version, "u": step.username, "at": int(time.time())}
    if step.result == "enrol":
        pending["secret"] = new_enrolment_secret()
    session["pending"] = {**pending, "step": step.result}
    csrf_token(session)
    raise web.HTTPSeeOther(NEXT_PAGE[step.result])


async def code_page(request: web.Request) -> web.Response:
    if _pending(await get_session(request), "code") is None:
        raise web.HTTPSeeOther("/review/login")
    return render(request, "login_code.html", {})


async def code_submit(request: web.Request) -> web.Response:
    session = await get_session(request)
    pending = _pending(session, "code")
    if pending is None:
        raise web.HTTPSeeOther("/review/login?restart=1")
    code = str((await request.post()).get("code", "")).strip()[:64]
    if not code:
        return render(request, "login_code.html", {"error": "Enter the code."}, 400)
    step = await run_use_case(check_second_factor, pending["id"], pending["v"], code, client_address(request))
    return await _after_code(request, session, step, "login_code.html", {})


async def _after_code(
    request: web.Request, session: Session, step: SignInStep, template: str, context: dict[str, Any]
) -> web.Response:
    if step.result == "throttled":
        return throttled(render(request, template, {**context, "error": throttle_message(step.wait)}, 429), step.wait)
    if step.result == "restart":
        session.invalidate()
        raise web.HTTPSeeOther("/review/login?restart=1")
    if step.result != "ok":
        return render(request, template, {**context, "error": "That code is not right. Try the newest code."}, 401)
    if step.recovery_codes:
        await start_session(request, step.staff_id, step.version)
        next_page = ACCOUNT_PAGE if step.must_change_password else ROLE_HOME[step.role]
        return render(request, "recovery_codes.html", {"codes": step.recovery_codes, "next_page": next_page})
    return await _signed_in(request, step)


def _enrol_context(pending: dict[str, Any]) -> dict[str, Any]:
    secret = pending["secret"]
    return {
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": enrolment_uri(secret, pending["u"]),
    }


async def enrol_page(request: web.Request) -> web.Response:
    pending = _pending(await get_session(request), "enrol")
    if pending is None:
        raise web.HTTPSeeOther("/review/login")
    return render(request, "login_enrol.html", _enrol_context(pending))


async def enrol_submit(request: web.Request) -> web.Response:
    session = await get_session(request)
    pending = _pending(session, "enrol")
    if pending is None:
        raise web.HTTPSeeOther("/review/login?restart=1")
    code = str((await request.post()).get("code", "")).strip()[:64]
    step = await run_use_case(
        enrol_second_factor, pending["id"], pending["v"], pending["secret"], code, client_address(request)
    )
    return await _after_code(request, session, step, "login_enrol.html", _enrol_context(pending))


async def logout(request: web.Request) -> web.Response:
    session = await get_session(request)
    if session.get("staff_id"):
        await run_use_case(sign_out, int(session["staff_id"]), session.get("staff_version"))
    session.invalidate()
    raise web.HTTPSeeOther("/review/login")


async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(ROLE_HOME[request["staff"].role])
