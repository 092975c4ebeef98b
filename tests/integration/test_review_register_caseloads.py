"""A social worker keeps only their own caseload's register entries and never moves a child between caseloads
(``bot.services.register_keepers``), by the form, a CSV import or the API; an admin does. Before, a social worker
could post another worker's child's entry with themself as social worker (303) and then read the child's record
and make sign-in codes."""

from __future__ import annotations

from aiohttp import FormData
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import Child, StaffUser
from bot.services.api_tokens import create_token, scopes_for_role
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import actor, audit_events, login

ADA_ENTRY = {"chosen_name": "Ada", "external_id": "LCS-ADA", "age_band": "11-13", "iro": "iro.c",
             "social_worker": "sw.a"}


def _child(engine, child_id: str) -> Child:
    with Session(engine, future=True, expire_on_commit=False) as s:
        return s.get(Child, child_id)


def _with_external_id(engine, world) -> None:
    with session_scope(engine) as s:
        s.execute(update(Child).where(Child.id == world.ada).values(external_id="LCS-ADA"))


def _token(engine, world, username: str) -> str:
    with session_scope(engine) as s:
        owner = s.get(StaffUser, world.users[username])
        return create_token(s, owner, "test", list(scopes_for_role(owner.role)))[1]


async def test_a_social_worker_cannot_take_another_workers_child(client, world, engine):
    _with_external_id(engine, world)
    token = await login(client, "sw.b")
    taken = await client.post(f"/review/register/{world.ada}", allow_redirects=False,
                              data={"_csrf": token, **ADA_ENTRY, "social_worker": "sw.b"})
    assert taken.status == 404
    assert _child(engine, world.ada).social_worker_id == world.users["sw.a"]
    assert (await client.get(f"/review/register/{world.ada}")).status == 404
    assert "Ada" not in await (await client.get("/review/register")).text()  # their own caseload only
    assert (await client.get(f"/review/children/{world.ada}")).status == 404
    assert (await client.post(f"/review/children/{world.ada}/code", data={"_csrf": token})).status == 404
    refused = audit_events(engine, actor=actor("sw.b"), action="refused_read", entity_id=world.ada)
    assert refused and '"change": "register"' in refused[0].detail
    data = FormData()
    data.add_field("_csrf", token)
    data.add_field("file", b"external_id,chosen_name,social_worker\nLCS-ADA,Ada,sw.b\n", filename="c.csv",
                   content_type="text/csv")
    imported = await client.post("/review/register/import", data=data)
    assert imported.status == 400 and "LCS-ADA is not a child on your caseload" in await imported.text()
    api = await client.put("/review/api/v1/register/LCS-ADA", json={"social_worker": "sw.b"},
                           headers={"Authorization": f"Bearer {_token(engine, world, 'sw.b')}"})
    assert api.status == 404
    assert _child(engine, world.ada).social_worker_id == world.users["sw.a"]


async def test_a_social_worker_never_names_a_childs_social_worker(client, world, engine):
    _with_external_id(engine, world)
    token = await login(client, "sw.a")
    form = await (await client.get(f"/review/register/{world.ada}")).text()
    assert 'name="social_worker" value="sw.a"' in form and "Only an administrator" in form
    moved = await client.post(f"/review/register/{world.ada}", data={"_csrf": token, **ADA_ENTRY,
                                                                     "social_worker": "sw.b"})
    assert moved.status == 403 and "only an administrator" in await moved.text()
    assert _child(engine, world.ada).social_worker_id == world.users["sw.a"]
    refused = audit_events(engine, actor=actor("sw.a"), action="refused_read", entity_id=world.ada)
    assert refused and '"change": "register"' in refused[-1].detail
    added = await client.post("/review/register", data={"_csrf": token, "chosen_name": "Noor", "age_band": "8-10",
                                                        "social_worker": "sw.b"})
    assert added.status == 403
    kept = await client.post(f"/review/register/{world.ada}", allow_redirects=False,
                             data={"_csrf": token, **ADA_ENTRY, "placement_type": "foster"})
    assert kept.status == 303 and _child(engine, world.ada).placement_type == "foster"  # own child, same worker
    api = await client.put("/review/api/v1/register/LCS-ADA", json={"social_worker": "sw.b"},
                           headers={"Authorization": f"Bearer {_token(engine, world, 'sw.a')}"})
    assert api.status == 403
    assert _child(engine, world.ada).social_worker_id == world.users["sw.a"]


async def test_an_admin_moves_a_child_between_caseloads(client, world, engine):
    _with_external_id(engine, world)
    token = await login(client, "admin.f")
    moved = await client.post(f"/review/register/{world.ada}", allow_redirects=False,
                              data={"_csrf": token, **ADA_ENTRY, "social_worker": "sw.b"})
    assert moved.status == 303 and _child(engine, world.ada).social_worker_id == world.users["sw.b"]
