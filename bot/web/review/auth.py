"""Staff sign-in and sign-out. Failed logins are limited to 5 per 15 minutes per username and IP address,
counted in the database (``bot.services.review_admin``) so the limit holds across servers."""

from __future__ import annotations

import time
from aiohttp import web
from aiohttp_session import get_session, new_session

from bot.usecases.review_staff_login import staff_login
from bot.web.review.common import ROLE_HOME, render, run_use_case
from bot.web.review.security import csrf_token


async def login_page(request: web.Request) -> web.Response:
    session = await get_session(request)
    if session.get("staff_id"):
        raise web.HTTPSeeOther("/review/")
    message = (
        "You were signed out because the page was not used for a while." if "expired" in request.query else ""
    )
    return render(request, "login.html", {"info": message, "username": ""})


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    ip = request.remote or "unknown"
    if not username or not password:
        return render(
            request, "login.html", {"error": "Enter your username and password.", "username": username}, 400
        )
    outcome = await run_use_case(staff_login, username, password, ip)
    if outcome["result"] == "blocked":
        return render(
            request,
            "login.html",
            {"error": "Too many failed attempts. Wait 15 minutes, then try again.", "username": username},
            429,
        )
    if outcome["result"] != "ok":
        return render(
            request,
            "login.html",
            {"error": "That username or password is not right.", "username": username},
            401,
        )
    session = await new_session(request)  # a fresh session id and CSRF token after sign-in
    session["staff_id"] = outcome["id"]
    session["seen"] = session["started"] = int(time.time())
    csrf_token(session)
    raise web.HTTPSeeOther(ROLE_HOME[outcome["role"]])


async def logout(request: web.Request) -> web.Response:
    session = await get_session(request)
    session.invalidate()
    raise web.HTTPSeeOther("/review/login")


async def home(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(ROLE_HOME[request["staff"].role])
