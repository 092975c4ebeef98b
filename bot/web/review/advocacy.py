"""The advocacy service's referral queue: acknowledge, allocate, close, with the response deadline and
overdue referrals first. Opening a referral (which shows the child's words) is audited."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.services.errors import InvalidTransition, TextTooLong
from bot.usecases.review_queues import change_referral_status, open_referral, read_referral_queue
from bot.web.review.common import match_int, render, require, run_use_case

REASON_LABELS = {
    "review": "Their review",
    "cp_conference": "A child protection conference",
    "complaint": "A complaint",
    "listened_to": "Not being listened to",
    "other": "Something else",
}
ACTIONS = {"acknowledged": "Acknowledge", "allocated": "Allocate", "closed": "Close"}


@require("advocacy")
async def queue_page(request: web.Request) -> web.Response:
    show = request.query.get("show", "open")
    if show not in ("open", "closed", "all"):
        show = "open"
    rows = await run_use_case(read_referral_queue, request["staff"], show)
    return render(request, "referrals.html", {"rows": rows, "show": show, "reasons": REASON_LABELS})


async def _referral_page(
    request: web.Request, referral_id: int, error: str = "", status: int = 200
) -> web.Response:
    view = await run_use_case(open_referral, request["staff"], referral_id)
    session = await get_session(request)
    return render(
        request,
        "referral.html",
        {
            "r": view,
            "reasons": REASON_LABELS,
            "actions": ACTIONS,
            "error": error,
            "flash": session.pop("flash", ""),
        },
        status,
    )


@require("advocacy")
async def referral_page(request: web.Request) -> web.Response:
    return await _referral_page(request, match_int(request, "referral_id"))


@require("advocacy")
async def change_status(request: web.Request) -> web.Response:
    referral_id = match_int(request, "referral_id")
    form = await request.post()
    to_status = str(form.get("to_status", ""))
    note = str(form.get("note", "")).strip() or None
    first_name = str(form.get("advocate_first_name", "")).strip() or None
    try:
        await run_use_case(change_referral_status, request["staff"], referral_id, to_status, note, first_name)
    except (InvalidTransition, TextTooLong) as error:
        return await _referral_page(request, referral_id, str(error), 409)
    session = await get_session(request)
    session["flash"] = f"Referral {referral_id} is now {to_status}."
    raise web.HTTPSeeOther(f"/review/referrals/{referral_id}")
