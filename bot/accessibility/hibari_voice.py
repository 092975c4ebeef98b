"""A friendlier offline English voice: hibari-tts (Apache-2.0, from PyPI).

The voice model ("heart", a distilled Kokoro-82M voice, about 8 MB) ships inside the hibari-tts wheel; it is
read with British spelling-to-sound rules (misaki's gb lexicon and hibari's British out-of-vocabulary net, in
the same wheel). Nothing is downloaded: hibari's other voices are fetched from the internet on first use, so
Heard uses only the voice in the package and refuses any other. Audio is 24 kHz float, made into MP3 by lame
like espeak's.

espeak-ng stays the fallback (hibari not installed, or a failure) and speaks any text that is not English
(`speaks` says no, so the chain skips hibari without marking it down).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
import wave
from typing import Any

BUNDLED_VOICE = "heart"
_LETTER = re.compile(r"[^\W\d_]")
_NOT_ENGLISH_SHARE = 0.05  # more than 5% of the letters outside ASCII: another language (or a name in one)


class HibariEngine:
    """hibari-tts's in-package voice with British pronunciation, piped through lame (MP3, 48 kbit/s mono)."""

    name = "hibari"
    voice = "heart-gb"
    offline = True

    def __init__(self, speed: float = 1.0, timeout: float = 30.0) -> None:
        self.speed = speed
        self.timeout = timeout
        self._model: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def available() -> bool:
        """hibari-tts and its in-package voice are installed, and lame is there to make MP3."""
        try:
            from hibari.voices import VOICES
        except ImportError:
            return False
        return bool(VOICES.get(BUNDLED_VOICE, {}).get("bundled")) and bool(shutil.which("lame"))

    @staticmethod
    def speaks(text: str) -> bool:
        """English only: a text with more than a few letters outside ASCII is left to espeak."""
        letters = _LETTER.findall(text)
        if not letters:
            return False
        foreign = sum(1 for ch in letters if not ch.isascii())
        return foreign / len(letters) <= _NOT_ENGLISH_SHARE

    def model(self) -> Any:
        """The loaded voice (once per process, about 1 to 3 s); never downloads anything."""
        with self._lock:
            if self._model is None:
                from hibari import Hibari
                from hibari.g2p import G2P
                from hibari.voices import voice_path

                path = voice_path(BUNDLED_VOICE, download_missing=False)
                self._model = Hibari(voice=BUNDLED_VOICE, model=path, g2p=G2P(british=True))
            return self._model

    def wav(self, text: str) -> bytes:
        """16-bit mono WAV of ``text`` (the same noise seed every time: the same text sounds the same)."""
        import numpy as np

        audio = self.model()(text, speed=self.speed, seed=0)
        if audio.size == 0:
            raise RuntimeError("hibari made no audio")
        pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.model().sample_rate)
            out.writeframes(pcm.tobytes())
        return buffer.getvalue()

    def synthesize(self, text: str) -> bytes:
        """MP3 bytes of ``text`` spoken (blocking; call it in a thread)."""
        return subprocess.run(
            ["lame", "--quiet", "-b", "48", "-m", "m", "-", "-"],
            input=self.wav(text), capture_output=True, timeout=self.timeout, check=True,
        ).stdout
