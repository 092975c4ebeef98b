"""Issue 19, the inbound side of SMS: each MessageSid once, a per-number rate limit that never holds back a
disclosure, AccountSid/To/From checked, STOP that ends an open form, pictures (MMS) answered in words, recorded and
checked, and the number kept encrypted on an SMS alert. The channel runs on a real Sanic server on loopback, signed
like Twilio signs, with the fake Twilio REST API and fake agent of ``test_sms_channel``."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Callable

import pytest
from sqlalchemy import select

from bot.channels.sms import HeardSmsInput
from bot.channels.sms_state import MemoryState
from tests.integration.test_sms_channel import ACCOUNT, CHILD_PHONE, OUR_NUMBER, PUBLIC_URL, STRANGER, _start
from tests.servers import close_server

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@pytest.fixture
async def rig(aiohttp_server, db_url, engine):
    channel = HeardSmsInput(ACCOUNT, "test-twilio-auth-token", OUR_NUMBER, public_url=PUBLIC_URL,
                            state=MemoryState())
    rig, server = await _start(aiohttp_server, channel)
    yield rig
    await close_server(server)


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Texts are sent by workers after the webhook answers: wait for ``check()`` to be true."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.05)


def params(body: str, phone: str = CHILD_PHONE, **extra: str) -> dict[str, str]:
    return {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": phone, "To": OUR_NUMBER,
            "Body": body, "NumMedia": "0", **extra}


def received(rig, phone: str = CHILD_PHONE) -> list[str]:
    from bot.services.children import sms_sender_id

    return [m.text for m in rig.agent.received if m.sender_id == sms_sender_id(phone)]


# ---------------------------------------------------------------- replays


async def test_one_signed_request_sent_ten_times_is_handled_once(rig):
    once = params("hi")
    answers = [await rig.post(once) for _ in range(10)]
    assert all(a.status == 200 for a in answers)
    assert received(rig) == ["hi"], "a replayed MessageSid never reaches Rasa again"
    assert await eventually(lambda: rig.twilio.bodies(CHILD_PHONE))
    await asyncio.sleep(0.5)
    assert len(rig.twilio.bodies(CHILD_PHONE)) == 1, "one answer, not ten"


async def test_a_replayed_answer_does_not_move_a_form_on(rig):
    first = params("i want an advocate")
    await rig.post(first)
    answer = params("1")
    for _ in range(3):
        await rig.post(answer)
    assert received(rig).count("i want an advocate") == 1
    assert len(received(rig)) == 2


async def test_message_ids_are_kept_48_hours(engine, session):
    from datetime import timedelta

    from bot.db.models import utcnow
    from bot.db.sms_models import SmsInboundMessage
    from bot.services import sms_inbound

    now = utcnow()
    assert sms_inbound.claim_message(session, "SMold", "a" * 64, now - timedelta(hours=49))
    assert sms_inbound.claim_message(session, "SMnew", "a" * 64, now - timedelta(hours=47))
    assert not sms_inbound.claim_message(session, "SMnew", "a" * 64, now)
    assert sms_inbound.forget_old(session, now) == 1
    assert session.execute(select(SmsInboundMessage.message_sid)).scalars().all() == ["SMnew"]


# ---------------------------------------------------------------- floods


async def test_fifty_texts_a_minute_are_limited_and_a_disclosure_among_them_gets_through(rig, monkeypatch):
    monkeypatch.delenv("HEARD_SMS_RATE_PER_MINUTE", raising=False)  # the default: 10 a minute
    disclosure = "my dad hits me when he is drunk"
    for n in range(50):
        body = disclosure if n == 35 else f"spam {n}"
        assert (await rig.post(params(body))).status == 200
    got = received(rig)
    assert got[:10] == [f"spam {n}" for n in range(10)], "the first ten of the minute are handled"
    assert disclosure in got, "a disclosure is never held back by the limit"
    assert len(got) == 11
    assert received(rig, STRANGER) == []
    await rig.post(params("hello", STRANGER))
    assert received(rig, STRANGER) == ["hello"], "the limit is per number"


async def test_a_possible_concern_also_gets_through_the_limit(rig, monkeypatch):
    monkeypatch.setenv("HEARD_SMS_RATE_PER_MINUTE", "2")
    for body in ("a", "b", "c", "i am scared"):
        await rig.post(params(body))
    assert received(rig) == ["a", "b", "i am scared"]


# ---------------------------------------------------------------- not for us, not from a phone


@pytest.mark.parametrize("field,value,status", [
    ("AccountSid", "AC" + "9" * 32, 403),
    ("AccountSid", "", 403),
    ("To", "+447700900111", 403),
    ("From", "client:alice", 400),
    ("From", "whatsapp:+447700900123", 400),
    ("From", "HEARDTEST", 400),
    ("From", "07700900123", 400),
    ("MessageSid", "", 400),
])
async def test_requests_not_for_our_account_number_or_from_a_phone_are_refused(rig, field, value, status):
    request = params("hi")
    request[field] = value
    answer = await rig.post(request)  # signed: only the content is wrong
    assert answer.status == status
    assert rig.agent.received == [] and rig.twilio.sent == []


# ---------------------------------------------------------------- STOP, 0, START


async def test_stop_mid_form_ends_it_with_nothing_sent_and_start_shows_the_menu_only(rig, session):
    await rig.text("/request_advocate")
    assert await eventually(lambda: rig.twilio.bodies(CHILD_PHONE))
    await asyncio.sleep(0.3)
    sent_before = len(rig.twilio.sent)
    await rig.text("Stop")
    assert received(rig)[-1] == "/restart", "STOP tells Rasa to forget the open form"
    await rig.text("hello?")
    assert received(rig)[-1] == "hello?", "later words still reach Heard (a disclosure would still be raised)"
    await asyncio.sleep(0.5)
    assert len(rig.twilio.sent) == sent_before, "nothing is texted after STOP"
    await rig.text("START")
    assert received(rig)[-2:] == ["/restart", "/greet"], "START starts afresh: the menu, no old form"
    greeting = await eventually(lambda: rig.twilio.bodies(CHILD_PHONE)[sent_before:])
    assert greeting and "Reply with a number" in greeting[-1]


@pytest.mark.parametrize("word", ["STOP", "stopall", "Cancel", "end", "QUIT", "unsubscribe"])
async def test_every_carrier_keyword_ends_the_conversation(rig, word):
    await rig.text(word)
    assert received(rig) == ["/restart"]


async def test_zero_stops_the_questions_without_opting_out(rig):
    await rig.text("/request_advocate")
    await rig.text("0")
    assert received(rig)[-1] == "/stop"
    from bot.usecases.sms_opt_outs import is_opted_out

    assert not is_opted_out(CHILD_PHONE)


# ---------------------------------------------------------------- pictures


def picture(body: str, phone: str = CHILD_PHONE) -> dict[str, str]:
    return params(body, phone, NumMedia="1", MediaContentType0="image/jpeg",
                  MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME")


async def test_a_picture_alone_is_answered_in_words_and_recorded(rig, session):
    from bot.db.sms_models import SmsMediaArrival
    from bot.services.audit import conversation_ref
    from bot.services.children import sms_sender_id

    assert (await rig.post(picture(""))).status == 200
    texts = await eventually(lambda: rig.twilio.bodies(CHILD_PHONE))
    assert "I can't see pictures. Can you tell me in words?" in texts[0]
    assert "press" not in texts[0].lower() and "button" not in texts[0].lower()
    assert rig.agent.received == []
    rows = session.execute(select(SmsMediaArrival)).scalars().all()
    assert [(r.conversation_ref, r.num_media, r.content_types, r.with_words) for r in rows] == [
        (conversation_ref(sms_sender_id(CHILD_PHONE)), 1, "image/jpeg", 0)]


async def test_a_picture_with_words_about_an_injury_raises_an_alert_and_keeps_the_number(rig, session):
    from bot.db.models import SafeguardingAlert
    from bot.services.phone_vault import decrypt_phone

    await rig.post(picture("look what he did to my arm", STRANGER))
    texts = "\n".join(await eventually(lambda: rig.twilio.bodies(STRANGER)))
    assert "I can't see pictures" in texts and "0800 1111" in texts and "999" in texts
    alerts = session.execute(select(SafeguardingAlert)).scalars().all()
    assert len(alerts) == 1
    assert alerts[0].channel == "sms" and alerts[0].text == "look what he did to my arm"
    assert decrypt_phone(alerts[0].phone_encrypted) == STRANGER
    assert STRANGER not in (alerts[0].phone_encrypted or "")


async def test_a_picture_with_everyday_words_goes_to_heard_as_text(rig, session):
    from bot.db.models import SafeguardingAlert

    await rig.post(picture("this is my drawing of a cat"))
    assert received(rig) == ["this is my drawing of a cat"]
    assert session.execute(select(SafeguardingAlert)).scalars().all() == []


async def test_a_picture_with_a_clear_disclosure_goes_to_heard(rig):
    await rig.post(picture("my dad hits me"))
    assert received(rig) == ["my dad hits me"], "Rasa answers a clear disclosure and raises the alert"


# ---------------------------------------------------------------- the number on an SMS alert


async def test_an_alert_raised_in_an_sms_conversation_keeps_the_number_encrypted(rig, session):
    from bot.db.models import AuditEvent, SafeguardingAlert
    from bot.services.children import sms_sender_id
    from bot.services.phone_vault import decrypt_phone
    from bot.usecases.alerts import raise_safeguarding_alert

    sender = sms_sender_id(STRANGER)

    async def agent_raises(message) -> None:  # what action_safeguarding_response does in this conversation
        raise_safeguarding_alert(conversation_id=message.sender_id, child_id=None, channel="sms",
                                 text=message.text, category="physical", cue="hits me")

    rig.agent.handle_message = agent_raises
    await rig.text("someone hits me", STRANGER)
    await rig.text("/talk_to_person", STRANGER)  # "Yes, please": someone to talk to
    alerts = session.execute(select(SafeguardingAlert)).scalars().all()
    assert len(alerts) == 2 and all(decrypt_phone(a.phone_encrypted) == STRANGER for a in alerts)
    assert sender not in str([a.phone_encrypted for a in alerts])
    kept = session.execute(select(AuditEvent).where(AuditEvent.entity_type == "safeguarding_alert",
                                                    AuditEvent.action == "update")).scalars().all()
    assert len(kept) == 2 and all(STRANGER[3:] not in (e.detail or "") for e in kept)


def test_settings_rate_limit(monkeypatch):
    from bot.config import get_settings

    monkeypatch.delenv("HEARD_SMS_RATE_PER_MINUTE", raising=False)
    assert get_settings().sms.rate_per_minute == 10
    monkeypatch.setenv("HEARD_SMS_RATE_PER_MINUTE", "0")
    assert get_settings().sms.rate_per_minute == 1


async def test_a_typed_payload_is_words_never_an_intent(rig):
    """Only a number or an option's words picks an option; "/disclose_harm" or "/restart" typed in a text is
    words (it raised fake alerts and restarted conversations, and Rasa logged the text it could not parse)."""
    for typed, words in [("/disclose_harm", "disclose_harm"), ("/restart", "restart"),
                         ("/ my name is Tayla", "my name is Tayla")]:
        await rig.text(typed)
        assert received(rig)[-1] == words
