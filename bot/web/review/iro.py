"""The IRO panel (``/review/iro``) and the "wishes differ from the plan" mark on a statement (social worker or
IRO of the child)."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.services.errors import InvalidChoice
from bot.usecases.iro_panel import mark_differs_from_plan, read_iro_panel
from bot.web.review.common import match_int, render, require, run_use_case

REASONS = {"review": "Review", "cp_conference": "Child protection conference", "complaint": "Complaint",
           "listened_to": "To be listened to", "other": "Something else"}


@require("iro")
async def panel_page(request: web.Request) -> web.Response:
    rows = await run_use_case(read_iro_panel, request["staff"])
    return render(request, "iro_panel.html", {"rows": rows, "reasons": REASONS})


@require("social_worker", "iro")
async def mark_plan(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    statement_id = match_int(request, "statement_id")
    form = await request.post()
    differs = str(form.get("differs", "")) == "yes"
    note = str(form.get("note", ""))
    session = await get_session(request)
    try:
        changed = await run_use_case(mark_differs_from_plan, request["staff"], child_id, statement_id, differs, note)
    except InvalidChoice as problem:
        session["flash"] = f"Not saved: {problem}"
    else:
        session["flash"] = ("Saved: the child's wishes differ from the plan." if differs else
                            "Saved: not marked as different from the plan.") if changed else "Nothing was changed."
    raise web.HTTPSeeOther(f"/review/children/{child_id}#st-{statement_id}")
