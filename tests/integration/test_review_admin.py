"""Admin pages: staff accounts, council settings, API tokens, the read-only audit trail."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.db.models import StaffUser
from bot.db.review_models import AuthoritySettings
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import PASSWORD, audit_events, csrf_of, login


async def test_only_admins_reach_admin_pages(client, world):
    await login(client, "sw.a")
    for path in ("/review/admin/users", "/review/admin/settings", "/review/admin/audit"):
        assert (await client.get(path)).status == 404, path


async def test_create_and_deactivate_staff(client, world, engine, aiohttp_client):
    token = await login(client, "admin.f")
    weak = await client.post(
        "/review/admin/users",
        data={
            "_csrf": token,
            "username": "sw.new",
            "display_name": "New",
            "role": "social_worker",
            "password": "short",
        },
    )
    assert weak.status == 400
    response = await client.post(
        "/review/admin/users",
        data={
            "_csrf": token,
            "username": "sw.new",
            "display_name": "New <Worker>",
            "role": "social_worker",
            "password": "a long first password",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await client.get("/review/admin/users")).text()
    assert "New &lt;Worker&gt;" in page
    taken = await client.post(
        "/review/admin/users",
        data={
            "_csrf": token,
            "username": "sw.new",
            "display_name": "X",
            "role": "iro",
            "password": "another long one",
        },
    )
    assert taken.status == 409
    with engine.connect() as conn:
        new_id = conn.execute(select(StaffUser.id).where(StaffUser.username == "sw.new")).scalar_one()
    off = await client.post(
        f"/review/admin/users/{new_id}/active", data={"_csrf": token, "active": "0"}, allow_redirects=False
    )
    assert off.status == 303
    with engine.connect() as conn:
        assert conn.execute(select(StaffUser.active).where(StaffUser.id == new_id)).scalar_one() is False
    own = await client.post(
        f"/review/admin/users/{world.users['admin.f']}/active", data={"_csrf": token, "active": "0"}
    )
    assert own.status == 409
    foreign = await client.post(
        f"/review/admin/users/{world.outsider}/active", data={"_csrf": token, "active": "0"}
    )
    assert foreign.status == 404
    assert audit_events(engine, actor="staff:admin.f", entity_type="staff_user", action="update")


async def test_settings_saved_and_validated(client, world, engine):
    token = await login(client, "admin.f")
    page = await (await client.get("/review/admin/settings")).text()
    assert 'value="15"' in page and 'value="20"' in page
    data = {
        "_csrf": token,
        "retention_days": "3650",
        "first_review_working_days": "20",
        "second_review_months": "3",
        "later_review_months": "6",
        "alert_escalation_minutes": "10",
        "notifier": "email",
    }
    bad = await client.post("/review/admin/settings", data={**data, "alert_escalation_minutes": "0"})
    assert bad.status == 400
    nan = await client.post("/review/admin/settings", data={**data, "retention_days": "lots"})
    assert nan.status == 400
    ok = await client.post("/review/admin/settings", data=data, allow_redirects=False)
    assert ok.status == 303
    with engine.connect() as conn:
        row = conn.execute(
            select(AuthoritySettings.__table__).where(AuthoritySettings.local_authority_id == world.la)
        ).one()
    assert (row.retention_days, row.alert_escalation_minutes, row.notifier) == (3650, 10, "email")
    assert row.updated_by == "staff:admin.f"
    assert audit_events(engine, entity_type="authority_settings")
    page = await (await client.get("/review/admin/settings")).text()
    assert "Now in use on this server: log." in page  # email chosen, but no mail server set up here


async def test_audit_trail_readable_and_filtered(client, world):
    await login(client, "sw.a")
    await client.get(f"/review/children/{world.ada}")
    await client.post("/review/logout", data={"_csrf": await csrf_of(client, "/review/children")})
    await login(client, "admin.f")
    page = await (await client.get("/review/admin/audit?actor=staff:sw.a&action=read")).text()
    assert f"child {world.ada}" in page
    assert "Nan" not in page and "he hurts me" not in page  # no child's words in the audit trail
    assert '<form method="post"' not in page.split("<main")[1].split("</main>")[0]  # nothing to edit


async def test_api_token_made_by_its_owner_shown_once_and_revoked_by_an_admin(client, world, engine):
    # Only the owner makes a token (issue 13 item 6); an admin lists and revokes. (Before, the admin made it.)
    token = await login(client, "sw.a")
    response = await client.post(
        "/review/tokens", data={"_csrf": token, "label": "CMS", "scope": "read:caseload", "days": "30"}
    )
    assert response.status == 200
    api_token = re.search(r"(hrd_[A-Za-z0-9_\-]+)", await response.text()).group(1)
    assert api_token not in await (await client.get("/review/tokens")).text()
    me = await client.get("/review/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    assert me.status == 200 and (await me.json())["username"] == "sw.a"
    with engine.connect() as conn:
        from bot.db.review_models import StaffApiToken

        token_id, stored = conn.execute(select(StaffApiToken.id, StaffApiToken.token_hash)).one()
    assert stored != api_token and api_token not in stored
    await client.post("/review/logout", data={"_csrf": await csrf_of(client, "/review/children")})
    admin_token = await login(client, "admin.f")
    assert api_token[:10] in await (await client.get("/review/admin/users")).text()
    revoke = await client.post(
        f"/review/admin/tokens/{token_id}/revoke", data={"_csrf": admin_token}, allow_redirects=False
    )
    assert revoke.status == 303
    again = await client.get("/review/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    assert again.status == 401


async def test_deactivated_user_cannot_sign_in(client, world):
    token = await login(client, "admin.f")
    await client.post(
        f"/review/admin/users/{world.users['sw.b']}/active", data={"_csrf": token, "active": "0"}
    )
    await client.post("/review/logout", data={"_csrf": await csrf_of(client, "/review/admin/users")})
    login_token = await csrf_of(client)
    refused = await client.post(
        "/review/login", data={"_csrf": login_token, "username": "sw.b", "password": PASSWORD}
    )
    assert refused.status == 401
