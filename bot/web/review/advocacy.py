"""The advocacy service's referral queue: acknowledge, allocate, close, with the response deadline and
overdue referrals first. Opening a referral (which shows the child's words) is audited."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp_session import get_session
from sqlalchemy.orm import Session

from bot.db.models import StaffUser
from bot.services import audit, queries, referrals
from bot.services.errors import InvalidTransition, TextTooLong
from bot.web.review.common import match_int, render, require, run_db

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
    rows = await run_db(queries.referral_queue, request["staff"], show=show)
    return render(request, "referrals.html", {"rows": rows, "show": show, "reasons": REASON_LABELS})


def _referral(s: Session, staff: StaffUser, referral_id: int) -> dict[str, Any]:
    referral = queries.referral_for_staff(s, staff, referral_id)
    audit.record(s, audit.staff_actor(staff.username), "read", "advocacy_referral", referral_id)
    view = queries.referral_view(referral)
    view["next"] = list(referrals.NEXT_STATUS.get(referral.status, ()))
    return view


async def _referral_page(
    request: web.Request, referral_id: int, error: str = "", status: int = 200
) -> web.Response:
    view = await run_db(_referral, request["staff"], referral_id)
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


def _change(s: Session, staff: StaffUser, referral_id: int, to_status: str, note: str | None) -> None:
    queries.referral_for_staff(s, staff, referral_id)
    referrals.change_status(s, referral_id, to_status, audit.staff_actor(staff.username), note)


@require("advocacy")
async def change_status(request: web.Request) -> web.Response:
    referral_id = match_int(request, "referral_id")
    form = await request.post()
    to_status = str(form.get("to_status", ""))
    note = str(form.get("note", "")).strip() or None
    try:
        await run_db(_change, request["staff"], referral_id, to_status, note)
    except (InvalidTransition, TextTooLong) as error:
        return await _referral_page(request, referral_id, str(error), 409)
    session = await get_session(request)
    session["flash"] = f"Referral {referral_id} is now {to_status}."
    raise web.HTTPSeeOther(f"/review/referrals/{referral_id}")
