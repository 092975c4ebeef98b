"""Attacks on Heard behind a TLS reverse proxy (issue 13 item 12, in part).

* The client's address is the right-most ``X-Forwarded-For`` hop that is not a trusted proxy
  (``HEARD_TRUSTED_PROXIES``). Before, with ``HEARD_TRUST_PROXY=1``, Heard took the left-most hop, which the
  client writes itself: a new made-up address on every message dodged the per-address rate limit.
* HSTS on review and chat answers served over HTTPS (Heard's own TLS, or ``X-Forwarded-Proto: https`` from a
  trusted proxy). Before, the chat never sent it, and the review app not behind a proxy.
* The review session cookie is ``__Host-heard_review`` (Secure, Path=/, no Domain) unless the plain-HTTP demo
  mode is on. Before, it was ``heard_review`` on Path=/review/, which a sibling subdomain could overwrite.
"""

from __future__ import annotations

from unittest import mock

import pytest
from aiohttp import CookieJar, web
from aiohttp.test_utils import make_mocked_request
from yarl import URL

from bot.web import chat
from bot.web.ratelimit import SlidingWindow
from tests.integration.test_chat_api import FakeRasa, no_audio, rasa  # noqa: F401  (fixtures)
from tests.integration.test_review_support import *  # noqa: F403
from tests.integration.test_review_support import login

SENDER = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"
PROXY = "10.0.0.5"


def _request(peer: str, *forwarded_for: str, proto: str | None = None) -> web.Request:
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (peer, 443) if name == "peername" else default
    headers = [("X-Forwarded-For", value) for value in forwarded_for]
    if proto:
        headers.append(("X-Forwarded-Proto", proto))
    from multidict import CIMultiDict

    return make_mocked_request("GET", "/", headers=CIMultiDict(headers), transport=transport)


@pytest.fixture
def behind_proxy(monkeypatch):
    monkeypatch.setenv("HEARD_TRUSTED_PROXIES", "10.0.0.0/24, 127.0.0.1, ::1")
    monkeypatch.setenv("HEARD_TRUST_PROXY", "1")  # the old switch, so the old code is tested as deployed


# --- the client's address -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        (PROXY, ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),  # the client wrote 6.6.6.6; the proxy saw .7
        (PROXY, ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),  # two headers count as one list
        (PROXY, ["198.51.100.7, 10.0.0.9"], "198.51.100.7"),  # two trusted proxies
        (PROXY, ["10.0.0.7"], "10.0.0.7"),  # every hop trusted: the farthest
        (PROXY, [], PROXY),
        (PROXY, ["198.51.100.7, not-an-address"], PROXY),  # rubbish from the client: the proxy we believe
        (PROXY, ["198.51.100.7:51234"], "198.51.100.7"),
        (PROXY, ["[2001:db8::7]:443"], "2001:db8::7"),
        (PROXY, ["::ffff:198.51.100.7"], "198.51.100.7"),
        ("203.0.113.9", ["6.6.6.6"], "203.0.113.9"),  # not from a trusted proxy: the header is ignored
    ],
)
def test_the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy(behind_proxy, peer, forwarded, client):
    from bot.web.client_address import client_address

    assert client_address(_request(peer, *forwarded)) == client


def test_without_trusted_proxies_no_forwarded_header_is_believed(monkeypatch):
    from bot.web.client_address import client_address, is_https

    monkeypatch.delenv("HEARD_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("HEARD_TRUST_PROXY", "1")  # the old all-or-nothing switch trusts nobody now
    request = _request(PROXY, "6.6.6.6", proto="https")
    assert client_address(request) == PROXY and not is_https(request)


def test_a_mistyped_proxy_list_stops_heard_rather_than_trusting_the_wrong_hop(monkeypatch):
    from bot.config import get_settings

    monkeypatch.setenv("HEARD_TRUSTED_PROXIES", "10.0.0.5, 10.0.0.300")
    with pytest.raises(ValueError, match="HEARD_TRUSTED_PROXIES"):
        get_settings().web.trusted_proxies  # noqa: B018


@pytest.fixture
async def chat_client(aiohttp_client, rasa, no_audio, monkeypatch):  # noqa: F811
    chat.per_sender.clear()
    monkeypatch.setattr(chat, "per_address", SlidingWindow(limit=3, window=60.0))
    app = web.Application(client_max_size=64 * 1024)
    chat.setup(app)
    return await aiohttp_client(app)


async def test_a_made_up_forwarded_address_does_not_dodge_the_rate_limit(behind_proxy, chat_client, rasa):  # noqa: F811
    """Each message claims a new address on the left; the proxy appends the real one on the right."""
    rasa.replies = [{"text": "Hi"}]
    statuses = []
    for n in range(4):
        response = await chat_client.post(
            "/api/chat",
            json={"sender": f"{SENDER[:-2]}{n:02d}", "message": "hello"},
            headers={"X-Forwarded-For": f"203.0.113.{n}, 198.51.100.7"},
        )
        statuses.append(response.status)
    assert statuses == [200, 200, 200, 429]


# --- HSTS -----------------------------------------------------------------------------------------------------


async def test_hsts_on_chat_answers_over_https_through_a_trusted_proxy(behind_proxy, chat_client, rasa):  # noqa: F811
    rasa.replies = [{"text": "Hi"}]
    https = {"X-Forwarded-Proto": "https"}
    for method, path, body in (("GET", "/", None), ("GET", "/widget.js", None), ("POST", "/api/chat", True)):
        kwargs = {"json": {"sender": SENDER, "message": "hello"}} if body else {}
        response = await chat_client.request(method, path, headers=https, **kwargs)
        assert response.headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"), path
        plain = await chat_client.request(method, path, **kwargs)
        assert "Strict-Transport-Security" not in plain.headers, path


async def test_hsts_on_review_answers_over_https_through_a_trusted_proxy(behind_proxy, client):
    https = await client.get("/review/login", headers={"X-Forwarded-Proto": "https"})
    assert https.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    api = await client.get("/review/api/v1/me", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in api.headers
    assert "Strict-Transport-Security" not in (await client.get("/review/login")).headers


async def test_a_client_cannot_claim_https_without_a_trusted_proxy(client, monkeypatch):
    monkeypatch.delenv("HEARD_TRUSTED_PROXIES", raising=False)
    response = await client.get("/review/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


# --- the review session cookie --------------------------------------------------------------------------------


class TlsCookieJar(CookieJar):
    """A browser's cookie jar on an HTTPS page (the test server is plain HTTP behind a pretend TLS proxy)."""

    def filter_cookies(self, request_url: URL = URL()):  # noqa: B008
        return super().filter_cookies(request_url.with_scheme("https"))


@pytest.fixture
async def tls_client(world, aiohttp_client, monkeypatch, behind_proxy):
    from bot.web.review import setup

    monkeypatch.delenv("HEARD_REVIEW_ALLOW_HTTP")
    app = web.Application(client_max_size=64 * 1024)
    setup(app)
    return await aiohttp_client(app, cookie_jar=TlsCookieJar(unsafe=True), headers={"X-Forwarded-Proto": "https"})


async def test_the_session_cookie_is_a_host_cookie_over_https(tls_client):
    response = await tls_client.get("/review/login")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-heard_review=")
    assert "Secure" in cookie and "Path=/;" in cookie + ";" and "Domain" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


async def test_staff_sign_in_and_work_with_the_host_cookie(tls_client, world):
    await login(tls_client, "sw.a")
    page = await tls_client.get("/review/children", allow_redirects=False)
    assert page.status == 200 and "Ada" in await page.text()
    assert "Strict-Transport-Security" in page.headers


async def test_a_cookie_under_the_old_name_or_path_opens_nothing(tls_client, world):
    await login(tls_client, "sw.a")
    session = tls_client.session.cookie_jar.filter_cookies(URL("https://127.0.0.1/review/"))["__Host-heard_review"]
    tls_client.session.cookie_jar.clear()
    response = await tls_client.get(
        "/review/children", headers={"Cookie": f"heard_review={session.value}"}, allow_redirects=False
    )
    assert response.status == 303


async def test_the_plain_http_demo_keeps_a_plain_cookie(client):
    cookie = (await client.get("/review/login")).headers["Set-Cookie"]
    assert cookie.startswith("heard_review=") and "Secure" not in cookie and "Path=/review/" in cookie
