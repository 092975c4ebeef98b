"""The read-only JSON API for a council's case-management system (``/review/api/v1/...``).

Authentication: ``Authorization: Bearer <token>``. A staff member makes their own tokens (API tokens page;
``bot.services.api_tokens``): stored as HMACs only, with scopes and an expiry. Each endpoint needs the scope
``openapi.SCOPE_OF`` names (a route missing from it is refused: deny by default); a token without it gets
403 ``insufficient_scope``, audited as a ``refused_read``. The token's owner sees at most what they would see
in the review app (their caseload, the child's sharing choice applied). Every pull of a child's record is
audited (``read``; statements ``export``) with the token's id. Described by the OpenAPI 3 document at
``/review/api/openapi.json`` (``bot.web.review.openapi``).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from aiohttp import web

from bot.db.models import StaffUser
from bot.services.input_bounds import day_in_range, out_of_range_words
from bot.usecases.child_register import REGISTER_ROLES, put_child
from bot.usecases.review_caseload import read_caseload
from bot.usecases.review_child_record import export_child_statements, export_statements_since, read_child_record
from bot.usecases.review_queues import read_referral_queue
from bot.usecases.review_api_tokens import grant_for_bearer
from bot.usecases.review_reads import Asked, Via, api, refused
from bot.web.review.common import Handler, run_use_case
from bot.web.review.openapi import OPENAPI, SCOPE_OF


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


def _error(status: int, message: str, scope: str | None = None) -> web.Response:
    response = web.json_response({"error": message}, status=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="heard-review"'
    elif status == 403:
        response.headers["WWW-Authenticate"] = (
            f'Bearer realm="heard-review", error="insufficient_scope", scope="{scope}"'
        )
    return response


def _endpoint(request: web.Request) -> str | None:
    """The route's path as in ``SCOPE_OF`` (``/api/v1/children/{child_id}``), or None."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else ""
    return canonical.removeprefix("/review") if canonical.startswith("/review/api/v1/") else None


@web.middleware
async def token_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bearer-token authentication for ``/review/api/v1/``; the OpenAPI document is public."""
    if not request.path.startswith("/review/api/v1/"):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, "a bearer token is required")
    grant = await run_use_case(grant_for_bearer, token.strip())
    if grant is None:
        return _error(401, "the token is not valid")
    endpoint = _endpoint(request)
    needed = SCOPE_OF.get(endpoint, "undeclared") if endpoint else None  # no route: the handler's 404
    if needed is not None and needed not in grant.scopes:
        asked = Asked("api_endpoint", endpoint, {"scope": needed, **request.match_info})
        await run_use_case(refused, grant.staff, asked, api(grant.token_id))
        return _error(403, "insufficient_scope", needed)
    request["staff"] = grant.staff
    request["via"] = api(grant.token_id)
    return await handler(request)


def _via(request: web.Request) -> Via:
    via: Via = request["via"]
    return via


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
    rows = await run_use_case(read_caseload, staff, _via(request))
    return respond({"children": [{k: v for k, v in row.items() if k != "last_viewed_at"} for row in rows]})


async def get_child(request: web.Request) -> web.Response:
    staff = _roles(request, "social_worker", "iro")
    child_id = request.match_info["child_id"]
    return respond(await run_use_case(read_child_record, staff, child_id, _via(request)))


async def child_statements(request: web.Request) -> web.Response:
    staff = _roles(request, "social_worker", "iro")
    child_id = request.match_info["child_id"]
    statements = await run_use_case(export_child_statements, staff, child_id, _via(request))
    return respond({"child_id": child_id, "statements": statements})


async def statements_feed(request: web.Request) -> web.Response:
    staff = _roles(request, "social_worker", "iro")
    since_text = request.query.get("since")
    since = None
    if since_text:
        try:
            since = datetime.fromisoformat(since_text.replace("Z", "+00:00"))
        except ValueError:
            return _error(400, "since must be an ISO 8601 date-time")
        if not day_in_range(since.date()):
            return _error(400, f"since must be {out_of_range_words()}")
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
    return respond({"statements": await run_use_case(export_statements_since, staff, since, _via(request))})


async def list_referrals(request: web.Request) -> web.Response:
    staff = _roles(request, "advocacy")
    show = request.query.get("show", "open")
    if show not in ("open", "closed", "all"):
        return _error(400, "show must be open, closed or all")
    return respond({"referrals": await run_use_case(read_referral_queue, staff, show, _via(request))})


async def put_register_child(request: web.Request) -> web.Response:
    """Add or change a child of the token owner's council by the council's own id (idempotent)."""
    staff = _roles(request, *REGISTER_ROLES)
    external_id = request.match_info["external_id"]
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return respond({"error": "the body must be a JSON object", "fields": {}}, 400)
    saved = await run_use_case(put_child, staff, external_id, body, _via(request))
    if saved.errors:
        return respond({"error": "invalid", "fields": saved.errors}, 400)
    result = {"child_id": saved.child_id, "external_id": external_id, "created": saved.created,
              "changed": saved.changed}
    return respond(result, 201 if saved.created else 200)


ROUTES = [
    ("GET", "/api/v1/me", me),
    ("GET", "/api/v1/children", list_children),
    ("GET", "/api/v1/children/{child_id}", get_child),
    ("GET", "/api/v1/children/{child_id}/statements", child_statements),
    ("GET", "/api/v1/statements", statements_feed),
    ("GET", "/api/v1/referrals", list_referrals),
    ("PUT", "/api/v1/register/{external_id}", put_register_child),
]
