"""A member of staff's own API tokens: make one for themselves (choosing what it may read and how long it
lasts; shown once), see their tokens, revoke one. Nobody makes a token for anyone else."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.services.api_tokens import DEFAULT_DAYS
from bot.services.errors import InvalidChoice
from bot.usecases.review_api_tokens import create_own_token, read_own_tokens, revoke_own_token
from bot.web.review.common import form_int, match_int, render, require, run_use_case

API_ROLES = ("social_worker", "iro", "advocacy", "admin")  # admins: the child register only


async def _page(
    request: web.Request, *, error: str = "", status: int = 200, new_token: str = ""
) -> web.Response:
    data = await run_use_case(read_own_tokens, request["staff"])
    session = await get_session(request)
    data.update(error=error, new_token=new_token, flash=session.pop("flash", ""))
    return render(request, "tokens.html", data, status)


@require(*API_ROLES)
async def tokens_page(request: web.Request) -> web.Response:
    return await _page(request)


@require(*API_ROLES)
async def create_token(request: web.Request) -> web.Response:
    form = await request.post()
    days_text = str(form.get("days", "")).strip()
    days = form_int(days_text) if days_text else DEFAULT_DAYS
    if days is None:
        return await _page(request, error="Give how many days the token lasts as a whole number.", status=400)
    scopes = [str(scope) for scope in form.getall("scope", [])]
    try:
        token = await run_use_case(
            create_own_token, request["staff"], str(form.get("label", ""))[:200], scopes, days
        )
    except InvalidChoice as error:
        return await _page(request, error=str(error), status=400)
    return await _page(request, new_token=token)


@require(*API_ROLES)
async def revoke_token(request: web.Request) -> web.Response:
    await run_use_case(revoke_own_token, request["staff"], match_int(request, "token_id"))
    session = await get_session(request)
    session["flash"] = "Token revoked. It no longer works."
    raise web.HTTPSeeOther("/review/tokens")
