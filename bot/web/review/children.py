"""Pages for social workers and IROs: the caseload, one child's record, sign-in codes, visitor matches and
the printable "My wishes and feelings" (an accessible HTML page that prints on A4; Chromium's "Save as PDF" makes
a tagged PDF of it: tests/e2e/test_review_print.py). Every view of a child's record is audited (``read``);
every print is audited as an ``export``."""

from __future__ import annotations

from datetime import date

from aiohttp import web
from aiohttp_session import get_session

from bot.db.models import VISITOR_KINDS
from bot.services.errors import InvalidTransition, NotFound, ServiceError
from bot.usecases import review_child_changes as changes
from bot.usecases.review_caseload import read_caseload
from bot.usecases.review_child_record import read_child_record, statement_to_print
from bot.usecases.signin import end_sign_in, sign_in_panel
from bot.web.review.common import form_day, match_int, render, require, run_use_case

KIND_LABELS = {"independent_visitor": "Independent Visitor", "mentor": "Mentor"}


@require("social_worker", "iro")
async def caseload_page(request: web.Request) -> web.Response:
    staff = request["staff"]
    rows = await run_use_case(read_caseload, staff)
    title = "My caseload" if staff.role == "social_worker" else "Reviews I chair"
    return render(request, "caseload.html", {"rows": rows, "title": title})


async def _child_page(
    request: web.Request, child_id: str, *, error: str = "", status: int = 200, code: str | None = None
) -> web.Response:
    staff = request["staff"]
    record = await run_use_case(read_child_record, staff, child_id)
    signins = await run_use_case(sign_in_panel, staff, child_id)
    session = await get_session(request)
    flash = session.pop("flash", "")
    refer_problems = session.pop("refer_problems", [])  # a staff referral that was not sent (staff_referral.py)
    return render(
        request,
        "child.html",
        {"r": record, "error": error, "flash": flash, "code": code, "kinds": KIND_LABELS, "signins": signins,
         "refer_problems": refer_problems},
        status,
    )


@require("social_worker", "iro")
async def child_page(request: web.Request) -> web.Response:
    return await _child_page(request, request.match_info["child_id"])


@require("social_worker")
async def issue_code(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    code = await run_use_case(changes.issue_code_for_child, request["staff"], child_id)
    return await _child_page(request, child_id, code=code)


@require("social_worker")
async def end_code(request: web.Request) -> web.Response:
    """Cancel an unused sign-in code, or end the link between the child and the chat it signed in."""
    child_id = request.match_info["child_id"]
    try:
        outcome = await run_use_case(end_sign_in, request["staff"], child_id, match_int(request, "code_id"))
    except InvalidTransition:  # NotFound (not this child's, or not in the caseload) is a 404 like any other
        return await _child_page(request, child_id, error="That code cannot be cancelled now.", status=409)
    session = await get_session(request)
    session["flash"] = (
        "The code was cancelled. It will not work." if outcome == "cancelled"
        else "The sign-in was ended. That chat is no longer linked to this child."
    )
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


@require("social_worker")
async def propose_match(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    form = await request.post()
    name = str(form.get("visitor_name", "")).strip()
    description = str(form.get("description", "")).strip() or None
    kind = str(form.get("kind", ""))
    if not name or kind not in VISITOR_KINDS:
        return await _child_page(
            request, child_id, error="Give the visitor's first name and choose the kind.", status=400
        )
    try:
        await run_use_case(changes.propose_visitor, request["staff"], child_id, name[:200], description, kind)
    except NotFound:
        raise  # not in the caseload: a 404 (audited once, as a refused read), not the child's page
    except ServiceError as error:
        return await _child_page(request, child_id, error=str(error), status=400)
    session = await get_session(request)
    session["flash"] = f"{name} was proposed. The child will be asked about them in the chat."
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


def _form_date(value: object) -> date | None:
    """A day from the form, None when left empty; ``ValueError`` when it is not a day (or out of range)."""
    text = str(value or "").strip()
    if not text:
        return None
    day = form_day(text)
    if day is None:
        raise ValueError(text)
    return day


@require("social_worker", "iro")
async def record_review(request: web.Request) -> web.Response:
    """After a Looked After Review: record it as held and set the next date (the latest allowed unless an
    earlier one is given)."""
    child_id = request.match_info["child_id"]
    form = await request.post()
    try:
        held_on = _form_date(form.get("held_on"))
        next_on = _form_date(form.get("next_review_date"))
    except ValueError:
        return await _child_page(request, child_id, error="Give the review dates as day, month and year.", status=400)
    if held_on is None:
        return await _child_page(request, child_id, error="Give the date the review was held.", status=400)
    try:
        next_date = await run_use_case(changes.record_review, request["staff"], child_id, held_on, next_on)
    except NotFound:
        raise  # not in the caseload: a 404 (audited once, as a refused read), not the child's page
    except ServiceError as error:
        return await _child_page(request, child_id, error=str(error), status=400)
    session = await get_session(request)
    when = next_date.strftime("%-d %B %Y") if next_date else "not set"
    session["flash"] = f"Review recorded. Next review: {when}."
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


@require("social_worker")
async def set_care_start(request: web.Request) -> web.Response:
    """The date the child came into care, so the first review's deadline can be worked out."""
    child_id = request.match_info["child_id"]
    form = await request.post()
    try:
        entered_on = _form_date(form.get("entered_care_on"))
    except ValueError:
        entered_on = None
    if entered_on is None:
        return await _child_page(
            request, child_id, error="Give the date the child came into care (day, month and year).", status=400
        )
    try:
        await run_use_case(changes.set_entered_care, request["staff"], child_id, entered_on)
    except NotFound:
        raise  # not in the caseload: a 404 (audited once, as a refused read), not the child's page
    except ServiceError as error:
        return await _child_page(request, child_id, error=str(error), status=400)
    session = await get_session(request)
    session["flash"] = "Date of coming into care saved."
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


async def _match_post(request: web.Request, action: str) -> web.Response:
    match_id = match_int(request, "match_id")
    try:
        child_id, message = await run_use_case(changes.decide_match, request["staff"], match_id, action)
    except changes.MatchRefused as refused:
        return await _child_page(request, refused.child_id, error=refused.message, status=409)
    session = await get_session(request)
    session["flash"] = message
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


@require("social_worker")
async def appoint_match(request: web.Request) -> web.Response:
    return await _match_post(request, "appoint")


@require("social_worker")
async def withdraw_match(request: web.Request) -> web.Response:
    return await _match_post(request, "withdraw")


@require("social_worker", "iro")
async def print_statement(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    statement_id = match_int(request, "statement_id")
    data = await run_use_case(statement_to_print, request["staff"], child_id, statement_id, "html")
    return render(request, "print.html", data)

