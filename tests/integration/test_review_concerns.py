"""Possible safeguarding concerns (issue 14): recorded by the bot's use cases, answered by the child, read by the
duty lead in a daily list (audited) and marked as read; never shown to other roles or other councils."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.concern_models import SafeguardingConcern
from bot.db.models import utcnow
from bot.usecases import concerns
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import actor, audit_events, login


def _record(child_id: str | None, text: str, conversation: str = "conv-c", **extra) -> int:
    fields = dict(conversation_id=conversation, child_id=child_id, channel="web", text=text, tier="concern",
                  source="classifier")
    fields.update(extra)
    concern_id = concerns.record_concern(**fields)
    assert concern_id is not None
    return concern_id


async def test_duty_lead_reads_todays_concerns_and_marks_one_read(client, world, engine):
    ada = _record(world.ada, "im scared <b>of the dark</b>")
    arabic = _record(None, "زوج أمي يضربني وأنا خائف", conversation="conv-ar", tier="language", source="language",
                     language="ar")
    zed = _record(world.zed, "zed concern")  # another council
    assert concerns.answer_check_in(ada, "conv-c", "no")
    token = await login(client, "duty.e")
    page = await (await client.get("/review/concerns")).text()
    assert f"Concern {ada}:" in page and "Ada" in page and "im scared &lt;b&gt;of the dark&lt;/b&gt;" in page
    assert "said no" in page
    assert f"Concern {arabic}:" in page and "Arabic: needs an interpreter" in page  # triage council sees it
    assert f"Concern {zed}:" not in page
    seen = {e.entity_id for e in audit_events(engine, actor=actor("duty.e"), action="read",
                                              entity_type="safeguarding_concern")}
    assert {str(ada), str(arabic)} <= seen and str(zed) not in seen
    response = await client.post(f"/review/concerns/{ada}/reviewed", data={"_csrf": token},
                                 allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/review/concerns")).text()
    assert "marked as read" in page and "Read by duty.e" in page
    assert audit_events(engine, actor=actor("duty.e"), action="update", entity_type="safeguarding_concern")
    refused = await client.post(f"/review/concerns/{zed}/reviewed", data={"_csrf": token}, allow_redirects=False)
    assert refused.status == 404
    assert audit_events(engine, actor=actor("duty.e"), action="refused_read", entity_type="safeguarding_concern")


async def test_the_list_is_one_day_and_counts_earlier_unread(client, world, engine):
    old = _record(world.ada, "from yesterday")
    with engine.begin() as conn:
        conn.execute(update(SafeguardingConcern).where(SafeguardingConcern.id == old)
                     .values(created_at=utcnow() - timedelta(days=1)))
    await login(client, "duty.e")
    today = await (await client.get("/review/concerns")).text()
    assert f"Concern {old}:" not in today and "1 from earlier days not read yet" in today
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    assert f"Concern {old}:" in await (await client.get(f"/review/concerns?day={yesterday}")).text()


async def test_other_roles_cannot_see_concerns(client, world):
    _record(world.ada, "im scared")
    for username in ("sw.a", "adv.d", "admin.f"):
        await login(client, username)
        assert (await client.get("/review/concerns")).status == 404, username


def test_a_yes_links_the_alert_and_the_first_answer_is_kept(world, engine):
    concern_id = _record(world.ada, "i ran away")
    assert concerns.answer_check_in(concern_id, "conv-c", "yes", alert_id=world.alert_ada)
    assert concerns.answer_check_in(concern_id, "conv-c", "no")  # a second answer does not replace the first
    assert not concerns.answer_check_in(concern_id, "another-conversation", "no")
    with Session(engine, future=True) as s:
        row = s.execute(select(SafeguardingConcern).where(SafeguardingConcern.id == concern_id)).scalar_one()
        assert (row.answer, row.alert_id, row.child_id) == ("yes", world.alert_ada, world.ada)
        assert row.conversation_ref != "conv-c"  # a keyed hash, never the conversation id
