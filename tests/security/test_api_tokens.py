"""Attacks on the review API's bearer tokens (issue 13 item 6: "An admin can read children's words through
tokens they make for others").

Before the fix an admin made a token for a social worker on the Staff page, kept it, and read her caseload
and the children's words through the API, audited as her. Now only the owner makes a token, for themselves;
each token has scopes (each endpoint needs one) and an expiry (90 days unless chosen, at most 365); every audit
event a token's request causes names the token; the token is shown once and only its HMAC is stored.
"""

from __future__ import annotations

import json
import secrets
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from bot.db.models import AuditEvent, utcnow
from bot.db.review_models import StaffApiToken
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import SCRIPT, actor, audit_events, csrf_of, login

TOKEN_RE = re.compile(r"(hrd_[A-Za-z0-9_\-]+)")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def make_own_token(client, csrf: str, *scopes: str, days: str | None = None, label: str = "CMS") -> str:
    """Make a token on the signed-in staff member's own API tokens page; returns it (shown once)."""
    data: list[tuple[str, str]] = [("_csrf", csrf), ("label", label)] + [("scope", s) for s in scopes]
    if days is not None:
        data.append(("days", days))
    response = await client.post("/review/tokens", data=data)
    assert response.status == 200, await response.text()
    found = TOKEN_RE.search(await response.text())
    assert found, "the new token is shown once"
    return found.group(1)


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(StaffApiToken.__table__)).all()


# --- the attack: an admin makes a token for a social worker and reads her caseload as her ---------------------


async def test_an_admin_cannot_make_a_token_for_someone_else(client, world, engine):
    csrf = await login(client, "admin.f")
    response = await client.post(
        f"/review/admin/users/{world.users['sw.a']}/tokens", data={"_csrf": csrf, "label": "for sw.a"}
    )
    made = TOKEN_RE.search(await response.text())
    if made:  # the attack as it was: the admin reads Ada's words as her social worker
        read = await client.get(f"/review/api/v1/children/{world.ada}/statements", headers=bearer(made.group(1)))
        assert read.status != 200 and "Nan" not in await read.text(), "the admin read the child's words"
    assert response.status in (404, 405)
    assert _rows(engine) == []
    page = await (await client.get("/review/admin/users")).text()
    assert f"/review/admin/users/{world.users['sw.a']}/tokens" not in page  # no "New API token" form for others


async def test_an_admin_cannot_make_an_api_token_that_reads_children(client, world, engine):
    """Nor for themselves: an admin's only scope is writing the register (issue 15: a council's case system
    keeps the children's records up to date); admins see no child's words, so no read scope is offered or made."""
    csrf = await login(client, "admin.f")
    page = await (await client.get("/review/tokens")).text()
    assert "write:children" in page and "read:records" not in page and "read:statements" not in page
    for scope in ("read:records", "read:statements", "read:caseload"):
        await client.post("/review/tokens", data={"_csrf": csrf, "label": "x", "scope": scope})
    assert _rows(engine) == []


def test_the_token_service_only_makes_a_token_for_its_owner(session, world):
    """The one way to make a token takes the owner, and makes it for them: nobody can name someone else."""
    import inspect

    from bot.db.models import StaffUser
    from bot.services import api_tokens

    parameters = list(inspect.signature(api_tokens.create_token).parameters)
    assert parameters[:2] == ["s", "owner"] and "staff_id" not in parameters and "actor" not in parameters
    owner = session.get(StaffUser, world.users["sw.a"])
    row, _token = api_tokens.create_token(session, owner, "mine", ["read:caseload"])
    assert row.staff_id == owner.id and row.created_by == "staff:sw.a"


# --- scopes -------------------------------------------------------------------------------------------------


async def test_each_endpoint_needs_its_scope(client, world, engine):
    csrf = await login(client, "sw.a")
    caseload_only = await make_own_token(client, csrf, "read:caseload")
    listing = await client.get("/review/api/v1/children", headers=bearer(caseload_only))
    assert listing.status == 200
    for path in (
        f"/review/api/v1/children/{world.ada}",
        f"/review/api/v1/children/{world.ada}/statements",
        "/review/api/v1/statements",
    ):
        response = await client.get(path, headers=bearer(caseload_only))
        assert response.status == 403, path
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
        assert SCRIPT not in await response.text() and "Nan" not in await response.text()
    assert not audit_events(engine, actor=actor("sw.a"), action="export")
    assert not audit_events(engine, actor=actor("sw.a"), action="read", entity_type="child")
    refusals = audit_events(engine, actor=actor("sw.a"), action="refused_read", entity_type="api_endpoint")
    assert len(refusals) == 3


async def test_a_staff_member_cannot_give_a_token_a_scope_their_role_lacks(client, world, engine):
    csrf = await login(client, "adv.d")
    for scope in ("read:records", "read:statements", "read:caseload", "write:everything"):
        response = await client.post("/review/tokens", data={"_csrf": csrf, "scope": scope})
        assert response.status == 400, scope
        assert not TOKEN_RE.search(await response.text())
    no_scope = await client.post("/review/tokens", data={"_csrf": csrf})
    assert no_scope.status == 400
    assert _rows(engine) == []


def test_every_api_route_declares_its_scope():
    """Deny by default: a route missing from SCOPE_OF is refused, and every scope is one a role can have."""
    from bot.services.api_tokens import ROLE_SCOPES, SCOPES
    from bot.web.review.api import ROUTES
    from bot.web.review.openapi import OPENAPI, SCOPE_OF

    assert {path for _method, path, _handler in ROUTES} == set(SCOPE_OF)
    assert {scope for scope in SCOPE_OF.values() if scope} <= set(SCOPES)
    assert {scope for scopes in ROLE_SCOPES.values() for scope in scopes} <= set(SCOPES)
    for path, operations in OPENAPI["paths"].items():
        for operation in operations.values():
            wanted = [SCOPE_OF[path]] if SCOPE_OF[path] else []
            assert operation["security"] == [{"bearerAuth": wanted}], path


async def test_an_undeclared_api_route_is_refused(world, engine, aiohttp_client):
    """A route added under /review/api/v1/ without a scope in SCOPE_OF (a careless change) is refused."""
    from aiohttp import web

    from bot.db.engine import session_scope
    from bot.db.models import StaffUser
    from bot.services.api_tokens import create_token
    from bot.web.review import setup

    async def careless(_request: web.Request) -> web.Response:
        return web.json_response({"words": "secret"})

    app = web.Application()
    setup(app)
    app.router.add_get("/review/api/v1/careless", careless)
    client = await aiohttp_client(app)
    with session_scope(engine) as s:
        _, token = create_token(s, s.get(StaffUser, world.users["sw.a"]), "t", ["read:caseload", "read:records"])
    response = await client.get("/review/api/v1/careless", headers=bearer(token))
    assert response.status == 403 and "secret" not in await response.text()


# --- expiry -------------------------------------------------------------------------------------------------


async def test_a_token_expires_after_90_days_unless_chosen_and_never_after_more_than_365(client, world, engine):
    csrf = await login(client, "sw.a")
    await make_own_token(client, csrf, "read:caseload", days="")
    await make_own_token(client, csrf, "read:caseload", days="365")
    for days in ("366", "0", "-5", "10000", "lots"):
        refused = await client.post("/review/tokens", data={"_csrf": csrf, "scope": "read:caseload", "days": days})
        assert refused.status == 400, days
    rows = sorted(_rows(engine), key=lambda r: r.id)
    assert len(rows) == 2
    lasts = [(row.expires_at - row.created_at) for row in rows]
    assert timedelta(days=89, hours=23) < lasts[0] <= timedelta(days=90)
    assert timedelta(days=364, hours=23) < lasts[1] <= timedelta(days=365)


async def test_an_expired_token_stops_working(client, world, engine):
    csrf = await login(client, "sw.a")
    token = await make_own_token(client, csrf, "read:caseload")
    assert (await client.get("/review/api/v1/children", headers=bearer(token))).status == 200
    with engine.begin() as conn:
        conn.execute(update(StaffApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = await client.get("/review/api/v1/children", headers=bearer(token))
    assert expired.status == 401
    assert (await client.get("/review/api/v1/me", headers=bearer(token))).status == 401


def test_a_token_row_written_without_an_expiry_is_already_expired(session, world):
    """Fail closed: a row inserted without ``expires_at`` (by hand, or a careless change) takes 1970."""
    from bot.services.api_tokens import _token_hash, grant_for_token

    session.execute(
        text(
            "INSERT INTO staff_api_tokens (staff_id, label, token_hash, prefix, created_by, created_at, scopes) "
            "VALUES (:staff, 'x', :hash, 'hrd_xxxxxx', 'staff:sw.a', :now, 'read:caseload')"
        ),
        {"staff": world.users["sw.a"], "hash": _token_hash("hrd_no-expiry"), "now": utcnow().replace(tzinfo=None)},
    )
    assert grant_for_token(session, "hrd_no-expiry") is None


# --- the token's id in every audit event its requests cause --------------------------------------------------


async def test_every_audit_event_of_a_token_request_names_the_token(client, world, engine):
    csrf = await login(client, "sw.a")
    token = await make_own_token(client, csrf, "read:caseload", "read:records", "read:statements")
    with engine.connect() as conn:
        token_id = conn.execute(select(StaffApiToken.id)).scalar_one()
        first = conn.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc())).scalars().first()
    for path in (
        "/review/api/v1/children",
        f"/review/api/v1/children/{world.ada}",
        f"/review/api/v1/children/{world.ada}/statements",
        "/review/api/v1/statements",
        f"/review/api/v1/children/{world.ben}",  # not hers: refused, and audited with the token too
    ):
        await client.get(path, headers=bearer(token))
    with engine.connect() as conn:
        events = conn.execute(select(AuditEvent).where(AuditEvent.id > first)).all()
    assert len(events) >= 5
    for event in events:
        detail = json.loads(event.detail)
        assert detail["via"] == "api" and detail["token_id"] == token_id, event
        assert event.actor == "staff:sw.a"
    assert {e.action for e in events} == {"read", "export", "refused_read"}


# --- stored and shown -----------------------------------------------------------------------------------------


async def test_the_token_is_shown_once_and_only_its_hmac_is_stored(client, world, engine):
    csrf = await login(client, "sw.a")
    token = await make_own_token(client, csrf, "read:caseload")
    (row,) = _rows(engine)
    assert token not in json.dumps([str(v) for v in row])
    assert row.token_hash != token and len(row.token_hash) == 64 and row.prefix == token[:10]
    assert token[10:] not in (await (await client.get("/review/tokens")).text())
    with engine.connect() as conn:
        details = " ".join(d or "" for d in conn.execute(select(AuditEvent.detail)).scalars())
    assert token not in details and token[10:20] not in details


async def test_a_token_made_under_another_secret_key_does_not_work(client, world, engine, monkeypatch):
    csrf = await login(client, "sw.a")
    token = await make_own_token(client, csrf, "read:caseload")
    monkeypatch.setenv("HEARD_SECRET_KEY", secrets.token_hex(32))
    assert (await client.get("/review/api/v1/children", headers=bearer(token))).status == 401


async def test_a_staff_member_cannot_revoke_or_see_anyone_elses_token(client, world, engine):
    csrf = await login(client, "sw.a")
    await make_own_token(client, csrf, "read:caseload")
    (row,) = _rows(engine)
    await client.post("/review/logout", data={"_csrf": await csrf_of(client, "/review/tokens")})
    other = await login(client, "sw.b")
    assert row.prefix not in await (await client.get("/review/tokens")).text()
    refused = await client.post(f"/review/tokens/{row.id}/revoke", data={"_csrf": other})
    assert refused.status == 404
    assert _rows(engine)[0].revoked_at is None
    assert (await client.post(f"/review/admin/tokens/{row.id}/revoke", data={"_csrf": other})).status == 404


async def test_an_admin_of_another_council_cannot_revoke_a_token(client, world, engine, session):
    from bot.db.models import StaffUser
    from bot.services import staff

    other_admin = StaffUser(
        username="admin.other", display_name="Other admin", role="admin", local_authority_id=world.other_la,
        password_hash=staff.hash_password("correct horse battery"),
    )
    session.add(other_admin)
    session.commit()
    csrf = await login(client, "sw.a")
    await make_own_token(client, csrf, "read:caseload")
    (row,) = _rows(engine)
    from bot.db.engine import session_scope
    from bot.services.errors import NotFound
    from bot.usecases.review_admin import revoke_api_token

    with session_scope(engine) as s:
        outsider = s.get(StaffUser, other_admin.id)
    with pytest.raises(NotFound):
        revoke_api_token(outsider, row.id)
    assert _rows(engine)[0].revoked_at is None


async def test_a_deactivated_owners_token_stops_working(client, world, engine):
    from bot.db.models import StaffUser

    csrf = await login(client, "sw.a")
    token = await make_own_token(client, csrf, "read:caseload")
    with engine.begin() as conn:
        conn.execute(update(StaffUser).where(StaffUser.username == "sw.a").values(active=False))
    assert (await client.get("/review/api/v1/children", headers=bearer(token))).status == 401


async def test_a_bearer_token_opens_no_review_page(client, world, engine):
    csrf = await login(client, "sw.a")
    token = await make_own_token(client, csrf, "read:caseload", "read:records")
    client.session.cookie_jar.clear()
    page = await client.get(f"/review/children/{world.ada}", headers=bearer(token), allow_redirects=False)
    assert page.status == 303 and page.headers["Location"].startswith("/review/login")


# --- migration 0007: tokens made before it (by admins, for others) are revoked ---------------------------------


def test_migration_0007_revokes_every_token_made_before_it(db_url):
    from bot.db.engine import get_engine
    from bot.db.migrate import upgrade

    upgrade(db_url, "0006")
    engine = get_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO local_authorities (id, name, created_at) VALUES (1, 'C', '2026-01-01')"))
        conn.execute(
            text(
                "INSERT INTO staff_users (id, username, display_name, role, local_authority_id, active, created_at)"
                " VALUES (1, 'sw.x', 'X', 'social_worker', 1, :t, '2026-01-01')"
            ),
            {"t": True},
        )
        conn.execute(
            text(
                "INSERT INTO staff_api_tokens (staff_id, label, token_hash, prefix, created_by, created_at)"
                " VALUES (1, 'made by an admin', :h, 'hrd_abcdef', 'staff:admin.f', '2026-01-02')"
            ),
            {"h": "a" * 64},
        )
    upgrade(db_url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT revoked_at, scopes FROM staff_api_tokens")).one()
    assert row.revoked_at is not None and row.scopes == ""
