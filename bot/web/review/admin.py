"""Admin pages: staff accounts and roles, API tokens, council settings and the (read-only) audit trail.
Admins see no child's words."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp_session import get_session
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import AUDIT_ACTIONS, STAFF_ROLES, StaffUser
from bot.services import alerts, audit, queries, review_admin, staff as staff_service
from bot.services.errors import ServiceError
from bot.web.review.common import ROLE_LABELS, form_int, match_int, render, require, run_db

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 12


def _users(s: Session, admin: StaffUser) -> dict[str, Any]:
    users = queries.staff_list(s, admin.local_authority_id)
    tokens = review_admin.tokens_for(s, admin.local_authority_id)
    names = {u.id: u.username for u in users}
    return {
        "users": [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "active": u.active,
            }
            for u in users
        ],
        "tokens": [
            {
                "id": t.id,
                "username": names.get(t.staff_id, "?"),
                "label": t.label,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "revoked": t.revoked_at is not None,
            }
            for t in tokens
        ],
    }


async def _users_page(
    request: web.Request, *, error: str = "", status: int = 200, **extra: Any
) -> web.Response:
    data = await run_db(_users, request["staff"])
    session = await get_session(request)
    data.update(roles=ROLE_LABELS, error=error, flash=session.pop("flash", ""), **extra)
    return render(request, "admin_users.html", data, status)


@require("admin")
async def users_page(request: web.Request) -> web.Response:
    return await _users_page(request)


def _create(s: Session, admin: StaffUser, username: str, display_name: str, role: str, password: str) -> None:
    staff_service.create_staff(
        s,
        username=username,
        display_name=display_name,
        role=role,
        local_authority_id=admin.local_authority_id,
        password=password,
        actor=audit.staff_actor(admin.username),
    )


@require("admin")
async def create_user(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip().lower()
    display_name = str(form.get("display_name", "")).strip()[:200]
    role = str(form.get("role", ""))
    password = str(form.get("password", ""))
    problem = ""
    if not USERNAME.match(username):
        problem = "Usernames are 3 to 64 lowercase letters, digits, dots, dashes or underscores."
    elif not display_name:
        problem = "Enter the person's name."
    elif role not in STAFF_ROLES:
        problem = "Choose a role."
    elif len(password) < MIN_PASSWORD:
        problem = f"The first password must be at least {MIN_PASSWORD} characters."
    if problem:
        return await _users_page(request, error=problem, status=400)
    try:
        await run_db(_create, request["staff"], username, display_name, role, password)
    except IntegrityError:
        return await _users_page(request, error="That username is taken.", status=409)
    session = await get_session(request)
    session["flash"] = f"Account {username} created."
    raise web.HTTPSeeOther("/review/admin/users")


def _set_active(s: Session, admin: StaffUser, staff_id: int, active: bool) -> str:
    if staff_id == admin.id and not active:
        raise ServiceError("You cannot deactivate your own account.")
    user = review_admin.set_staff_active(
        s, staff_id, active, audit.staff_actor(admin.username), admin.local_authority_id
    )
    return user.username


@require("admin")
async def set_active(request: web.Request) -> web.Response:
    staff_id = match_int(request, "staff_id")
    form = await request.post()
    active = form.get("active") == "1"
    try:
        username = await run_db(_set_active, request["staff"], staff_id, active)
    except ServiceError as error:
        if type(error).__name__ == "NotFound":
            raise
        return await _users_page(request, error=str(error), status=409)
    session = await get_session(request)
    session["flash"] = f"Account {username} {'reactivated' if active else 'deactivated'}."
    raise web.HTTPSeeOther("/review/admin/users")


def _create_token(s: Session, admin: StaffUser, staff_id: int, label: str) -> tuple[str, str]:
    user = s.get(StaffUser, staff_id)
    if user is None or user.local_authority_id != admin.local_authority_id:
        from bot.services.errors import NotFound

        raise NotFound("no such staff user")
    _, token = review_admin.create_api_token(s, staff_id, label, audit.staff_actor(admin.username))
    return user.username, token


@require("admin")
async def create_token(request: web.Request) -> web.Response:
    staff_id = match_int(request, "staff_id")
    form = await request.post()
    username, token = await run_db(_create_token, request["staff"], staff_id, str(form.get("label", "")))
    return await _users_page(request, new_token=token, token_user=username)


@require("admin")
async def revoke_token(request: web.Request) -> web.Response:
    token_id = match_int(request, "token_id")
    admin = request["staff"]
    await run_db(
        review_admin.revoke_api_token, token_id, audit.staff_actor(admin.username), admin.local_authority_id
    )
    session = await get_session(request)
    session["flash"] = "Token revoked."
    raise web.HTTPSeeOther("/review/admin/users")


SETTING_FIELDS = [
    ("retention_days", "Keep records for (days)"),
    ("first_review_working_days", "First review within (working days of coming into care)"),
    ("second_review_months", "Second review within (months of the first)"),
    ("later_review_months", "Later reviews every (months)"),
    ("alert_escalation_minutes", "Escalate an unacknowledged safeguarding alert after (minutes)"),
]
NOTIFIER_LABELS = {
    "default": "As set up on the server (webhook and/or email, else the log)",
    "log": "Server log only",
    "webhook": "Webhook",
    "email": "Email",
    "webhook+email": "Webhook and email",
}


async def _settings_page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    admin = request["staff"]
    current = await run_db(review_admin.council_settings, admin.local_authority_id)
    session = await get_session(request)
    return render(
        request,
        "admin_settings.html",
        {
            "settings": current,
            "fields": SETTING_FIELDS,
            "limits": review_admin.SETTING_LIMITS,
            "notifiers": NOTIFIER_LABELS,
            "in_use": alerts.notification_targets(council_choice=current.notifier),
            "error": error,
            "flash": session.pop("flash", ""),
        },
        status,
    )


@require("admin")
async def settings_page(request: web.Request) -> web.Response:
    return await _settings_page(request)


@require("admin")
async def save_settings(request: web.Request) -> web.Response:
    form = await request.post()
    values: dict[str, object] = {"notifier": str(form.get("notifier", ""))}
    for name, label in SETTING_FIELDS:
        number = form_int(form.get(name))
        if number is None:
            return await _settings_page(request, error=f"{label}: enter a whole number.", status=400)
        values[name] = number
    admin = request["staff"]
    try:
        await run_db(
            lambda s: review_admin.update_council_settings(
                s, admin.local_authority_id, audit.staff_actor(admin.username), **values
            )
        )
    except ServiceError as error:
        return await _settings_page(request, error=str(error), status=400)
    session = await get_session(request)
    session["flash"] = "Settings saved."
    raise web.HTTPSeeOther("/review/admin/settings")


@require("admin")
async def audit_page(request: web.Request) -> web.Response:
    q = request.query
    filters = {
        "actor": q.get("actor", "").strip()[:100] or None,
        "entity_type": q.get("entity_type", "").strip()[:50] or None,
        "entity_id": q.get("entity_id", "").strip()[:64] or None,
        "action": q.get("action") if q.get("action") in AUDIT_ACTIONS else None,
    }
    before = form_int(q.get("before"))
    events = await run_db(lambda s: queries.audit_trail(s, **filters, before_id=before, limit=100))
    query_string = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "admin_audit.html",
        {
            "events": events,
            "filters": filters,
            "actions": AUDIT_ACTIONS,
            "next_before": events[-1]["id"] if len(events) == 100 else None,
            "query_string": query_string,
        },
    )
