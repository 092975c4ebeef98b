"""The duty / safeguarding lead's alert queue. Unacknowledged alerts older than the council's escalation
time (default 15 minutes) are marked escalated and listed first. Every alert shown is audited as read."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_session import get_session
from sqlalchemy.orm import Session

from bot.db.models import StaffUser
from bot.services import alerts, audit, queries
from bot.services.errors import TextTooLong
from bot.services.review_admin import council_settings
from bot.web.review.common import match_int, render, require, run_db


def _queue(s: Session, staff: StaffUser) -> dict[str, Any]:
    settings = council_settings(s, staff.local_authority_id)
    rows = queries.alert_queue(s, staff, escalate_after=settings.escalate_after)
    actor = audit.staff_actor(staff.username)
    for row in rows:
        audit.record(s, actor, "read", "safeguarding_alert", row["id"])
    return {"rows": rows, "escalation_minutes": settings.alert_escalation_minutes}


@require("duty")
async def alerts_page(request: web.Request) -> web.Response:
    data = await run_db(_queue, request["staff"])
    session = await get_session(request)
    data["flash"] = session.pop("flash", "")
    data["error"] = ""
    return render(request, "alerts.html", data)


def _acknowledge(s: Session, staff: StaffUser, alert_id: int, note: str) -> None:
    queries.alert_for_staff(s, staff, alert_id)
    alerts.acknowledge(s, alert_id, audit.staff_actor(staff.username), note)


@require("duty")
async def acknowledge(request: web.Request) -> web.Response:
    alert_id = match_int(request, "alert_id")
    form = await request.post()
    note = str(form.get("note", "")).strip()
    if not note:
        data = await run_db(_queue, request["staff"])
        data.update(flash="", error="Write a short note saying what you have done.", error_alert=alert_id)
        return render(request, "alerts.html", data, 400)
    try:
        await run_db(_acknowledge, request["staff"], alert_id, note)
    except TextTooLong as error:
        data = await run_db(_queue, request["staff"])
        data.update(flash="", error=str(error), error_alert=alert_id)
        return render(request, "alerts.html", data, 400)
    session = await get_session(request)
    session["flash"] = f"Alert {alert_id} acknowledged."
    raise web.HTTPSeeOther("/review/alerts")
