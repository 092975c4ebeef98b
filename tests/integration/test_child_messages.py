"""``bot.services.child_messages``: the one way Heard speaks to a child first (SMS or the widget), quiet hours,
STOP, exactly once per dedupe key; and the SMS queue's claims (``bot.services.outbound_queue``)."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.channels.sms_sender import SmsSender
from bot.channels.sms_state import MemoryState
from bot.db.base import utcnow
from bot.db.engine import session_scope
from bot.db.outbound_models import OutboundMessage
from bot.services import child_messages, outbound_queue, phone_vault
from tests.tools.fake_twilio import FakeTwilio

LONDON = ZoneInfo("Europe/London")
PHONE = "+447700900301"
ACCOUNT = "AC" + "4" * 32


def _texting_child(make_child, session, phone: str = PHONE, name: str = "Jade"):
    child = make_child(name=name, phone=phone)
    child.phone_encrypted = phone_vault.encrypt_phone(phone)
    child.sms_consent_at = utcnow()
    session.commit()
    return child


def _rows(session, **where):
    session.expire_all()
    query = select(OutboundMessage).order_by(OutboundMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboundMessage, key) == value)
    rows = session.execute(query).scalars().all()
    session.rollback()
    return rows


def test_quiet_hours_end_at_8am_uk_time():
    assert child_messages.quiet_until(datetime(2027, 1, 14, 12, 0, tzinfo=timezone.utc)) is None
    held = child_messages.quiet_until(datetime(2027, 1, 14, 22, 0, tzinfo=LONDON))
    assert held == datetime(2027, 1, 15, 8, 0, tzinfo=LONDON)
    early = child_messages.quiet_until(datetime(2027, 7, 1, 5, 30, tzinfo=LONDON))  # summer time (BST)
    assert early == datetime(2027, 7, 1, 8, 0, tzinfo=LONDON) and early.astimezone(timezone.utc).hour == 7
    assert child_messages.quiet_until(datetime(2027, 1, 14, 20, 59, tzinfo=LONDON)) is None
    assert child_messages.quiet_until(datetime(2027, 1, 14, 21, 0, tzinfo=LONDON)) is not None


def test_a_text_queued_at_10pm_is_held_until_8am(make_child, session):
    child = _texting_child(make_child, session)
    ten_pm = datetime(2027, 1, 14, 22, 0, tzinfo=LONDON)
    result = child_messages.queue_for_child(session, child.id, "Your advocate is Sam.", kind="progress",
                                            dedupe_key="progress:1:allocated", now=ten_pm)
    session.commit()
    assert result == "sms_held"
    rows = _rows(session, channel="sms")
    assert len(rows) == 1 and rows[0].next_attempt_at == datetime(2027, 1, 15, 8, 0, tzinfo=LONDON)
    at = datetime(2027, 1, 15, 7, 59, tzinfo=LONDON)
    assert outbound_queue.claim(session, "w1", now=at) == [], "nothing goes out before 8am"
    claimed = outbound_queue.claim(session, "w1", now=datetime(2027, 1, 15, 8, 0, tzinfo=LONDON))
    assert len(claimed) == 1 and claimed[0].phone == PHONE
    assert claimed[0].body.startswith("Heard: You have a new message.") and "Sam" in claimed[0].body
    session.rollback()


def test_quiet_hours_can_be_waived_for_an_answer_the_child_waits_for(make_child, session):
    child = _texting_child(make_child, session)
    ten_pm = datetime(2027, 1, 14, 22, 0, tzinfo=LONDON)
    result = child_messages.queue_for_child(session, child.id, "Here is your code.", kind="reply",
                                            dedupe_key="k-now", quiet_hours=False, now=ten_pm)
    assert result == "sms"
    assert outbound_queue.claim(session, "w1", now=ten_pm)


def test_a_child_who_said_stop_gets_nothing_by_sms_and_it_waits_in_the_widget(make_child, session):
    child = _texting_child(make_child, session)
    child.sms_opted_out = True
    session.commit()
    assert child_messages.queue_for_child(session, child.id, "Your advocate is Sam.", kind="progress",
                                          dedupe_key="stop-1") == "web"
    session.commit()
    assert _rows(session, channel="sms") == []
    assert child_messages.take_waiting_for_web(session, child.id) == ["Your advocate is Sam."]


def test_no_recorded_consent_means_no_text(make_child, session):
    child = _texting_child(make_child, session)
    child.sms_consent_at = None
    session.commit()
    assert child_messages.queue_for_child(session, child.id, "Hello", kind="outreach", dedupe_key="c-1") == "web"


def test_widget_messages_are_shown_once_in_order(make_child, session):
    child = make_child(name="Leo")
    for n in range(3):
        queued = child_messages.queue_for_child(session, child.id, f"Message {n}", kind="progress",
                                                dedupe_key=f"w-{n}", buttons=[{"title": "OK", "payload": "/affirm"}])
        assert queued == "web"
    session.commit()
    assert child_messages.take_waiting_for_web(session, child.id) == ["Message 0", "Message 1", "Message 2"]
    session.commit()
    assert child_messages.take_waiting_for_web(session, child.id) == []
    assert all(r.body_encrypted is None and r.status == "shown" for r in _rows(session, child_id=child.id))


def test_the_same_dedupe_key_queues_once(make_child, session):
    child = _texting_child(make_child, session)
    noon = datetime(2027, 1, 14, 12, 0, tzinfo=LONDON)
    first = child_messages.queue_for_child(session, child.id, "A", kind="progress", dedupe_key="same", now=noon)
    second = child_messages.queue_for_child(session, child.id, "A", kind="progress", dedupe_key="same", now=noon)
    session.commit()
    assert (first, second) == ("sms", "duplicate")
    assert len(_rows(session)) == 1


def test_bad_calls_are_refused(make_child, session):
    child = make_child(name="Mo")
    with pytest.raises(LookupError):
        child_messages.queue_for_child(session, "c_nobody", "Hi", kind="progress", dedupe_key="x")
    with pytest.raises(ValueError):
        child_messages.queue_for_child(session, child.id, " ", kind="progress", dedupe_key="x")


def test_a_number_s_texts_are_claimed_in_order_one_at_a_time(make_child, session):
    outbound_queue.add_texts(session, PHONE, ["one", "two"], [], kind="reply")
    outbound_queue.add_texts(session, "+447700900302", ["other"], None, kind="reply")
    session.commit()
    first = outbound_queue.claim(session, "w1", limit=5)
    session.commit()
    assert sorted(c.body for c in first) == ["one", "other"], "one text per number at a time"
    assert outbound_queue.claim(session, "w2", limit=5) == [], "'two' waits until 'one' is settled"
    one = next(c for c in first if c.body == "one")
    assert outbound_queue.mark_retry(session, one.id, "w1", error_code="500", delay=0)
    session.commit()
    again = outbound_queue.claim(session, "w2", limit=5)
    assert [c.body for c in again] == ["one"], "a retried text still goes before the next one"


async def test_once_per_dedupe_key_with_two_servers(make_child, session, aiohttp_server, db_url):
    """Two servers run the same job at the same moment and two sets of workers send: one text arrives.
    On SQLite here; ``./heard test`` runs it again on PostgreSQL (FOR UPDATE SKIP LOCKED)."""
    children = [_texting_child(make_child, session, phone=f"+4477009004{n:02d}", name=f"C{n}") for n in range(4)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def job() -> None:
        barrier.wait()
        for child in children:
            with session_scope() as s:
                results.append(child_messages.queue_for_child(
                    s, child.id, "Someone might be your visitor.", kind="outreach",
                    dedupe_key=f"outreach:match:{child.id}", quiet_hours=False))

    threads = [threading.Thread(target=job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["duplicate"] * 4 + ["sms"] * 4
    twilio = FakeTwilio()
    api = await aiohttp_server(twilio.app())
    base = str(api.make_url("")).rstrip("/")
    senders = [SmsSender(ACCOUNT, "token", "+447700900999", api_base_url=base, state=MemoryState(), workers=2,
                         poll=0.05, backoff_base=0.05) for _ in range(2)]
    for sender in senders:
        sender.start()
    try:
        assert await senders[0].wait_idle() and await senders[1].wait_idle()
        await asyncio.sleep(0.3)
    finally:
        for sender in senders:
            await sender.stop()
    assert sorted(c.to for c in twilio.calls) == sorted(f"+4477009004{n:02d}" for n in range(4))
    assert all(r.status == "sent" for r in _rows(session, channel="sms"))


async def test_a_number_that_says_stop_after_queueing_gets_nothing(make_child, session, aiohttp_server, db_url):
    child = _texting_child(make_child, session)
    assert child_messages.queue_for_child(session, child.id, "Hello", kind="outreach", dedupe_key="late-stop",
                                          quiet_hours=False) == "sms"
    child.sms_opted_out = True
    session.commit()
    twilio = FakeTwilio()
    api = await aiohttp_server(twilio.app())
    sender = SmsSender(ACCOUNT, "token", "+447700900999", api_base_url=str(api.make_url("")).rstrip("/"),
                       state=MemoryState(), workers=1, poll=0.05)
    sender.start()
    try:
        assert await sender.wait_idle()
    finally:
        await sender.stop()
    assert twilio.calls == []
    rows = _rows(session, channel="sms")
    assert [r.status for r in rows] == ["dropped"] and rows[0].phone_encrypted is None


def test_a_text_held_for_the_morning_never_holds_back_the_answer_to_what_the_child_texts_now(session, make_child):
    """A review invitation queued at 22:00 waits for 08:00; the child texts at 22:05 and is answered at once."""
    from datetime import datetime, timezone

    from bot.services import outbound_queue

    night = datetime(2026, 12, 1, 22, 0, tzinfo=timezone.utc)
    held_until = datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)
    outbound_queue.add_texts(session, "+447700900123", ["Your review meeting is soon."], None, kind="outreach",
                             child_id=None, dedupe_key="held-1", not_before=held_until)
    outbound_queue.add_texts(session, "+447700900123", ["Hi, I am Heard."], None, kind="reply", child_id=None,
                             dedupe_key=None, not_before=night)
    session.flush()
    claimed = outbound_queue.claim(session, "w1", now=night.replace(minute=5))
    assert [c.body for c in claimed] == ["Hi, I am Heard."]
    assert outbound_queue.claim(session, "w1", now=night.replace(minute=6)) == []  # the held one still waits
