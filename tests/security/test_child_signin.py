"""Attacks on children's web sign-in codes (issue 13, item 3).

Reported: wrong guesses were limited per address AND conversation id, and the browser picks the conversation
id, so 60 wrong codes with rotating ids got no 429; codes were 6 digits. Each attack here is made as an
attacker would make it, over HTTP where it can be: the attacker's ``sender`` field is sent every time (the
old API honoured it; the new one ignores it).
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import event, func, select, text

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, SignInCode, utcnow
from bot.services import children, signin
from bot.services.errors import InvalidCode, InvalidTransition, RateLimited
from bot.web import chat
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import audit_events, login

NEW_ALPHABET = "23456789ACDEFGHJKMNPQRTUWXY"
TAB = "tab-" + "a" * 28


class FakeRasa:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        return web.json_response([{"recipient_id": body["sender"], "text": "Hi, I am Heard."}])


@pytest.fixture
async def rasa(aiohttp_server, monkeypatch) -> FakeRasa:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", fake.webhook)
    server = await aiohttp_server(app)
    monkeypatch.setenv("HEARD_RASA_URL", str(server.make_url("")).rstrip("/"))
    return fake


@pytest.fixture
async def chat_client(aiohttp_client, engine, rasa, monkeypatch):
    """The chat API on a migrated database (the attacker's side of it)."""
    monkeypatch.setattr(chat, "_audio_function", lambda: None)
    chat.per_sender.clear()
    chat.per_address.clear()
    app = web.Application(client_max_size=64 * 1024)
    chat.setup(app)
    return await aiohttp_client(app)


def _issue(engine, child_id: str, **kw: Any) -> str:
    with session_scope(engine) as s:
        return signin.issue_code(s, child_id, "sw.test", **kw)


def wrong_like(code: str) -> str:
    """A wrong guess shaped like ``code`` (6 digits for the old codes, grouped letters and numbers now)."""
    digits_only = code.replace("-", "").isdigit()
    while True:
        guess = "".join(
            c if c == "-" else secrets.choice("0123456789" if digits_only else NEW_ALPHABET) for c in code
        )
        if guess != code:
            return guess


async def _sign_in(client, code: str, **headers: str):
    return await client.post(
        "/api/signin", json={"sender": secrets.token_hex(16), "code": code}, headers=headers or None
    )


def _security_notifications(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM notification_outbox WHERE kind = 'security'")).scalar()


# ---------------------------------------------------------------- guessing


async def test_rotating_conversation_ids_from_one_address_are_still_limited(chat_client, engine, make_child):
    """The reported attack: 60 wrong codes, each with a new browser-chosen id, from one address."""
    child = make_child()
    code = _issue(engine, child.id)
    statuses = [(await _sign_in(chat_client, wrong_like(code))).status for _ in range(60)]
    assert 429 in statuses, "60 wrong codes from one address were never limited"
    first = statuses.index(429)
    assert first == signin.ADDRESS_LIMIT and set(statuses[first:]) == {429}
    right = await _sign_in(chat_client, code)
    assert right.status == 429, "while limited even the right code is refused"
    assert "15 minutes" in (await right.json())["messages"][0]["text"]


async def test_rotating_addresses_are_limited_across_the_deployment_and_admins_told_once(
    chat_client, engine, make_child, monkeypatch
):
    """Many addresses (a botnet, or a spoofed X-Forwarded-For through a trusted proxy) share one limit."""
    monkeypatch.setenv("HEARD_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("HEARD_TRUST_PROXY", "1")  # the old setting, so the old code is attacked the same way
    child = make_child()
    code = _issue(engine, child.id)
    limit = getattr(signin, "DEPLOYMENT_LIMIT", 100)
    for n in range(limit):
        address = f"198.51.{n // 200}.{n % 200 + 1}"
        response = await _sign_in(chat_client, wrong_like(code), **{"X-Forwarded-For": address})
        assert response.status == 400, (n, response.status)
    response = await _sign_in(chat_client, code, **{"X-Forwarded-For": "192.0.2.77"})
    assert response.status == 429, "the deployment-wide limit holds for a fresh address, even the right code"
    assert "in an hour" in (await response.json())["messages"][0]["text"]
    assert _security_notifications(engine) == 1, "admins are told once (one target: log), not once a failure"
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, "anything") is None
        raised = s.execute(select(func.count(AuditEvent.id)).where(
            AuditEvent.entity_type == "security_alert", AuditEvent.action == "create")).scalar_one()
        assert raised == 1


def _fail(engine, address: str, now=None) -> None:  # noqa: ANN001
    """One wrong code from ``address``, committed (as ``bot.usecases.signin`` commits it)."""
    with session_scope(engine) as s:
        with pytest.raises(InvalidCode):
            signin.redeem_code(s, wrong_like("K7QM-4TXR"), "c", address, now=now)


def test_a_burst_tells_admins_once_and_again_only_after_quiet(engine, make_child):
    make_child()
    start = utcnow() - timedelta(hours=2)
    for n in range(19):
        _fail(engine, f"203.0.113.{n}", start + timedelta(seconds=20 * n))
    assert _security_notifications(engine) == 0, "19 wrong codes in 10 minutes are not a burst"
    for n in range(19, 45):  # the 20th makes a burst; 25 more in the same burst tell nobody again
        _fail(engine, f"203.0.113.{n}", start + timedelta(seconds=20 * n))
    assert _security_notifications(engine) == 1
    later = start + timedelta(minutes=40)  # quiet for more than 10 minutes: a new burst is told again
    for n in range(20):
        _fail(engine, f"203.0.114.{n}", later + timedelta(seconds=n))
    assert _security_notifications(engine) == 2


async def test_the_admin_notification_says_only_many_wrong_codes(engine, make_child, caplog):
    from bot.safeguarding import notifier

    child = make_child()
    code = _issue(engine, child.id)
    guesses = [wrong_like(code) for _ in range(20)]
    for n, guess in enumerate(guesses):
        with session_scope(engine) as s:
            with pytest.raises(InvalidCode):
                signin.redeem_code(s, guess, "c", f"203.0.113.{n}")
    with session_scope(engine) as s:
        assert signin.redeem_code(s, code, "c", "203.0.113.99").id == child.id  # not the deployment limit yet
    with caplog.at_level(logging.WARNING, logger="bot.safeguarding.notifier"):
        assert await notifier.deliver_due() == 1
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "many wrong sign-in codes" in said
    for secret in [code, code.replace("-", ""), child.id, child.chosen_name, "203.0.113", *guesses]:
        assert secret not in said
    with session_scope(engine) as s:
        delivered = s.execute(select(AuditEvent).where(AuditEvent.action == "notify")).scalar_one()
        assert delivered.entity_type == "security_alert"


def test_a_guess_is_looked_up_by_its_keyed_hash_not_tried_against_each_live_code(engine, make_child):
    child = make_child()
    for _ in range(30):
        _issue(engine, child.id)
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with session_scope(engine) as s, pytest.raises(InvalidCode):
            signin.redeem_code(s, wrong_like("K7QM-4TXR"), "c", "203.0.113.9")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    reads = [st for st in statements if st.lstrip().upper().startswith("SELECT") and "sign_in_codes" in st]
    assert len(reads) == 1 and "code_hash =" in reads[0]
    with session_scope(engine) as s:
        stored = s.execute(select(SignInCode.code_hash)).scalars().all()
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)


# ---------------------------------------------------------------- the code itself


async def test_a_six_digit_code_is_no_longer_accepted(chat_client, engine, make_child):
    child = make_child()
    legacy = "483920"  # a code of the old kind, still in the database from before migration 0006
    with session_scope(engine) as s:
        s.add(SignInCode(code_hash=signin._code_hash(legacy), child_id=child.id, created_at=utcnow(),
                         expires_at=utcnow() + timedelta(minutes=30)))
    response = await _sign_in(chat_client, legacy)
    assert response.status == 400
    assert "letters and numbers" in (await response.json())["messages"][0]["text"]
    with session_scope(engine) as s, pytest.raises(InvalidCode):
        signin.redeem_code(s, legacy, "conv", "203.0.113.1")


def test_new_codes_are_8_easy_characters_grouped_and_typed_any_way(engine, make_child):
    child = make_child()
    codes = {_issue(engine, child.id) for _ in range(40)}
    for code in codes:
        assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code), code
        assert set(code.replace("-", "")) <= set(NEW_ALPHABET)
        assert not set(code) & set("01OILSZBV")  # no look-alikes
    code = codes.pop()
    typed = " " + code.lower().replace("-", " ") + " "
    with session_scope(engine) as s:
        assert signin.redeem_code(s, typed, "conv-1", "203.0.113.2").id == child.id
    look_alike = _issue(engine, child.id).replace("8", "B").replace("5", "S").replace("2", "Z")
    with session_scope(engine) as s:
        assert signin.redeem_code(s, look_alike, "conv-2", "203.0.113.2").id == child.id


async def test_used_expired_and_cancelled_codes_are_refused(chat_client, engine, make_child, people):
    from bot.usecases.signin import end_sign_in

    child = make_child()
    used = _issue(engine, child.id)
    assert (await _sign_in(chat_client, used)).status == 200
    assert (await _sign_in(chat_client, used)).status == 400, "single use"
    expired = _issue(engine, child.id, now=utcnow() - timedelta(minutes=31))
    assert (await _sign_in(chat_client, expired)).status == 400, "30 minutes"
    kept = _issue(engine, child.id, now=utcnow() - timedelta(minutes=29))
    assert (await _sign_in(chat_client, kept)).status == 200
    cancelled = _issue(engine, child.id)
    with session_scope(engine) as s:
        code_id = s.execute(select(SignInCode.id).order_by(SignInCode.id.desc())).scalars().first()
    assert end_sign_in(people["social_worker"], child.id, code_id) == "cancelled"
    assert (await _sign_in(chat_client, cancelled)).status == 400, "cancelled before use"


def test_a_limited_address_cannot_use_even_the_right_code_and_the_window_passes(engine, make_child):
    from bot.usecases.signin import redeem_sign_in_code

    child = make_child()
    code = _issue(engine, child.id)
    past = utcnow() - timedelta(minutes=16)
    for _ in range(signin.ADDRESS_LIMIT):
        with pytest.raises(InvalidCode):
            redeem_sign_in_code(wrong_like(code), "c", "203.0.113.50", now=past)
    for _ in range(signin.ADDRESS_LIMIT):
        with pytest.raises(InvalidCode):
            redeem_sign_in_code(wrong_like(code), "c", "203.0.113.50")
    with pytest.raises(RateLimited):
        redeem_sign_in_code(code, "c", "203.0.113.50")
    assert redeem_sign_in_code(code, "c", "203.0.113.51").child_id == child.id  # another address is not held back


# ---------------------------------------------------------------- revoking


async def test_revoke_ends_the_link_and_the_chat_starts_again_anonymous(chat_client, engine, make_child, people, rasa):
    from bot.usecases.conversation import who_is_talking
    from bot.usecases.signin import end_sign_in

    child = make_child(name="Rosie")
    code = _issue(engine, child.id)
    headers = {"X-Heard-Tab": TAB}
    assert (await chat_client.post("/api/signin", json={"code": code}, headers=headers)).status == 200
    greeted = await chat_client.post("/api/chat", json={"message": "/greet"}, headers=headers)
    assert (await greeted.json())["signed_in"] is True
    signed_in = rasa.received[-1]["sender"]
    assert who_is_talking(signed_in, "web").name == "Rosie"
    with session_scope(engine) as s:
        code_id = s.execute(select(SignInCode.id)).scalar_one()
    assert end_sign_in(people["social_worker"], child.id, code_id) == "ended"
    assert who_is_talking(signed_in, "web") is None, "the conversation is no longer the child"
    before = len(rasa.received)
    again = await chat_client.post("/api/chat", json={"message": "I want to change my answers"}, headers=headers)
    assert again.status == 409 and (await again.json())["restarted"] is True
    assert len(rasa.received) == before, "nothing reaches the ended conversation"
    fresh = await chat_client.post("/api/chat", json={"message": "hello"}, headers=headers)
    assert fresh.status == 200 and (await fresh.json())["signed_in"] is False
    assert rasa.received[-1]["sender"] != signed_in
    ended = audit_events(engine, entity_type="conversation_link", action="update")
    assert ended and ended[-1].actor == "staff:sw.test" and '"ended": true' in ended[-1].detail
    with pytest.raises(InvalidTransition):  # nothing left to end
        end_sign_in(people["social_worker"], child.id, code_id)


async def test_review_app_shows_what_became_of_each_code_and_ends_a_sign_in(client, world, session):
    from bot.services.children import child_for_conversation

    token = await login(client, "sw.a")
    made = await client.post(f"/review/children/{world.ada}/code", data={"_csrf": token})
    code = re.search(r'class="code-digits">([^<]+)<', await made.text()).group(1)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "Not used yet" in page and code not in page
    signin.redeem_code(session, code, "web-conv-1", "203.0.113.3")
    session.commit()
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "Signed in on" in page and "End this sign-in" in page
    code_id = int(re.search(r"/codes/(\d+)/end", page).group(1))
    client.session.cookie_jar.clear()
    other = await login(client, "sw.b")  # not Ada's social worker: like a code that does not exist
    refused = await client.post(f"/review/children/{world.ada}/codes/{code_id}/end", data={"_csrf": other})
    assert refused.status == 404
    assert child_for_conversation(session, "web-conv-1") is not None
    session.rollback()  # SQLite: end our transaction before the app writes
    client.session.cookie_jar.clear()
    token = await login(client, "sw.a")
    ended = await client.post(f"/review/children/{world.ada}/codes/{code_id}/end", data={"_csrf": token},
                              allow_redirects=False)
    assert ended.status == 303
    session.expire_all()
    assert child_for_conversation(session, "web-conv-1") is None
    session.rollback()
    page = await (await client.get(f"/review/children/{world.ada}")).text()
    assert "sign-in ended on" in page and "End this sign-in" not in page
    assert "no longer linked" in page
