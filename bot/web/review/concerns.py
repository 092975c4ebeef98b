"""The duty lead's daily list of possible concerns (issue 14): messages that got a gentle check-in ("is someone
hurting you?") and messages in a language Heard cannot read yet. Low priority, read once a day, not an urgent
notification: a child who answered yes or not sure also raised an alert, shown on the alerts page. Every
concern shown is audited as read; marking one reviewed is audited too."""

from __future__ import annotations

from datetime import date, datetime, timezone

from aiohttp import web
from aiohttp_session import get_session

from bot.services.input_bounds import out_of_range_words
from bot.usecases.concerns import mark_concern_reviewed, read_concern_list
from bot.web.review.common import form_day, match_int, render, render_error, require, run_use_case


def _today() -> date:
    return datetime.now(timezone.utc).date()


@require("duty")
async def concerns_page(request: web.Request) -> web.Response:
    """One day's list (``?day=2026-11-30``; today, UTC, without one); a day that is not one is a 400."""
    asked = request.query.get("day", "").strip()
    day = form_day(asked) if asked else _today()
    if day is None:
        return render_error(request, 400, f"Choose the day as year-month-day (2026-11-30), {out_of_range_words()}.")
    data = await run_use_case(read_concern_list, request["staff"], day)
    session = await get_session(request)
    data["flash"] = session.pop("flash", "")
    return render(request, "concerns.html", data)


@require("duty")
async def mark_reviewed(request: web.Request) -> web.Response:
    concern_id = match_int(request, "concern_id")
    form = await request.post()
    await run_use_case(mark_concern_reviewed, request["staff"], concern_id)
    session = await get_session(request)
    session["flash"] = f"Concern {concern_id} marked as read."
    day = form_day(form.get("day")) or _today()
    raise web.HTTPSeeOther(f"/review/concerns?day={day.isoformat()}")
