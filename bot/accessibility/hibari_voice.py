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
from collections.abc import Iterator
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

    def _pcm_parts(self, text: str) -> Iterator[Any]:
        """16-bit samples of ``text``, one array per sentence as each is ready (the same noise seed every time:
        the same text sounds the same, whole or sentence by sentence)."""
        import numpy as np

        for audio in self.model().stream(text, speed=self.speed, seed=0):
            if audio.size:
                yield (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")

    def wav(self, text: str) -> bytes:
        """16-bit mono WAV of ``text``."""
        parts = [pcm.tobytes() for pcm in self._pcm_parts(text)]
        if not parts:
            raise RuntimeError("hibari made no audio")
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.model().sample_rate)
            out.writeframes(b"".join(parts))
        return buffer.getvalue()

    def _mp3(self, pcm: bytes) -> bytes:
        # Raw 24 kHz samples in; -t: no LAME/Xing tag frame, so segments joined together are one valid MP3
        # stream; -q 7: lame's fast mode (a third of the time of the default, no difference in speech).
        return subprocess.run(
            ["lame", "--quiet", "-r", "-s", "24", "--bitwidth", "16", "--signed", "--little-endian",
             "-t", "-q", "7", "-b", "48", "-m", "m", "-", "-"],
            input=pcm, capture_output=True, timeout=self.timeout, check=True,
        ).stdout

    def synthesize_parts(self, text: str) -> Iterator[bytes]:
        """MP3 of ``text`` sentence by sentence, each as soon as it is spoken (blocking: step it in a thread).
        Joined, the parts are exactly what ``synthesize`` returns."""
        for pcm in self._pcm_parts(text):
            yield self._mp3(pcm.tobytes())

    def synthesize(self, text: str) -> bytes:
        """MP3 bytes of ``text`` spoken (blocking; call it in a thread)."""
        data = b"".join(self.synthesize_parts(text))
        if not data:
            raise RuntimeError("hibari made no audio")
        return data
