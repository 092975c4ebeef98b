"""The hibari-tts voice (issue 18): offline from the wheel, British pronunciation, espeak for other languages
and when hibari is missing or fails."""

from __future__ import annotations

import os

import pytest

from bot.accessibility import hibari_voice
from bot.accessibility.hibari_voice import HibariEngine
from bot.accessibility.tts import EspeakEngine, TtsService, engines_from_env
from tests.integration.test_audio_tts import is_mp3, no_network  # noqa: F401 - a fixture

needs_hibari = pytest.mark.skipif(not HibariEngine.available(), reason="hibari-tts or lame not installed")
needs_espeak = pytest.mark.skipif(not EspeakEngine.available(), reason="espeak-ng or lame not installed")


@pytest.mark.parametrize(("text", "english"), [
    ("Your advocate will call you this week.", True),
    ("My name is Zoë and I live in Bristol.", True),  # one accented letter is still English
    ("إذا كنت في خطر، اتصل بالرقم 999", False),  # Arabic
    ("Nếu bạn gặp nguy hiểm, hãy gọi 999.", False),  # Vietnamese
    ("Nëse je në rrezik, telefono 999 për ndihmë të shpejtë.", False),  # Albanian
    ("999 0800 1111", False),  # no letters: nothing for hibari to say
])
def test_hibari_speaks_english_only(text, english):
    assert HibariEngine.speaks(text) is english


def test_the_engine_setting_picks_hibari_then_espeak(monkeypatch):
    monkeypatch.setenv("HEARD_TTS_ENGINE", "hibari")
    monkeypatch.setattr(HibariEngine, "available", staticmethod(lambda: True))
    assert [e.name for e in engines_from_env()] == ["hibari", "espeak"]
    monkeypatch.setattr(HibariEngine, "available", staticmethod(lambda: False))
    assert [e.name for e in engines_from_env()] == ["espeak"]  # not installed: espeak, never nothing


class Recording:
    def __init__(self, name: str, speaks: bool | None = None, fail: bool = False) -> None:
        self.name, self.voice, self.offline, self.fail = name, "v", True, fail
        self.texts: list[str] = []
        if speaks is not None:
            self.speaks = lambda _text: speaks

    def synthesize(self, text: str) -> bytes:
        self.texts.append(text)
        if self.fail:
            raise RuntimeError("broken")
        return b"\xff\xfb" + self.name.encode()


def test_a_text_the_first_voice_cannot_speak_goes_to_the_last_without_marking_it_down(tmp_path):
    first, last = Recording("first", speaks=False), Recording("last")
    service = TtsService([first, last], tmp_path, "secret")
    audio = service.speak_sync("Nếu bạn gặp nguy hiểm, hãy gọi 999.")
    assert audio.engine == "last" and first.texts == [] and len(last.texts) == 1
    assert service._engine_up(first)  # not a failure: the next English line is spoken by the first voice


def test_a_failing_first_voice_falls_back(tmp_path):
    first, last = Recording("first", fail=True), Recording("last")
    audio = TtsService([first, last], tmp_path, "secret").speak_sync("Hello Leo, thank you.")
    assert audio.engine == "last" and audio.path.read_bytes() == b"\xff\xfblast"


@needs_hibari
def test_hibari_speaks_offline_from_the_wheel(no_network, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "empty-cache"))  # no downloaded voice to lean on
    engine = HibariEngine()
    wav = engine.wav("Your advocate is a grown-up on your side.")
    assert wav[:4] == b"RIFF" and len(wav) > 24000  # more than half a second at 24 kHz, 16 bit
    assert not os.path.exists(tmp_path / "empty-cache")  # nothing was fetched or cached
    assert engine.wav("Your advocate is a grown-up on your side.") == wav  # the same line sounds the same
    service = TtsService([engine, EspeakEngine()], tmp_path / "audio", "secret")
    audio = service.speak_sync("Thank you Mo. Your words are saved.")
    assert audio.engine == "hibari" and not audio.fallback and is_mp3(audio.path.read_bytes())


@needs_hibari
def test_hibari_reads_british(no_network):  # noqa: F811
    phonemes = HibariEngine().model().phonemize("Can I ask about my care plan after school?")[0]
    assert "ɑː" in phonemes or "ɒ" in phonemes  # British vowels (ask /ɑːsk/), not American ones


@needs_hibari
@needs_espeak
def test_other_languages_are_spoken_by_espeak(tmp_path):
    service = TtsService([HibariEngine(), EspeakEngine()], tmp_path, "secret")
    audio = service.speak_sync("إذا كنت في خطر، اتصل بالرقم 999")
    assert audio.engine == "espeak" and is_mp3(audio.path.read_bytes())


def test_only_the_voice_inside_the_package_is_used(monkeypatch, tmp_path):
    pytest.importorskip("hibari")
    from hibari import voices

    assert voices.VOICES[hibari_voice.BUNDLED_VOICE]["bundled"] is True

    def no_download(*_args, **_kwargs):
        raise AssertionError("hibari tried to download a voice")

    monkeypatch.setattr(voices, "download", no_download)
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path))
    assert HibariEngine().model().model_path.endswith("hibari.onnx")
