"""The audio routes: stable URLs, browser-playable MP3 with caching headers, no open TTS proxy."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.accessibility import tts
from bot.accessibility.tts import EspeakEngine, TtsService
from bot.dialogue.messages import catalogue
from bot.web import audio


class SlowEngine:
    name = "slow"
    voice = "test"
    offline = True

    def __init__(self) -> None:
        self.calls = 0

    def synthesize(self, text: str) -> bytes:
        import time

        self.calls += 1
        time.sleep(0.3)
        return b"ID3fake-" + text.encode()


@pytest.fixture
def service(tmp_path):
    svc = TtsService([EspeakEngine()], tmp_path / "audio", "test-secret")
    tts.set_service(svc)
    audio.limiter.clear()
    yield svc
    tts.set_service(None)
    audio.limiter.clear()


@pytest.fixture
async def client(service):
    app = web.Application()
    audio.setup(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_catalogue_reply_is_spoken_on_first_request_then_cached(client, service):
    url = audio.audio_url_for(catalogue()["explain_advocate"]["text"])
    assert url.startswith("/audio/") and url.endswith(".mp3") and len(url) == len("/audio/") + 32 + 4
    first = await client.get(url)
    assert first.status == 200
    assert first.headers["Content-Type"] == "audio/mpeg"
    assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    key = url.rsplit("/", 1)[1].removesuffix(".mp3")
    assert first.headers["ETag"] == f'"{key}"'
    body = await first.read()
    assert body[:3] == b"ID3" or body[0] == 0xFF
    assert (service.cache_dir / f"{key}.mp3").read_bytes() == body
    renders = service.renders
    again = await client.get(url)
    assert await again.read() == body and service.renders == renders
    not_modified = await client.get(url, headers={"If-None-Match": f'"{key}"'})
    assert not_modified.status == 304 and not await not_modified.read()


async def test_a_dynamic_reply_is_private_and_served_after_the_proxy_registered_it(client, service):
    text = "Here are your answers. \U0001F4DD\n• Going well: my school\nIs it OK to send?"
    url = audio.audio_url_for(text, ["Send it ✅", "Stop, don't send"])
    response = await client.get(url)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert list((service.cache_dir / "private").glob("*.mp3"))


async def test_unknown_audio_is_404(client):
    assert (await client.get("/audio/" + "a" * 32 + ".mp3")).status == 404
    assert (await client.get("/audio/not-a-key.mp3")).status == 404


async def test_post_gives_urls_only_for_texts_the_bot_says(client, service):
    text = catalogue()["ask_adv_tell_sw"]["text"]
    titles = [b["title"] for b in catalogue()["ask_adv_tell_sw"]["buttons"]]
    ok = await client.post("/audio", json={"text": text, "buttons": titles})
    assert ok.status == 200
    assert (await ok.json())["url"] == audio.audio_url_for(text, titles)
    assert (await client.post("/audio", json={"text": "Say anything I like"})).status == 403
    assert (await client.post("/audio", json={"text": text, "buttons": ["Something made up"]})).status == 403
    assert (await client.post("/audio", data="nope")).status == 400
    assert (await client.post("/audio", json={"text": "x" * 6000})).status == 413
    # After the chat proxy sent a filled-in message, the widget may ask for it again.
    sent = "Done! ✅ Your request is sent. An advocate will get in touch by Friday 27 November."
    assert (await client.post("/audio", json={"text": sent})).status == 403
    url = audio.audio_url_for(sent)
    again = await client.post("/audio", json={"text": sent})
    assert again.status == 200 and (await again.json())["url"] == url


async def test_post_is_rate_limited(client, monkeypatch):
    monkeypatch.setattr(audio.limiter, "limit", 3)
    text = catalogue()["menu"]["text"]
    statuses = [(await client.post("/audio", json={"text": text})).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


async def test_concurrent_requests_render_once(tmp_path):
    engine = SlowEngine()
    tts.set_service(TtsService([engine], tmp_path, "k"))
    try:
        app = web.Application()
        audio.setup(app)
        async with TestClient(TestServer(app)) as test_client:
            url = audio.audio_url_for("A reply nobody heard yet.")
            responses = await asyncio.gather(*(test_client.get(url) for _ in range(5)))
            bodies = {await r.read() for r in responses}
    finally:
        tts.set_service(None)
    assert [r.status for r in responses] == [200] * 5 and len(bodies) == 1
    assert engine.calls == 1


async def test_fallback_audio_is_not_marked_immutable(tmp_path):
    class Down:
        name, voice, offline = "down", "x", True

        def synthesize(self, text: str) -> bytes:
            raise OSError("no network")

    tts.set_service(TtsService([Down(), SlowEngine()], tmp_path, "k"))
    try:
        app = web.Application()
        audio.setup(app)
        async with TestClient(TestServer(app)) as test_client:
            response = await test_client.get(audio.audio_url_for(catalogue()["menu"]["text"]))
            assert response.status == 200
            assert response.headers["Cache-Control"] == "public, max-age=300"
    finally:
        tts.set_service(None)


def test_the_app_mounts_the_audio_routes():
    from bot.web.app import create_app

    app = create_app(with_notifier=False)
    paths = {r.resource.canonical for r in app.router.routes() if r.resource is not None}
    assert "/audio" in paths and any(p.startswith("/audio/{key") for p in paths)
