"""Pages for social workers and IROs: the caseload, one child's record, sign-in codes, visitor matches and
the printable "My wishes and feelings". Every view of a child's record is audited (``read``); every
print or PDF is audited as an ``export``."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from aiohttp import web
from aiohttp_session import get_session
from sqlalchemy.orm import Session

from bot.db.models import VISITOR_KINDS, StaffUser
from bot.services import audit, queries, review_timescales, signin, visitors
from bot.services.errors import InvalidTransition, MatchObjected, ServiceError
from bot.web.review.common import match_int, render, require, run_db
from bot.web.review.pdf import statement_pdf

KIND_LABELS = {"independent_visitor": "Independent Visitor", "mentor": "Mentor"}


def _caseload(s: Session, staff: StaffUser) -> list[dict[str, Any]]:
    rows = queries.caseload(s, staff)
    audit.record(s, audit.staff_actor(staff.username), "read", "caseload", staff.id, {"children": len(rows)})
    return rows


@require("social_worker", "iro")
async def caseload_page(request: web.Request) -> web.Response:
    staff = request["staff"]
    rows = await run_db(_caseload, staff)
    title = "My caseload" if staff.role == "social_worker" else "Reviews I chair"
    return render(request, "caseload.html", {"rows": rows, "title": title})


def _record(s: Session, staff: StaffUser, child_id: str) -> dict[str, Any]:
    record = queries.child_record(s, staff, child_id)
    seen = queries.last_views(s, staff, [child_id]).get(child_id)
    for statement in record["statements"]:
        statement["new"] = statement["visible"] and (seen is None or statement["sent_at"] > seen)
    audit.record(s, audit.staff_actor(staff.username), "read", "child", child_id, {"view": "record"})
    return record


async def _child_page(
    request: web.Request, child_id: str, *, error: str = "", status: int = 200, code: str | None = None
) -> web.Response:
    staff = request["staff"]
    record = await run_db(_record, staff, child_id)
    session = await get_session(request)
    flash = session.pop("flash", "")
    return render(
        request,
        "child.html",
        {"r": record, "error": error, "flash": flash, "code": code, "kinds": KIND_LABELS},
        status,
    )


@require("social_worker", "iro")
async def child_page(request: web.Request) -> web.Response:
    return await _child_page(request, request.match_info["child_id"])


def _issue_code(s: Session, staff: StaffUser, child_id: str) -> str:
    queries.child_for_staff(s, staff, child_id)
    return signin.issue_code(s, child_id, staff.username)


@require("social_worker")
async def issue_code(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    code = await run_db(_issue_code, request["staff"], child_id)
    return await _child_page(request, child_id, code=code)


def _propose(
    s: Session, staff: StaffUser, child_id: str, name: str, description: str | None, kind: str
) -> None:
    queries.child_for_staff(s, staff, child_id)
    visitors.propose_match(s, child_id, staff.username, name, description, kind)


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
        await run_db(_propose, request["staff"], child_id, name[:200], description, kind)
    except ServiceError as error:
        return await _child_page(request, child_id, error=str(error), status=400)
    session = await get_session(request)
    session["flash"] = f"{name} was proposed. The child will be asked about them in the chat."
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


def _record_review(s: Session, staff: StaffUser, child_id: str, held_on: date, next_on: date | None) -> date | None:
    queries.child_for_staff(s, staff, child_id)
    child = review_timescales.record_review_held(
        s, child_id, held_on, audit.staff_actor(staff.username), next_review_date=next_on
    )
    return child.next_review_date


def _form_date(value: object) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None


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
        next_date = await run_db(_record_review, request["staff"], child_id, held_on, next_on)
    except ServiceError as error:
        return await _child_page(request, child_id, error=str(error), status=400)
    session = await get_session(request)
    when = next_date.strftime("%-d %B %Y") if next_date else "not set"
    session["flash"] = f"Review recorded. Next review: {when}."
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


def _care_start(s: Session, staff: StaffUser, child_id: str, entered_on: date) -> None:
    queries.child_for_staff(s, staff, child_id)
    review_timescales.set_entered_care(s, child_id, entered_on, audit.staff_actor(staff.username))


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
        await run_db(_care_start, request["staff"], child_id, entered_on)
    except ServiceError as error:
        return await _child_page(request, child_id, error=str(error), status=400)
    session = await get_session(request)
    session["flash"] = "Date of coming into care saved."
    raise web.HTTPSeeOther(f"/review/children/{child_id}")


def _match_action(s: Session, staff: StaffUser, match_id: int, action: str) -> tuple[str, str]:
    match = queries.match_for_staff(s, staff, match_id)
    actor = audit.staff_actor(staff.username)
    child_id, child_name = match.child_id, match.child.chosen_name
    try:
        if action == "appoint":
            visitors.appoint(s, match_id, actor)
            return child_id, f"{match.visitor_name} is now appointed."
        visitors.withdraw(s, match_id, actor)
        return child_id, f"{match.visitor_name} was withdrawn."
    except MatchObjected:
        reason = f' Their reason: "{match.reason}"' if match.reason else ""
        raise _Refused(
            child_id,
            f"{match.visitor_name} cannot be appointed: {child_name} said no to this match.{reason}",
        ) from None
    except InvalidTransition as error:
        text = (
            f"{match.visitor_name} cannot be appointed yet: {child_name} has not said yes."
            if action == "appoint" and match.status == "proposed"
            else str(error)
        )
        raise _Refused(child_id, text) from None


class _Refused(Exception):
    def __init__(self, child_id: str, message: str) -> None:
        super().__init__(message)
        self.child_id = child_id
        self.message = message


async def _match_post(request: web.Request, action: str) -> web.Response:
    match_id = match_int(request, "match_id")
    try:
        child_id, message = await run_db(_match_action, request["staff"], match_id, action)
    except _Refused as refused:
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


def _statement(s: Session, staff: StaffUser, child_id: str, statement_id: int, fmt: str) -> dict[str, Any]:
    data = queries.statement_for_staff(s, staff, child_id, statement_id)
    audit.record(
        s,
        audit.staff_actor(staff.username),
        "export",
        "child",
        child_id,
        {"statement": statement_id, "format": fmt},
    )
    return data


@require("social_worker", "iro")
async def print_statement(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    data = await run_db(_statement, request["staff"], child_id, match_int(request, "statement_id"), "html")
    return render(request, "print.html", data)


@require("social_worker", "iro")
async def statement_pdf_page(request: web.Request) -> web.Response:
    child_id = request.match_info["child_id"]
    staff = request["staff"]
    data = await run_db(_statement, staff, child_id, match_int(request, "statement_id"), "pdf")
    loop = asyncio.get_running_loop()
    body = await loop.run_in_executor(None, statement_pdf, data, staff.display_name)
    filename = f"wishes-{child_id}-{data['statement']['id']}.pdf"
    return web.Response(
        body=body,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
