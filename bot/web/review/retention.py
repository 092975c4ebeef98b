"""Admin pages for retention (issue 17): the council's retention periods with a dry run (counts of what a purge
would delete now), and a child's data rights page: legal holds (place, release: reason required), the
subject access export (JSON or PDF; audited) and erasure (reason required, refused under a hold). Thin: each
handler calls one use case of ``bot.usecases.retention`` or ``bot.usecases.subject_access``."""

from __future__ import annotations

import json

from aiohttp import web
from aiohttp_session import get_session

from bot.services.errors import ServiceError
from bot.services.audit import staff_actor
from bot.usecases import retention as cases
from bot.usecases.subject_access import export_child_record
from bot.web.review.common import form_int, match_int, render, require, run_use_case
from bot.web.review.export_pdf import export_pdf

POLICY_FIELDS = [
    ("never_looked_after_until_age", "Keep case records of a child never looked after until their birthday"),
    ("safeguarding_years", "Keep safeguarding alerts and concerns for (years after they were raised)"),
    ("transcript_days", "Delete chat transcripts (days after the last message)"),
    ("audit_years", "Keep audit events for (years after they were written, once their record is gone)"),
]


async def _policy_page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    data = await run_use_case(cases.read_policy, request["staff"])
    session = await get_session(request)
    data.update(fields=POLICY_FIELDS, error=error, flash=session.pop("flash", ""))
    return render(request, "admin_retention.html", data, status)


@require("admin")
async def policy_page(request: web.Request) -> web.Response:
    return await _policy_page(request)


@require("admin")
async def save_policy(request: web.Request) -> web.Response:
    form = await request.post()
    values: dict[str, int] = {}
    for name, label in POLICY_FIELDS:
        if name not in form:  # a form from before the field was added: that period stays as it is
            continue
        number = form_int(form.get(name))
        if number is None:
            return await _policy_page(request, error=f"{label}: enter a whole number.", status=400)
        values[name] = number
    try:
        await run_use_case(cases.save_policy, request["staff"], values)
    except ServiceError as error:
        return await _policy_page(request, error=str(error), status=400)
    session = await get_session(request)
    session["flash"] = "Retention periods saved."
    raise web.HTTPSeeOther("/review/admin/retention")


async def _child_page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    child_id = request.match_info["child_id"]
    holds = await run_use_case(cases.holds, request["staff"], child_id)
    session = await get_session(request)
    return render(request, "admin_child_data.html", {
        "child_id": child_id, "holds": holds, "held": any(h["released_at"] is None for h in holds),
        "error": error, "flash": session.pop("flash", ""),
    }, status)


@require("admin")
async def child_page(request: web.Request) -> web.Response:
    return await _child_page(request)


def _reason(form: object) -> str:
    return str(form.get("reason", "")).strip()[:2000]  # type: ignore[attr-defined]


async def _act(request: web.Request, use_case: object, *args: object, done: str) -> web.Response:
    child_id = request.match_info["child_id"]
    try:
        await run_use_case(use_case, request["staff"], child_id, *args)  # type: ignore[arg-type]
    except ServiceError as error:
        if type(error).__name__ == "NotFound":
            raise web.HTTPNotFound() from error
        return await _child_page(request, error=str(error), status=409 if "hold" in str(error) else 400)
    session = await get_session(request)
    session["flash"] = done
    raise web.HTTPSeeOther("/review/admin/retention" if done.startswith("Erased") else
                           f"/review/admin/children/{child_id}/data")


@require("admin")
async def place_hold(request: web.Request) -> web.Response:
    return await _act(request, cases.place_hold, _reason(await request.post()), done="Legal hold placed.")


@require("admin")
async def release_hold(request: web.Request) -> web.Response:
    hold_id = match_int(request, "hold_id")
    return await _act(request, cases.release_hold, hold_id, _reason(await request.post()),
                      done="Legal hold released.")


@require("admin")
async def erase(request: web.Request) -> web.Response:
    return await _act(request, cases.erase_child_by_admin, _reason(await request.post()),
                      done="Erased the child's records and transcripts.")


@require("admin")
async def export(request: web.Request) -> web.Response:
    """The subject access export (audited as an export by this admin), as JSON or ``?format=pdf``."""
    staff, child_id = request["staff"], request.match_info["child_id"]
    try:
        data = await run_use_case(export_child_record, child_id, staff_actor(staff.username),
                                  staff.local_authority_id)
    except ServiceError as error:
        raise web.HTTPNotFound() from error
    headers = {"Cache-Control": "no-store"}
    if request.query.get("format") == "pdf":
        body = await run_use_case(export_pdf, data)
        headers["Content-Disposition"] = f'attachment; filename="heard-{child_id}.pdf"'
        return web.Response(body=body, content_type="application/pdf", headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="heard-{child_id}.json"'
    return web.Response(text=json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json",
                        headers=headers)
