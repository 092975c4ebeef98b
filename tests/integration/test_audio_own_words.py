"""POST /audio/mine ("Play what I wrote", issue 18): a child's own words are spoken by an offline engine only
(never gTTS), served `private, no-store`, and kept in the private folder that is purged."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.accessibility import tts
from bot.accessibility.tts import TtsService
from bot.dialogue.messages import catalogue
from bot.web import audio


class Engine:
    voice = "test"

    def __init__(self, name: str, offline: bool) -> None:
        self.name, self.offline, self.spoken = name, offline, []

    def synthesize(self, text: str) -> bytes:
        self.spoken.append(text)
        return b"ID3" + text.encode()


@pytest.fixture
def engines(tmp_path):
    online, offline = Engine("online", False), Engine("offline", True)
    tts.set_service(TtsService([online, offline], tmp_path / "audio", "test-secret"))
    audio.limiter.clear()
    yield online, offline
    tts.set_service(None)
    audio.limiter.clear()


@pytest.fixture
async def client(engines):
    app = web.Application()
    audio.setup(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_own_words_are_spoken_offline_only_and_never_kept(client, engines, tmp_path):
    online, offline = engines
    answer = await client.post("/audio/mine", json={"text": "My carer shouts at me 😟"})
    assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
    url = (await answer.json())["url"]
    spoken = await client.get(url)
    assert spoken.status == 200
    assert spoken.headers["Cache-Control"] == "private, no-store"
    assert await spoken.read() == b"ID3My carer shouts at me."
    assert online.spoken == [] and offline.spoken == ["My carer shouts at me."], "never the online engine"
    assert list((tmp_path / "audio" / "private").glob("*.mp3")), "in the private folder that is purged"


async def test_own_words_matching_a_catalogue_line_are_still_private(client, engines):
    online, _offline = engines
    line = catalogue()["slow_down"]["text"]
    url = (await (await client.post("/audio/mine", json={"text": line})).json())["url"]
    spoken = await client.get(url)
    assert spoken.headers["Cache-Control"] == "private, no-store" and online.spoken == []


async def test_bad_requests_get_clear_answers(client):
    assert (await client.post("/audio/mine", data=b"not json")).status == 400
    assert (await client.post("/audio/mine", json={"text": 5})).status == 400
    assert (await client.post("/audio/mine", json={"text": "💛"})).status == 400, "no words to speak"
    assert (await client.post("/audio/mine", json={"text": "word " * 2000})).status == 413


async def test_own_words_are_rate_limited(client):
    statuses = [(await client.post("/audio/mine", json={"text": f"hello {n}"})).status for n in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429
