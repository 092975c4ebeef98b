"""Attacks on staff sign-in to the review app (issue 13 item 9).

Before this change: a password was all it took (no second factor); nobody could change their password, so an
admin-set first password stayed known to the admin for good; and 20 wrong passwords for a username, from any
addresses, locked that account out for 15 minutes, so anyone could keep the duty lead out during a
safeguarding alert. Now: a TOTP code (or a single-use recovery code) after the password for every staff role,
used once; the password can be changed (the current one required; length and common-password rules) and an
admin-set one must be; and failures slow the client address with growing delays, never lock an account.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import PASSWORD, audit_events, csrf_of, login, totp_code, totp_secret
from tests.security.staff_signin_support import *  # noqa: F403
from tests.security.staff_signin_support import (
    code_step,
    enrol_from_page,
    is_signed_in,
    next_step_code,
    passed,
    password_step,
)

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.10"
NEW_PASSWORD = "plum kettle orbit marsh"


def _throttle():  # imported when used, so that these tests also run (and fail) on the code before the change
    from bot.services import signin_throttle

    return signin_throttle


def _factor():
    from bot.services import second_factor

    return second_factor


@pytest.fixture
def clock(monkeypatch):
    """Move the throttle's clock on: ``clock(seconds)``."""
    signin_throttle = _throttle()
    offset = [0.0]
    real = signin_throttle._now
    monkeypatch.setattr(signin_throttle, "_now", lambda: real() + timedelta(seconds=offset[0]))

    def advance(seconds: float) -> None:
        offset[0] += seconds

    return advance


def _user(username: str) -> StaffUser:
    with session_scope() as s:
        return s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one()


def _reset_second_factor(username: str) -> None:
    with session_scope() as s:
        user = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one()
        _factor().reset(s, user, "system:test")


def _wrong_code(username: str) -> str:
    """A 6-digit code that is none of the accepted ones right now (nor in the next step)."""
    accepted = {totp_code(username, step) for step in (-1, 0, 1, 2)}
    return next(c for c in (f"{n:06d}" for n in range(10)) if c not in accepted)


async def _change_password(client, token: str, current: str, new: str, repeat: str | None = None, address=None):
    return await client.post(
        "/review/account/password",
        data={"_csrf": token, "current_password": current, "new_password": new, "repeat_password": repeat or new},
        headers={"X-Forwarded-For": address} if address else {},
        allow_redirects=False,
    )


# --- no account lock-out; the address is slowed -------------------------------------------------------------


async def test_twenty_wrong_passwords_do_not_lock_the_named_account_out(client, behind_proxy):
    for n in range(20):  # spread over four addresses, five each, as a patient attacker would
        response = await password_step(client, "duty.e", "not the password", address=f"203.0.113.{n // 5}")
        assert response.status in (401, 429)
    response = await password_step(client, "duty.e", address=OFFICE)  # the duty lead, at work
    assert response.status == 303 and response.headers["Location"] == "/review/login/code"
    assert passed(await code_step(client, totp_code("duty.e"), OFFICE))
    assert await is_signed_in(client)


async def test_wrong_passwords_slow_that_address_with_growing_delays(client, behind_proxy, clock):
    statuses = [(await password_step(client, "duty.e", "guess", address=ATTACKER)).status for _ in range(20)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    refused = await password_step(client, "duty.e", address=ATTACKER)  # even the right password waits
    assert refused.status == 429 and refused.headers["Retry-After"] == "2"
    waits = []
    for _ in range(4):  # each time the attacker waits out the delay and fails again, it doubles
        clock(int(refused.headers["Retry-After"]) + 0.5)
        assert (await password_step(client, "duty.e", "guess", address=ATTACKER)).status == 401
        refused = await password_step(client, "duty.e", "guess", address=ATTACKER)
        assert refused.status == 429
        waits.append(int(refused.headers["Retry-After"]))
    assert waits == [4, 8, 16, 32]
    elsewhere = await password_step(client, "duty.e", address=OFFICE)  # a second address is not slowed
    assert elsewhere.status == 303 and elsewhere.headers["Location"] == "/review/login/code"


def test_delays_double_and_are_capped():
    delays = [_throttle().delay_after(n) for n in range(0, 17)]
    assert delays[:5] == [0] * 5
    assert delays[5:14] == [2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert delays[14:] == [_throttle().MAX_DELAY] * 3 == [900] * 3
    assert _throttle().delay_after(10**6) == 900


def test_failures_older_than_the_window_are_forgotten(session, clock):
    key = _throttle().address_key(ATTACKER)
    for _ in range(12):
        _throttle().record_failure(session, key)
    assert _throttle().wait_seconds(session, key) > 0
    clock(15 * 60 + 1)
    assert _throttle().wait_seconds(session, key) == 0


async def test_the_slow_down_is_shared_by_every_server(world, aiohttp_client, behind_proxy):
    from aiohttp import web

    from bot.web.review import setup

    servers = []
    for _ in range(2):
        app = web.Application()
        setup(app)
        servers.append(await aiohttp_client(app))
    for _ in range(5):
        assert (await password_step(servers[0], "sw.a", "guess", address=ATTACKER)).status == 401
    assert (await password_step(servers[1], "sw.a", address=ATTACKER)).status == 429


async def test_a_forged_forwarded_for_does_not_dodge_the_slow_down(client):
    """Without a trusted proxy, ``X-Forwarded-For`` is the client's own word and is not believed."""
    for n in range(5):
        assert (await password_step(client, "sw.a", "guess", address=f"192.0.2.{n}")).status == 401
    assert (await password_step(client, "sw.a", address="192.0.2.200")).status == 429


# --- the second factor ----------------------------------------------------------------------------------------


async def test_a_second_factor_is_required_by_default(client):
    response = await password_step(client, "sw.a")
    assert response.status == 303 and response.headers["Location"] == "/review/login/code"
    assert not await is_signed_in(client)
    assert passed(await code_step(client, totp_code("sw.a")))
    assert await is_signed_in(client)


async def test_staff_without_a_second_factor_must_set_one_up(client, engine):
    _reset_second_factor("iro.c")
    response = await password_step(client, "iro.c")
    assert response.status == 303 and response.headers["Location"] == "/review/login/enrol"
    assert not await is_signed_in(client)
    page = await (await client.get("/review/login/enrol")).text()
    assert "otpauth://totp/Heard%20review:iro.c?secret=" in page and "issuer=Heard%20review" in page
    assert "<img" not in page and "http://" not in page.replace("http://127.0.0.1", "")  # no QR service
    wrong = await code_step(client, "123456", path="/review/login/enrol")
    assert wrong.status == 401 and not await is_signed_in(client)
    secret, codes, done = await enrol_from_page(client)
    assert done.status == 200 and len(codes) == len(set(codes)) == 10
    assert await is_signed_in(client)
    assert _factor().demo_secret_matches(_user("iro.c"), secret)


async def test_with_the_setting_off_staff_without_one_sign_in_with_the_password(client, monkeypatch):
    monkeypatch.setenv("HEARD_REVIEW_REQUIRE_2FA", "0")
    _reset_second_factor("iro.c")
    response = await password_step(client, "iro.c")
    assert response.status == 303 and response.headers["Location"] == "/review/children"
    client.session.cookie_jar.clear()
    enrolled = await password_step(client, "sw.a")  # whoever has set one up is still asked for it
    assert enrolled.headers["Location"] == "/review/login/code"


async def test_a_wrong_code_is_refused(client, engine):
    await password_step(client, "sw.a")
    response = await code_step(client, _wrong_code("sw.a"))
    assert response.status == 401 and "not right" in await response.text()
    assert not await is_signed_in(client)
    failures = audit_events(engine, action="signin_failed")
    assert json.loads(failures[-1].detail)["step"] == "second_factor"


async def test_a_code_cannot_be_used_twice(client, world, aiohttp_client):
    code = totp_code("sw.a")
    await password_step(client, "sw.a")
    assert passed(await code_step(client, code))
    client.session.cookie_jar.clear()  # someone who watched the code being typed, on another computer
    await password_step(client, "sw.a")
    replayed = await code_step(client, code)
    assert replayed.status == 401 and not await is_signed_in(client)
    earlier = pyotp.TOTP(totp_secret("sw.a")).at(time.time(), counter_offset=-1)
    assert (await code_step(client, earlier)).status == 401  # nor an older code once a newer one was used
    assert passed(await code_step(client, next_step_code(totp_secret("sw.a"))))


async def test_the_same_code_sent_twice_at_once_signs_in_once(world, aiohttp_client):
    """Two browsers (or two servers) racing with one observed code: one conditional UPDATE lets one in."""
    import asyncio

    from aiohttp import web

    from bot.web.review import setup

    clients = []
    for _ in range(2):
        app = web.Application()
        setup(app)
        clients.append(await aiohttp_client(app))
        await password_step(clients[-1], "sw.a")
    code = totp_code("sw.a")
    results = await asyncio.gather(*(code_step(c, code) for c in clients))
    assert sorted(passed(r) for r in results) == [False, True]


async def test_a_recovery_code_works_once(client):
    with session_scope() as s:
        user = s.execute(select(StaffUser).where(StaffUser.username == "sw.a")).scalar_one()
        codes = _factor().renew_recovery_codes(s, user)
    await password_step(client, "sw.a")
    first = await code_step(client, codes[0])
    assert passed(first) and first.headers["Location"] == "/review/account"
    assert "You have 9 left" in await (await client.get("/review/account")).text()
    token = await csrf_of(client, "/review/account")
    await client.post("/review/logout", data={"_csrf": token})
    await password_step(client, "sw.a")
    assert (await code_step(client, codes[0])).status == 401
    assert passed(await code_step(client, codes[1].upper().replace("-", " ")))  # typed loosely
    assert _factor().recovery_codes_left(_user("sw.a")) == 8


async def test_someone_with_only_the_password_cannot_set_up_their_own_second_factor(client, world):
    """The attacker knows sw.a's password and tries to enrol their own app instead of giving sw.a's code."""
    from bot.usecases.review_staff_login import enrol_second_factor

    await password_step(client, "sw.a")
    assert (await client.get("/review/login/enrol", allow_redirects=False)).headers["Location"] == "/review/login"
    mine = pyotp.random_base32()
    step = enrol_second_factor(world.users["sw.a"], 1, mine, pyotp.TOTP(mine).now(), ATTACKER)
    assert step.result == "restart"
    assert not _factor().demo_secret_matches(_user("sw.a"), mine)
    assert _factor().demo_secret_matches(_user("sw.a"), totp_secret("sw.a"))


async def test_an_admin_resets_a_lost_second_factor_only_in_their_own_council(client, world):
    from bot.services.errors import NotFound
    from bot.usecases.review_staff_account import reset_second_factor

    await login(client, "sw.a")
    with session_scope() as s:
        outsider_admin = StaffUser(
            username="admin.other", display_name="X", role="admin", local_authority_id=world.other_la
        )
        s.add(outsider_admin)
    with pytest.raises(NotFound):
        reset_second_factor(outsider_admin, world.users["sw.a"])
    assert _factor().is_enrolled(_user("sw.a"))
    admin = _user("admin.f")
    assert reset_second_factor(admin, world.users["sw.a"]) == "sw.a"
    assert not await is_signed_in(client)  # every session of theirs ended
    assert (await password_step(client, "sw.a")).headers["Location"] == "/review/login/enrol"


async def test_guessing_codes_is_slowed_for_the_account_from_any_address(client, behind_proxy):
    await password_step(client, "sw.a", address=ATTACKER)
    for _ in range(5):
        assert (await code_step(client, _wrong_code("sw.a"), ATTACKER)).status == 401
    assert (await code_step(client, totp_code("sw.a"), ATTACKER)).status == 429
    client.session.cookie_jar.clear()
    second = await password_step(client, "sw.a", address="192.0.2.77")  # the attacker's second address
    assert second.headers["Location"] == "/review/login/code"
    assert (await code_step(client, _wrong_code("sw.a"), "192.0.2.77")).status == 429  # still slowed


async def test_a_half_finished_sign_in_lapses(client, monkeypatch):
    await password_step(client, "sw.a")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 11 * 60)
    response = await code_step(client, pyotp.TOTP(totp_secret("sw.a")).at(real() + 11 * 60))
    assert response.status == 303 and response.headers["Location"] == "/review/login?restart=1"


# --- passwords -----------------------------------------------------------------------------------------------


async def test_password_change_requires_the_current_password(client, behind_proxy):
    token = await login(client, "sw.a")
    wrong = await _change_password(client, token, "not my password", NEW_PASSWORD, address=ATTACKER)
    assert wrong.status == 401 and "current password is not right" in await wrong.text()
    for _ in range(4):  # a stolen session cannot be used to guess the password quickly either
        await _change_password(client, token, "guess", NEW_PASSWORD, address=ATTACKER)
    slowed = await _change_password(client, token, PASSWORD, NEW_PASSWORD, address=ATTACKER)
    assert slowed.status == 429
    done = await _change_password(client, token, PASSWORD, NEW_PASSWORD, address=OFFICE)
    assert done.status == 303
    assert staff_verify("sw.a", NEW_PASSWORD) and not staff_verify("sw.a", PASSWORD)


def staff_verify(username: str, password: str) -> bool:
    from bot.services.staff import verify_password

    return verify_password(_user(username), password)


@pytest.mark.parametrize(
    "new",
    ["short", "password1234", "Password 1234!", "qwertyuiop123", "sw.a-sw.a-sw.a-2024", "aaaaaaaaaaaaaaaa", PASSWORD],
)
async def test_password_change_refuses_short_common_or_guessable_passwords(client, new):
    token = await login(client, "sw.a")
    response = await _change_password(client, token, PASSWORD, new)
    assert response.status == 400, new
    assert staff_verify("sw.a", PASSWORD)


async def test_long_passphrases_in_any_characters_are_welcome_but_not_endless(client):
    token = await login(client, "sw.a")
    too_long = "x" * 40 + " plum kettle " * 7  # 131 characters
    assert (await _change_password(client, token, PASSWORD, too_long)).status == 400
    passphrase = "Früh übt sich, 🐢 wer ein Meister werden will – und zwar mit 64 Zeichen!"[:64]
    assert len(passphrase) == 64
    assert (await _change_password(client, token, PASSWORD, passphrase)).status == 303
    assert staff_verify("sw.a", passphrase)


async def test_the_two_new_passwords_must_match(client):
    token = await login(client, "sw.a")
    response = await _change_password(client, token, PASSWORD, NEW_PASSWORD, repeat=NEW_PASSWORD + "x")
    assert response.status == 400 and staff_verify("sw.a", PASSWORD)


async def test_first_sign_in_must_change_an_admin_set_password(client):
    token = await login(client, "admin.f")
    first = "first password from admin"
    created = await client.post(
        "/review/admin/users",
        data={"_csrf": token, "username": "sw.new", "display_name": "New", "role": "social_worker", "password": first},
        allow_redirects=False,
    )
    assert created.status == 303
    await client.post("/review/logout", data={"_csrf": await csrf_of(client, "/review/admin/users")})
    assert (await password_step(client, "sw.new", first)).headers["Location"] == "/review/login/enrol"
    _secret, codes, done = await enrol_from_page(client)
    assert done.status == 200 and len(codes) == 10 and 'href="/review/account"' in await done.text()
    for path in ("/review/children", "/review/", "/review/children/c_anything"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/review/account", path
    page = await client.get("/review/account")
    assert page.status == 200 and "Choose your own password" in await page.text()
    token = await csrf_of(client, "/review/account")
    assert (await _change_password(client, token, first, NEW_PASSWORD)).status == 303
    assert (await client.get("/review/children", allow_redirects=False)).status == 200
    assert not _user("sw.new").must_change_password


# --- what is kept and what is audited ---------------------------------------------------------------------------


async def test_secrets_passwords_and_codes_are_never_stored_or_audited_in_plain(client, engine):
    _reset_second_factor("adv.d")
    await password_step(client, "adv.d")
    secret, codes, _done = await enrol_from_page(client)
    token = await csrf_of(client, "/review/account")
    await _change_password(client, token, PASSWORD, NEW_PASSWORD)
    row = _user("adv.d")
    assert secret not in (row.totp_secret or "") and row.totp_secret.startswith("gAAAA")  # a Fernet token
    stored_codes = json.loads(row.recovery_codes)
    assert len(stored_codes) == 10
    assert not any(code.replace("-", "") in row.recovery_codes or code in row.recovery_codes for code in codes)
    details = " ".join(e.detail or "" for e in audit_events(engine))
    for secret_thing in [secret, PASSWORD, NEW_PASSWORD, *codes, *(c.replace("-", "") for c in codes)]:
        assert secret_thing not in details


async def test_every_sign_in_step_is_audited(client, engine, clock, behind_proxy):
    for _ in range(6):
        await password_step(client, "sw.b", "guess", address=ATTACKER)  # failures, then a slow-down
    with session_scope() as s:
        user = s.execute(select(StaffUser).where(StaffUser.username == "sw.b")).scalar_one()
        codes = _factor().renew_recovery_codes(s, user)
    await password_step(client, "sw.b", address=OFFICE)
    await code_step(client, _wrong_code("sw.b"), OFFICE)
    await code_step(client, codes[0], OFFICE)
    token = await csrf_of(client, "/review/account")
    await _change_password(client, token, PASSWORD, NEW_PASSWORD, address=OFFICE)
    token = await csrf_of(client, "/review/account")
    await client.post("/review/logout", data={"_csrf": token})
    events = audit_events(engine)
    details = [(e.action, e.entity_type, json.loads(e.detail or "{}")) for e in events]
    failed = [d for a, _t, d in details if a == "signin_failed"]
    assert [d["step"] for d in failed] == ["password"] * 5 + ["second_factor"]  # the 6th was refused unread
    assert failed[4]["throttled_for_seconds"] == 2 and failed[0]["throttled_for_seconds"] == 0
    assert all(len(d["address"]) == 12 and ATTACKER not in json.dumps(d) for d in failed)
    assert ("create", "staff_session", {"second_factor": "recovery_code"}) in details
    assert any(d.get("recovery_code_used") for a, t, d in details if t == "staff_user")
    assert any(d.get("password_changed") for a, t, d in details if t == "staff_user")
    ended = [d["ended"] for a, t, d in details if t == "staff_session" and "ended" in d]
    assert ended == ["password changed", "signed out"]
    assert ("update", "staff_user", {"second_factor": "enrolled"}) in details  # when the fixture enrolled them


# --- the demo stays usable --------------------------------------------------------------------------------------


async def test_demo_users_sign_in_with_the_key_printed_at_start_up(demo, aiohttp_client, monkeypatch):
    from aiohttp import web

    from bot.services.seed import DEMO_PASSWORD, demo_sign_in_lines, demo_totp_secret, seed_demo
    from bot.web.review import setup

    monkeypatch.setenv("HEARD_REVIEW_ALLOW_HTTP", "1")
    app = web.Application()
    setup(app)
    client = await aiohttp_client(app)
    secret = demo_totp_secret("duty.erin")
    assert secret in demo_sign_in_lines()
    assert (await password_step(client, "duty.erin", DEMO_PASSWORD)).headers["Location"] == "/review/login/code"
    signed_in = await code_step(client, pyotp.TOTP(secret).now())
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/review/alerts"
    with session_scope() as s:
        assert seed_demo(s)["created"] == 0  # seeding again changes nothing
    assert _factor().demo_secret_matches(_user("duty.erin"), secret)
    assert not _user("duty.erin").must_change_password
