"""Helpers for the staff sign-in and session attack tests (no tests here): the review-app cookie, the sign-in
steps one by one, and client addresses (the test server trusts 127.0.0.1 as its proxy, so ``X-Forwarded-For``
says which address a request comes from, exactly as behind a council's reverse proxy)."""

from __future__ import annotations

import html
import re
import time

import pyotp
import pytest

from tests.integration.test_review_support import PASSWORD, csrf_of

COOKIE_NAMES = ("heard_review", "__Host-heard_review")
SECRET_RE = re.compile(r'id="secret">([^<]+)<')
RECOVERY_RE = re.compile(r'<li class="code small-code">([^<]+)</li>')


@pytest.fixture
def behind_proxy(monkeypatch) -> None:
    """Requests come through a trusted proxy at 127.0.0.1 that names the client in ``X-Forwarded-For``."""
    monkeypatch.setenv("HEARD_TRUSTED_PROXIES", "127.0.0.1")


def review_cookie(client) -> tuple[str, str]:
    """The review app's session cookie in the client's jar (name, value): what an attacker copies."""
    for cookie in client.session.cookie_jar:
        if cookie.key in COOKIE_NAMES:
            return cookie.key, cookie.value
    raise AssertionError("no review session cookie")


def use_cookie(client, cookie: tuple[str, str]) -> None:
    """Replace the client's cookies with ``cookie`` (the attacker's browser with the copied cookie)."""
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({cookie[0]: cookie[1]})


async def is_signed_in(client) -> bool:
    """The cookie in the jar opens the review app: its start page sends it on to a page, not to sign in."""
    response = await client.get("/review/", allow_redirects=False)
    return response.status == 303 and not response.headers["Location"].startswith("/review/login")


def headers_from(address: str | None) -> dict[str, str]:
    return {"X-Forwarded-For": address} if address else {}


async def password_step(client, username: str, password: str = PASSWORD, address: str | None = None):
    token = await csrf_of(client)
    return await client.post(
        "/review/login",
        data={"_csrf": token, "username": username, "password": password},
        headers=headers_from(address),
        allow_redirects=False,
    )


async def code_step(client, code: str, address: str | None = None, path: str = "/review/login/code"):
    token = await csrf_of(client, path)
    return await client.post(
        path, data={"_csrf": token, "code": code}, headers=headers_from(address), allow_redirects=False
    )


async def enrol_from_page(client, address: str | None = None) -> tuple[str, list[str], object]:
    """Read the secret off the set-up page as a person would, send its code; (secret, recovery codes,
    the response)."""
    page = await (await client.get("/review/login/enrol")).text()
    secret = SECRET_RE.search(page).group(1).replace(" ", "")
    response = await code_step(client, pyotp.TOTP(secret).now(), address, "/review/login/enrol")
    codes = [html.unescape(code) for code in RECOVERY_RE.findall(await response.text())]
    return secret, codes, response


def passed(response) -> bool:
    """The sign-in step let the staff member in (a redirect to a page, not back to a sign-in step)."""
    return response.status == 303 and not response.headers["Location"].startswith("/review/login")


def next_step_code(secret: str) -> str:
    """The code of the next 30-second step (accepted for clock drift), for a second sign-in in one step."""
    return pyotp.TOTP(secret).at(time.time(), counter_offset=1)
