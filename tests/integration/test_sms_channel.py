"""The SMS channel (`bot.channels.sms`) on a real Sanic server on loopback, signed like Twilio signs, with a
fake Twilio REST API (aiohttp on loopback) catching what is sent. No trained model: a fake agent replies."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic
from twilio.request_validator import RequestValidator

from bot.channels.sms import HeardSmsInput
from bot.channels.sms_state import MemoryState
from bot.dialogue.messages import render
from tests.servers import close_server

ACCOUNT = "AC" + "1" * 32
TOKEN = "test-twilio-auth-token"
OUR_NUMBER = "+447700900999"
CHILD_PHONE = "+447700900123"
STRANGER = "+447700900555"
PUBLIC_URL = "https://heard.example-council.gov.uk/webhooks/sms/webhook"


class FakeTwilio:
    """Twilio's REST API: records every message created."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.calls = 0
        self.refuse_call: int | None = None

    async def create(self, request: web.Request) -> web.Response:
        assert request.match_info["account"] == ACCOUNT
        form = await request.post()
        self.calls += 1
        if self.calls == self.refuse_call:
            return web.json_response({"code": 30003, "message": "Unreachable", "status": 400}, status=400)
        self.sent.append({k: str(v) for k, v in form.items()})
        n = len(self.sent)
        return web.json_response(
            {
                "sid": f"SM{n:032d}",
                "account_sid": ACCOUNT,
                "to": form["To"],
                "from": form.get("From"),
                "body": form["Body"],
                "status": "queued",
                "num_segments": "1",
            },
            status=201,
        )

    def bodies(self, to: str | None = None) -> list[str]:
        return [m["Body"] for m in self.sent if to is None or m["To"] == to]


class FakeAgent:
    """Stands in for Rasa's agent: records messages and answers with catalogue messages."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        out = message.output_channel
        if message.text in ("/greet", "hi"):
            await out.send_response(message.sender_id, dict(render("greet", child_greeting="")))
            menu = render("menu")
            await out.send_response(message.sender_id, {"text": menu["text"], "buttons": menu["buttons"]})
        elif message.text == "/request_advocate":
            await out.send_response(message.sender_id, {"text": render("start_advocate")["text"]})
            ask = render("ask_adv_reason")
            await out.send_response(message.sender_id, {"text": ask["text"], "buttons": ask["buttons"]})
        elif message.text == "long":
            await out.send_response(message.sender_id, {"text": " ".join(f"word{n:03d}" for n in range(150))})
        else:
            await out.send_response(message.sender_id, {"text": render("default")["text"]})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Rig:
    def __init__(self, channel: HeardSmsInput, agent: FakeAgent, twilio: FakeTwilio, url: str) -> None:
        self.channel, self.agent, self.twilio, self.url = channel, agent, twilio, url

    async def post(
        self, params: dict[str, str], signature: str | None = "valid", sign_url: str = PUBLIC_URL
    ) -> aiohttp.ClientResponse:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature == "valid":
            headers["X-Twilio-Signature"] = RequestValidator(TOKEN).compute_signature(sign_url, params)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        async with aiohttp.ClientSession() as session:
            async with session.post(
                self.url + "/webhooks/sms/webhook", data=urlencode(params), headers=headers
            ) as response:
                await response.read()
        if self.channel._sender is not None:  # replies go out from the send queue: wait until it is empty
            await self.channel.sender.wait_idle()
        return response

    async def text(self, body: str, phone: str = CHILD_PHONE, fields: dict[str, str] | None = None,
                   **kwargs: Any) -> aiohttp.ClientResponse:
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": ACCOUNT,
            "From": phone,
            "To": OUR_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "FromCity": "",
            "FromZip": "",
            **(fields or {}),
        }
        return await self.post(params, **kwargs)


async def _start(aiohttp_server, channel: HeardSmsInput) -> tuple[Rig, Any]:
    Sanic.test_mode = True  # as in Rasa's own tests: several Sanic apps in one process
    twilio = FakeTwilio()
    fake_api = web.Application()
    fake_api.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", twilio.create)
    api_server = await aiohttp_server(fake_api)
    channel.api_base_url = str(api_server.make_url("")).rstrip("/")
    agent = FakeAgent()
    app = Sanic(f"heard_sms_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = agent
    register([channel], app, route="/webhooks/")
    port = _free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    return Rig(channel, agent, twilio, f"http://127.0.0.1:{port}"), server


@pytest.fixture
async def rig(aiohttp_server, db_url, engine):
    channel = HeardSmsInput(ACCOUNT, TOKEN, OUR_NUMBER, public_url=PUBLIC_URL, state=MemoryState())
    rig, server = await _start(aiohttp_server, channel)
    yield rig
    await close_server(server)


def _sms_for(rig: Rig, phone: str = CHILD_PHONE) -> list[str]:
    return rig.twilio.bodies(phone)


# ---------------------------------------------------------------- signatures


async def test_signed_request_reaches_rasa_with_a_hashed_sender_never_the_number(rig):
    from bot.services.children import hash_phone, sms_sender_id

    response = await rig.text("hi")
    assert response.status == 200
    assert [(m.text, m.sender_id, m.input_channel) for m in rig.agent.received] == [
        ("hi", sms_sender_id(CHILD_PHONE), "sms")
    ]
    sender = rig.agent.received[0].sender_id
    assert sender == "sms-" + hash_phone(CHILD_PHONE) and CHILD_PHONE.lstrip("+") not in sender
    bodies = _sms_for(rig)
    assert len(bodies) == 1, "the greeting and the menu go as one text (one header a turn)"
    assert all(b.startswith("Heard: You have a new message.") for b in bodies)
    assert "Hi, I am Heard." in bodies[0] and "1 Get someone on my side" in bodies[0]
    assert all(m["From"] == OUR_NUMBER for m in rig.twilio.sent)


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl", "wrong"])
async def test_unsigned_or_wrongly_signed_requests_get_403_and_change_nothing(rig, signature):
    response = await rig.text("hi", signature=signature)
    assert response.status == 403
    assert rig.agent.received == [] and rig.twilio.sent == []


async def test_signature_over_another_url_or_changed_body_is_refused(rig):
    response = await rig.text("hi", sign_url="https://attacker.example/webhooks/sms/webhook")
    assert response.status == 403
    params = {"From": CHILD_PHONE, "To": OUR_NUMBER, "Body": "hi"}
    good = RequestValidator(TOKEN).compute_signature(PUBLIC_URL, params)
    tampered = dict(params, Body="STOP")
    assert (await rig.post(tampered, signature=good)).status == 403
    assert rig.agent.received == []


async def test_signed_with_another_token_is_refused(rig):
    params = {"From": CHILD_PHONE, "To": OUR_NUMBER, "Body": "hi"}
    other = RequestValidator("someone-elses-token").compute_signature(PUBLIC_URL, params)
    assert (await rig.post(params, signature=other)).status == 403
    assert rig.agent.received == []


async def test_without_an_auth_token_every_request_is_refused(aiohttp_server, db_url, engine):
    channel = HeardSmsInput(ACCOUNT, None, OUR_NUMBER, public_url=PUBLIC_URL, state=MemoryState())
    rig, server = await _start(aiohttp_server, channel)
    try:
        params = {"From": CHILD_PHONE, "To": OUR_NUMBER, "Body": "hi"}
        signature = RequestValidator("").compute_signature(PUBLIC_URL, params)
        assert (await rig.post(params, signature=signature)).status == 403
        assert (await rig.post(params, signature=None)).status == 403
        assert rig.agent.received == []
    finally:
        await close_server(server)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_NUMBER", OUR_NUMBER)
    monkeypatch.setenv("HEARD_SMS_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("TWILIO_API_BASE_URL", "http://127.0.0.1:9")
    channel = HeardSmsInput.from_credentials(None)
    assert (channel.account_sid, channel.auth_token, channel.twilio_number) == (ACCOUNT, TOKEN, OUR_NUMBER)
    assert channel.public_url == PUBLIC_URL and channel.api_base_url == "http://127.0.0.1:9"
    assert HeardSmsInput.name() == "sms"
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "HEARD_SMS_PUBLIC_URL"):
        monkeypatch.delenv(name)
    unset = HeardSmsInput.from_credentials({"auth_token": "${TWILIO_AUTH_TOKEN}"})  # Rasa starts; refuses all
    assert unset.auth_token is None


def test_credentials_yml_registers_the_channel():
    import yaml

    from bot.config import REPO_ROOT

    data = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text())
    assert "rest" in data
    assert "bot.channels.sms.HeardSmsInput" in data


def test_rasa_builds_the_channel_from_credentials_yml_without_any_twilio_settings(monkeypatch):
    """What `rasa run --credentials credentials.yml` does for a custom channel (without the agent)."""
    from rasa.shared.utils.common import class_from_module_path
    from rasa.shared.utils.io import read_config_file

    from bot.config import REPO_ROOT

    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "HEARD_SMS_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    config = read_config_file(str(REPO_ROOT / "credentials.yml"))  # fails on an unset ${VAR}: there is none
    channel = class_from_module_path("bot.channels.sms.HeardSmsInput").from_credentials(
        config["bot.channels.sms.HeardSmsInput"]
    )
    assert isinstance(channel, HeardSmsInput) and channel.auth_token is None
    assert channel.url_prefix() == "sms"


# ---------------------------------------------------------------- numbered replies


async def test_a_number_reply_picks_the_option_last_sent(rig):
    await rig.text("hi")
    await rig.text("1")
    assert rig.agent.received[-1].text == "/request_advocate"
    await rig.text(" 2 ")  # now the options of "What do you want help with?"
    assert rig.agent.received[-1].text == '/inform{"choice":"cp_conference"}'
    await rig.text("Something else")
    assert rig.agent.received[-1].text == "Something else", "last answer had no options: words go as typed"


async def test_option_words_and_out_of_range_numbers(rig):
    await rig.text("hi")
    await rig.text("make a complaint")
    assert rig.agent.received[-1].text == "/make_complaint"
    await rig.text("hi")
    await rig.text("9")
    assert rig.agent.received[-1].text == "9"


async def test_options_are_per_number(rig):
    await rig.text("hi", phone=CHILD_PHONE)
    await rig.text("1", phone=STRANGER)
    assert rig.agent.received[-1].text == "1"


async def test_numbered_options_expire(aiohttp_server, db_url, engine):
    channel = HeardSmsInput(ACCOUNT, TOKEN, OUR_NUMBER, public_url=PUBLIC_URL, state=MemoryState(ttl=0))
    rig, server = await _start(aiohttp_server, channel)
    try:
        await rig.text("hi")
        await asyncio.sleep(0.01)
        await rig.text("1")
        assert rig.agent.received[-1].text == "1"
    finally:
        await close_server(server)


async def test_long_reply_sent_in_order_in_parts(rig, monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", "1")
    await rig.text("long")
    bodies = _sms_for(rig)
    n = len(bodies)
    assert n >= 8
    for i, body in enumerate(bodies, start=1):
        assert body.startswith(f"Heard ({i}/{n}): ") and len(body) <= 160
    words = " ".join(b.split("\n", 1)[1] for b in bodies).split()
    assert words == [f"word{n:03d}" for n in range(150)]


# ---------------------------------------------------------------- STOP / START


async def test_stop_for_a_known_child_is_stored_and_nothing_is_sent_until_start(rig, make_child, session):
    from bot.services import children

    child = make_child(name="Jade", phone="07700 900123")
    await rig.text("hi")
    before = len(rig.twilio.sent)
    assert before == 1
    assert (await rig.text("STOP")).status == 200
    assert len(rig.twilio.sent) == before, "nothing is sent in answer to STOP"
    session.expire_all()
    assert children.get_child(session, child.id).sms_opted_out is True
    assert not _in_opt_out_table(session, CHILD_PHONE), "a child's opt-out is on their record only"
    session.rollback()
    await rig.text("hi")
    assert len(rig.twilio.sent) == before, "nothing is sent after STOP"
    assert rig.agent.received[-1].text == "hi", "the words still reach Heard (a disclosure is still raised)"
    await rig.text("Start")
    assert rig.agent.received[-1].text == "/greet"
    assert len(rig.twilio.sent) == before + 1, "START greets the child again (one text)"
    session.expire_all()
    assert children.get_child(session, child.id).sms_opted_out is False


def _in_opt_out_table(session, phone: str) -> bool:
    from bot.services import children, sms_opt_outs

    session.expire_all()
    try:
        return sms_opt_outs.is_opted_out(session, children.any_phone_hash(phone))
    finally:
        session.rollback()  # end the read so the channel can write (SQLite)


async def test_stop_for_an_unknown_number_is_stored_in_the_database(rig, session):
    for word in ("unsubscribe", "Stop."):
        await rig.text("hi", phone=STRANGER)
        sent = len(rig.twilio.sent)
        await rig.text(word, phone=STRANGER)
        assert _in_opt_out_table(session, STRANGER)
        await rig.text("hello", phone=STRANGER)
        assert len(rig.twilio.sent) == sent
        await rig.text("YES", phone=STRANGER)  # Twilio's opt-in word, honoured because the number opted out
        assert not _in_opt_out_table(session, STRANGER)
        assert len(rig.twilio.sent) == sent + 1


async def test_an_unknown_numbers_stop_survives_a_restart_until_start(aiohttp_server, db_url, engine, session):
    from sqlalchemy import select

    from bot.db.models import SmsOptOut

    first = HeardSmsInput(ACCOUNT, TOKEN, OUR_NUMBER, public_url=PUBLIC_URL, state=MemoryState())
    rig, server = await _start(aiohttp_server, first)
    try:
        await rig.text("hi", phone=STRANGER)
        assert len(rig.twilio.bodies(STRANGER)) == 1
        await rig.text("STOP", phone=STRANGER)
    finally:
        await close_server(server)
    stored = session.execute(select(SmsOptOut.phone_hash)).scalars().all()
    session.rollback()
    assert len(stored) == 1 and "7700900555" not in stored[0], "kept by keyed hash, never the number"

    # A new channel with fresh (empty) memory: another process, or the same one restarted without Redis.
    second = HeardSmsInput(ACCOUNT, TOKEN, OUR_NUMBER, public_url=PUBLIC_URL, state=MemoryState())
    rig, server = await _start(aiohttp_server, second)
    try:
        await rig.text("hi", phone=STRANGER)
        await rig.text("2", phone=STRANGER)
        assert rig.agent.received[-1].text == "2", "the words still reach Heard"
        assert rig.twilio.sent == [], "nothing is texted to a number that said STOP before the restart"
        await rig.text("START", phone=STRANGER)
        assert rig.agent.received[-1].text == "/greet"
        assert len(rig.twilio.bodies(STRANGER)) == 1, "START greets again"
        assert not _in_opt_out_table(session, STRANGER)
        await rig.text("hi", phone=STRANGER)
        assert len(rig.twilio.bodies(STRANGER)) == 2
    finally:
        await close_server(server)


async def test_a_stop_from_before_the_number_was_a_childs_still_holds(rig, make_child, session):
    await rig.text("STOP", phone=STRANGER)
    child = make_child(name="Sam", phone=STRANGER)
    session.commit()
    await rig.text("hi", phone=STRANGER)
    assert rig.twilio.sent == []
    await rig.text("unstop", phone=STRANGER)
    assert len(rig.twilio.bodies(STRANGER)) == 1
    assert not _in_opt_out_table(session, STRANGER)
    from bot.services import children

    assert children.get_child(session, child.id).sms_opted_out is False
    session.rollback()


async def test_yes_is_an_ordinary_answer_when_not_opted_out(rig):
    await rig.text("yes")
    assert rig.agent.received[-1].text == "yes"


async def test_stop_in_a_sentence_is_not_an_opt_out(rig, session):
    await rig.text("stop it")
    assert rig.agent.received[-1].text == "stop it"
    assert not _in_opt_out_table(session, CHILD_PHONE)


async def test_no_phone_number_or_message_text_in_logs(rig, caplog):
    caplog.set_level("DEBUG")
    await rig.text("my secret words")
    await rig.text("hi", signature="wrong")
    assert "900123" not in caplog.text and "secret" not in caplog.text


async def test_if_the_opt_out_cannot_be_checked_nothing_is_sent(rig, monkeypatch):
    import bot.usecases.sms_opt_outs as sms_opt_outs

    def broken(_phone: str) -> bool:
        raise RuntimeError("database down")

    monkeypatch.setattr(sms_opt_outs, "_opted_out", broken)
    await rig.text("hi")
    assert rig.agent.received[-1].text == "hi"
    assert rig.twilio.sent == []


async def test_messaging_service_instead_of_a_number(aiohttp_server, db_url, engine):
    channel = HeardSmsInput(ACCOUNT, TOKEN, None, public_url=PUBLIC_URL, state=MemoryState(),
                            messaging_service_sid="MG" + "2" * 32)
    rig, server = await _start(aiohttp_server, channel)
    try:
        await rig.text("hi", fields={"MessagingServiceSid": "MG" + "2" * 32})
        assert rig.twilio.sent and all(m["MessagingServiceSid"] == "MG" + "2" * 32 for m in rig.twilio.sent)
        assert all("From" not in m for m in rig.twilio.sent)
    finally:
        await close_server(server)


async def test_twilio_refusing_a_text_for_good_is_not_retried_and_later_parts_still_go_in_order(rig, monkeypatch):
    monkeypatch.setenv("HEARD_SMS_SEGMENTS_PER_PART", "1")
    rig.twilio.refuse_call = 2  # a 400 (unreachable): not worth trying again
    await rig.text("long")
    bodies = _sms_for(rig)
    n = rig.twilio.calls
    assert len(bodies) == n - 1, "the refused part was tried once only"
    numbers = [int(b.split("(", 1)[1].split("/", 1)[0]) for b in bodies]
    assert numbers == [1] + list(range(3, n + 1)), "every other part went, in order"
