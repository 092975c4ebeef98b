"""The sign-in, second-factor and account pages pass the same structural accessibility checks as every other
review-app page (one h1, skip link, labelled controls, no scripts or inline styles)."""

from __future__ import annotations

import pyotp

from tests.integration.test_review_accessibility import PageAudit, _check
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import PASSWORD, csrf_of, login
from tests.security.staff_signin_support import SECRET_RE


async def _audit(client, label: str, response=None) -> str:
    response = response or await client.get(label)
    assert response.status == 200, label
    text = await response.text()
    audit = PageAudit()
    audit.feed(text)
    _check(label, audit)
    return text


async def _password(client, username: str) -> None:
    client.session.cookie_jar.clear()
    token = await csrf_of(client)
    await client.post("/review/login", data={"_csrf": token, "username": username, "password": PASSWORD})


async def test_code_enrol_recovery_and_account_pages_are_structurally_accessible(client, world):
    from bot.db.engine import session_scope
    from bot.db.models import StaffUser
    from bot.services import second_factor

    with session_scope() as s:
        second_factor.reset(s, s.get(StaffUser, world.users["iro.c"]), "system:test")
    await _password(client, "sw.a")
    await _audit(client, "/review/login/code")
    await _password(client, "iro.c")
    secret = SECRET_RE.search(await _audit(client, "/review/login/enrol")).group(1).replace(" ", "")
    token = await csrf_of(client, "/review/login/enrol")
    done = await client.post("/review/login/enrol", data={"_csrf": token, "code": pyotp.TOTP(secret).now()})
    assert "Keep these somewhere safe" in await _audit(client, "recovery codes", done)
    client.session.cookie_jar.clear()
    await login(client, "sw.a")
    await _audit(client, "/review/account")
