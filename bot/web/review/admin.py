"""Admin pages: staff accounts and roles, their council's API tokens (list and revoke; only a token's owner
makes one), council settings, routing records of children not signed in that matched no council, and their
council's (read-only) audit trail. Admins see no child's words."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp_session import get_session
from sqlalchemy.exc import IntegrityError

from bot.db.models import AUDIT_ACTIONS, STAFF_ROLES
from bot.services import alerts
from bot.services.errors import ServiceError
from bot.services.review_admin import SETTING_LIMITS
from bot.usecases import review_admin as admin_cases
from bot.web.review.common import ROLE_LABELS, form_id, form_int, match_int, render, require, run_use_case

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 12


async def _users_page(
    request: web.Request, *, error: str = "", status: int = 200, **extra: Any
) -> web.Response:
    data = await run_use_case(admin_cases.read_accounts, request["staff"])
    session = await get_session(request)
    data.update(roles=ROLE_LABELS, error=error, flash=session.pop("flash", ""), **extra)
    return render(request, "admin_users.html", data, status)


@require("admin")
async def users_page(request: web.Request) -> web.Response:
    return await _users_page(request)


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
        await run_use_case(admin_cases.create_account, request["staff"], username, display_name, role, password)
    except IntegrityError:
        return await _users_page(request, error="That username is taken.", status=409)
    session = await get_session(request)
    session["flash"] = f"Account {username} created."
    raise web.HTTPSeeOther("/review/admin/users")


@require("admin")
async def set_active(request: web.Request) -> web.Response:
    staff_id = match_int(request, "staff_id")
    form = await request.post()
    active = form.get("active") == "1"
    try:
        username = await run_use_case(admin_cases.set_account_active, request["staff"], staff_id, active)
    except ServiceError as error:
        if type(error).__name__ == "NotFound":
            raise
        return await _users_page(request, error=str(error), status=409)
    session = await get_session(request)
    session["flash"] = f"Account {username} {'reactivated' if active else 'deactivated'}."
    raise web.HTTPSeeOther("/review/admin/users")


@require("admin")
async def revoke_token(request: web.Request) -> web.Response:
    token_id = match_int(request, "token_id")
    await run_use_case(admin_cases.revoke_api_token, request["staff"], token_id)
    session = await get_session(request)
    session["flash"] = "Token revoked."
    raise web.HTTPSeeOther("/review/admin/users")


SETTING_FIELDS = [
    ("retention_days", "Keep records of children not signed in for (days after their last change)"),
    ("first_review_working_days", "First review within (working days of coming into care)"),
    ("second_review_months", "Second review within (months of the first)"),
    ("later_review_months", "Later reviews every (months)"),
    ("alert_escalation_minutes", "Escalate an unacknowledged safeguarding alert after (minutes)"),
    ("complaint_ack_working_days", "Acknowledge a complaint within (working days)"),
    ("visitor_action_working_days", "Act on a visitor or mentor request within (working days)"),
]
NEW_NUMBER_FIELDS = ("complaint_ack_working_days", "visitor_action_working_days")
# Issue 15: where each team is told that something waits (an e-mail address or an https:// webhook address),
# and when a person reads what children send (bot.services.council_hours).
CONTACT_FIELDS = [
    ("advocacy_contact", "Advocacy service: e-mail or webhook"),
    ("iv_contact", "IV co-ordinator: e-mail or webhook"),
    ("complaints_contact", "Complaints contact: e-mail or webhook"),
    ("duty_contact", "Duty team (call-backs, deadlines passed): e-mail or webhook"),
    ("reading_hours", "Hours when a person reads what children send, on working days (for example 09:00-17:00)"),
]
NOTIFIER_LABELS = {
    "default": "As set up on the server (webhook and/or email, else the log)",
    "log": "Server log only",
    "webhook": "Webhook",
    "email": "Email",
    "webhook+email": "Webhook and email",
}


async def _settings_page(request: web.Request, *, error: str = "", status: int = 200) -> web.Response:
    current = await run_use_case(admin_cases.read_council_settings, request["staff"])
    session = await get_session(request)
    return render(
        request,
        "admin_settings.html",
        {
            "settings": current,
            "fields": SETTING_FIELDS,
            "contact_fields": CONTACT_FIELDS,
            "limits": SETTING_LIMITS,
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
        if name in NEW_NUMBER_FIELDS and name not in form:
            continue  # a form from before these settings existed: the current values stay
        number = form_int(form.get(name))
        if number is None:
            return await _settings_page(request, error=f"{label}: enter a whole number.", status=400)
        values[name] = number
    for name, _label in CONTACT_FIELDS:
        if name in form:
            values[name] = str(form.get(name, "")).strip()[:500]
    try:
        await run_use_case(admin_cases.save_council_settings, request["staff"], values)
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
    before = form_id(q.get("before"))
    events = await run_use_case(
        admin_cases.read_audit_trail, request["staff"], **filters, before_id=before, limit=100
    )
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


@require("admin")
async def unrouted_page(request: web.Request) -> web.Response:
    """Referrals and alerts of children not signed in that matched no council, to route (no child's words)."""
    data = await run_use_case(admin_cases.read_unrouted, request["staff"])
    session = await get_session(request)
    data["flash"] = session.pop("flash", "")
    return render(request, "admin_unrouted.html", data)


@require("admin")
async def route_record(request: web.Request) -> web.Response:
    record_id = match_int(request, "record_id")
    form = await request.post()
    council_id = form_id(form.get("council_id"))
    entity_type = request.match_info["entity_type"]
    if council_id is None:
        raise web.HTTPSeeOther("/review/admin/unrouted")
    await run_use_case(admin_cases.route_unrouted, request["staff"], entity_type, record_id, council_id)
    session = await get_session(request)
    session["flash"] = f"Sent {entity_type.replace('_', ' ')} {record_id} to the council you chose."
    raise web.HTTPSeeOther("/review/admin/unrouted")
