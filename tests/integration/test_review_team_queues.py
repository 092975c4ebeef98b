"""Review app (issue 15): the IV co-ordinator's and complaints queues, anonymous statements for the advocacy
service, call-backs first for the duty team, and restricting an alert; who can and cannot see each page."""

from __future__ import annotations

import pytest

from bot.db.models import StaffUser
from bot.services import call_backs, complaints, visitors, wishes
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import add_team_staff, actor, audit_events, login


@pytest.fixture
def teams(world, session):
    """An IV co-ordinator and a complaints lead of the test council, and team records (one of another council)."""
    add_team_staff(session, world)
    mine = visitors.request_visitor(session, idempotency_key="tv1", conversation_id="tv1", child_id=None,
                                    kind="mentor", wishes="someone who likes drawing", anon_name="Kit",
                                    local_authority="Test Borough")
    theirs = visitors.request_visitor(session, idempotency_key="tv2", conversation_id="tv2", child_id=None,
                                      kind="mentor", wishes="NOT MINE", local_authority="Other Council")
    complaint = complaints.submit_complaint(
        session, idempotency_key="tc1", conversation_id="tc1", child_id=world.ada, channel="web",
        about="my children's home took my phone", wants="my phone back", about_children_home=True)
    other = complaints.submit_complaint(
        session, idempotency_key="tc2", conversation_id="tc2", child_id=world.zed, channel="web",
        about="OTHER COUNCIL COMPLAINT", wants=None)
    statement = wishes.submit_statement(
        session, idempotency_key="ts1", conversation_id="ts1", child_id=None, review_date=None, review_label=None,
        answers=[("happy", "What makes you happy?", "my dog Biscuit")], share_with=["advocate"], drafted_at=None)
    session.commit()
    return {"mine": mine.id, "theirs": theirs.id, "complaint": complaint.id, "other": other.id,
            "statement": statement.id}


async def test_iv_coordinator_sees_own_council_requests_marked_anonymous(client, world, teams, engine):
    await login(client, "iv.g")
    page = await (await client.get("/review/visitor-requests")).text()
    assert f"Request {teams['mine']}<" in page and "Anonymous" in page and "Kit" in page
    assert "NOT MINE" not in page
    reads = audit_events(engine, actor=actor("iv.g"), action="read", entity_type="visitor_request")
    assert {e.entity_id for e in reads} == {str(teams["mine"])}
    assert (await client.get("/review/complaints")).status == 404


@pytest.mark.parametrize("username", ["sw.a", "adv.d", "duty.e", "iro.c"])
async def test_other_roles_cannot_see_the_team_queues(client, world, teams, username):
    await login(client, username)
    assert (await client.get("/review/visitor-requests")).status == 404
    assert (await client.get("/review/complaints")).status == 404
    assert (await client.get(f"/review/complaints/{teams['complaint']}")).status == 404


@pytest.mark.parametrize("username", ["cm.h", "admin.f"])
async def test_complaints_queue_for_the_complaints_team_and_admin(client, world, teams, engine, username):
    token = await login(client, username)
    page = await (await client.get("/review/complaints")).text()
    assert f"Complaint {teams['complaint']}<" in page and "About a children's home (Ofsted)" in page
    assert "OTHER COUNCIL" not in page
    assert (await client.get(f"/review/complaints/{teams['other']}")).status == 404
    detail = await (await client.get(f"/review/complaints/{teams['complaint']}")).text()
    assert "my phone back" in detail
    done = await client.post(f"/review/complaints/{teams['complaint']}/status",
                             data={"_csrf": token, "to_status": "acknowledged", "note": "called"},
                             allow_redirects=False)
    assert done.status == 303
    again = await client.post(f"/review/complaints/{teams['complaint']}/status",
                              data={"_csrf": token, "to_status": "acknowledged"})
    assert again.status == 409
    assert audit_events(engine, actor=actor(username), action="read", entity_type="complaint")


async def test_advocacy_sees_anonymous_statements_of_its_council(client, world, teams):
    await login(client, "adv.d")
    page = await (await client.get("/review/anonymous")).text()
    assert f"Statement {teams['statement']}" in page and "my dog Biscuit" in page and "Anonymous" in page


async def test_duty_sees_call_back_first_and_can_restrict(client, world, teams, session, engine):
    call_backs.request_call_back(session, conversation_id="conv-anon-alert", child_id=None,
                                 turns=[("child", "please call")], reach_when="after 4pm",
                                 anon_name="Rae", anon_contact="the school office")
    session.commit()
    token = await login(client, "duty.e")
    page = await (await client.get("/review/alerts")).text()
    assert "Wants contact today" in page and "after 4pm" in page and "the school office" in page
    first_alert = page.index("<article")
    assert "Call-back request" in page[first_alert:page.index("</article>", first_alert)]
    response = await client.post(f"/review/alerts/{world.alert_ada}/restrict",
                                 data={"_csrf": token, "staff_id": str(world.users["sw.a"])},  # Ada's
                                 allow_redirects=False)
    assert response.status == 303
    assert audit_events(engine, actor=actor("duty.e"), action="update", entity_type="safeguarding_alert")


async def test_admin_sets_team_contacts_and_hours(client, world, engine):
    token = await login(client, "admin.f")
    base = {"_csrf": token, "notifier": "default", "retention_days": "2555", "first_review_working_days": "20",
            "second_review_months": "3", "later_review_months": "6", "alert_escalation_minutes": "15",
            "complaint_ack_working_days": "10", "visitor_action_working_days": "5",
            "advocacy_contact": "advocacy@council.example", "iv_contact": "https://hooks.council.example/iv",
            "complaints_contact": "", "duty_contact": "", "reading_hours": "08:30-18:00"}
    ok = await client.post("/review/admin/settings", data=base, allow_redirects=False)
    assert ok.status == 303
    page = await (await client.get("/review/admin/settings")).text()
    assert 'value="https://hooks.council.example/iv"' in page and 'value="08:30-18:00"' in page
    bad = await client.post("/review/admin/settings", data={**base, "iv_contact": "not a contact"})
    assert bad.status == 400 and "e-mail address or an https://" in await bad.text()


async def test_a_worker_sets_the_email_they_are_told_at_and_only_their_own(client, world, engine):
    """Issue 15: a new statement tells the child's social worker at their own address (set by them, audited)."""
    from sqlalchemy import select as select_
    from sqlalchemy.orm import Session as Session_

    token = await login(client, "sw.a")
    bad = await client.post("/review/account/notify-email", data={"_csrf": token, "notify_email": "not an email"})
    assert bad.status == 400 and "Enter an e-mail address" in await bad.text()
    ok = await client.post("/review/account/notify-email", data={"_csrf": token, "notify_email": "sw.a@council.gov.uk"})
    assert ok.status == 200 and "Saved." in await ok.text()
    with Session_(engine, future=True) as s:
        emails = dict(s.execute(select_(StaffUser.username, StaffUser.notify_email)).all())
    assert emails["sw.a"] == "sw.a@council.gov.uk" and emails["sw.b"] is None
    events = audit_events(engine, actor=actor("sw.a"), action="update", entity_type="staff_user")
    assert events and all("council.gov.uk" not in (e.detail or "") for e in events)
