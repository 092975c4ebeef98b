"""Staff referrals (with the child's agreement, or non-instructed), the IRO panel, "wishes differ from the plan",
and the "just for the IRO" answer: shown to the IRO only, on the page, the printable page, the PDF and the API."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, StaffUser, utcnow
from bot.db.worker_models import ReferralOrigin, StatementPlanMark
from bot.services import wishes
from bot.services.api_tokens import create_token, scopes_for_role
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import audit_events, login

FOR_IRO = "Please don't let them move me before my exams"


def _statement_with_iro_answer(engine, world, share_with) -> int:
    with session_scope(engine) as s:
        return wishes.submit_statement(
            s, idempotency_key=f"st-iro-{'-'.join(share_with)}", conversation_id="conv-ada", child_id=world.ada,
            review_date=utcnow().date() + timedelta(days=7), review_label=None,
            answers=[("w_change", "What do you want to change?", "More visits"),
                     ("w_for_iro", "Anything just for the IRO?", FOR_IRO)],
            share_with=share_with, drafted_at=None,
        ).id


async def test_the_iro_answer_is_for_the_iro_only_on_every_view(client, world, engine):
    st = _statement_with_iro_answer(engine, world, ["social_worker", "iro"])
    views = (f"/review/children/{world.ada}", f"/review/children/{world.ada}/statements/{st}/print")
    await login(client, "sw.a")
    for path in views:
        page = await (await client.get(path)).text()
        assert "More visits" in page and FOR_IRO.replace("'", "&#39;") not in page and "just for the IRO" not in page
    client.session.cookie_jar.clear()
    await login(client, "iro.c")
    for path in views:
        assert FOR_IRO.replace("'", "&#39;") in await (await client.get(path)).text()
    with session_scope(engine) as s:
        tokens = {u: create_token(s, s.get(StaffUser, world.users[u]), "t",
                                  list(scopes_for_role(s.get(StaffUser, world.users[u]).role)))[1]
                  for u in ("sw.a", "iro.c")}
    for username, sees in (("sw.a", False), ("iro.c", True)):
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        for path in (f"/review/api/v1/children/{world.ada}/statements", "/review/api/v1/statements",
                     f"/review/api/v1/children/{world.ada}"):
            body = await (await client.get(path, headers=headers)).text()
            assert (FOR_IRO in json.loads(json.dumps(body))) is sees, (username, path)


def test_the_iro_answer_follows_the_childs_sharing_choice(world, engine):
    st_id = _statement_with_iro_answer(engine, world, ["social_worker", "advocate"])
    with Session(engine, future=True) as s:
        from bot.db.models import WishesStatement

        st = s.get(WishesStatement, st_id)
        assert wishes.visible_answers(st, "iro") == []  # not shared with the IRO at all
        assert [a.question_key for a in wishes.visible_answers(st, "advocacy")] == ["w_change"]
        assert [a.question_key for a in wishes.visible_answers(st, "social_worker")] == ["w_change"]


async def test_social_worker_refers_with_agreement_and_non_instructed(client, world, engine):
    token = await login(client, "sw.a")
    today = utcnow().date().isoformat()
    missing = await client.post(f"/review/children/{world.ada}/referrals", data={
        "_csrf": token, "kind": "instructed", "reason": "review", "words": "wants help", "asked_by": "",
        "agreed_how": "phone"}, allow_redirects=True)
    page = await missing.text()
    assert "Say who asked the child." in page and "Give the day the child agreed" in page
    form = {"_csrf": token, "kind": "instructed", "reason": "review", "words": "Ada wants to say no to moving",
            "asked_by": "SW.A", "agreed_on": today, "agreed_how": "in_person"}
    for _ in range(2):  # a double click makes one referral
        sent = await client.post(f"/review/children/{world.ada}/referrals", data=form, allow_redirects=False)
        assert sent.status == 303
    ni = {"_csrf": token, "kind": "non_instructed", "reason": "cp_conference", "words": "Ada is 3 weeks post-op",
          "grounds": "disability", "non_instructed_reason": "Cannot communicate her views at the moment"}
    assert (await client.post(f"/review/children/{world.ada}/referrals", data=ni, allow_redirects=False)).status == 303
    with Session(engine, future=True) as s:
        origins = s.execute(select(ReferralOrigin).order_by(ReferralOrigin.referral_id)).scalars().all()
        assert [(o.kind, o.agreed_how, o.non_instructed_grounds) for o in origins] == [
            ("instructed", "in_person", None), ("non_instructed", None, "disability")]
        referral = s.get(AdvocacyReferral, origins[0].referral_id)
        assert referral.child_id == world.ada and referral.status == "new" and referral.tell_social_worker
        # The advocacy service is told, once per referral, without the child's words (issue 15).
        from bot.db.models import NotificationOutbox
        told = s.execute(select(NotificationOutbox.record_id).where(
            NotificationOutbox.record_type == "advocacy_referral")).scalars().all()
        assert sorted(set(told)) == sorted(o.referral_id for o in origins)
    client.session.cookie_jar.clear()
    await login(client, "adv.d")
    queue = await (await client.get("/review/referrals")).text()
    assert "Referred by SW.A" in queue and "Non-instructed" in queue
    detail = await (await client.get(f"/review/referrals/{origins[1].referral_id}")).text()
    assert "non-instructed advocacy" in detail and "Cannot communicate her views" in detail
    created = audit_events(engine, action="create", entity_type="advocacy_referral")
    assert "moving" not in "".join(e.detail or "" for e in created)


async def test_referral_for_a_child_outside_the_caseload_is_404(client, world, engine):
    token = await login(client, "sw.b")
    response = await client.post(f"/review/children/{world.ada}/referrals", data={
        "_csrf": token, "kind": "non_instructed", "reason": "review", "words": "x", "grounds": "age",
        "non_instructed_reason": "y"})
    assert response.status == 404
    client.session.cookie_jar.clear()
    token = await login(client, "iro.c")
    assert (await client.post(f"/review/children/{world.ada}/referrals", data={"_csrf": token})).status == 404


async def test_iro_panel_lists_wishes_referrals_and_differences(client, world, engine):
    st = _statement_with_iro_answer(engine, world, ["social_worker", "iro"])
    token = await login(client, "sw.a")
    no_note = await client.post(f"/review/children/{world.ada}/statements/{st}/plan",
                                data={"_csrf": token, "differs": "yes", "note": ""})
    assert "Not saved" in await no_note.text()
    await client.post(f"/review/children/{world.ada}/statements/{st}/plan",
                      data={"_csrf": token, "differs": "yes", "note": "Plan says move in March"})
    assert (await client.post(f"/review/children/{world.ada}/statements/{world.private}/plan",
                              data={"_csrf": token, "differs": "yes", "note": "x"})).status == 404  # not shared
    client.session.cookie_jar.clear()
    await login(client, "iro.c")
    panel = await (await client.get("/review/iro")).text()
    assert "Ada" in panel and "Ben" in panel and "Cy" not in panel  # only the reviews iro.c chairs
    assert "Plan says move in March" in panel and "Shared with you" in panel
    assert "I want help" not in panel and "Do not tell my social worker" not in panel  # no child's words
    assert "Review: new" in panel and "Complaint: new" in panel
    reads = audit_events(engine, action="read", entity_type="child")
    assert {e.entity_id for e in reads if json.loads(e.detail or "{}").get("view") == "iro_panel"} == {
        world.ada, world.ben}
    with Session(engine, future=True) as s:
        mark = s.get(StatementPlanMark, st)
        assert mark.differs and mark.marked_by == "staff:sw.a"
    client.session.cookie_jar.clear()
    await login(client, "sw.a")
    assert (await client.get("/review/iro")).status == 404
