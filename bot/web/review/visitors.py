"""The IV co-ordinator's pages (issue 16): the queue of visitor and mentor requests and matches, one match's
history with its steps (checks, appointment, visits, review, end), and the social worker's or IRO's
"considered" decision. Handlers only read the form and call a use case."""

from __future__ import annotations

from datetime import date, datetime, timezone

from aiohttp import web
from aiohttp_session import get_session

from bot.db.visitor_models import CHECK_KINDS, CONTACT_KINDS, ENDED_BY
from bot.services.errors import InvalidChoice, InvalidTransition
from bot.services.read_models.visitor_queue import COORDINATOR_ROLES, QUEUE_ROLES
from bot.usecases import visitor_lifecycle as usecases
from bot.web.review.common import form_day, match_int, render, require, run_use_case


def _today() -> date:
    return datetime.now(timezone.utc).date()


async def _flash(request: web.Request, message: str, error: bool = False) -> None:
    session = await get_session(request)
    session["flash_error" if error else "flash"] = message


async def _pop(request: web.Request) -> dict[str, str]:
    session = await get_session(request)
    return {"flash": session.pop("flash", ""), "error": session.pop("flash_error", "")}


@require(*QUEUE_ROLES)
async def queue_page(request: web.Request) -> web.Response:
    data = await run_use_case(usecases.read_queue, request["staff"], _today())
    return render(request, "visitors.html", data | await _pop(request))


@require(*QUEUE_ROLES)
async def match_page(request: web.Request) -> web.Response:
    match_id = match_int(request, "match_id")
    data = await run_use_case(usecases.read_match, request["staff"], match_id, _today())
    data |= {"contact_kinds": CONTACT_KINDS, "ended_by": ENDED_BY, "today": _today()}
    return render(request, "visitor_match.html", data | await _pop(request))


async def _step(request: web.Request, use_case, *args, done: str) -> web.Response:  # type: ignore[no-untyped-def]
    match_id = match_int(request, "match_id")
    try:
        await run_use_case(use_case, request["staff"], match_id, *args)
        await _flash(request, done)
    except (InvalidChoice, InvalidTransition) as error:
        await _flash(request, str(error).capitalize() + ".", error=True)
    raise web.HTTPSeeOther(f"/review/visitors/matches/{match_id}")


@require(*COORDINATOR_ROLES)
async def checks_submit(request: web.Request) -> web.Response:
    form = await request.post()
    completed = {kind: day for kind in CHECK_KINDS if (day := form_day(form.get(kind)))}
    if not completed:
        await _flash(request, "Give the date of at least one check.", error=True)
        raise web.HTTPSeeOther(f"/review/visitors/matches/{match_int(request, 'match_id')}")
    return await _step(request, usecases.record_checks, completed, done="Checks recorded.")


@require(*COORDINATOR_ROLES)
async def contact_submit(request: web.Request) -> web.Response:
    form = await request.post()
    on = form_day(form.get("contact_on"))
    if on is None:
        await _flash(request, "Give the date of the visit or contact.", error=True)
        raise web.HTTPSeeOther(f"/review/visitors/matches/{match_int(request, 'match_id')}")
    return await _step(request, usecases.log_contact, on, str(form.get("kind", "")), done="Contact logged.")


@require(*COORDINATOR_ROLES)
async def appoint_submit(request: web.Request) -> web.Response:
    return await _step(request, usecases.appoint, done="Appointed.")


@require(*COORDINATOR_ROLES)
async def review_submit(request: web.Request) -> web.Response:
    return await _step(request, usecases.record_review, done="Review recorded.")


@require(*COORDINATOR_ROLES)
async def end_submit(request: web.Request) -> web.Response:
    form = await request.post()
    return await _step(request, usecases.end_match, str(form.get("ended_by", "")), str(form.get("reason", "")),
                       done="The visitor's time has ended.")


@require(*COORDINATOR_ROLES)
async def search_submit(request: web.Request) -> web.Response:
    request_id = match_int(request, "request_id")
    try:
        await run_use_case(usecases.start_search, request["staff"], request_id)
        await _flash(request, f"Searching for a visitor for request {request_id}.")
    except InvalidTransition as error:
        await _flash(request, str(error).capitalize() + ".", error=True)
    raise web.HTTPSeeOther("/review/visitors")


@require("social_worker", "iro")
async def consider_submit(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"][:64]
    form = await request.post()
    answer = str(form.get("should_have", ""))
    if answer not in ("yes", "no"):
        await _flash(request, "Choose yes or no.", error=True)
        raise web.HTTPSeeOther("/review/visitors")
    try:
        await run_use_case(usecases.record_consideration, request["staff"], child_id, answer == "yes",
                           str(form.get("reason", "")), form_day(form.get("review_date")))
        await _flash(request, "Decision recorded.")
    except InvalidChoice as error:
        await _flash(request, str(error).capitalize() + ".", error=True)
    raise web.HTTPSeeOther("/review/visitors")


PAGES = [
    ("GET", "/visitors", queue_page),
    ("POST", "/visitors/requests/{request_id}/search", search_submit),
    ("POST", "/visitors/consider/{child_id}", consider_submit),
    ("GET", "/visitors/matches/{match_id}", match_page),
    ("POST", "/visitors/matches/{match_id}/checks", checks_submit),
    ("POST", "/visitors/matches/{match_id}/contacts", contact_submit),
    ("POST", "/visitors/matches/{match_id}/appoint", appoint_submit),
    ("POST", "/visitors/matches/{match_id}/review", review_submit),
    ("POST", "/visitors/matches/{match_id}/end", end_submit),
]
