"""The review JSON API: bearer tokens, caseload limits, sharing choices, audit, and the OpenAPI document."""

from __future__ import annotations

import pytest

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services.api_tokens import create_token, scopes_for_role
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import SCRIPT, actor, audit_events


@pytest.fixture
def tokens(world, engine) -> dict[str, str]:
    """Each staff member's own token with every scope their role may have (only the owner makes a token)."""
    made = {}
    with session_scope(engine) as s:
        for username in ("sw.a", "sw.b", "iro.c", "adv.d"):
            owner = s.get(StaffUser, world.users[username])
            _, made[username] = create_token(s, owner, "test", list(scopes_for_role(owner.role)))
    return made


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_every_api_route_is_documented(client):
    from bot.web.review.openapi import OPENAPI

    documented = {(method.upper(), path) for path, ops in OPENAPI["paths"].items() for method in ops}
    routes = set()
    for route in client.app.router.routes():
        canonical = route.resource.canonical if route.resource else ""
        if canonical.startswith("/review/api/v1/") and route.method != "HEAD":
            routes.add((route.method, canonical.removeprefix("/review")))
    assert routes, "no API routes found"
    assert routes == documented
    served = await (await client.get("/review/api/openapi.json")).json()
    assert served["openapi"].startswith("3.") and served["paths"].keys() == OPENAPI["paths"].keys()


async def test_api_needs_a_valid_bearer_token(client, tokens):
    assert (await client.get("/review/api/v1/children")).status == 401
    bad = await client.get("/review/api/v1/children", headers=bearer("hrd_wrong"))
    assert bad.status == 401 and "Bearer" in bad.headers["WWW-Authenticate"]
    basic = await client.get("/review/api/v1/children", headers={"Authorization": "Basic " + tokens["sw.a"]})
    assert basic.status == 401
    ok = await client.get("/review/api/v1/children", headers=bearer(tokens["sw.a"]))
    assert ok.status == 200 and ok.headers["Cache-Control"] == "no-store"


async def test_api_caseload_and_cross_caseload_404(client, world, tokens):
    data = await (await client.get("/review/api/v1/children", headers=bearer(tokens["sw.b"]))).json()
    assert {c["id"] for c in data["children"]} == {world.ben, world.cy}
    for path in (f"/review/api/v1/children/{world.ada}", f"/review/api/v1/children/{world.ada}/statements"):
        response = await client.get(path, headers=bearer(tokens["sw.b"]))
        assert response.status == 404 and await response.json() == {"error": "not found"}


async def test_api_statements_apply_sharing_and_are_audited(client, world, tokens, engine):
    response = await client.get(
        f"/review/api/v1/children/{world.ada}/statements", headers=bearer(tokens["sw.a"])
    )
    statements = {st["id"]: st for st in (await response.json())["statements"]}
    assert statements[world.shared]["answers"][0]["answer"] == SCRIPT  # verbatim JSON
    assert statements[world.private]["visible"] is False and statements[world.private]["answers"] == []
    exports = audit_events(engine, actor=actor("sw.a"), action="export", entity_id=world.ada)
    assert len(exports) == 1 and '"via": "api"' in exports[0].detail
    record = await (
        await client.get(f"/review/api/v1/children/{world.ada}", headers=bearer(tokens["sw.a"]))
    ).json()
    assert record["child"]["chosen_name"] == "Ada" and record["matches"][0]["status"] == "objected"
    assert audit_events(engine, actor=actor("sw.a"), action="read", entity_id=world.ada)


async def test_api_statement_feed_since(client, world, tokens):
    feed = await (await client.get("/review/api/v1/statements", headers=bearer(tokens["iro.c"]))).json()
    assert [st["id"] for st in feed["statements"]] == [world.shared, world.private]
    later = await client.get(
        "/review/api/v1/statements?since=2999-01-01T00:00:00Z", headers=bearer(tokens["iro.c"])
    )
    assert (await later.json())["statements"] == []
    bad = await client.get("/review/api/v1/statements?since=yesterday", headers=bearer(tokens["iro.c"]))
    assert bad.status == 400


async def test_api_referrals_for_advocacy_only(client, world, tokens):
    data = await (await client.get("/review/api/v1/referrals", headers=bearer(tokens["adv.d"]))).json()
    ids = {r["id"] for r in data["referrals"]}
    assert {world.told, world.untold, world.anon} <= ids and world.elsewhere not in ids
    # A token has only the scopes its owner's role may give it (issue 13 item 6): another role's endpoint is
    # refused with 403 insufficient_scope (it was 404 before tokens had scopes).
    assert (await client.get("/review/api/v1/referrals", headers=bearer(tokens["sw.a"]))).status == 403
    assert (await client.get("/review/api/v1/children", headers=bearer(tokens["adv.d"]))).status == 403


async def test_api_ignores_session_cookies_and_csrf_is_not_needed_for_get(client, world, tokens):
    from tests.integration.test_review_support import login

    await login(client, "sw.a")
    assert (await client.get("/review/api/v1/children")).status == 401  # a browser session is not enough


def test_openapi_document_is_valid_json_schema_shape():
    from bot.web.review.openapi import OPENAPI

    for path, ops in OPENAPI["paths"].items():
        for op in ops.values():
            assert "200" in op["responses"] and op["operationId"], path
            for parameter in op.get("parameters", []):
                if parameter["in"] == "path":
                    assert "{" + parameter["name"] + "}" in path
