"""Attacks on the review app that already failed before issue 13, kept failing (regression tests).

Already covered in tests/integration, not repeated here:
* forged cookie ``gAAAAAforged``: ``test_review_security.test_session_cookie_cannot_be_forged``;
* POST without or with a wrong CSRF token: ``test_review_security.test_post_without_csrf_is_refused``;
* cross-caseload page, print, PDF and change URLs: ``test_review_children.test_cross_caseload_urls_are_404_like_
  missing_ones``; the API's: ``test_review_api.test_api_caseload_and_cross_caseload_404``;
* a child's words escaped on the child page: ``test_review_children.test_child_words_are_escaped_and_verbatim``.

Added here: a cookie sealed with another key or tampered with (both cookie names), a CSRF token of another
session, CSRF on the routes this change added, cross-caseload and cross-council reads by an IRO and by another
council's social worker on every child route and API endpoint, and script in a child's words (and in what a
child or staff member types that staff pages show) on the child page, the print view, the queues, the token
pages and the unrouted page.
"""

from __future__ import annotations

import base64
import html
import json
import time

import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from markupsafe import escape

from bot.services import referrals
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import SCRIPT, csrf_of, login

CHILD_PAGES = (
    "/review/children/{child}",
    "/review/children/{child}/statements/{statement}/print",
)
CHILD_API = ("/review/api/v1/children/{child}", "/review/api/v1/children/{child}/statements")


def _cookie_for(fernet: Fernet, staff_id: int) -> str:
    now = int(time.time())
    data = {"created": now, "session": {"staff_id": staff_id, "staff_version": 1, "seen": now, "started": now}}
    return fernet.encrypt(json.dumps(data).encode()).decode()


# --- forged and tampered session cookies ----------------------------------------------------------------------


@pytest.mark.parametrize("https", [False, True])
async def test_a_cookie_sealed_with_another_key_opens_nothing(world, aiohttp_client, monkeypatch, https):
    from bot.web.review import setup
    from bot.web.review.security import cookie_name

    if https:
        monkeypatch.delenv("HEARD_REVIEW_ALLOW_HTTP")
    app = web.Application()
    setup(app)
    client = await aiohttp_client(app)
    forged = _cookie_for(Fernet(Fernet.generate_key()), world.users["sw.a"])
    response = await client.get(
        "/review/children", headers={"Cookie": f"{cookie_name()}={forged}"}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"].startswith("/review/login")


async def test_a_tampered_session_cookie_opens_nothing(client, world):
    await login(client, "sw.a")
    jar = client.session.cookie_jar
    (morsel,) = [c for c in jar if c.key == "heard_review"]
    raw = bytearray(base64.urlsafe_b64decode(morsel.value))
    raw[40] ^= 0x01  # one bit of the ciphertext
    jar.clear()
    response = await client.get(
        "/review/children",
        headers={"Cookie": f"heard_review={base64.urlsafe_b64encode(bytes(raw)).decode()}"},
        allow_redirects=False,
    )
    assert response.status == 303


# --- CSRF -----------------------------------------------------------------------------------------------------


async def test_a_csrf_token_from_another_session_is_refused(client, world, aiohttp_client, engine):
    from tests.integration.test_review_support import audit_events

    attacker = await aiohttp_client(client.app)
    attackers_token = await login(attacker, "sw.b")
    await login(client, "sw.a")
    before = len(audit_events(engine, entity_type="sign_in_code"))
    response = await client.post(f"/review/children/{world.ada}/code", data={"_csrf": attackers_token})
    assert response.status == 403
    assert len(audit_events(engine, entity_type="sign_in_code")) == before


async def test_the_new_forms_need_the_csrf_token(client, world, engine):
    from sqlalchemy import func, select

    from bot.db.review_models import StaffApiToken

    await login(client, "sw.a")
    for path, data in (
        ("/review/tokens", {"scope": "read:records", "label": "evil"}),
        ("/review/tokens/1/revoke", {}),
    ):
        assert (await client.post(path, data=data)).status == 403, path
        assert (await client.post(path, data={**data, "_csrf": "guess"})).status == 403, path
    await client.post("/review/logout", data={"_csrf": await csrf_of(client, "/review/children")})
    await login(client, "admin.f")
    for path, data in (
        (f"/review/admin/unrouted/advocacy_referral/{world.anon}/route", {"council_id": str(world.other_la)}),
        ("/review/admin/tokens/1/revoke", {}),
    ):
        assert (await client.post(path, data=data)).status == 403, path
    with engine.connect() as conn:
        assert conn.execute(select(func.count(StaffApiToken.id))).scalar_one() == 0


# --- cross-caseload and cross-council reads ---------------------------------------------------------------------


async def test_an_iro_cannot_open_a_child_whose_review_they_do_not_chair(client, world):
    await login(client, "iro.c")
    for pattern in CHILD_PAGES:
        response = await client.get(pattern.format(child=world.cy, statement=1))
        assert response.status == 404, pattern
        assert "Cy" not in await response.text()


async def test_another_councils_social_worker_cannot_read_a_child_anywhere(world, engine, aiohttp_client):
    from bot.db.engine import session_scope
    from bot.db.models import StaffUser
    from bot.services.api_tokens import create_token
    from bot.web.review import setup

    app = web.Application()
    setup(app)
    client = await aiohttp_client(app)
    with session_scope(engine) as s:
        outsider = s.get(StaffUser, world.outsider)
        _, token = create_token(s, outsider, "cms", ["read:caseload", "read:records", "read:statements"])
    await login(client, "sw.other")
    for pattern in CHILD_PAGES:
        response = await client.get(pattern.format(child=world.ada, statement=world.shared))
        assert response.status == 404, pattern
    bearer = {"Authorization": f"Bearer {token}"}
    for pattern in CHILD_API:
        response = await client.get(pattern.format(child=world.ada), headers=bearer)
        assert response.status == 404, pattern
    for path in ("/review/api/v1/children", "/review/api/v1/statements"):
        body = await (await client.get(path, headers=bearer)).text()
        assert world.ada not in body and "Nan" not in body, path


# --- script in what children (and staff) write -----------------------------------------------------------------


async def test_script_in_a_childs_words_is_escaped_on_the_print_view(client, world):
    await login(client, "sw.a")
    response = await client.get(f"/review/children/{world.ada}/statements/{world.shared}/print")
    page = await response.text()
    assert response.status == 200 and "<script" not in page
    assert str(escape(SCRIPT)) in page and SCRIPT in html.unescape(page)
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_script_in_a_childs_name_and_council_is_escaped_in_the_queues(client, world, session, monkeypatch):
    monkeypatch.delenv("HEARD_TRIAGE_COUNCIL")
    evil = referrals.submit_referral(
        session,
        idempotency_key="xss-1",
        conversation_id="conv-xss",
        child_id=None,
        reason="other",
        words=SCRIPT,
        contact_how="<img src=x onerror=alert(1)>",
        contact_when=None,
        tell_social_worker=False,
        anon_name='<script>alert("name")</script>',
        local_authority='<script>alert("council")</script> Test Borough',
    ).id
    session.commit()
    await login(client, "adv.d")  # "... Test Borough" matched the advocacy service's council
    for path in ("/review/referrals", f"/review/referrals/{evil}"):
        page = await (await client.get(path)).text()
        assert "<script" not in page and "<img" not in page, path
        assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in page, path


async def test_script_in_a_council_name_typed_by_a_child_is_escaped_on_the_unrouted_page(
    client, world, session, monkeypatch
):
    monkeypatch.delenv("HEARD_TRIAGE_COUNCIL")
    referrals.submit_referral(
        session, idempotency_key="xss-2", conversation_id="conv-xss2", child_id=None, reason="other", words="w",
        contact_how=None, contact_when=None, tell_social_worker=False, local_authority="<script>x()</script>",
    )
    session.commit()
    await login(client, "admin.f")
    page = await (await client.get("/review/admin/unrouted")).text()
    assert "<script" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page


async def test_script_in_a_token_label_is_escaped(client, world):
    csrf = await login(client, "sw.a")
    made = await client.post(
        "/review/tokens", data={"_csrf": csrf, "scope": "read:caseload", "label": "<script>steal()</script>"}
    )
    assert made.status == 200
    for page in (await made.text(), await (await client.get("/review/tokens")).text()):
        assert "<script" not in page and "&lt;script&gt;steal()&lt;/script&gt;" in page
