"""Issue 19: the channel a record came by is shown in the review app. For records made by SMS (a conversation id
made by ``sms_sender_id``, as the SMS channel makes it; an alert raised with channel "sms", as the actions raise
it) and by the web chat: the referral list and a referral's page (advocacy service), the visitor and mentor
requests (IV co-ordinator), the safeguarding alerts (duty team) and the child's page with their statements (their
social worker). Each page is fetched signed in, as staff see it."""

from __future__ import annotations

import re

import pytest

from bot.db.models import StaffUser
from bot.services import alerts, referrals, second_factor, visitors, wishes
from bot.services.children import sms_sender_id
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import _HASH, login, totp_secret

PHONE = "+447700900777"
BY_TEXT = "by text message"


@pytest.fixture
def records(world, session) -> dict[str, int]:
    """One of each record by SMS, and its twin by the web chat (Ada's, in the test council)."""
    iv = StaffUser(username="iv.g", display_name="IV.G", role="iv_coordinator", local_authority_id=world.la,
                   password_hash=_HASH)
    session.add(iv)
    session.flush()
    second_factor.set_secret(session, iv, totp_secret("iv.g"), "system:test")
    texted = sms_sender_id(PHONE)
    made: dict[str, int] = {}
    for channel, conversation in (("sms", texted), ("web", "web-ada-1")):
        made[f"referral_{channel}"] = referrals.submit_referral(
            session, idempotency_key=f"ch-r-{channel}", conversation_id=conversation, child_id=world.ada,
            reason="listened_to", words=f"nobody listens ({channel})", contact_how=None, contact_when=None,
            tell_social_worker=True).id
        made[f"request_{channel}"] = visitors.request_visitor(
            session, idempotency_key=f"ch-v-{channel}", conversation_id=conversation, child_id=world.ada,
            kind="mentor", wishes=f"someone who likes drawing ({channel})").id
        made[f"statement_{channel}"] = wishes.submit_statement(
            session, idempotency_key=f"ch-s-{channel}", conversation_id=conversation, child_id=world.ada,
            review_date=None, review_label=f"my {channel} meeting", drafted_at=None,
            answers=[("w_feel", "How are things?", f"ok ({channel})")], share_with=["social_worker", "iro"]).id
        made[f"alert_{channel}"] = alerts.raise_alert(
            session, conversation_id=conversation, child_id=world.ada, channel=channel,
            text=f"he hurts me ({channel})", category="physical_harm", cue="hurts").id
    session.commit()
    stored = {r: referrals.get_referral(session, made[f"referral_{r}"]).channel for r in ("sms", "web")}
    session.rollback()  # SQLite: one writer at a time, and the pages write their audit rows
    assert stored == {"sms": "sms", "web": "web"}, "the channel is worked out from the conversation id"
    return made


def _fragment(page: str, start: str, end: str) -> str:
    """The part of `page` from `start` (which must be there) to the next `end`."""
    at = page.index(start)
    return page[at:page.index(end, at)]


async def test_the_advocacy_service_sees_which_referrals_came_by_text(client, world, records):
    await login(client, "adv.d")
    queue = await (await client.get("/review/referrals")).text()
    by_sms = _fragment(queue, f'<a href="/review/referrals/{records["referral_sms"]}">', "</tr>")
    by_web = _fragment(queue, f'<a href="/review/referrals/{records["referral_web"]}">', "</tr>")
    assert "By text message" in by_sms and "By text message" not in by_web
    for channel, shown in (("sms", "Text message (SMS)"), ("web", "Web chat")):
        page = await (await client.get(f"/review/referrals/{records[f'referral_{channel}']}")).text()
        assert f"nobody listens ({channel})" in page
        assert re.search(rf"<dt>Came by</dt><dd>{re.escape(shown)}</dd>", page), channel


async def test_the_iv_coordinator_sees_which_requests_came_by_text(client, world, records):
    await login(client, "iv.g")
    page = await (await client.get("/review/visitor-requests")).text()
    by_sms = _fragment(page, f'<tr id="r{records["request_sms"]}"', "</tr>")
    by_web = _fragment(page, f'<tr id="r{records["request_web"]}"', "</tr>")
    assert "someone who likes drawing (sms)" in by_sms and BY_TEXT in by_sms
    assert "someone who likes drawing (web)" in by_web and BY_TEXT not in by_web


async def test_the_duty_team_sees_which_alerts_came_by_text(client, world, records):
    await login(client, "duty.e")
    page = await (await client.get("/review/alerts")).text()
    by_sms = _fragment(page, f'aria-labelledby="alert-{records["alert_sms"]}"', "</article>")
    by_web = _fragment(page, f'aria-labelledby="alert-{records["alert_web"]}"', "</article>")
    assert "he hurts me (sms)" in by_sms and f"· {BY_TEXT} ·" in by_sms
    assert "he hurts me (web)" in by_web and "· by web chat ·" in by_web and BY_TEXT not in by_web


async def test_the_social_worker_sees_which_statements_came_by_text(client, world, records):
    await login(client, "sw.a")
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    by_sms = _fragment(page, f'aria-labelledby="st-{records["statement_sms"]}"', "</article>")
    by_web = _fragment(page, f'aria-labelledby="st-{records["statement_web"]}"', "</article>")
    assert "my sms meeting" in by_sms and re.search(rf"Sent [^<]+ {BY_TEXT}\.", by_sms)
    assert "my web meeting" in by_web and BY_TEXT not in by_web
