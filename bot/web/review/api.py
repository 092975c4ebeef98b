"""The read-only JSON API for a council's case-management system (``/review/api/v1/...``).

Authentication: ``Authorization: Bearer <token>``; tokens are made per staff member by an admin and stored
as HMACs only. The token's owner sees exactly what they would see in the review app (their caseload, the
child's sharing choice applied). Every pull of a child's record is audited (``read``; statements ``export``).
Described by the OpenAPI 3 document at ``/review/api/openapi.json`` (``bot.web.review.openapi``).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from bot.db.models import StaffUser
from bot.services import audit, queries
from bot.services.review_admin import staff_for_token
from bot.web.review.common import Handler, run_db
from bot.web.review.openapi import OPENAPI


def _json(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def respond(data: Any, status: int = 200) -> web.Response:
    return web.json_response(_json(data), status=status)


def _error(status: int, message: str) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="heard-review"'
    return response


@web.middleware
async def token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer-token authentication for ``/review/api/v1/``; the OpenAPI document is public."""
    if not request.path.startswith("/review/api/v1/"):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, "a bearer token is required")

    def load(s: Session) -> StaffUser | None:
        return staff_for_token(s, token.strip())

    staff = await run_db(load)
    if staff is None:
        return _error(401, "the token is not valid")
    request["staff"] = staff
    return await handler(request)


def _roles(request: web.Request, *roles: str) -> StaffUser:
    staff: StaffUser = request["staff"]
    if staff.role not in roles:
        raise web.HTTPNotFound()
    return staff


async def openapi_document(_request: web.Request) -> web.Response:
    return web.json_response(OPENAPI)


async def me(request: web.Request) -> web.Response:
    staff: StaffUser = request["staff"]
    return respond({"username": staff.username, "display_name": staff.display_name, "role": staff.role})


async def list_children(request: web.Request) -> web.Response:
    staff = _roles(request, "social_worker", "iro")

    def load(s: Session) -> list[dict[str, Any]]:
        rows = queries.caseload(s, staff)
        audit.record(s, audit.staff_actor(staff.username), "read", "caseload", staff.id, {"via": "api"})
        return [{k: v for k, v in row.items() if k != "last_viewed_at"} for row in rows]

    return respond({"children": await run_db(load)})


async def get_child(request: web.Request) -> web.Response:
    staff = _roles(request, "social_worker", "iro")
    child_id = request.match_info["child_id"]

    def load(s: Session) -> dict[str, Any]:
        record = queries.child_record(s, staff, child_id)
        audit.record(s, audit.staff_actor(staff.username), "read", "child", child_id, {"via": "api"})
        return record

    return respond(await run_db(load))


async def child_statements(request: web.Request) -> web.Response:
    staff = _roles(request, "social_worker", "iro")
    child_id = request.match_info["child_id"]

    def load(s: Session) -> list[dict[str, Any]]:
        child = queries.child_for_staff(s, staff, child_id)
        statements = queries.child_statements(s, child, staff.role)
        audit.record(
            s,
            audit.staff_actor(staff.username),
            "export",
            "child",
            child_id,
            {"via": "api", "statements": [st["id"] for st in statements]},
        )
        return statements

    return respond({"child_id": child_id, "statements": await run_db(load)})


async def statements_feed(request: web.Request) -> web.Response:
    staff = _roles(request, "social_worker", "iro")
    since_text = request.query.get("since")
    since = None
    if since_text:
        try:
            since = datetime.fromisoformat(since_text.replace("Z", "+00:00"))
        except ValueError:
            return _error(400, "since must be an ISO 8601 date-time")
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)

    def load(s: Session) -> list[dict[str, Any]]:
        statements = queries.statements_since(s, staff, since)
        by_child: dict[str, list[int]] = {}
        for st in statements:
            by_child.setdefault(st["child_id"], []).append(st["id"])
        for child_id, ids in by_child.items():
            audit.record(
                s,
                audit.staff_actor(staff.username),
                "export",
                "child",
                child_id,
                {"via": "api", "statements": ids},
            )
        return statements

    return respond({"statements": await run_db(load)})


async def list_referrals(request: web.Request) -> web.Response:
    staff = _roles(request, "advocacy")
    show = request.query.get("show", "open")
    if show not in ("open", "closed", "all"):
        return _error(400, "show must be open, closed or all")

    def load(s: Session) -> list[dict[str, Any]]:
        rows = queries.referral_queue(s, staff, show=show)
        actor = audit.staff_actor(staff.username)
        for row in rows:
            audit.record(s, actor, "read", "advocacy_referral", row["id"], {"via": "api"})
        return rows

    return respond({"referrals": await run_db(load)})


ROUTES = [
    ("GET", "/api/v1/me", me),
    ("GET", "/api/v1/children", list_children),
    ("GET", "/api/v1/children/{child_id}", get_child),
    ("GET", "/api/v1/children/{child_id}/statements", child_statements),
    ("GET", "/api/v1/statements", statements_feed),
    ("GET", "/api/v1/referrals", list_referrals),
]
