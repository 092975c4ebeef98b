"""Text to speech: espeak-ng offline by default, gTTS falling back to it, cached on disk by key."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from bot.accessibility import tts
from bot.accessibility.speech import spoken_reply
from bot.accessibility.tts import EspeakEngine, GttsEngine, TtsError, TtsService, engines_from_env, prerender
from bot.dialogue.messages import catalogue


def is_mp3(data: bytes) -> bool:
    return data[:3] == b"ID3" or (len(data) > 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0)


@pytest.fixture
def no_network(monkeypatch):
    """Any connection or name look-up beyond this machine fails at once."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def local(host) -> bool:
        return str(host) in {"localhost", "::1"} or str(host).startswith("127.")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not local(address[0]):
            raise ConnectionRefusedError(f"network blocked in test: {address[0]}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host is not None and not local(host):
            raise socket.gaierror(f"network blocked in test: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class CountingEngine:
    """A fake engine that is slow and counts its calls (for the render-once test)."""

    name = "counting"
    voice = "test"
    offline = True

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail
        self.lock = threading.Lock()

    def synthesize(self, text: str) -> bytes:
        with self.lock:
            self.calls += 1
        time.sleep(self.delay)
        if self.fail:
            raise OSError("engine down")
        return b"ID3" + text.encode()


def test_espeak_speaks_mp3_offline(tmp_path, no_network):
    service = TtsService([EspeakEngine()], tmp_path, "k")
    audio = service.speak_sync("Hi, I am Heard. \U0001F44B Call Childline on 0800 1111.")
    data = audio.path.read_bytes()
    assert is_mp3(data) and len(data) > 2000
    assert audio.engine == "espeak" and not audio.fallback
    assert audio.private and audio.path.parent == tmp_path / "private"  # not a catalogue line


def test_gtts_falls_back_to_espeak_with_the_network_unreachable(tmp_path, no_network, monkeypatch):
    monkeypatch.setenv("HEARD_TTS_ENGINE", "gtts")
    monkeypatch.setenv("HEARD_GTTS_TIMEOUT", "2")
    engines = engines_from_env()
    assert [e.name for e in engines] == ["gtts", "espeak"]
    service = TtsService(engines, tmp_path, "k", retry_after=300)
    text = catalogue()["ask_w_going_well"]["text"]
    start = time.monotonic()
    audio = service.speak_sync(text)
    assert time.monotonic() - start < 10
    assert audio.engine == "espeak" and audio.fallback
    assert is_mp3(audio.path.read_bytes())
    assert service.renders == 2  # gTTS tried and failed, espeak spoke
    # gTTS is not tried again until retry_after has passed: one outage costs one timeout.
    service.speak_sync("What would you like to change?")
    assert service.renders == 3
    # The URL names gTTS's audio; until gTTS is back, the fallback file answers for it, without speaking.
    key = service.register(text)
    assert service.cached(key) is None
    found = asyncio.run(service.audio_for_key(key))
    assert found is not None and found.engine == "espeak" and found.fallback and found.key != key
    assert service.renders == 3


def test_gtts_is_tried_again_after_the_retry_time(tmp_path, no_network):
    gtts = GttsEngine(timeout=1)
    service = TtsService([gtts, CountingEngine()], tmp_path, "k", retry_after=0)
    one, two = sorted(service.public_texts().values())[:2]  # catalogue lines: the only texts gTTS may speak
    service.speak_sync(one)
    service.speak_sync(two)
    assert service.renders == 4  # gTTS tried each time (retry_after=0), the counting engine spoke each time


def test_no_engine_raises(tmp_path):
    service = TtsService([CountingEngine(fail=True)], tmp_path, "k")
    with pytest.raises(TtsError):
        service.speak_sync("Hello.")


def test_cache_key_depends_on_text_voice_and_engine(tmp_path):
    a = TtsService([EspeakEngine(voice="en-gb")], tmp_path, "k")
    b = TtsService([EspeakEngine(voice="en-us")], tmp_path, "k")
    c = TtsService([CountingEngine()], tmp_path, "k")
    text = catalogue()["menu"]["text"]
    keys = {a.register(text), b.register(text), c.register(text), a.register(text + " Yes.")}
    assert len(keys) == 4
    assert a.register(text) == a.register(text) and len(a.register(text)) == 32
    # Emoji do not change what is said, so they share the audio.
    assert a.register("Done! \u2705 Sent.") == a.register("Done! Sent.")


def test_catalogue_texts_are_public_others_private(tmp_path):
    service = TtsService([CountingEngine()], tmp_path, "secret-1")
    other = TtsService([CountingEngine()], tmp_path, "secret-2")
    public = catalogue()["explain_advocate"]["text"]
    assert service.register(public) == other.register(public)  # same for every deployment
    child_words = "Here are your answers. Going well: my new school"
    assert service.register(child_words) != other.register(child_words)  # keyed: cannot be guessed
    audio = service.speak_sync(child_words)
    assert audio.private and audio.path.parent == tmp_path / "private"


def test_private_audio_is_purged_after_its_time(tmp_path):
    service = TtsService([CountingEngine()], tmp_path, "k", private_ttl=60)
    key = service.register("Your answers: I like art")
    audio = asyncio.run(service.audio_for_key(key))
    assert audio is not None and audio.path.exists()
    assert service.purge_private(now=time.time() + 30) == 0
    assert service.purge_private(now=time.time() + 120) == 1
    assert not audio.path.exists()
    assert service.spoken_for(key) is not None  # still within its time
    service.private_ttl = 0
    assert service.spoken_for(key) is None


async def test_concurrent_requests_for_one_text_render_once(tmp_path):
    engine = CountingEngine(delay=0.3)
    service = TtsService([engine], tmp_path, "k")
    key = service.register("A new reply nobody asked for yet.")
    results = await asyncio.gather(*(service.audio_for_key(key) for _ in range(6)))
    assert engine.calls == 1
    assert len({r.path for r in results}) == 1 and results[0].path.read_bytes().startswith(b"ID3")


async def test_unknown_keys_are_not_spoken(tmp_path):
    engine = CountingEngine()
    service = TtsService([engine], tmp_path, "k")
    assert await service.audio_for_key("0" * 32) is None
    assert engine.calls == 0


def test_prerender_speaks_every_catalogue_line_without_placeholders(tmp_path):
    engine = CountingEngine()
    service = TtsService([engine], tmp_path, "k")
    made, cached = prerender(service)
    texts = tts.catalogue_spoken_texts()
    assert made == len(texts) == engine.calls and cached == 0
    assert spoken_reply(catalogue()["explain_iro"]["simple"]) in texts
    assert not any("{" in t for t in texts)
    for name in ("menu", "explain_review", "safeguarding"):
        assert service.cached(service.register(catalogue()[name]["text"])) is not None
    assert prerender(service) == (0, made)


def test_prerender_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HEARD_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(tts, "catalogue_spoken_texts", lambda: ["Hello there.", "Bye for now."])
    tts.set_service(None)
    try:
        assert tts.main(["prerender"]) == 0
    finally:
        tts.set_service(None)
    assert "2 spoken" in capsys.readouterr().out
    assert len(list((tmp_path / "audio").glob("*.mp3"))) == 2
