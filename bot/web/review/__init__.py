"""The review app: social workers, IROs, the advocacy service, duty leads and admins act on what children
said. Mounted at ``/review/`` on the main aiohttp application; the JSON API is at ``/review/api/v1/`` and its
OpenAPI document at ``/review/api/openapi.json``. See docs/review-app.md."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp_jinja2
import aiohttp_session
import jinja2
from aiohttp import web

from bot.services.read_models.plain_words import actor_words, long_date
from bot.vocabulary import audiences_list
from bot.web.review import account, admin, advocacy, api, auth, children, concerns, duty, tokens, visitors
from bot.web.review import retention as retention_pages
from bot.web.review import register as child_register_pages
from bot.web.review import staff_referral
from bot.web.review import iro
from bot.web.review import teams as team_queues
from bot.web.review.common import (
    JINJA_KEY,
    auth_middleware,
    csrf_middleware,
    fmt_date,
    fmt_datetime,
    fmt_datetime_seconds,
    refusal_middleware,
)
from bot.web.review.security import Handler, headers_middleware, idle_middleware, session_storage

HERE = Path(__file__).resolve().parent

PAGES = [
    ("GET", "/", auth.home),
    ("GET", "/login", auth.login_page),
    ("POST", "/login", auth.login_submit),
    ("GET", "/login/code", auth.code_page),
    ("POST", "/login/code", auth.code_submit),
    ("GET", "/login/enrol", auth.enrol_page),
    ("POST", "/login/enrol", auth.enrol_submit),
    ("POST", "/logout", auth.logout),
    ("GET", "/account", account.account_page),
    ("POST", "/account/password", account.password_submit),
    ("POST", "/account/recovery-codes", account.recovery_codes_submit),
    ("POST", "/account/notify-email", account.notify_email_submit),
    ("GET", "/children", children.caseload_page),
    ("GET", "/children/{child_id}", children.child_page),
    ("POST", "/children/{child_id}/code", children.issue_code),
    ("POST", "/children/{child_id}/codes/{code_id}/end", children.end_code),
    ("POST", "/children/{child_id}/matches", children.propose_match),
    ("POST", "/children/{child_id}/reviews", children.record_review),
    ("POST", "/children/{child_id}/care-start", children.set_care_start),
    ("POST", "/children/{child_id}/referrals", staff_referral.refer_child),
    ("POST", "/children/{child_id}/statements/{statement_id}/plan", iro.mark_plan),
    ("GET", "/iro", iro.panel_page),
    ("GET", "/children/{child_id}/statements/{statement_id}/print", children.print_statement),
    ("POST", "/matches/{match_id}/appoint", children.appoint_match),
    ("POST", "/matches/{match_id}/withdraw", children.withdraw_match),
    ("GET", "/register", child_register_pages.register_page),
    ("POST", "/register", child_register_pages.create_child),
    ("GET", "/register/new", child_register_pages.new_child_page),
    ("GET", "/register/import", child_register_pages.import_page),
    ("POST", "/register/import", child_register_pages.import_submit),
    ("GET", "/register/{child_id}", child_register_pages.edit_child_page),
    ("POST", "/register/{child_id}", child_register_pages.update_child),
    ("GET", "/referrals", advocacy.queue_page),
    ("GET", "/referrals/{referral_id}", advocacy.referral_page),
    ("POST", "/referrals/{referral_id}/status", advocacy.change_status),
    ("GET", "/alerts", duty.alerts_page),
    ("GET", "/alerts/{alert_id}", duty.alert_page),
    ("POST", "/alerts/{alert_id}/acknowledge", duty.acknowledge),
    ("POST", "/alerts/{alert_id}/restrict", duty.restrict),
    ("GET", "/visitor-requests", team_queues.visitor_requests_page),
    ("GET", "/visitor-requests/{request_id}", team_queues.visitor_request_page),
    ("GET", "/anonymous", team_queues.anonymous_page),
    ("GET", "/complaints", team_queues.complaints_page),
    ("GET", "/complaints/{complaint_id}", team_queues.complaint_page),
    ("POST", "/complaints/{complaint_id}/status", team_queues.complaint_status),
    ("GET", "/concerns", concerns.concerns_page),
    ("POST", "/concerns/{concern_id}/reviewed", concerns.mark_reviewed),
    ("GET", "/admin/users", admin.users_page),
    ("POST", "/admin/users", admin.create_user),
    ("POST", "/admin/users/{staff_id}/active", admin.set_active),
    ("POST", "/admin/tokens/{token_id}/revoke", admin.revoke_token),
    ("GET", "/admin/unrouted", admin.unrouted_page),
    ("POST", "/admin/unrouted/{entity_type}/{record_id}/route", admin.route_record),
    ("GET", "/tokens", tokens.tokens_page),
    ("POST", "/tokens", tokens.create_token),
    ("POST", "/tokens/{token_id}/revoke", tokens.revoke_token),
    ("GET", "/admin/settings", admin.settings_page),
    ("POST", "/admin/settings", admin.save_settings),
    ("GET", "/admin/audit", admin.audit_page),
    ("GET", "/admin/retention", retention_pages.policy_page),
    ("POST", "/admin/retention", retention_pages.save_policy),
    ("GET", "/admin/children/{child_id}/data", retention_pages.child_page),
    ("GET", "/admin/children/{child_id}/export", retention_pages.export),
    ("POST", "/admin/children/{child_id}/holds", retention_pages.place_hold),
    ("POST", "/admin/children/{child_id}/holds/{hold_id}/release", retention_pages.release_hold),
    ("POST", "/admin/children/{child_id}/erase", retention_pages.erase),
    ("GET", "/api/openapi.json", api.openapi_document),
]


PREFIX = "/review"


def scoped(prefix: str, chain: list[Callable[..., Awaitable[web.StreamResponse]]]) -> Callable[..., Any]:
    """One middleware running ``chain`` (outermost first) for paths under ``prefix`` only, so the review app's
    sessions, CSRF checks and headers never touch the chat widget or audio routes of the same server.

    (Routes are registered on the main app rather than an ``add_subapp`` sub-application because aiohttp
    3.9.5's prefixed sub-app resolution builds ``request.url``, which yarl 1.25 refuses for a Host header
    with a port.)"""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != prefix and not request.path.startswith(prefix + "/"):
            return await handler(request)
        call: Handler = handler
        for outer in reversed(chain):
            call = functools.partial(_call, outer, call)
        return await call(request)

    return middleware


async def _call(middleware: Callable[..., Any], handler: Handler, request: web.Request) -> web.StreamResponse:
    return await middleware(request, handler)


@web.middleware
async def isolate_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Hide the review session from any other session middleware of the server (e.g. the chat widget's),
    so it is never saved into another cookie."""
    request.pop(aiohttp_session.SESSION_KEY, None)
    try:
        return await handler(request)
    finally:
        request.pop(aiohttp_session.SESSION_KEY, None)


async def _to_home(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(PREFIX + "/")


def setup(app: web.Application) -> None:
    """Mount the review app (pages, JSON API, OpenAPI document, static files) under ``/review/``."""
    aiohttp_jinja2.setup(
        app,
        app_key=JINJA_KEY,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        filters={
            "date": fmt_date,
            "datetime": fmt_datetime,
            "audiences": audiences_list,  # share_with|audiences (staff voice), |audiences("statement")
            "datetime_s": fmt_datetime_seconds,
            "who": actor_words,  # "staff:duty.erin" -> "duty.erin"; a child or the system in words
            "long_date": long_date,  # "Saturday 12 December 2026"
        },
    )
    chain = [
        headers_middleware,
        isolate_session,
        aiohttp_session.session_middleware(session_storage()),
        refusal_middleware,
        api.token_middleware,
        idle_middleware,
        csrf_middleware,
        auth_middleware,
    ]
    app.middlewares.append(scoped(PREFIX, chain))
    app.router.add_get(PREFIX, _to_home)
    for method, path, handler in PAGES + visitors.PAGES + api.ROUTES:
        app.router.add_route(method, PREFIX + path, handler)
    app.router.add_static(PREFIX + "/static/", HERE / "static", append_version=False)
