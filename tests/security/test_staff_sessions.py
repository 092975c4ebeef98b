"""Attacks on staff sessions in the review app (issue 13 item 8: "sign-out does not end the session").

The session cookie is encrypted and signed, but before this change it only said which staff member was
signed in: a copy of it (from a shared computer, a proxy log, malware, a shoulder-surfed export of the
browser's cookies) kept working after the staff member signed out, after they changed their password, and
even after an admin deactivated and later reactivated the account. Now each staff record has a session
version; a cookie names the version it was made under and is refused once sign-out, a password change or
deactivation has moved it on.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from bot.db.models import StaffUser
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import PASSWORD, audit_events, login
from tests.security.staff_signin_support import is_signed_in, password_step, review_cookie, use_cookie

NEW_PASSWORD = "plum kettle orbit marsh"


async def test_cookie_copied_before_sign_out_is_refused_after_it(client):
    token = await login(client, "duty.e")
    copied = review_cookie(client)
    response = await client.post("/review/logout", data={"_csrf": token}, allow_redirects=False)
    assert response.status == 303
    use_cookie(client, copied)  # the attacker's browser, with the cookie taken before sign-out
    refused = await client.get("/review/alerts", allow_redirects=False)
    assert refused.status == 303 and refused.headers["Location"] == "/review/login"


async def test_sign_out_ends_the_other_sessions_of_the_account_too(client, engine):
    await login(client, "sw.a")
    other_device = review_cookie(client)
    client.session.cookie_jar.clear()
    token = await login(client, "sw.a")  # the same person on a second computer
    await client.post("/review/logout", data={"_csrf": token})
    use_cookie(client, other_device)
    assert not await is_signed_in(client)
    ended = [e for e in audit_events(engine, entity_type="staff_session") if "signed out" in (e.detail or "")]
    assert len(ended) == 1 and ended[0].actor == "staff:sw.a"


async def test_cookie_copied_before_password_change_is_refused_after_it(client, engine):
    token = await login(client, "sw.b")
    copied = review_cookie(client)
    response = await client.post(
        "/review/account/password",
        data={
            "_csrf": token,
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
        },
        allow_redirects=False,
    )
    assert response.status == 303
    assert await is_signed_in(client)  # the person who changed it stays signed in, on a fresh session
    fresh = review_cookie(client)
    assert fresh != copied
    use_cookie(client, copied)
    assert not await is_signed_in(client)
    use_cookie(client, fresh)
    assert await is_signed_in(client)


async def test_cookie_copied_before_deactivation_is_refused_even_after_reactivation(client, world):
    from bot.usecases import review_admin

    await login(client, "sw.b")
    copied = review_cookie(client)
    admin = _staff(world, "admin.f")
    review_admin.set_account_active(admin, world.users["sw.b"], False)
    use_cookie(client, copied)
    assert not await is_signed_in(client)
    review_admin.set_account_active(admin, world.users["sw.b"], True)  # back at work next month
    assert not await is_signed_in(client)  # the old cookie does not come back to life


def _cookie_name() -> str:
    from bot.web.review import security

    return security.cookie_name() if hasattr(security, "cookie_name") else security.COOKIE_NAME


def _fernet():
    """The real cookie key: these tests are about what a cookie says, not about forging one."""
    from bot.web.review.security import fernet_key

    return fernet_key()


async def test_cookie_without_a_session_version_is_refused(client, world):
    """A cookie in the old form (staff id only), e.g. one taken before this change, opens nothing."""
    now = int(time.time())
    data = {"created": now, "session": {"staff_id": world.users["sw.a"], "seen": now, "started": now}}
    use_cookie(client, (_cookie_name(), _fernet().encrypt(json.dumps(data).encode()).decode()))
    assert not await is_signed_in(client)


async def test_cookie_with_a_made_up_version_is_refused(client, world):
    now = int(time.time())
    for version in (0, 2, True, "1", None, [1]):
        session = {"staff_id": world.users["sw.a"], "staff_version": version, "seen": now, "started": now}
        cookie = _fernet().encrypt(json.dumps({"created": now, "session": session}).encode()).decode()
        use_cookie(client, (_cookie_name(), cookie))
        assert not await is_signed_in(client), version


async def test_the_password_alone_opens_no_page(client):
    """Half-way through signing in (password right, no code yet) the cookie opens nothing but the code step."""
    response = await password_step(client, "sw.a")
    assert response.status == 303 and response.headers["Location"] == "/review/login/code"
    for path in ("/review/children", "/review/account", "/review/admin/users", "/review/"):
        refused = await client.get(path, allow_redirects=False)
        assert refused.status == 303 and refused.headers["Location"] == "/review/login", path


async def test_sign_out_needs_the_csrf_token(client):
    """A cross-site form cannot sign a member of staff out (nor move their session version on)."""
    await login(client, "sw.a")
    response = await client.post("/review/logout", data={})
    assert response.status == 403
    assert await is_signed_in(client)


def _staff(world, username: str) -> StaffUser:
    from bot.db.engine import session_scope

    with session_scope() as s:
        return s.execute(select(StaffUser).where(StaffUser.id == world.users[username])).scalar_one()

