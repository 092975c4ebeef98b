"""A social worker refers a child for advocacy from the child's page (``POST /review/children/{id}/referrals``):
with the child's agreement recorded, or non-instructed with the reason. Problems go back to the child's page."""

from __future__ import annotations

from aiohttp import web
from aiohttp_session import get_session

from bot.services.staff_referrals import StaffReferral
from bot.usecases.staff_referrals import refer_for_advocacy
from bot.web.review.common import form_day, render_error, require, run_use_case


def referral_from_form(form: object) -> StaffReferral:
    get = form.get  # type: ignore[attr-defined]
    return StaffReferral(
        kind=str(get("kind", "")), reason=str(get("reason", "")), words=str(get("words", "")),
        asked_by=str(get("asked_by", "")).strip() or None, agreed_on=form_day(get("agreed_on")),
        agreed_how=str(get("agreed_how", "")) or None, grounds=str(get("grounds", "")) or None,
        non_instructed_reason=str(get("non_instructed_reason", "")).strip() or None,
    )


@require("social_worker")
async def refer_child(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    form = await request.post()
    referral = referral_from_form(form)
    if len(referral.words) > 20000 or len(referral.non_instructed_reason or "") > 20000:
        return render_error(request, 400, "That is too long to send. Please shorten it.")
    problems = await run_use_case(refer_for_advocacy, request["staff"], child_id, referral)
    session = await get_session(request)
    if problems:
        session["refer_problems"] = problems
        raise web.HTTPSeeOther(f"/review/children/{child_id}#refer")
    session["flash"] = "The referral was sent to the advocacy service."
    raise web.HTTPSeeOther(f"/review/children/{child_id}")
