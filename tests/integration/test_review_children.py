"""Social workers and IROs: own caseload only (404 otherwise), the child's words escaped and never altered,
sharing choices applied, audit after every view, sign-in codes, visitor matches and the objection rule."""

from __future__ import annotations

import html

from markupsafe import escape
from sqlalchemy import select

from bot.db.models import VisitorMatch
from bot.services import signin
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import SCRIPT, actor, audit_events, login


async def test_social_worker_sees_only_own_caseload(client, world):
    await login(client, "sw.b")
    page = await (await client.get("/review/children")).text()
    assert "Ben" in page and "Cy" in page
    assert "Ada" not in page and "Zed" not in page


async def test_cross_caseload_urls_are_404_like_missing_ones(client, world):
    token = await login(client, "sw.b")
    missing = await client.get("/review/children/c_doesnotexist")
    assert missing.status == 404
    for path in (
        f"/review/children/{world.ada}",
        f"/review/children/{world.zed}",
        f"/review/children/{world.ada}/statements/{world.shared}/print",
    ):
        response = await client.get(path)
        assert response.status == 404, path
        assert await response.text() == await missing.text()
        assert "Ada" not in await response.text()
    for path in (f"/review/children/{world.ada}/code", f"/review/matches/{world.match}/appoint"):
        response = await client.post(path, data={"_csrf": token})
        assert response.status == 404, path
    proposal = await client.post(
        f"/review/children/{world.ada}/matches", data={"_csrf": token, "visitor_name": "Jo", "kind": "mentor"}
    )
    assert proposal.status == 404


async def test_child_words_are_escaped_and_verbatim(client, world):
    await login(client, "sw.a")
    response = await client.get(f"/review/children/{world.ada}")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = await response.text()
    assert "<script>alert" not in page
    assert str(escape(SCRIPT)) in page  # escaped, and exactly the child's words once unescaped
    assert SCRIPT in html.unescape(page)
    assert "More time\nwith my brother" in page  # line breaks kept (shown with pre-wrap)
    assert "I want help &lt;b&gt;at my review&lt;/b&gt;" in page
    assert "I don&#39;t like football &lt;3" in page  # the child's objection reason
    assert "he hurts me &lt;i&gt;sometimes&lt;/i&gt;" in page


async def test_sharing_choice_is_applied(client, world):
    await login(client, "sw.a")
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "Only for my advocate" not in page
    assert "chose not to share these answers with you" in page
    hidden = await client.get(f"/review/children/{world.ada}/statements/{world.private}/print")
    assert hidden.status == 200 and "Only for my advocate" not in await hidden.text()


async def test_untold_referrals_are_hidden_from_the_social_worker(client, world):
    await login(client, "sw.b")
    page = await (await client.get(f"/review/children/{world.ben}")).text()
    assert "Do not tell my social worker" not in page
    assert "Alex" in page  # Ben's proposed mentor is shown


async def test_every_view_is_audited(client, world, engine):
    await login(client, "sw.a")
    await client.get(f"/review/children/{world.ada}")
    reads = audit_events(engine, actor=actor("sw.a"), action="read", entity_type="child", entity_id=world.ada)
    assert len(reads) == 1
    await client.get(f"/review/children/{world.ada}/statements/{world.shared}/print")
    exports = audit_events(engine, actor=actor("sw.a"), action="export", entity_id=world.ada)
    assert [e.detail for e in exports] == [f'{{"format": "html", "statement": {world.shared}}}']
    assert all("Nan" not in (e.detail or "") for e in audit_events(engine))
    denied = await client.get(f"/review/children/{world.zed}")
    assert denied.status == 404
    assert audit_events(engine, entity_id=world.zed, action="read") == []


async def test_caseload_flags_new_statements_until_viewed(client, world):
    await login(client, "sw.a")
    page = await (await client.get("/review/children")).text()
    assert "1 new" in page and "Shared with you" in page
    record = await (await client.get(f"/review/children/{world.ada}")).text()
    assert record.count("New since you last looked") == 1  # the shared one; the hidden one is not flagged
    page = await (await client.get("/review/children")).text()
    assert "1 new" not in page
    record = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "New since you last looked" not in record


async def test_issue_sign_in_code_shown_once_and_works(client, world, session):
    token = await login(client, "sw.a")
    response = await client.post(f"/review/children/{world.ada}/code", data={"_csrf": token})
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    import re

    code = re.search(
        r'<span aria-hidden="true" class="code-digits">([2-9A-Z]{4}-[2-9A-Z]{4})</span>', await response.text()
    ).group(1)
    child = signin.redeem_code(session, code, "web-conv-1", "ip-1")
    session.commit()
    assert child.id == world.ada
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert code not in page


async def test_propose_match_then_objection_blocks_appointment(client, world, session):
    token = await login(client, "sw.b")
    response = await client.post(
        f"/review/children/{world.cy}/matches",
        data={
            "_csrf": token,
            "visitor_name": "Priya",
            "description": "likes drawing",
            "kind": "independent_visitor",
        },
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await client.get(f"/review/children/{world.cy}")).text()
    assert "Priya was proposed" in page and "Waiting for Cy" in page
    match = session.execute(select(VisitorMatch).where(VisitorMatch.child_id == world.cy)).scalar_one()
    from bot.services import visitors

    visitors.answer_match(
        session, match_id=match.id, idempotency_key="k", accept=False, reason="she <b>scares</b> me"
    )
    session.commit()
    refused = await client.post(f"/review/matches/{match.id}/appoint", data={"_csrf": token})
    assert refused.status == 409
    text = await refused.text()
    assert "cannot be appointed: Cy said no" in text and "she &lt;b&gt;scares&lt;/b&gt; me" in text
    session.expire_all()
    assert session.get(VisitorMatch, match.id).status == "objected"


async def test_accepted_match_can_be_appointed(client, world, session):
    from bot.db.models import utcnow
    from bot.db.visitor_models import CHECK_KINDS
    from bot.services import visitors
    from bot.services.visitor_checks import record_checks

    token = await login(client, "sw.b")
    early = await client.post(f"/review/matches/{world.ben_match}/appoint", data={"_csrf": token})
    assert early.status == 409 and "has not said yes" in await early.text()
    visitors.answer_match(session, match_id=world.ben_match, idempotency_key="yes", accept=True)
    session.commit()
    unchecked = await client.post(f"/review/matches/{world.ben_match}/appoint", data={"_csrf": token})
    assert unchecked.status == 409 and "DBS certificate" in await unchecked.text()  # checks first (issue 16)
    record_checks(session, match_id=world.ben_match, completed={k: utcnow().date() for k in CHECK_KINDS},
                  actor="staff:iv.test")
    session.commit()
    response = await client.post(
        f"/review/matches/{world.ben_match}/appoint", data={"_csrf": token}, allow_redirects=False
    )
    assert response.status == 303
    page = await (await client.get(f"/review/children/{world.ben}")).text()
    assert "Alex is now appointed." in page


async def test_iro_sees_chaired_reviews_and_prints(client, world, engine):
    token = await login(client, "iro.c")
    page = await (await client.get("/review/children")).text()
    assert "Reviews I chair" in page and ">Ada</a>" in page and ">Ben</a>" in page and ">Cy</a>" not in page
    record = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "he hurts me" not in record  # alerts are for the social worker and the duty team
    assert "Make a sign-in code" not in record
    code = await client.post(f"/review/children/{world.ada}/code", data={"_csrf": token})
    assert code.status == 404
    printable = await client.get(f"/review/children/{world.ada}/statements/{world.shared}/print")
    assert printable.status == 200
    text = await printable.text()
    assert "My wishes and feelings" in text and "print.css" in text and "<script>alert" not in text
    assert len(audit_events(engine, actor=actor("iro.c"), action="export")) == 1


async def test_other_roles_cannot_open_children(client, world):
    await login(client, "adv.d")
    assert (await client.get("/review/children")).status == 404
    assert (await client.get(f"/review/children/{world.ada}")).status == 404


async def test_iro_records_a_review_and_the_next_date_follows_the_timescale(client, world, session, engine):
    from datetime import date

    from bot.db.models import Child, utcnow
    from bot.services.review_timescales import add_months

    token = await login(client, "iro.c")
    page = await (await client.get("/review/children")).text()
    assert "No review date set" not in page  # Ada has a date; no care start is known, so no deadline either
    today = utcnow().date()
    response = await client.post(
        f"/review/children/{world.ada}/reviews", data={"_csrf": token, "held_on": today.isoformat()}
    )
    assert response.status == 200 and "Review recorded" in await response.text()
    from sqlalchemy.orm import Session

    with Session(engine, future=True) as fresh:
        child = fresh.get(Child, world.ada)
        assert child.reviews_held == 1 and child.last_review_on == today
        assert child.next_review_date == add_months(today, 3)  # the second review: within 3 months
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "Must be held by" in page
    bad = await client.post(
        f"/review/children/{world.ada}/reviews", data={"_csrf": token, "held_on": "31/02/2026"}
    )
    assert bad.status == 400 and "day, month and year" in await bad.text()
    future = await client.post(
        f"/review/children/{world.ada}/reviews",
        data={"_csrf": token, "held_on": (today + date.resolution).isoformat()},
    )
    assert future.status == 400 and "before it is held" in await future.text()
    no_csrf = await client.post(f"/review/children/{world.ada}/reviews", data={"held_on": today.isoformat()})
    assert no_csrf.status == 403
    token = await login(client, "sw.b")
    other = await client.post(f"/review/children/{world.ada}/reviews", data={"_csrf": token, "held_on": "2026-01-01"})
    assert other.status == 404
    updates = audit_events(engine, action="update", entity_type="child", entity_id=world.ada)
    assert [e.actor for e in updates] == [actor("iro.c")]


async def test_social_worker_adds_the_care_start_date_and_the_first_review_deadline_follows(
    client, world, engine
):
    from datetime import timedelta

    from bot.db.models import utcnow
    from bot.services.review_timescales import add_working_days

    token = await login(client, "sw.a")
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "Unknown: add the date they came into care" in page
    entered = utcnow().date() - timedelta(days=3)
    response = await client.post(
        f"/review/children/{world.ada}/care-start", data={"_csrf": token, "entered_care_on": entered.isoformat()}
    )
    assert response.status == 200 and "Date of coming into care saved." in await response.text()
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    due = add_working_days(entered, 20)
    assert f"{due.day} {due.strftime('%b')}" in page or f"{due.day} {due.strftime('%B')}" in page
    future = await client.post(
        f"/review/children/{world.ada}/care-start",
        data={"_csrf": token, "entered_care_on": (utcnow().date() + timedelta(days=2)).isoformat()},
    )
    assert future.status == 400 and "cannot be in the future" in await future.text()
    blank = await client.post(f"/review/children/{world.ada}/care-start", data={"_csrf": token})
    assert blank.status == 400
    iro = await login(client, "iro.c")
    refused = await client.post(
        f"/review/children/{world.ada}/care-start", data={"_csrf": iro, "entered_care_on": entered.isoformat()}
    )
    assert refused.status in (403, 404)
