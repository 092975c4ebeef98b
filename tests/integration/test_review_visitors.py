"""The IV co-ordinator's pages (issue 16): the queue, a match's history and steps, the "considered" decision;
who may see and do what; every read audited; a "no" is never overridden."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.db.models import Child, VisitorMatch, utcnow
from bot.db.visitor_models import VisitorConsideration
from bot.services import visitors
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import actor, audit_events, login

COORDINATOR = "admin.f"  # the co-ordinator's pages are for the IV co-ordinator and the admin


async def test_the_coordinator_takes_a_match_from_yes_through_checks_to_visits_and_an_end(client, world, engine,
                                                                                        session):
    visitors.answer_match(session, match_id=world.ben_match, idempotency_key="y", accept=True)
    session.commit()
    token = await login(client, COORDINATOR)
    queue = await (await client.get("/review/visitors")).text()
    assert "Alex for Ben" in queue and "The child said yes: checks to finish" in queue
    assert "Sam for Ada" in queue and "The child said no" in queue  # closed, listed apart
    page = f"/review/visitors/matches/{world.ben_match}"

    async def post(step: str, **data: str) -> str:
        return await (await client.post(f"{page}/{step}", data={"_csrf": token, **data})).text()

    # Appointing before the checks is refused, and says what is missing.
    text = await post("appoint")
    assert "There is a problem" in text and "DBS certificate, References" in text
    assert session.get(VisitorMatch, world.ben_match).status == "accepted"
    session.rollback()  # end the test's read (SQLite: one writer at a time)
    done = (utcnow().date() - timedelta(days=3)).isoformat()
    text = await post("checks", dbs=done, references=done, childrens_services=done, probation=done)
    assert "Checks recorded." in text and "checks done, ready to appoint" in text
    await post("appoint")
    session.expire_all()
    assert session.get(VisitorMatch, world.ben_match).status == "appointed"
    session.rollback()
    old = (utcnow().date() - timedelta(days=70)).isoformat()
    await post("contacts", contact_on=old, kind="visit")
    queue = await (await client.get("/review/visitors")).text()
    assert "70 days: more than 8 weeks" in queue
    text = await post("end", ended_by="child", reason="Ben asked to stop")
    assert "by the child: Ben asked to stop" in text
    text = await post("contacts", contact_on=old, kind="visit")
    assert "There is a problem" in text  # no visit on an ended match
    assert audit_events(engine, actor=actor(COORDINATOR), action="read", entity_type="visitor_match")


async def test_an_objected_match_cannot_be_appointed_from_the_page(client, world, session):
    token = await login(client, COORDINATOR)
    page = f"/review/visitors/matches/{world.match}"
    text = await (await client.get(page)).text()
    assert "I don&#39;t like football &lt;3" in text and "Appoint Sam" not in text
    text = await (await client.post(f"{page}/appoint", data={"_csrf": token})).text()
    assert "There is a problem" in text
    assert session.get(VisitorMatch, world.match).status == "objected"


async def test_the_childs_worker_records_considered_and_the_coordinator_then_searches(client, world, session):
    ada = session.get(Child, world.ada)
    ada.placement_type = "residential"
    visitors.request_visitor(session, idempotency_key="r-iv", conversation_id="conv-ada", child_id=world.ada,
                             kind="independent_visitor", wishes="someone who likes <i>art</i>")
    session.commit()
    token = await login(client, "sw.a")
    queue = await (await client.get("/review/visitors")).text()
    assert "Lives in a children&#39;s home" in queue and "Should Ada have an independent visitor?" in queue
    await client.post(f"/review/visitors/consider/{world.ada}",
                      data={"_csrf": token, "should_have": "yes", "reason": "no family visits",
                            "review_date": (date.today() + timedelta(days=7)).isoformat()})
    decision = session.execute(select(VisitorConsideration)).scalar_one()
    assert (decision.should_have, decision.decided_by, decision.reason) == (True, "sw.a", "no family visits")
    session.rollback()
    # Another child's worker cannot decide for Ada (404, audited as refused).
    other = await login(client, "sw.b")
    refused = await client.post(f"/review/visitors/consider/{world.ada}",
                                data={"_csrf": other, "should_have": "no", "reason": "x"}, allow_redirects=False)
    assert refused.status == 404
    token = await login(client, COORDINATOR)
    queue = await (await client.get("/review/visitors")).text()
    assert "someone who likes &lt;i&gt;art&lt;/i&gt;" in queue and "Yes: find one" in queue
    form = queue.split("/review/visitors/requests/")[1].split("/search")[0]
    await client.post(f"/review/visitors/requests/{form}/search", data={"_csrf": token})
    queue = await (await client.get("/review/visitors")).text()
    assert "Searching" in queue


async def test_other_roles_and_councils_see_nothing(client, world):
    await login(client, "duty.e")
    assert (await client.get("/review/visitors", allow_redirects=False)).status == 404
    await login(client, "adv.d")
    assert (await client.get(f"/review/visitors/matches/{world.ben_match}", allow_redirects=False)).status == 404
    await login(client, "sw.other")
    assert (await client.get(f"/review/visitors/matches/{world.ben_match}", allow_redirects=False)).status == 404
    queue = await (await client.get("/review/visitors")).text()
    assert "Alex" not in queue and "Ben" not in queue
    await login(client, "sw.a")  # Ben is sw.b's: sw.a sees only Ada's match
    queue = await (await client.get("/review/visitors")).text()
    assert "Sam for Ada" in queue and "Alex for Ben" not in queue
    token = await login(client, "sw.b")
    refused = await client.post(f"/review/visitors/matches/{world.ben_match}/review", data={"_csrf": token},
                                allow_redirects=False)
    assert refused.status == 404  # the co-ordinator's steps are not the social worker's


async def test_a_child_not_sure_between_a_visitor_and_a_mentor_is_shown_as_not_sure(client, world, session):
    """Issue 20: "Not sure" is stored as not sure (migration 0019), never as an independent visitor, and staff
    see that it is to be talked over with the child: on the co-ordinator's queue and on the child's page."""
    visitors.request_visitor(session, idempotency_key="r-unsure", conversation_id="conv-ada", child_id=world.ada,
                             kind="not_sure", wishes="someone funny")
    session.commit()
    await login(client, COORDINATOR)
    queue = await (await client.get("/review/visitors")).text()
    assert "Not sure yet (talk about it with the child)" in queue
    await login(client, "sw.a")
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "Not sure yet (talk about it with the child), asked" in page
