"""Audio sentence by sentence (issue 18): the first sentence reaches the browser while the rest is spoken; the
whole is cached once; a failing first sentence falls back to the next engine; a child's words stay no-store."""

from __future__ import annotations

import asyncio
import threading

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.accessibility import tts
from bot.accessibility.hibari_voice import HibariEngine
from bot.accessibility.tts import EspeakEngine, TtsService
from bot.web import audio

LINE = "Thank you Jade. Your advocate will call you this week to hear what you want to say."


class StreamingEngine:
    """Speaks one part per sentence; the second part waits until the test lets it go."""

    name = "streaming"
    voice = "test"
    offline = True

    def __init__(self, fail_first: bool = False) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.fail_first = fail_first

    def synthesize_parts(self, text: str):
        self.calls += 1
        if self.fail_first:
            raise RuntimeError("broken voice")
        sentences = [s for s in text.split(". ") if s]
        yield b"\xff\xfbpart1:" + sentences[0].encode()
        assert self.release.wait(10), "the test never released the second part"
        for sentence in sentences[1:]:
            yield b"\xff\xfbpart:" + sentence.encode()

    def synthesize(self, text: str) -> bytes:
        self.release.set()
        return b"".join(self.synthesize_parts(text))


class WholeEngine:
    name = "whole"
    voice = "test"
    offline = True

    def synthesize(self, text: str) -> bytes:
        return b"\xff\xfbwhole:" + text.encode()


@pytest.fixture
async def make_client(tmp_path):
    clients = []

    async def make(*engines):
        service = TtsService(list(engines), tmp_path / "audio", "test-secret")
        tts.set_service(service)
        app = web.Application()
        audio.setup(app)
        client = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return client, service

    yield make
    for client in clients:
        await client.close()
    tts.set_service(None)


async def test_the_first_sentence_arrives_before_the_rest_is_spoken(make_client):
    engine = StreamingEngine()
    client, service = await make_client(engine, WholeEngine())
    url = audio.audio_url_for(LINE)  # a name filled in: not in the catalogue, a private text
    response = await client.get(url)
    assert response.status == 200 and response.headers["Content-Type"] == "audio/mpeg"
    assert response.headers["Cache-Control"] == "private, no-store"  # a child's own words: never kept
    first = await response.content.readany()
    assert first.startswith(b"\xff\xfbpart1:Thank you Jade")  # while the second part is still waiting
    engine.release.set()
    body = first + await response.read()
    assert body.count(b"\xff\xfb") == 2
    key = url.rsplit("/", 1)[1].removesuffix(".mp3")
    cached = service.cached(key)
    assert cached is not None and cached.private and cached.path.read_bytes() == body
    again = await client.get(url)
    assert await again.read() == body and engine.calls == 1  # from disk: not spoken again


async def test_two_requests_at_once_speak_once(make_client):
    engine = StreamingEngine()
    client, _service = await make_client(engine, WholeEngine())
    url = audio.audio_url_for(LINE)
    first = asyncio.create_task(client.get(url))
    second = asyncio.create_task(client.get(url))
    await asyncio.sleep(0.2)
    engine.release.set()
    bodies = [await (await task).read() for task in (first, second)]
    assert bodies[0] == bodies[1] and engine.calls == 1


async def test_a_failing_first_sentence_falls_back_to_the_next_voice(make_client):
    client, _service = await make_client(StreamingEngine(fail_first=True), WholeEngine())
    response = await client.get(audio.audio_url_for(LINE))
    assert response.status == 200 and (await response.read()).startswith(b"\xff\xfbwhole:")


async def test_an_engine_that_cannot_stream_speaks_whole(make_client):
    client, _service = await make_client(WholeEngine())
    response = await client.get(audio.audio_url_for(LINE))
    assert (await response.read()) == b"\xff\xfbwhole:" + LINE.encode()


@pytest.mark.skipif(not HibariEngine.available() or not EspeakEngine.available(), reason="hibari or espeak missing")
async def test_hibari_streams_a_playable_mp3(make_client, tmp_path):
    import subprocess

    client, service = await make_client(HibariEngine(), EspeakEngine())
    url = audio.audio_url_for(LINE)
    body = await (await client.get(url)).read()
    assert body[0] == 0xFF and body[1] & 0xE0 == 0xE0  # an MP3 frame (MPEG-2 layer III at 24 kHz)
    mp3 = tmp_path / "line.mp3"
    mp3.write_bytes(body)
    subprocess.run(["lame", "--quiet", "--decode", str(mp3), str(tmp_path / "line.wav")], check=True)
    import wave

    with wave.open(str(tmp_path / "line.wav")) as decoded:
        seconds = decoded.getnframes() / decoded.getframerate()
    assert 3.0 < seconds < 12.0  # both sentences, decoded as one stream
    assert service.cached(url.rsplit("/", 1)[1].removesuffix(".mp3")).engine == "hibari"


@pytest.mark.skipif(not HibariEngine.available(), reason="hibari-tts or lame not installed")
async def test_the_neural_voice_is_loaded_when_the_web_side_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("HEARD_TTS_ENGINE", "hibari")
    engine = HibariEngine()
    tts.set_service(TtsService([engine, EspeakEngine()], tmp_path / "audio", "test-secret"))
    app = web.Application()
    audio.setup(app)
    async with TestClient(TestServer(app)):
        await app["heard_voice_warmup"]
        assert engine._model is not None  # loaded before anyone pressed Play
    tts.set_service(None)
