"""Outbound SMS (issue 19): the webhook answers at once, texts go from the queue (``outbound_messages``) through
the send workers (``bot.channels.sms_sender``) to a fake Twilio REST API (``tests/tools/fake_twilio.py``) that
delays and fails on demand; and ``bot.services.child_messages``, the one way Heard texts a child first."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.channels.sms import HeardSmsInput
from bot.channels.sms_sender import SmsSender
from bot.channels import sms_text
from bot.channels.sms_state import MemoryState
from bot.dialogue.messages import render
from tests.tools.fake_twilio import FakeTwilio
from tests.servers import close_server

ACCOUNT = "AC" + "3" * 32
TOKEN = "outbound-test-token"
OUR_NUMBER = "+447700900999"
ANA = "+447700900201"
BEN = "+447700900202"
CAL = "+447700900203"
PUBLIC_URL = "https://heard.example-council.gov.uk/webhooks/sms/webhook"
LONDON = ZoneInfo("Europe/London")


class MenuAgent:
    """Stands in for Rasa: every text is answered with the greeting and the menu (a numbered options turn);
    "long" gets a reply of several parts; a text in ``replies`` gets those (text, buttons) messages."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.replies: dict[str, list[tuple[str, list[dict[str, str]]]]] = {}

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message.text)
        out = message.output_channel
        if message.text in self.replies:
            for text, buttons in self.replies[message.text]:
                await out.send_response(message.sender_id, {"text": text, "buttons": buttons})
            return
        if message.text == "long":
            await out.send_response(message.sender_id, {"text": " ".join(f"word{n:03d}" for n in range(90))})
            return
        await out.send_response(message.sender_id, {"text": render("greet", child_greeting="")["text"]})
        menu = render("menu")
        await out.send_response(message.sender_id, {"text": menu["text"], "buttons": menu["buttons"]})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Rig:
    def __init__(self, channel: HeardSmsInput, twilio: FakeTwilio, url: str, state: MemoryState,
                 agent: MenuAgent) -> None:
        self.channel, self.twilio, self.url, self.state, self.agent = channel, twilio, url, state, agent

    async def text(self, body: str, phone: str) -> tuple[int, float]:
        """Post a signed text; returns (HTTP status, seconds the webhook took)."""
        params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT, "From": phone,
                  "To": OUR_NUMBER, "Body": body, "NumMedia": "0"}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(PUBLIC_URL, params)}
        started = time.monotonic()
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url + "/webhooks/sms/webhook", data=urlencode(params),
                                    headers=headers) as response:
                await response.read()
                return response.status, time.monotonic() - started

    async def until(self, condition, timeout: float = 5.0) -> float:
        """Seconds until `condition()` holds (fails the test after `timeout`)."""
        started = time.monotonic()
        while not condition():
            assert time.monotonic() - started < timeout, "timed out"
            await asyncio.sleep(0.02)
        return time.monotonic() - started


@pytest.fixture
async def rig(aiohttp_server, db_url, engine):
    Sanic.test_mode = True
    twilio = FakeTwilio()
    api = await aiohttp_server(twilio.app())
    base = str(api.make_url("")).rstrip("/")
    state = MemoryState()
    channel = HeardSmsInput(ACCOUNT, TOKEN, OUR_NUMBER, public_url=PUBLIC_URL, api_base_url=base, state=state)
    channel._sender = SmsSender(ACCOUNT, TOKEN, OUR_NUMBER, api_base_url=base, state=state, workers=3,
                                timeout=10, backoff_base=0.05, poll=0.05)
    app = Sanic(f"heard_sms_out_{uuid.uuid4().hex[:8]}")
    agent = MenuAgent()
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    port = _free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    yield Rig(channel, twilio, f"http://127.0.0.1:{port}", state, agent)
    twilio.release()
    await asyncio.wait_for(channel.sender.stop(), 30)
    await close_server(server)


# ---------------------------------------------------------------- the webhook answers at once


async def test_a_stalled_twilio_call_delays_no_other_number(rig):
    rig.twilio.hang(ANA, 20)
    status, took = await rig.text("hi", ANA)
    assert status == 200 and took < 2, "Twilio gets its answer at once, whatever the REST API does"
    await asyncio.sleep(0.2)  # Ana's text is now stuck in a call to Twilio
    status, took = await rig.text("hi", BEN)
    assert status == 200 and took < 2
    waited = await rig.until(lambda: rig.twilio.bodies(BEN), timeout=2)
    assert waited < 2, "another child's reply arrives within 2 seconds"
    assert rig.twilio.bodies(ANA) == [], "Ana's call is still hanging"


async def test_a_500_is_retried_and_the_parts_still_arrive_in_order(rig, monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", "1")
    rig.twilio.fail(ANA, 500)
    await rig.text("long", ANA)
    assert await rig.channel.sender.wait_idle()
    attempts = rig.twilio.attempts(ANA)
    assert attempts[0].status == 500 and attempts[1].status == 201
    assert attempts[0].body == attempts[1].body, "the refused part was tried again first"
    bodies = rig.twilio.bodies(ANA)
    n = len(bodies)
    assert n >= 3
    assert [b.split("\n", 1)[0] for b in bodies] == [
        f"Heard ({i}/{n}): You have a new message. Open this text to read it." for i in range(1, n + 1)
    ]
    words = " ".join(b.split("\n", 1)[1] for b in bodies).split()
    assert words == [f"word{i:03d}" for i in range(90)], "nothing lost, nothing twice, in order"


async def test_429_backs_off_longer_without_holding_back_another_number(rig):
    rig.twilio.fail(ANA, 429)
    rig.twilio.fail(BEN, 500)
    await rig.text("hi", ANA)
    await rig.text("hi", BEN)
    await rig.until(lambda: rig.twilio.bodies(ANA) and rig.twilio.bodies(BEN))
    ana, ben = rig.twilio.attempts(ANA), rig.twilio.attempts(BEN)
    assert [c.status for c in ana] == [429, 201] and [c.status for c in ben] == [500, 201]
    assert ana[1].at - ana[0].at >= 0.15, "429: waited (4 x the base backoff, jittered)"
    assert ana[1].at - ana[0].at > ben[1].at - ben[0].at, "a 429 waits longer than a 500"


async def test_a_refusal_for_good_is_not_retried(rig):
    rig.twilio.fail(ANA, 400)
    await rig.text("hi", ANA)
    assert await rig.channel.sender.wait_idle()
    await asyncio.sleep(0.3)
    assert [c.status for c in rig.twilio.attempts(ANA)] == [400]


async def test_options_are_remembered_only_after_twilio_accepted_the_text(rig):
    rig.twilio.hang(ANA, 0.8)
    await rig.text("hi", ANA)
    assert rig.state.get_options(ANA) == [], "the menu is not on the phone yet: '1' means nothing"
    await rig.until(lambda: rig.twilio.bodies(ANA))
    await rig.until(lambda: rig.state.get_options(ANA))
    assert rig.state.get_options(ANA)[0]["payload"] == "/request_advocate"


async def test_options_are_in_place_before_the_text_is_marked_sent(rig, engine, monkeypatch):
    """Anything that waits for a text to be sent (a child who has it, a test) finds its options remembered:
    when the options are remembered, the text carrying them is not marked sent yet."""
    from bot.db.outbound_models import OutboundMessage

    statuses_when_remembered: list[list[str]] = []
    remember = rig.state.set_options

    def set_options(phone, options):  # in a send worker's thread: its own session
        from bot.db.engine import session_scope

        with session_scope(engine) as s:
            statuses_when_remembered.append(s.scalars(select(OutboundMessage.status)).all())
        remember(phone, options)

    monkeypatch.setattr(rig.state, "set_options", set_options)
    await rig.text("hi", CAL)
    assert await rig.channel.sender.wait_idle()
    await rig.until(lambda: rig.state.get_options(CAL))
    assert statuses_when_remembered and "sent" not in statuses_when_remembered[-1]
    assert rig.state.get_options(CAL)[0]["payload"] == "/request_advocate"


async def test_options_of_a_text_twilio_never_took_are_not_remembered(rig):
    rig.twilio.fail(BEN, 400)
    await rig.text("hi", BEN)
    assert await rig.channel.sender.wait_idle()
    assert rig.state.get_options(BEN) == []
    await rig.text("1", BEN)
    assert rig.agent.received[-1] == "1", "a menu that never arrived gives '1' no meaning"


async def test_the_number_and_words_are_not_kept_once_sent(rig, session):
    from bot.db.outbound_models import OutboundMessage

    await rig.text("hi", ANA)
    assert await rig.channel.sender.wait_idle()
    rows = session.execute(select(OutboundMessage)).scalars().all()
    assert rows and all(r.status == "sent" for r in rows)
    assert all(r.phone_encrypted is None and r.body_encrypted is None for r in rows)
    assert all(r.provider_id and r.provider_id.startswith("SM") and r.segments for r in rows)


# ---------------------------------------------------------------- an answer in Arabic (issue 19, "Splitting")

ARABIC = "أريد أن أتكلم مع شخص عن مدرستي وعن بيتي ولا أحد يسمعني"  # 54 characters, none of them GSM-7


def _is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.mark.parametrize("times", [1, 3, 30], ids=["short", "a-text-and-a-half", "1649-characters"])
async def test_a_read_back_with_one_arabic_answer_goes_in_the_fewest_texts_with_the_options_whole(rig, times):
    """The advocate form's SMS read-back (the action server's own AskCheck, on an SMS tracker) with the child's
    words in Arabic, answered through the webhook and sent by the send workers: the fewest texts (counted
    independently), each within its own encoding's budget (GSM-7 unless it holds Arabic), numbered in order, the
    options whole in the last text, every answer there once (a long answer shortened), and the options remembered
    once sent. Before, such a read-back went out as 18 texts, each sized for UCS-2, the options split."""
    from tests.unit.test_sms_turn import ADVOCATE_ANSWERS, read_back, fewest_parts

    said = await asyncio.to_thread(read_back, {**ADVOCATE_ANSWERS, "adv_words": " ".join([ARABIC] * times)})
    rig.agent.replies["no"] = said
    status, took = await rig.text("no", ANA)
    assert status == 200 and took < 2
    assert await rig.channel.sender.wait_idle()
    texts = rig.twilio.bodies(ANA)
    n = len(texts)
    assert n == fewest_parts(said), "the fewest texts the lines fit in"
    assert [t.split("\n", 1)[0] for t in texts] == [sms_text.header(i, n) for i in range(1, n + 1)]
    for text in texts:
        gsm = sms_text.is_gsm7(text)
        assert gsm == (not _is_arabic(text)), "only a text holding Arabic is UCS-2"
        units = sms_text.gsm_units(text) if gsm else sms_text.ucs2_units(text)
        assert units <= sms_text.part_limit(gsm), "within its own encoding's limit"
        assert sms_text.segment_count(text) <= sms_text.segments_per_part()
    options = "Reply with a number:\n1 Send it\n2 Change an answer\n3 Don't send"
    assert texts[-1].endswith(options) and not any("Send it" in t for t in texts[:-1]), "the options whole"
    bodies = "\n".join(t.split("\n", 1)[1] for t in texts)
    for answer in ("My review meeting", "Name: Jo", "Council: Lancashire", "Text me at this number",
                   "After school", "Tell social worker: No"):
        assert bodies.count(answer) == 1
    arabic_words = " ".join(w for w in bodies.split() if _is_arabic(w))
    assert arabic_words.count(ARABIC) == min(times, 5), "the answer in order, a long one cut at a word"
    assert ("more characters" in bodies) == (times == 30)
    await rig.until(lambda: rig.state.get_options(ANA))
    assert [o["title"] for o in rig.state.get_options(ANA)] == ["Send it", "Change an answer", "Don't send"]


async def test_stop_ends_even_a_worker_that_missed_its_cancel(db_url, engine):
    """Python 3.10's asyncio.wait_for can swallow a cancel that arrives as its wait ends; a send worker that missed
    its cancel once held a whole test run at teardown. stop() ends the workers anyway, in bounded time."""
    sender = SmsSender(ACCOUNT, TOKEN, OUR_NUMBER, api_base_url="http://127.0.0.1:9", state=MemoryState(),
                       workers=2, timeout=1, poll=0.05, database_url=db_url)
    sender.start()

    async def deaf_worker() -> None:  # ignores cancels, like a worker whose cancel was swallowed
        while not sender._stopping:
            try:
                await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                continue

    workers = [*sender._tasks, asyncio.create_task(deaf_worker())]
    sender._tasks.append(workers[-1])
    started = time.monotonic()
    await asyncio.wait_for(sender.stop(timeout=5), 10)
    await asyncio.sleep(0.1)
    assert time.monotonic() - started < 2 and all(task.done() for task in workers)
