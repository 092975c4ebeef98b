"""Staff read a child's record in plain words (``bot.services.read_models.plain_words``): a button the child pressed
by the words the chat shows for it, a review day as "Saturday 12 December 2026", a member of staff without
"staff:". The child's own typed words stay verbatim. Before, staff read ``with_advocate``, ``no``, "For
2026-12-12", "When after_school", ``Child: /inform{"choice":"today"}`` and "Picked up by staff:duty.erin"."""

from __future__ import annotations

from datetime import date

from bot.dialogue import messages
from bot.services import call_backs, referrals, wishes
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import login

TYPED = "no <b>really</b>"  # the child's own words, kept verbatim (and escaped)


def _records(session, world) -> dict[str, int]:
    statement = wishes.submit_statement(
        session, idempotency_key="pw-1", conversation_id="conv-ada", child_id=world.ada,
        review_date=date(2026, 12, 12), review_label="2026-12-12",
        answers=[("going_well", "What is going well?", TYPED),
                 ("attend", "How do you want to take part in your meeting?", "with_advocate"),
                 ("advocate_ok", "Shall I ask the advocacy team for an advocate?", "no")],
        share_with=["social_worker", "iro"], drafted_at=None)
    referral = referrals.submit_referral(
        session, idempotency_key="pw-2", conversation_id="conv-ada", child_id=world.ada, reason="review",
        words="help me", contact_how="text: 07700 900123", contact_when="after_school", tell_social_worker=True)
    call_backs.request_call_back(
        session, conversation_id="conv-ada", child_id=world.ada, reach_how="phone", reach_when="today",
        turns=[("bot", messages.render("ask_cb_when")["text"]), ("child", '/inform{"choice":"today"}'),
               ("child", TYPED)])
    session.commit()
    return {"statement": statement.id, "referral": referral.id}


async def test_staff_read_buttons_days_and_people_in_words(client, world, session):
    made = _records(session, world)
    await login(client, "iro.c")
    record = await (await client.get(f"/review/children/{world.ada}")).text()
    for words in ("For Saturday 12 December 2026", "I&#39;ll go with an advocate", "No, thanks",
                  "no &lt;b&gt;really&lt;/b&gt;"):
        assert words in record, words
    for code in ("with_advocate", "For 2026-12-12", ">no<"):
        assert code not in record, code
    printed = await (await client.get(f"/review/children/{world.ada}/statements/{made['statement']}/print")).text()
    assert "for Saturday 12 December 2026" in printed and "I&#39;ll go with an advocate" in printed

    client.session.cookie_jar.clear()
    await login(client, "adv.d")
    referral = await (await client.get(f"/review/referrals/{made['referral']}")).text()
    assert "After school" in referral and "after_school" not in referral
    assert '<blockquote class="words">Text me</blockquote>' in referral  # the way; the number is sealed (0022)
    assert "+447700900123" in referral  # and shown on the referral's own page to the advocacy service

    client.session.cookie_jar.clear()
    token = await login(client, "duty.e")
    alerts = await (await client.get("/review/alerts")).text()
    assert 'Child pressed:</strong> "Today, as soon as you can"' in alerts and "/inform" not in alerts
    assert "<strong>Child:</strong> no &lt;b&gt;really&lt;/b&gt;" in alerts  # typed: verbatim
    assert "When: Today, as soon as you can" in alerts and "Phone me" in alerts
    await client.post(f"/review/alerts/{world.alert_ada}/acknowledge", data={"_csrf": token, "note": "called"})
    alerts = await (await client.get("/review/alerts")).text()
    assert "Picked up by duty.e at" in alerts and "staff:duty.e" not in alerts

    client.session.cookie_jar.clear()
    await login(client, "sw.a")
    record = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "Picked up by duty.e" in record and "staff:" not in record
