"""Attacks on which conversation a browser continues (issue 13, item 4).

Reported: the browser chose its own conversation id (``sender``), so anyone who learnt or guessed another
child's id continued that child's conversation, signed in as them. Now the server makes every id and the
browser carries it in a signed token (an HttpOnly cookie bound to the tab on Heard's own page, a header
from the widget on a council's site). Every attack sends a ``sender`` as the old API wanted.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from aiohttp import web

from bot.db.engine import session_scope
from bot.services import children, signin
from bot.web import chat

TAB = "tab-victim-" + "v" * 24
ATTACKER_TAB = "tab-attacker-" + "x" * 22


class FakeRasa:
    """Rasa's REST channel: remembers each conversation's messages, and says whose conversation it is."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    def said_by(self, sender: str) -> list[str]:
        return [m["message"] for m in self.received if m["sender"] == sender]

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        seen = len(self.said_by(body["sender"]))
        return web.json_response([{"recipient_id": body["sender"], "text": f"Message {seen} in this chat."}])


@pytest.fixture
async def rasa(aiohttp_server, monkeypatch) -> FakeRasa:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    server = await aiohttp_server(app)
    monkeypatch.setenv("HEARD_RASA_URL", str(server.make_url("")).rstrip("/"))
    return fake


@pytest.fixture
async def make_browser(aiohttp_client, engine, rasa, monkeypatch):
    """Each call: a separate browser (its own cookie jar) on the same Heard server."""
    monkeypatch.setattr(chat, "_audio_function", lambda: None)
    monkeypatch.setenv("HEARD_WIDGET_ORIGINS", "https://www.example-council.gov.uk")
    chat.per_sender.clear()
    chat.per_address.clear()
    app = web.Application(client_max_size=64 * 1024)
    chat.setup(app)
    server = None

    async def make():
        nonlocal server
        client = await aiohttp_client(server or app)
        server = client.server
        return client

    return make


async def say(browser, message: str, *, tab: str | None = TAB, token: str | None = None, sender: str | None = None):
    headers = {}
    if tab:
        headers["X-Heard-Tab"] = tab
    if token:
        headers["X-Heard-Conversation"] = token
    body = {"message": message}
    if sender:
        body["sender"] = sender
    return await browser.post("/api/chat", json=body, headers=headers)


def _issue(engine, child_id: str) -> str:
    with session_scope(engine) as s:
        return signin.issue_code(s, child_id, "sw.test")


# ---------------------------------------------------------------- choosing someone else's conversation


async def test_a_browser_sending_another_conversations_id_continues_nothing_of_it(
    make_browser, rasa, engine, make_child
):
    victim, attacker = await make_browser(), await make_browser()
    child = make_child(name="Rosie")
    victim_code = _issue(engine, child.id)
    assert (await victim.post("/api/signin", json={"sender": "v" * 32, "code": victim_code},
                              headers={"X-Heard-Tab": TAB})).status == 200
    assert (await say(victim, "I want to move to my nan's", sender="v" * 32)).status == 200
    victim_id = rasa.received[-1]["sender"]
    assert victim_id != "v" * 32, "the server chose the id, not the browser"
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, victim_id).id == child.id
    # The attacker learnt the id (a shared screen, a log, a guess) and sends it every way the API allows.
    for attempt in (
        dict(sender=victim_id, tab=ATTACKER_TAB),
        dict(sender=victim_id, tab=None),
        dict(sender=victim_id, tab=None, token=victim_id),
        dict(sender=victim_id, tab=TAB),  # even the victim's tab key, but not the victim's cookie
    ):
        before = len(rasa.said_by(victim_id))
        response = await say(attacker, "what did I say before?", **attempt)
        assert response.status in (200, 409), attempt
        assert len(rasa.said_by(victim_id)) == before, f"the attacker reached the victim's chat with {attempt}"
        data = await response.json()
        assert data.get("signed_in") is not True
    # Sign-in with the victim's id in the body links a NEW conversation, never the one named.
    other = make_child(name="Mo")
    code = _issue(engine, other.id)
    await attacker.post("/api/signin", json={"sender": victim_id, "code": code}, headers={"X-Heard-Tab": ATTACKER_TAB})
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, victim_id).id == child.id, "the victim's link is untouched"


async def test_ids_are_made_by_the_server_random_and_unguessable(make_browser, rasa):
    browser = await make_browser()
    ids = set()
    for n in range(20):
        await say(browser, "hi", tab=f"tab-{n:02d}-" + "k" * 24)
        ids.add(rasa.received[-1]["sender"])
    assert len(ids) == 20
    for conversation_id in ids:
        assert len(base64.urlsafe_b64decode(conversation_id + "=" * (-len(conversation_id) % 4))) * 8 >= 128


# ---------------------------------------------------------------- forged and altered tokens


def _altered(token: str, **claims: Any) -> str:
    version, payload, mac = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(claims)
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{version}.{forged}.{mac}"


async def test_a_forged_or_altered_token_is_refused(make_browser, rasa):
    from bot.web import conversation_token as tokens

    council = {"Origin": "https://www.example-council.gov.uk"}
    victim, attacker = await make_browser(), await make_browser()
    first = await victim.post("/api/chat", json={"message": "hi"}, headers=council)
    victim_token = (await first.json())["conversation"]
    victim_id = rasa.received[-1]["sender"]
    mine = await attacker.post("/api/chat", json={"message": "hi"}, headers=council)
    my_token = (await mine.json())["conversation"]
    wrong_key = tokens.sign(tokens.WebConversation(id=victim_id), key=b"k" * 32)
    stale = tokens.sign(tokens.WebConversation(id=victim_id), now=time.time() - tokens.IDLE - 5)
    too_old = tokens.sign(tokens.WebConversation(id=victim_id, began=int(time.time()) - tokens.MAX_AGE - 5))
    bound = tokens.sign(tokens.WebConversation(id=victim_id, binding=tokens.binding_for(TAB)))
    for forged in (
        _altered(my_token, c=victim_id),  # my token, the victim's id: the mac no longer matches
        wrong_key,  # signed, but not with Heard's key
        stale,  # Heard's key, but idle longer than an hour
        too_old,  # Heard's key, renewed, but the conversation began more than 12 hours ago
        bound,  # a cookie-mode token (bound to a tab) sent as a header
        victim_token[:-2] + ("AA" if not victim_token.endswith("AA") else "BB"),
        "v1." + victim_token.split(".")[1] + ".",
        "v2." + ".".join(victim_token.split(".")[1:]),
        victim_id,
        "x" * 5000,
    ):
        before = len(rasa.said_by(victim_id))
        response = await attacker.post("/api/chat", json={"sender": victim_id, "message": "hello"},
                                       headers={**council, "X-Heard-Conversation": forged})
        assert response.status == 409, forged[:40]
        data = await response.json()
        assert data["restarted"] is True and data["conversation"] != forged
        assert len(rasa.said_by(victim_id)) == before, "nothing of the victim's conversation went on"
    genuine = await victim.post("/api/chat", json={"message": "still me"},
                                headers={**council, "X-Heard-Conversation": victim_token})
    assert genuine.status == 200 and rasa.received[-1]["sender"] == victim_id


async def test_a_disclosure_with_a_refused_token_is_still_heard(make_browser, rasa):
    browser = await make_browser()
    response = await browser.post("/api/chat", json={"message": "my stepdad hits me"},
                                  headers={"X-Heard-Conversation": "v1.forged.token"})
    assert response.status == 200 and (await response.json())["restarted"] is True
    assert rasa.received[-1]["message"] == "my stepdad hits me"


async def test_cookie_mode_token_is_httponly_strict_bound_to_the_tab_and_secure_over_https(
    make_browser, rasa, monkeypatch
):
    browser = await make_browser()
    response = await say(browser, "hi")
    data = await response.json()
    assert "conversation" not in data, "page script never sees the cookie-mode token"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    first_id = rasa.received[-1]["sender"]
    await say(browser, "again")
    assert rasa.received[-1]["sender"] == first_id, "the same tab goes on"
    await say(browser, "a new tab", tab="tab-new-" + "n" * 24)
    assert rasa.received[-1]["sender"] != first_id, "a new tab (or one after Leave quickly) starts its own"
    await say(browser, "no tab key at all", tab=None)
    assert rasa.received[-1]["sender"] != first_id
    for n in range(12):  # many "Leave quickly" in an hour: the cookies do not pile up past a few
        await say(browser, "hi", tab=f"tab-many-{n:02d}-" + "m" * 20)
    kept = [c for c in browser.session.cookie_jar if c.key.startswith("heard_")]
    assert len(kept) <= 8
    monkeypatch.setenv("HEARD_TRUSTED_PROXIES", "127.0.0.1")
    secure = await browser.post("/api/chat", json={"message": "hi"},
                                headers={"X-Heard-Tab": TAB, "X-Forwarded-Proto": "https"})
    made = [c for c in secure.headers.getall("Set-Cookie") if "Max-Age=0" not in c]
    assert len(made) == 1 and made[0].startswith("__Host-heard_") and "Secure" in made[0]


async def test_cross_site_widget_gets_a_token_not_a_cookie_and_cors_allows_only_its_header(make_browser, rasa):
    browser = await make_browser()
    council = {"Origin": "https://www.example-council.gov.uk"}
    response = await browser.post("/api/chat", json={"message": "hi"}, headers=council)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == council["Origin"]
    assert (await response.json())["conversation"].startswith("v1.")
    preflight = await browser.options("/api/chat", headers={**council, "Access-Control-Request-Method": "POST",
                                                             "Access-Control-Request-Headers": "x-heard-conversation"})
    assert "X-Heard-Conversation" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    evil = await browser.post("/api/chat", json={"message": "hi"}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in evil.headers


# ---------------------------------------------------------------- words written before sign-in


async def _write_then_sign_in(browser, rasa, engine, make_child, name: str = "Rosie") -> tuple[str, Any, dict]:
    await say(browser, "/greet")
    await say(browser, "my carer shouts at me")
    earlier = rasa.received[-1]["sender"]
    child = make_child(name=name)
    response = await browser.post("/api/signin", json={"code": _issue(engine, child.id)}, headers={"X-Heard-Tab": TAB})
    assert response.status == 200
    return earlier, child, await response.json()


async def test_words_before_sign_in_are_not_linked_without_a_yes(
    make_browser, rasa, engine, make_child
):
    browser = await make_browser()
    earlier, child, answer = await _write_then_sign_in(browser, rasa, engine, make_child)
    question = answer["messages"][0]
    assert question["text"].endswith("Do you want me to keep what you wrote before you signed in?")
    assert [b["title"] for b in question["buttons"]] == ["Yes", "No"]
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, earlier) is None, "not linked before the child says yes"
    no = await say(browser, "No")  # typed, not pressed: the same as the No button
    data = await no.json()
    assert data["fresh"] is True and data["signed_in"] is True
    signed_in = rasa.received[-1]["sender"]
    assert signed_in != earlier and rasa.received[-1]["message"] == "/greet"
    assert "/signin_start_fresh" not in [m["message"] for m in rasa.received], "the answer never reaches Rasa"
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, earlier) is None, "No: the earlier words stay anonymous"
        assert children.child_for_conversation(s, signed_in).id == child.id
    stale_yes = await say(browser, "/signin_keep_earlier")  # the old Yes button pressed later: nothing changes
    assert (await stale_yes.json())["messages"] == []
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, earlier) is None


async def test_yes_links_the_earlier_words_and_the_chat_goes_on_there(
    make_browser, rasa, engine, make_child
):
    browser = await make_browser()
    earlier, child, answer = await _write_then_sign_in(browser, rasa, engine, make_child)
    yes = await say(browser, answer["messages"][0]["buttons"][0]["payload"])
    assert (await yes.json())["fresh"] is False
    assert rasa.received[-1] == {"sender": earlier, "message": "/greet"}
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, earlier).id == child.id
    await say(browser, "and my nan")
    assert rasa.received[-1]["sender"] == earlier


async def test_writing_on_instead_of_answering_keeps_the_earlier_words_anonymous(
    make_browser, rasa, engine, make_child
):
    browser = await make_browser()
    earlier, _child, _answer = await _write_then_sign_in(browser, rasa, engine, make_child)
    await say(browser, "I want an advocate")
    assert rasa.received[-1]["sender"] != earlier
    await say(browser, "/signin_keep_earlier")
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, earlier) is None


async def test_another_childs_conversation_is_never_offered_to_the_next_child(
    make_browser, rasa, engine, make_child
):
    """A shared tablet: Rosie signed in and wrote; then Mo types his code in the same tab."""
    browser = await make_browser()
    _earlier, rosie, _answer = await _write_then_sign_in(browser, rasa, engine, make_child, "Rosie")
    await say(browser, "No")
    await say(browser, "my review is soon")
    rosies = rasa.received[-1]["sender"]
    mo = make_child(name="Mo")
    response = await browser.post("/api/signin", json={"code": _issue(engine, mo.id)}, headers={"X-Heard-Tab": TAB})
    assert (await response.json())["messages"] == [], "Mo is not asked to keep Rosie's words"
    await say(browser, "/signin_keep_earlier")
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, rosies).id == rosie.id
