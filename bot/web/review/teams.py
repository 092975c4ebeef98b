"""The queues of the teams records are routed to (issue 15): the IV co-ordinator's visitor and mentor requests,
the advocacy service's statements from children not signed in, and the complaints queue (the complaints team
and admins). Every record shown is audited as read; a record of another council or role is a 404. A phone number
the child gave is never in a queue: only on the record's own page, for the team that reaches the child, each
view audited (as a referral's)."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.services.errors import InvalidTransition, TextTooLong
from bot.usecases.review_team_queues import (
    change_complaint_status,
    open_complaint,
    open_visitor_request,
    read_anonymous_statements,
    read_complaints,
    read_visitor_requests,
)
from bot.web.review.common import match_int, render, require, run_use_case

COMPLAINT_ACTIONS = {"acknowledged": "Acknowledge", "resolved": "Mark resolved"}


@require("iv_coordinator")
async def visitor_requests_page(request: web.Request) -> web.Response:
    data = await run_use_case(read_visitor_requests, request["staff"])
    return render(request, "visitor_requests.html", data)


@require("iv_coordinator")
async def visitor_request_page(request: web.Request) -> web.Response:
    """One request: what the child asked for and how to reach them, their number shown here only (audited)."""
    view = await run_use_case(open_visitor_request, request["staff"], match_int(request, "request_id"))
    return render(request, "visitor_request.html", {"r": view})


@require("advocacy")
async def anonymous_page(request: web.Request) -> web.Response:
    rows = await run_use_case(read_anonymous_statements, request["staff"])
    return render(request, "anonymous_statements.html", {"rows": rows})


@require("complaints", "admin")
async def complaints_page(request: web.Request) -> web.Response:
    rows = await run_use_case(read_complaints, request["staff"])
    return render(request, "complaints.html", {"rows": rows})


async def _complaint_page(request: web.Request, complaint_id: int, error: str = "", status: int = 200) -> web.Response:
    view = await run_use_case(open_complaint, request["staff"], complaint_id)
    session = await get_session(request)
    return render(request, "complaint.html", {"c": view, "actions": COMPLAINT_ACTIONS, "error": error,
                                              "flash": session.pop("flash", "")}, status)


@require("complaints", "admin")
async def complaint_page(request: web.Request) -> web.Response:
    return await _complaint_page(request, match_int(request, "complaint_id"))


@require("complaints", "admin")
async def complaint_status(request: web.Request) -> web.Response:
    complaint_id = match_int(request, "complaint_id")
    form = await request.post()
    to_status = str(form.get("to_status", ""))
    note = str(form.get("note", "")).strip() or None
    try:
        await run_use_case(change_complaint_status, request["staff"], complaint_id, to_status, note)
    except (InvalidTransition, TextTooLong) as error:
        return await _complaint_page(request, complaint_id, str(error), 409)
    session = await get_session(request)
    session["flash"] = f"Complaint {complaint_id} is now {to_status}."
    raise web.HTTPSeeOther(f"/review/complaints/{complaint_id}")
