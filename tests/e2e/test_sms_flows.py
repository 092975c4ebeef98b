"""Issue 19, end to end by SMS with the trained model: the real Rasa server and action server, the SMS webhook
signed as Twilio signs, the send queue, and a fake Twilio REST API that records every text. The requests, the
waiting and the advocate flow are the SMS bench's own (``bench/sms_bench.py``).

- STOP in the middle of a form: nothing is sent (no referral), the number is opted out and gets no text; START
  greets with the menu only, the old form does not come back, and the next text is no answer to it.
- 50 texts in a minute from one number: held back by the rate limit, but a disclosure among them still reaches
  Rasa, raises a safeguarding alert (keeping the number, sealed, for a call back) and gets the safe answer.
- The bench's advocate referral: completed in at most 12 segments (the bench's target).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bench import sms_bench
from bot.channels.sms_text import header
from bot.dialogue.forms import required_slots
from bot.dialogue.messages import render
from tests.e2e.test_conversations import FakeTwilio
from tests.stack import MODEL, Stack

pytestmark = [pytest.mark.stack, pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train")]


def new_number() -> str:
    return "+4477009" + f"{uuid.uuid4().int % 100000:05d}"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated SQLite case database, also this process's (the use cases read it here as the servers do)."""
    from bot.db.engine import dispose_engines
    from bot.db.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('sms-flows') / 'heard.db'}"
    before = os.environ.get("HEARD_DATABASE_URL")
    os.environ["HEARD_DATABASE_URL"] = url
    upgrade(url)
    try:
        yield url
    finally:
        dispose_engines()
        if before is None:
            os.environ.pop("HEARD_DATABASE_URL", None)
        else:
            os.environ["HEARD_DATABASE_URL"] = before


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    yield fake
    fake.shutdown()


@pytest.fixture(scope="module")
def stack(database: str, twilio: FakeTwilio, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(database_url=database, log_dir=tmp_path_factory.mktemp("sms-flows-stack"),
                    extra_env=sms_bench.stack_env(twilio)).start()
    try:
        yield running
    finally:
        running.stop()


def sent_to(twilio: FakeTwilio, phone: str) -> list[str]:
    return [m.get("Body", "") for m in twilio.sent if m.get("To") == phone]


def turn(stack: Stack, twilio: FakeTwilio, phone: str, body: str) -> list[str]:
    """Text `body` in and return the texts that answer it (waits until at least one came and the queue is quiet)."""
    before = len(sent_to(twilio, phone))
    sms_bench.text_in(stack, phone, body)
    return sms_bench.settle(twilio, phone, seconds=30, at_least=before + 1)[before:]


def rows(database: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(database, future=True)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def conversation_ref(phone: str) -> str:
    from bot.services.audit import conversation_ref as ref
    from bot.services.children import sms_sender_id

    return ref(sms_sender_id(phone))


def form_questions() -> list[str]:
    """The advocate form's questions as SMS asks them."""
    answers = {"adv_reason": "review", "contact_how": "this_number"}
    return [render(f"ask_{slot}", channel="sms")["text"] for slot in required_slots("advocate_form", answers)
            if slot != "adv_confirm"]


def test_stop_mid_form_sends_nothing_and_start_greets_with_the_menu_only(stack: Stack, twilio: FakeTwilio,
                                                                          database: str) -> None:
    from bot.services.children import sms_sender_id
    from bot.usecases.sms_opt_outs import is_opted_out

    phone = new_number()
    opening = "\n".join(turn(stack, twilio, phone, "i want an advocate"))
    assert "What is it about?" in opening and "1 My review meeting" in opening, opening
    asked = "\n".join(turn(stack, twilio, phone, "1"))  # "My review meeting"
    assert render("ask_adv_words", channel="sms")["text"] in asked, asked
    slots = stack.tracker(sms_sender_id(phone))["slots"]
    assert slots["adv_reason"] == "review", "the form is open with one answer"
    before_stop = len(sent_to(twilio, phone))

    sms_bench.text_in(stack, phone, "STOP")
    assert is_opted_out(phone), "STOP opts the number out (in the database, before the webhook answers)"
    tracker = stack.tracker(sms_sender_id(phone))
    assert not (tracker.get("active_loop") or {}).get("name"), "the form ended"
    assert tracker["slots"].get("adv_reason") is None, "its answers are forgotten"
    sms_bench.text_in(stack, phone, "hello?")  # while opted out: not an answer, and nothing is sent
    assert is_opted_out(phone)
    assert not rows(database, "SELECT id FROM advocacy_referrals WHERE conversation_ref = :ref",
                    ref=conversation_ref(phone)), "nothing was sent to the advocacy service"

    # Texts go out in order for one number: whatever STOP or "hello?" had queued would arrive before START's reply.
    sms_bench.text_in(stack, phone, "START")
    after = sms_bench.settle(twilio, phone, seconds=30, at_least=before_stop + 1)[before_stop:]
    assert not is_opted_out(phone)
    greeting = "\n".join(after)
    heads = [part.split("\n", 1)[0] for part in after]
    assert heads == [header(i, len(after)) for i in range(1, len(after) + 1)], ("one turn: START's answer only", after)
    assert "Hi, I am Heard" in greeting and "Reply with a number:" in greeting, greeting
    menu = [b["title"] for b in render("menu", channel="sms")["buttons"]]
    assert all(f"{n} {title}" in greeting for n, title in enumerate(menu, start=1)), "the menu"
    assert "hello" not in greeting.lower()
    assert not any(question in greeting for question in form_questions()), "the old form does not come back"

    reply = "\n".join(turn(stack, twilio, phone, "hello?"))  # before, kept as the answer to the open question
    tracker = stack.tracker(sms_sender_id(phone))
    assert not (tracker.get("active_loop") or {}).get("name"), "no form is open"
    assert "hello?" not in tracker["slots"].values(), "the next text is no answer to the old form"
    assert tracker["slots"].get("adv_reason") is None and tracker["slots"].get("adv_words") is None
    assert not any(question in reply for question in form_questions()), reply
    assert not rows(database, "SELECT id FROM advocacy_referrals WHERE conversation_ref = :ref",
                    ref=conversation_ref(phone))


def test_a_disclosure_in_a_flood_of_texts_still_raises_an_alert(stack: Stack, twilio: FakeTwilio,
                                                                 database: str) -> None:
    from bot.config import get_settings
    from bot.services.children import sms_sender_id

    limit = get_settings().sms.rate_per_minute
    phone = new_number()
    disclosure = "my dad hits me when he is drunk"
    started = time.monotonic()
    for n in range(50):  # 50 texts from one number, as fast as the webhook takes them
        sms_bench.text_in(stack, phone, disclosure if n == 30 else f"hello {n}")
        if n == 30:
            assert time.monotonic() - started < 55, "the disclosure came within the minute, over the limit"
    handled = [e["text"] for e in stack.tracker(sms_sender_id(phone))["events"] if e["event"] == "user"]
    assert disclosure in handled, "a text that may be about harm is never held back"
    assert len(handled) <= limit + 1, f"the flood was held back ({len(handled)} of 50 reached Rasa)"
    deadline = time.monotonic() + 30
    alerts: list[Any] = []
    while time.monotonic() < deadline and not (alerts and alerts[0].phone_encrypted):
        alerts = rows(database, "SELECT text, channel, phone_encrypted FROM safeguarding_alerts "
                                "WHERE conversation_ref = :ref", ref=conversation_ref(phone))
        time.sleep(0.2)
    assert [(a.text, a.channel) for a in alerts] == [(disclosure, "sms")], alerts
    assert alerts[0].phone_encrypted and phone[3:] not in alerts[0].phone_encrypted, "kept sealed for a call back"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "0800 1111" not in "\n".join(sent_to(twilio, phone)):
        time.sleep(0.2)
    texts = sent_to(twilio, phone)
    assert "0800 1111" in "\n".join(texts), "the safe answer (Childline) reached the child"
    assert len(texts) < 50, "not a reply to every text of the flood"


def test_the_benchs_advocate_referral_takes_at_most_12_segments(stack: Stack, twilio: FakeTwilio) -> None:
    row = sms_bench.run_flow(stack, twilio, "advocate", sms_bench.FLOWS["advocate"])
    assert row["completed"], row
    assert sms_bench.meets_target(row) is True, row
    assert int(str(row["segments"])) <= sms_bench.TARGETS["advocate"] == 12, row
    assert int(str(row["texts"])) == len(sms_bench.FLOWS["advocate"]), "one text per turn"
