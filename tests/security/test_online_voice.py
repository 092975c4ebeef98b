"""Issue 13, item 10: with the online voice (gTTS) chosen, a child's own words and names are spoken by the
offline engine only; only fixed catalogue lines may go online."""

from __future__ import annotations

import asyncio
import threading

from bot.accessibility.tts import TtsService


class FakeEngine:
    """Records every text it is asked to speak."""

    def __init__(self, name: str, offline: bool) -> None:
        self.name = name
        self.voice = "test"
        self.offline = offline
        self.spoken: list[str] = []
        self.lock = threading.Lock()

    def synthesize(self, text: str) -> bytes:
        with self.lock:
            self.spoken.append(text)
        return b"ID3" + text.encode()


def _service(tmp_path):
    online, offline = FakeEngine("gtts", offline=False), FakeEngine("espeak", offline=True)
    return TtsService([online, offline], tmp_path, "k" * 32), online, offline


def test_a_childs_own_words_never_reach_the_online_voice(tmp_path) -> None:
    service, online, offline = _service(tmp_path)
    words = "My name is Jade and I live at 4 Elm Road with my carer"
    key = service.register(f"You said: {words}. Is that right?")
    audio = asyncio.run(service.audio_for_key(key))
    assert audio is not None and audio.private and audio.engine == "espeak"
    assert online.spoken == [] and any(words in t for t in offline.spoken)
    service.speak_sync(words)  # the CLI path too
    assert online.spoken == []


def test_catalogue_lines_may_use_the_online_voice(tmp_path) -> None:
    service, online, offline = _service(tmp_path)
    line = sorted(service.public_texts().values())[0]
    audio = service.speak_sync(line)
    assert audio.engine == "gtts" and not audio.private
    assert online.spoken == [line] and offline.spoken == []
