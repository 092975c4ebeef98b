"""The child register in the review app and the API: the form (add, change, field errors), the CSV import page
(line-by-line report, nothing half-imported), PUT /review/api/v1/register/{external_id} (idempotent, validated,
audited, scoped, own council only), and who may use them."""

from __future__ import annotations

import json

from aiohttp import FormData
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import Child, StaffUser
from bot.services.api_tokens import create_token, scopes_for_role
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import audit_events, login


def _children(engine) -> int:
    with Session(engine, future=True) as s:
        return s.execute(select(func.count()).select_from(Child)).scalar_one()


def _child(engine, **where) -> Child | None:
    with Session(engine, future=True, expire_on_commit=False) as s:
        query = select(Child)
        for name, value in where.items():
            query = query.where(getattr(Child, name) == value)
        return s.execute(query).scalar_one_or_none()


async def test_social_worker_adds_and_changes_a_child(client, world, engine):
    token = await login(client, "sw.a")
    form = await (await client.get("/review/register/new")).text()
    assert "Secure accommodation" in form and "IRO.C" in form  # placement types; the council's IROs
    response = await client.post("/review/register", data={
        "_csrf": token, "chosen_name": "Rae", "external_id": "LCS-7", "date_of_birth": "2013-04-05",
        "legal_status": "looked_after", "placement_type": "secure", "iro": "iro.c", "phone": "07700 900777",
        "sms_consent": "yes", "next_review_date": "2026-09-01"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/review/register"
    rae = _child(engine, external_id="LCS-7")
    assert rae.social_worker_id == world.users["sw.a"] and rae.placement_type == "secure"
    assert rae.sms_consent_by == "staff:sw.a" and rae.phone_last3 == "777"
    listing = await (await client.get("/review/register")).text()
    assert "Rae" in listing and "•••• 777" in listing and "900777" not in listing
    edit = await (await client.get(f"/review/register/{rae.id}")).text()
    assert "900777" not in edit and "•••• 777" in edit
    kept = await client.post(f"/review/register/{rae.id}", data={
        "_csrf": token, "chosen_name": "Rae", "external_id": "LCS-7", "date_of_birth": "2013-04-05",
        "legal_status": "looked_after", "placement_type": "foster", "iro": "iro.c", "social_worker": "sw.a",
        "sms_consent": "yes", "next_review_date": "2026-09-01"}, allow_redirects=False)
    assert kept.status == 303
    rae = _child(engine, id=rae.id)
    assert rae.placement_type == "foster" and rae.phone_last3 == "777"  # an empty phone box keeps the number
    reads = audit_events(engine, action="read", entity_id=rae.id)
    assert any(json.loads(e.detail or "{}").get("view") == "register" for e in reads)


async def test_form_errors_are_shown_and_nothing_is_saved(client, world, engine):
    token = await login(client, "admin.f")
    before = _children(engine)
    response = await client.post("/review/register", data={
        "_csrf": token, "chosen_name": "", "date_of_birth": "2012-02-30", "iro": "sw.a"})
    page = await response.text()
    assert response.status == 400
    assert "name they like to be called is needed" in page
    assert "date of birth 2012-02-30 is not a date" in page
    assert "IRO sw.a is not an IRO of this council" in page
    assert _children(engine) == before


async def test_other_roles_and_councils_get_404(client, world, engine):
    await login(client, "iro.c")
    assert (await client.get("/review/register")).status == 404
    assert (await client.get(f"/review/register/{world.ada}")).status == 404
    await client.post("/review/logout", data={})
    client.session.cookie_jar.clear()
    await login(client, "sw.other")
    assert (await client.get(f"/review/register/{world.ada}")).status == 404
    listing = await (await client.get("/review/register")).text()
    assert "Ada" not in listing and "Zed" in listing


async def test_csv_import_page_reports_each_bad_line_and_imports_nothing(client, world, engine):
    token = await login(client, "sw.b")
    before = _children(engine)
    bad = ("external_id,chosen_name,date_of_birth,iro\n"
           "B1,Noor,2012-05-06,iro.c\n"
           "B2,Sol,2011-01-01,\n"
           "B3,Lee,31/02/2012,\n")
    data = FormData()
    data.add_field("_csrf", token)
    data.add_field("file", bad.encode(), filename="children.csv", content_type="text/csv")
    response = await client.post("/review/register/import", data=data)
    page = await response.text()
    assert response.status == 400 and "Nothing was imported" in page
    assert "line 4: date of birth 31/02/2012 is not a date" in page
    assert _children(engine) == before
    good = bad.replace("31/02/2012", "28/02/2012")
    for _ in range(2):  # the second time nothing changes and nothing is duplicated
        data = FormData()
        data.add_field("_csrf", token)
        data.add_field("file", good.encode(), filename="children.csv", content_type="text/csv")
        response = await client.post("/review/register/import", data=data)
        assert response.status == 200
    assert "0 added, 0 changed, 3 already up to date" in await response.text()
    assert _children(engine) == before + 3
    assert _child(engine, external_id="B1").iro_id == world.users["iro.c"]


def _token(engine, world, username: str) -> str:
    with session_scope(engine) as s:
        owner = s.get(StaffUser, world.users[username] if username in world.users else world.outsider)
        return create_token(s, owner, "test", list(scopes_for_role(owner.role)))[1]


async def test_put_register_is_idempotent_validated_audited_and_scoped(client, world, engine):
    token = _token(engine, world, "sw.a")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"chosen_name": "Kit", "date_of_birth": "2014-04-04", "legal_status": "child_protection",
            "social_worker": "sw.a", "sms_consent": False, "parental_contact_last_12m": True}
    first = await client.put("/review/api/v1/register/K-1", json=body, headers=headers)
    assert first.status == 201, await first.text()
    created = await first.json()
    again = await client.put("/review/api/v1/register/K-1", json=body, headers=headers)
    assert again.status == 200 and (await again.json())["changed"] == []
    assert (await again.json())["child_id"] == created["child_id"]
    kit = _child(engine, id=created["child_id"])
    assert kit.social_worker_id == world.users["sw.a"] and kit.parental_contact_last_12m is True
    bad = await client.put("/review/api/v1/register/K-1", json={"date_of_birth": "soon", "placement_type": "x"},
                           headers=headers)
    assert bad.status == 400
    fields = (await bad.json())["fields"]
    assert set(fields) == {"date_of_birth", "placement_type"}
    assert (await client.put("/review/api/v1/register/K-1", data="[1]", headers=headers)).status == 400
    events = audit_events(engine, entity_type="child", entity_id=created["child_id"])
    assert [e.action for e in events] == ["create"]
    assert json.loads(events[0].detail)["via"] == "api" and "Kit" not in events[0].detail
    iro_token = _token(engine, world, "iro.c")
    refused = await client.put("/review/api/v1/register/K-1", json=body,
                               headers={"Authorization": f"Bearer {iro_token}"})
    assert refused.status == 403  # an IRO's token cannot have write:children
    outsider = _token(engine, world, "sw.other")
    theirs = await client.put("/review/api/v1/register/K-1", json={"chosen_name": "Other", "age_band": "8-10"},
                              headers={"Authorization": f"Bearer {outsider}"})
    assert theirs.status == 201 and (await theirs.json())["child_id"] != created["child_id"]
    assert _child(engine, id=created["child_id"]).chosen_name == "Kit"  # the other council's K-1 is its own
