"""The duty / safeguarding lead's alert queue. Unacknowledged alerts older than the council's escalation
time (default 15 minutes) are marked escalated and listed first. Every alert shown is audited as read. The phone
number a child gave for a call-back is never on the queue: only on the alert's own page, each view audited."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.services.errors import InvalidChoice, TextTooLong
from bot.usecases.review_queues import acknowledge_alert, open_alert, read_alert_queue
from bot.usecases.review_team_queues import restrict_alert
from bot.web.review.common import form_id, match_int, render, require, run_use_case


@require("duty")
async def alerts_page(request: web.Request) -> web.Response:
    data = await run_use_case(read_alert_queue, request["staff"])
    session = await get_session(request)
    data["flash"] = session.pop("flash", "")
    data["error"] = ""
    return render(request, "alerts.html", data)


@require("duty")
async def alert_page(request: web.Request) -> web.Response:
    """One alert, with the number the child gave to be called back (shown here only; audited)."""
    view = await run_use_case(open_alert, request["staff"], match_int(request, "alert_id"))
    return render(request, "alert.html", {"a": view})


@require("duty")
async def acknowledge(request: web.Request) -> web.Response:
    alert_id = match_int(request, "alert_id")
    form = await request.post()
    note = str(form.get("note", "")).strip()
    if not note:
        data = await run_use_case(read_alert_queue, request["staff"])
        data.update(flash="", error="Write a short note saying what you have done.", error_alert=alert_id)
        return render(request, "alerts.html", data, 400)
    try:
        await run_use_case(acknowledge_alert, request["staff"], alert_id, note)
    except TextTooLong as error:
        data = await run_use_case(read_alert_queue, request["staff"])
        data.update(flash="", error=str(error), error_alert=alert_id)
        return render(request, "alerts.html", data, 400)
    session = await get_session(request)
    session["flash"] = f"Alert {alert_id} acknowledged."
    raise web.HTTPSeeOther("/review/alerts")


@require("duty")
async def restrict(request: web.Request) -> web.Response:
    """Only the duty lead and the staff they tick see the alert from now on (recorded and audited)."""
    alert_id = match_int(request, "alert_id")
    form = await request.post()
    # A value that names nobody (0: no record has it) is refused like anyone who cannot see the alert.
    ids = [form_id(v) or 0 for v in form.getall("staff_id", [])]
    session = await get_session(request)
    try:
        seen_by = await run_use_case(restrict_alert, request["staff"], alert_id, ids)
    except InvalidChoice as error:
        session["flash"] = str(error)
    else:
        session["flash"] = f"Alert {alert_id} is now seen by {len(seen_by)} people only."
    raise web.HTTPSeeOther("/review/alerts")
