"""The chat API (`bot.web.chat`): forwarding to Rasa's REST channel, bad input, Rasa down, sign-in,
security headers.

The server makes every conversation id (a `sender` in the body is ignored): a test that continues a
conversation sends a tab key (`X-Heard-Tab`) and keeps the cookie, as Heard's own page does
(tests/security/test_web_conversation.py has the attacks)."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from aiohttp import web

from bot.web import chat

SENDER = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
TAB = {"X-Heard-Tab": "tab-" + "t" * 28}


class FakeRasa:
    """Rasa's REST channel on loopback: records what it gets and answers like Rasa does."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        self.status = 200

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.status != 200:
            return web.Response(status=self.status, text="boom")
        return web.json_response([{"recipient_id": body["sender"], **r} for r in self.replies])


@pytest.fixture
async def rasa(aiohttp_server, monkeypatch) -> FakeRasa:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    server = await aiohttp_server(app)
    monkeypatch.setenv("HEARD_RASA_URL", str(server.make_url("")).rstrip("/"))
    return fake


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    chat.per_sender.clear()
    chat.per_address.clear()
    yield
    chat.per_sender.clear()
    chat.per_address.clear()


@pytest.fixture
def no_audio(monkeypatch):
    monkeypatch.setattr(chat, "_audio_function", lambda: None)


@pytest.fixture
async def client(aiohttp_client):
    app = web.Application(client_max_size=64 * 1024)
    chat.setup(app)
    return await aiohttp_client(app)


async def test_forwards_to_rasa_and_returns_bot_messages(client, rasa, no_audio):
    rasa.replies = [
        {"text": "Hi, I am Heard."},
        {
            "text": "What would you like to do?",
            "buttons": [{"title": "Get someone on my side", "payload": "/request_advocate"}],
        },
    ]
    response = await client.post("/api/chat", json={"sender": SENDER, "message": "  hello  "})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = await response.json()
    assert [m["message"] for m in rasa.received] == ["hello"]
    assert rasa.received[0]["sender"] != SENDER  # the server's id, never the browser's
    assert data["messages"] == [
        {"text": "Hi, I am Heard."},
        {
            "text": "What would you like to do?",
            "buttons": [{"title": "Get someone on my side", "payload": "/request_advocate",
                         "symbol": "/symbols/handshake.svg"}],  # picture buttons (issue 18)
        },
    ]
    assert "recipient_id" not in data["messages"][0]


async def test_each_message_gets_an_audio_url_when_audio_module_exists(client, rasa, monkeypatch):
    fake_audio = types.ModuleType("bot.web.audio")
    fake_audio.audio_url_for = lambda text, buttons=(): f"/audio/{len(text)}-{len(buttons)}.mp3"
    monkeypatch.setitem(sys.modules, "bot.web.audio", fake_audio)
    ok = {"title": "OK", "payload": "/affirm"}
    rasa.replies = [{"text": "Hello"}, {"text": "Bye now", "buttons": [ok]}]
    data = await (await client.post("/api/chat", json={"sender": SENDER, "message": "hi"})).json()
    assert [m["audio"] for m in data["messages"]] == ["/audio/5-0.mp3", "/audio/7-1.mp3"]


async def test_audio_module_that_takes_only_the_text(client, rasa, monkeypatch):
    fake_audio = types.ModuleType("bot.web.audio")
    fake_audio.audio_url_for = lambda text: "/audio/x.mp3"
    monkeypatch.setitem(sys.modules, "bot.web.audio", fake_audio)
    rasa.replies = [{"text": "Bye now", "buttons": [{"title": "OK", "payload": "/affirm"}]}]
    data = await (await client.post("/api/chat", json={"sender": SENDER, "message": "hi"})).json()
    assert data["messages"][0]["audio"] == "/audio/x.mp3"


async def test_with_the_real_audio_module(client, rasa, monkeypatch):
    """The audio engineer's `bot.web.audio` (when installed) gives each message a /audio URL."""
    audio = pytest.importorskip("bot.web.audio")
    monkeypatch.setitem(sys.modules, "bot.web.audio", audio)
    rasa.replies = [{"text": "Hello"}]
    data = await (await client.post("/api/chat", json={"sender": SENDER, "message": "hi"})).json()
    assert data["messages"][0]["audio"].startswith("/audio/")


async def test_audio_field_left_out_when_module_absent(client, rasa, monkeypatch):
    monkeypatch.setitem(sys.modules, "bot.web.audio", None)  # import raises ModuleNotFoundError
    rasa.replies = [{"text": "Hello"}]
    data = await (await client.post("/api/chat", json={"sender": SENDER, "message": "hi"})).json()
    assert data["messages"] == [{"text": "Hello"}]


async def test_empty_message_is_not_forwarded(client, rasa, no_audio):
    response = await client.post("/api/chat", json={"sender": SENDER, "message": "   "})
    assert response.status == 400
    data = await response.json()
    assert data["error"] == "empty"
    assert "words" in data["messages"][0]["text"]
    assert rasa.received == []


async def test_too_long_message_gets_a_kind_answer_and_is_not_forwarded(client, rasa, monkeypatch, no_audio):
    monkeypatch.setenv("HEARD_MAX_TEXT", "50")
    response = await client.post("/api/chat", json={"sender": SENDER, "message": "x" * 51})
    assert response.status == 413
    data = await response.json()
    assert data["error"] == "too_long"
    assert "shorter" in data["messages"][0]["text"]
    assert rasa.received == []
    ok = await client.post("/api/chat", json={"sender": SENDER, "message": "x" * 50})
    assert ok.status == 200


async def test_body_bigger_than_the_app_limit_is_a_kind_too_long(client, rasa):
    response = await client.post(
        "/api/chat", data=b'{"message":"' + b"a" * (chat.CHAT_BODY_LIMIT + 10) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413
    assert (await response.json())["error"] == "too_long"
    assert rasa.received == []


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "application/octet-stream"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"{not json", "application/json"),
        (b'["a", "list"]', "application/json"),
    ],
)
async def test_binary_or_non_json_is_a_400_with_a_json_error(client, rasa, body, content_type):
    response = await client.post("/api/chat", data=body, headers={"Content-Type": content_type})
    assert response.status == 400
    assert (await response.json())["error"] == "not_json"
    assert rasa.received == []


@pytest.mark.parametrize(
    "sender", ["", "short", "has spaces in it 1234567890", "../../etc/passwd/aaaaaaaa", 12345, SENDER]
)
async def test_a_sender_in_the_body_is_ignored(client, rasa, sender):
    """Before issue 13 the browser chose its conversation id here; now any sender, good or bad, is ignored."""
    response = await client.post("/api/chat", json={"sender": sender, "message": "hi"})
    assert response.status == 200
    assert [m["message"] for m in rasa.received] == ["hi"]
    assert rasa.received[0]["sender"] not in ("", "short", SENDER) and len(rasa.received[0]["sender"]) == 24


async def test_rasa_down_is_a_kind_503(client, monkeypatch):
    monkeypatch.setenv("HEARD_RASA_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    response = await client.post("/api/chat", json={"sender": SENDER, "message": "hello"})
    assert response.status == 503
    data = await response.json()
    assert data["error"] == "unavailable"
    assert "still in the box" in data["messages"][0]["text"]


async def test_rasa_error_status_is_a_503(client, rasa):
    rasa.status = 500
    response = await client.post("/api/chat", json={"sender": SENDER, "message": "hello"})
    assert response.status == 503


async def test_page_and_widget_security_headers(client):
    page = await client.get("/")
    assert page.status == 200
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = await page.text()
    assert '<script src="/widget.js"' in html
    assert "<script>" not in html and "style=" not in html and "http" not in html.split("<body", 1)[1]
    js = await client.get("/widget.js")
    assert js.status == 200 and "javascript" in js.headers["Content-Type"]
    source = await js.text()
    assert "location.replace(EXIT_URL)" in source and "https://www.bbc.co.uk/weather" in source
    css = await client.get("/widget.css")
    assert css.status == 200 and "text/css" in css.headers["Content-Type"]


async def test_no_third_party_assets():
    """Every asset the widget loads comes from Heard: no http(s) URL but the quick-exit page."""
    import re

    for name in ("index.html", "widget.js", "widget.css"):
        text = (chat.STATIC_DIR / name).read_text(encoding="utf-8")
        urls = set(re.findall(r"https?://[^\s\"')]+", text))
        assert urls <= {"https://www.bbc.co.uk/weather", "https://HEARD/widget.js", "https://HEARD"}, name


async def test_cors_only_for_configured_council_origins(client, rasa, monkeypatch, no_audio):
    monkeypatch.setenv("HEARD_WIDGET_ORIGINS", "https://www.example-council.gov.uk")
    rasa.replies = [{"text": "Hi"}]
    good = await client.post(
        "/api/chat",
        json={"sender": SENDER, "message": "hi"},
        headers={"Origin": "https://www.example-council.gov.uk"},
    )
    assert good.headers["Access-Control-Allow-Origin"] == "https://www.example-council.gov.uk"
    bad = await client.post(
        "/api/chat", json={"sender": SENDER, "message": "hi"}, headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in bad.headers
    preflight = await client.options(
        "/api/chat",
        headers={"Origin": "https://www.example-council.gov.uk", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type, X-Heard-Conversation"


# ---------- sign-in ----------


async def test_signin_links_a_new_conversation_to_the_child(client, make_child, session, engine, rasa, no_audio):
    from bot.services import children, signin

    child = make_child(name="Rosie")
    code = signin.issue_code(session, child.id, "sw.test")
    session.commit()
    response = await client.post(
        "/api/signin", json={"sender": SENDER, "code": code.lower().replace("-", " ")}, headers=TAB
    )
    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    assert await response.json() == {"ok": True, "signed_in": True, "messages": []}  # nothing written before
    rasa.replies = [{"text": "Hi Rosie"}]
    greeted = await client.post("/api/chat", json={"message": "/greet"}, headers=TAB)
    assert (await greeted.json())["signed_in"] is True
    conversation = rasa.received[-1]["sender"]
    assert conversation != SENDER
    linked = children.child_for_conversation(session, conversation)
    assert linked is not None and linked.id == child.id
    assert children.child_for_conversation(session, SENDER) is None
    session.rollback()  # SQLite: end our transaction before the app writes again
    again = await client.post("/api/signin", json={"code": code}, headers=TAB)
    assert again.status == 400  # single use


async def test_signin_wrong_code_then_rate_limited(client, make_child, engine):
    make_child()
    for _ in range(10):
        response = await client.post("/api/signin", json={"sender": SENDER, "code": "KKKK-KKKK"})
        assert response.status == 400
        assert "did not work" in (await response.json())["messages"][0]["text"]
    limited = await client.post("/api/signin", json={"sender": SENDER, "code": "KKKK-KKKK"})
    assert limited.status == 429
    assert "15 minutes" in (await limited.json())["messages"][0]["text"]


async def test_signin_rejects_malformed_codes_without_touching_the_database(client):
    for code in ("", "12345", "abcdef", "1234567", "123456", "K7QM-4TX", "K7QM-4TXR1", "K7QM-4TX0", 12345678):
        response = await client.post("/api/signin", json={"sender": SENDER, "code": code})
        assert response.status == 400
    response = await client.post(
        "/api/signin", data=b"\x00\x01", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400


async def test_too_many_messages_get_a_kind_429_but_a_disclosure_always_goes_through(
    client, rasa, monkeypatch, no_audio, engine
):
    monkeypatch.setattr(chat.per_sender, "limit", 3)
    rasa.replies = [{"text": "ok"}]
    statuses = [(await client.post("/api/chat", json={"message": f"hi {n}"}, headers=TAB)).status
                for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = await client.post("/api/chat", json={"message": "hello again"}, headers=TAB)
    body = await limited.json()
    assert body["error"] == "rate_limited" and "wait a minute" in body["messages"][0]["text"]
    assert len(rasa.received) == 3  # nothing over the limit reached Rasa...
    harm = await client.post("/api/chat", json={"message": "my stepdad hits me"}, headers=TAB)
    assert harm.status == 200  # ...except a child saying they are hurt
    assert rasa.received[-1]["message"] == "my stepdad hits me"
    other = await client.post("/api/chat", json={"message": "hi"}, headers={"X-Heard-Tab": "b" * 32})
    assert other.status == 200  # another conversation is not held back


async def test_a_typed_number_or_button_words_press_that_button(client, rasa, no_audio, engine):
    rasa.replies = [{"text": "What would you like to do?", "buttons": [
        {"title": "Get someone on my side", "payload": "/request_advocate"},
        {"title": "Tell my review what I think", "payload": "/share_wishes"},
    ]}]
    await client.post("/api/chat", json={"message": "hi"}, headers=TAB)
    await client.post("/api/chat", json={"message": "2"}, headers=TAB)
    assert rasa.received[-1]["message"] == "/share_wishes"
    await client.post("/api/chat", json={"message": "get someone on my side"}, headers=TAB)
    assert rasa.received[-1]["message"] == "/request_advocate"
    rasa.replies = [{"text": "What do you want to say?"}]  # a question without buttons
    await client.post("/api/chat", json={"message": "hello"}, headers=TAB)
    await client.post("/api/chat", json={"message": "2"}, headers=TAB)
    assert rasa.received[-1]["message"] == "2"  # a number is just a number now
    rasa.replies = [{"text": "Pick", "buttons": [{"title": "Help", "payload": "/help"}]}]
    await client.post("/api/chat", json={"message": "hi"}, headers=TAB)
    await client.post("/api/chat", json={"message": "1"}, headers={"X-Heard-Tab": "c" * 32})
    assert rasa.received[-1]["message"] == "1"  # another conversation's buttons do not count


async def test_a_payload_counts_only_if_heard_offered_it_in_its_last_turn(client, rasa, no_audio):
    """Typed words that start with "/" are words: never an intent ("/disclose_harm" raised a fake alert, "/restart"
    ended a conversation) and never a payload Rasa cannot parse and so writes to its log with the child's words."""
    rasa.replies = [
        {"text": "Thank you for telling me.", "buttons": [{"title": "Yes, today", "payload": "/callback_yes"}]},
        {"text": "Do you want this in your answers too?", "buttons": [
            {"title": "Yes", "payload": '/inform{"choice":"yes"}'}, {"title": "No", "payload": "/deny"}]},
    ]
    await client.post("/api/chat", json={"message": "hi"}, headers=TAB)
    await client.post("/api/chat", json={"message": "/callback_yes"}, headers=TAB)  # a button of the turn's first
    assert rasa.received[-1]["message"] == "/callback_yes"  # message: still on screen, still pressable
    for typed, forwarded in [("/disclose_harm", "disclose_harm"), ("/restart", "restart"),
                             ('/check_in_answer{"choice":"yes"}', 'check_in_answer{"choice":"yes"}'),
                             ("/ my name is Tayla, 12 Oak Road", "my name is Tayla, 12 Oak Road"),
                             ("//inform", "inform")]:
        await client.post("/api/chat", json={"message": typed}, headers=TAB)
        assert rasa.received[-1]["message"] == forwarded
    rasa.replies = []
    await client.post("/api/chat", json={"message": "hello"}, headers=TAB)
    sent = len(rasa.received)
    response = await client.post("/api/chat", json={"message": "/deny"}, headers=TAB)  # offered two turns ago
    assert rasa.received[-1]["message"] == "deny" and len(rasa.received) == sent + 1
    response = await client.post("/api/chat", json={"message": "/"}, headers=TAB)
    assert response.status == 400 and len(rasa.received) == sent + 1
    await client.post("/api/chat", json={"message": "/greet"}, headers=TAB)  # the widget's own greeting
    assert rasa.received[-1]["message"] == "/greet"


async def test_a_typed_slash_disclosure_is_still_checked_for_harm(client, rasa, no_audio, monkeypatch):
    monkeypatch.setattr(chat, "_detect_harm", lambda text: "hits me" in text)
    long = "/my dad hits me " + "and " * 1000
    response = await client.post("/api/chat", json={"message": long}, headers=TAB)
    assert response.status == 200 and rasa.received[-1]["message"].startswith("my dad hits me")


async def test_thousands_of_nested_brackets_are_a_400_not_a_server_error(client, rasa):
    body = '{"message": "x", "a": ' + "[" * 5000 + "]" * 5000 + "}"
    response = await client.post("/api/chat", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400 and rasa.received == []
