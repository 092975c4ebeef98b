"""Refused reads are audited (issue 13 item 12, in part).

A member of staff who asks for a record they may not see gets the same 404 as for a record that does not
exist, and, since this change, leaves a ``refused_read`` audit event (``bot.usecases.review_reads``): the
staff actor, the kind of record and its id; the JSON API's with the token. Before, nothing was written, so
someone working through child ids or another council's referrals left no trace.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.db.models import AuditEvent, StaffUser
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import SCRIPT, actor, audit_events, login


def refusals(engine, username: str, **filters) -> list[AuditEvent]:
    return audit_events(engine, actor=actor(username), action="refused_read", **filters)


async def test_a_child_outside_the_caseload_is_refused_and_audited(client, world, engine):
    await login(client, "sw.b")
    response = await client.get(f"/review/children/{world.ada}")
    assert response.status == 404 and "Ada" not in await response.text()
    (event,) = refusals(engine, "sw.b", entity_type="child", entity_id=world.ada)
    assert not audit_events(engine, actor=actor("sw.b"), action="read", entity_id=world.ada)  # rolled back
    assert SCRIPT not in (event.detail or "") and "Nan" not in (event.detail or "")


async def test_a_child_that_does_not_exist_is_refused_the_same_way(client, world, engine):
    await login(client, "sw.b")
    foreign = await client.get(f"/review/children/{world.zed}")
    missing = await client.get("/review/children/c_doesnotexi")
    assert foreign.status == missing.status == 404
    assert (await foreign.text()).replace(world.zed, "X") == (await missing.text()).replace("c_doesnotexi", "X")
    assert refusals(engine, "sw.b", entity_id=world.zed) and refusals(engine, "sw.b", entity_id="c_doesnotexi")


async def test_the_printable_statement_of_another_child_is_refused_and_audited(client, world, engine):
    await login(client, "sw.b")  # (issue 18: the untagged PDF is gone; the print page is the printable statement)
    response = await client.get(f"/review/children/{world.ada}/statements/{world.shared}/print")
    assert response.status == 404
    events = refusals(engine, "sw.b", entity_type="child", entity_id=world.ada)
    assert [json.loads(e.detail)["format"] for e in events] == ["html"]
    assert not audit_events(engine, actor=actor("sw.b"), action="export")


async def test_changes_to_another_childs_record_are_refused_and_audited(client, world, engine):
    csrf = await login(client, "sw.b")
    for path, data in (
        (f"/review/children/{world.ada}/code", {}),
        (f"/review/children/{world.ada}/matches", {"visitor_name": "Jo", "kind": "mentor"}),
        (f"/review/children/{world.ada}/care-start", {"entered_care_on": "2026-01-05"}),
        (f"/review/matches/{world.match}/appoint", {}),
    ):
        response = await client.post(path, data={"_csrf": csrf, **data})
        assert response.status == 404, path
    assert len(refusals(engine, "sw.b", entity_type="child", entity_id=world.ada)) == 3
    assert refusals(engine, "sw.b", entity_type="visitor_match", entity_id=str(world.match))


async def test_another_councils_referral_is_refused_and_audited(client, world, engine):
    csrf = await login(client, "adv.d")
    assert (await client.get(f"/review/referrals/{world.elsewhere}")).status == 404
    closing = await client.post(
        f"/review/referrals/{world.elsewhere}/status", data={"_csrf": csrf, "to_status": "closed"}
    )
    assert closing.status == 404
    events = refusals(engine, "adv.d", entity_type="advocacy_referral", entity_id=str(world.elsewhere))
    assert len(events) == 2


async def test_another_councils_alert_is_refused_and_audited(client, world, engine):
    csrf = await login(client, "duty.e")
    response = await client.post(f"/review/alerts/{world.alert_zed}/acknowledge", data={"_csrf": csrf, "note": "x"})
    assert response.status == 404
    assert refusals(engine, "duty.e", entity_type="safeguarding_alert", entity_id=str(world.alert_zed))


async def test_another_roles_page_about_a_child_is_refused_and_audited(client, world, engine):
    await login(client, "duty.e")
    response = await client.get(f"/review/children/{world.ada}")
    assert response.status == 404 and "Ada" not in await response.text()
    (event,) = refusals(engine, "duty.e", entity_type="child", entity_id=world.ada)
    assert json.loads(event.detail) == {"because": "role"}


async def test_the_apis_refusals_are_audited_with_the_token(client, world, engine):
    from bot.db.engine import session_scope
    from bot.services.api_tokens import create_token

    with session_scope(engine) as s:
        row, token = create_token(s, s.get(StaffUser, world.users["sw.b"]), "cms", ["read:records", "read:statements"])
        token_id = row.id
    for path in (f"/review/api/v1/children/{world.ada}", f"/review/api/v1/children/{world.ada}/statements"):
        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status == 404 and await response.json() == {"error": "not found"}
    events = refusals(engine, "sw.b", entity_type="child", entity_id=world.ada)
    assert len(events) == 2
    assert all(json.loads(e.detail)["token_id"] == token_id for e in events)


async def test_a_refused_read_is_in_the_councils_audit_trail(client, world, engine):
    await login(client, "sw.b")
    await client.get(f"/review/children/{world.ada}")
    from sqlalchemy.orm import Session

    from bot.usecases.review_admin import read_audit_trail

    with Session(engine, future=True, expire_on_commit=False) as s:
        admin = s.execute(select(StaffUser).where(StaffUser.username == "admin.f")).scalar_one()
        s.expunge(admin)
    trail = read_audit_trail(admin, action="refused_read")
    assert [(e["actor"], e["entity_id"]) for e in trail] == [("staff:sw.b", world.ada)]
