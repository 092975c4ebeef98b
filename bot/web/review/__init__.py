"""The review app: social workers, IROs, the advocacy service, duty leads and admins act on what children
said. Mounted at ``/review/`` as an aiohttp sub-application; the JSON API is at ``/review/api/v1/`` and its
OpenAPI document at ``/review/api/openapi.json``. See docs/review-app.md."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import aiohttp_session
import jinja2
from aiohttp import web

from bot.web.review import admin, advocacy, api, auth, children, duty
from bot.web.review.common import (
    auth_middleware,
    context_processor,
    fmt_date,
    fmt_datetime,
    not_found_middleware,
)
from bot.web.review.security import csrf_middleware, headers_middleware, idle_middleware, session_storage

HERE = Path(__file__).resolve().parent

PAGES = [
    ("GET", "/", auth.home),
    ("GET", "/login", auth.login_page),
    ("POST", "/login", auth.login_submit),
    ("POST", "/logout", auth.logout),
    ("GET", "/children", children.caseload_page),
    ("GET", "/children/{child_id}", children.child_page),
    ("POST", "/children/{child_id}/code", children.issue_code),
    ("POST", "/children/{child_id}/matches", children.propose_match),
    ("GET", "/children/{child_id}/statements/{statement_id}/print", children.print_statement),
    ("GET", "/children/{child_id}/statements/{statement_id}/pdf", children.statement_pdf_page),
    ("POST", "/matches/{match_id}/appoint", children.appoint_match),
    ("POST", "/matches/{match_id}/withdraw", children.withdraw_match),
    ("GET", "/referrals", advocacy.queue_page),
    ("GET", "/referrals/{referral_id}", advocacy.referral_page),
    ("POST", "/referrals/{referral_id}/status", advocacy.change_status),
    ("GET", "/alerts", duty.alerts_page),
    ("POST", "/alerts/{alert_id}/acknowledge", duty.acknowledge),
    ("GET", "/admin/users", admin.users_page),
    ("POST", "/admin/users", admin.create_user),
    ("POST", "/admin/users/{staff_id}/active", admin.set_active),
    ("POST", "/admin/users/{staff_id}/tokens", admin.create_token),
    ("POST", "/admin/tokens/{token_id}/revoke", admin.revoke_token),
    ("GET", "/admin/settings", admin.settings_page),
    ("POST", "/admin/settings", admin.save_settings),
    ("GET", "/admin/audit", admin.audit_page),
    ("GET", "/api/openapi.json", api.openapi_document),
]


def create_review_app() -> web.Application:
    """The review sub-application (routes relative to ``/review``)."""
    review = web.Application(client_max_size=64 * 1024)
    review.middlewares.append(headers_middleware)
    aiohttp_session.setup(review, session_storage())
    review.middlewares.extend(
        [not_found_middleware, api.token_middleware, idle_middleware, csrf_middleware, auth_middleware]
    )
    aiohttp_jinja2.setup(
        review,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        context_processors=[context_processor],
        filters={"date": fmt_date, "datetime": fmt_datetime},
        undefined=jinja2.StrictUndefined,
    )
    for method, path, handler in PAGES + api.ROUTES:
        review.router.add_route(method, path, handler)
    review.router.add_static("/static/", HERE / "static", append_version=False)
    return review


def setup(app: web.Application) -> None:
    """Mount the review app (pages and JSON API) under ``/review/``."""
    app.add_subapp("/review/", create_review_app())
