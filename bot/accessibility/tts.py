"""Text to speech for Heard's replies, cached on disk.

Engines (`HEARD_TTS_ENGINE`):
- `hibari` (default): hibari-tts's neural English voice with British pronunciation, offline, inside its PyPI wheel
  (`hibari_voice.py`); espeak speaks when it is not installed, fails, or the text is not English;
- `espeak`: espeak-ng + lame, offline, from Debian's packages (requirements/apt.txt);
- `gtts`: Google's voice through gTTS when configured and reachable. When it fails (no network, timeout)
  the reply is spoken by espeak instead, and gTTS is not tried again for `HEARD_TTS_RETRY_SECONDS`
  (default 300), so one outage costs one timeout, not one a reply.

Audio is MP3 (every browser plays it), cached under `<VAR_DIR>/audio/` by a hash of the spoken text,
the voice and the engine. Texts from the catalogue are "public" (same words for every child: plain
SHA-256, shared cache, prerendered). Any other text (filled-in placeholders: a child's own answers, a
name) is "private": its name is an HMAC with the "audio-private" key (`bot.keys`), it is kept in `audio/private/` and
deleted after `HEARD_AUDIO_TTL_HOURS` (default 24).

Settings (`get_settings().tts`, read by bot/config.py; all listed in README.md): HEARD_TTS_ENGINE
(hibari|espeak|gtts), HEARD_TTS_VOICE (espeak voice, default en-gb), HEARD_TTS_SPEED (espeak words a minute,
default 140), HEARD_GTTS_TLD (default co.uk), HEARD_GTTS_TIMEOUT (seconds, default 5),
HEARD_TTS_RETRY_SECONDS, HEARD_AUDIO_TTL_HOURS.

CLI:  python -m bot.accessibility.tts prerender     every catalogue message without placeholders
      python -m bot.accessibility.tts say "Hello" --out hello.mp3
      python -m bot.accessibility.tts purge         delete private audio older than the TTL
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot import keys
from bot.accessibility.speech import spoken_reply
from bot.config import get_settings

logger = logging.getLogger(__name__)

EXT = "mp3"
CONTENT_TYPE = "audio/mpeg"
MAX_SPOKEN_CHARS = 5000
KEY_LENGTH = 32


class TtsError(RuntimeError):
    """No engine could speak the text."""


class Engine(Protocol):
    name: str
    voice: str
    offline: bool  # speaks on this machine; only an offline engine may speak a child's own words
    # An engine may also have `speaks(text) -> bool`: False skips it for that text (not a failure).

    def synthesize(self, text: str) -> bytes:
        """MP3 bytes of `text` spoken (blocking; call it in a thread)."""
        ...


class EspeakEngine:
    """espeak-ng (WAV) piped through lame (MP3, 48 kbit/s mono): offline, about 0.1 s a reply."""

    name = "espeak"
    offline = True

    def __init__(self, voice: str = "en-gb", speed: int = 140, timeout: float = 30.0) -> None:
        self.voice = voice
        self.speed = speed
        self.timeout = timeout

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("espeak-ng") and shutil.which("lame"))

    def synthesize(self, text: str) -> bytes:
        if not self.available():
            raise TtsError("espeak-ng or lame is not installed (see requirements/apt.txt)")
        # Text goes in on stdin, never as an argument (a reply starting with "-" is not an option).
        wav = subprocess.run(
            ["espeak-ng", "--stdin", "-v", self.voice, "-s", str(self.speed), "--stdout"],
            input=text.encode("utf-8"), capture_output=True, timeout=self.timeout, check=True,
        ).stdout
        return subprocess.run(
            ["lame", "--quiet", "-b", "48", "-m", "m", "-", "-"],
            input=wav, capture_output=True, timeout=self.timeout, check=True,
        ).stdout


class GttsEngine:
    """Google Translate's voice through gTTS (needs the internet)."""

    name = "gtts"
    offline = False

    def __init__(self, tld: str = "co.uk", timeout: float = 5.0) -> None:
        self.voice = f"en-{tld}"
        self.tld = tld
        self.timeout = timeout

    def synthesize(self, text: str) -> bytes:
        from gtts import gTTS

        buffer = io.BytesIO()
        gTTS(text, lang="en", tld=self.tld, lang_check=False, timeout=self.timeout).write_to_fp(buffer)
        data = buffer.getvalue()
        if not data:
            raise TtsError("gTTS returned no audio")
        return data


@dataclass(frozen=True)
class AudioFile:
    key: str  # the file's own key (the engine that spoke it)
    path: Path
    engine: str
    private: bool
    fallback: bool  # spoken by a fallback engine: not what the URL will hold once the first engine is back

    @property
    def content_type(self) -> str:
        return CONTENT_TYPE


@dataclass
class _Spoken:
    text: str
    private: bool
    registered: float


@dataclass(frozen=True)
class StreamPlan:
    """A text the first engine can speak sentence by sentence (`TtsService.stream_plan`)."""

    key: str
    text: str
    private: bool
    engine: Engine
    path: Path


def engines_from_env() -> list[Engine]:
    """The engines to try in order: the configured one, then espeak as the fallback."""
    settings = get_settings().tts
    espeak = EspeakEngine(voice=settings.voice, speed=settings.speed)
    choice = settings.engine
    if choice == "hibari":
        from bot.accessibility.hibari_voice import HibariEngine

        if HibariEngine.available():
            return [HibariEngine(), espeak]
        logger.warning("HEARD_TTS_ENGINE=hibari but hibari-tts or lame is not installed; using espeak")
        return [espeak]
    if choice == "gtts":
        gtts = GttsEngine(tld=settings.gtts_tld, timeout=settings.gtts_timeout)
        return [gtts, espeak]
    if choice not in ("espeak", "espeak-ng", ""):
        logger.warning("unknown HEARD_TTS_ENGINE %r; using espeak", choice)
    return [espeak]


class TtsService:
    """Speaks replies through a chain of engines, caching MP3 files on disk by key."""

    def __init__(self, engines: Sequence[Engine], cache_dir: Path, secret: str | bytes,
                 retry_after: float = 300.0, private_ttl: float = 24 * 3600.0,
                 max_registered: int = 5000) -> None:
        if not engines:
            raise ValueError("at least one engine")
        self.engines = list(engines)
        self.cache_dir = Path(cache_dir)
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.retry_after = retry_after
        self.private_ttl = private_ttl
        self.max_registered = max_registered
        self._down_until: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._registered: OrderedDict[str, _Spoken] = OrderedDict()
        self._public: dict[str, str] | None = None
        self.renders = 0  # engine calls made (for tests and the bench)
        self._last_purge = float("-inf")

    # --- keys -------------------------------------------------------------------------------------
    def _key(self, spoken: str, engine: Engine, private: bool) -> str:
        material = f"{engine.name}\0{engine.voice}\0{spoken}".encode()
        if private:
            digest = hmac.new(self.secret, b"heard-audio-private\0" + material, hashlib.sha256)
            return digest.hexdigest()[:KEY_LENGTH]
        return hashlib.sha256(b"heard-audio-v1\0" + material).hexdigest()[:KEY_LENGTH]

    def public_texts(self) -> dict[str, str]:
        """key -> spoken text for every line of the catalogue without placeholders (with and without
        its buttons read out)."""
        if self._public is None:
            self._public = {}
            for spoken in catalogue_spoken_texts():
                self._public[self._key(spoken, self.engines[0], False)] = spoken
        return self._public

    def is_public(self, spoken: str) -> bool:
        return self._key(spoken, self.engines[0], False) in self.public_texts()

    def register(self, text: str, buttons: Sequence[str] = ()) -> str:
        """The key of `text` (with its buttons read out) for the first engine; remembers a private text
        so a later request for its key can be spoken. Raises ValueError when it is too long to speak."""
        spoken = spoken_reply(text, buttons)
        if len(spoken) > MAX_SPOKEN_CHARS:
            raise ValueError("text too long to speak")
        if self.is_public(spoken):
            return self._key(spoken, self.engines[0], False)
        key = self._key(spoken, self.engines[0], True)
        now = time.time()
        self._registered[key] = _Spoken(spoken, True, now)
        self._registered.move_to_end(key)  # oldest first: trimming looks at the front only
        while self._registered:
            oldest = next(iter(self._registered.values()))
            if len(self._registered) <= self.max_registered and now - oldest.registered < self.private_ttl:
                break
            self._registered.popitem(last=False)
        return key

    def known_key(self, text: str, buttons: Sequence[str] = ()) -> str | None:
        """The key of `text` when the bot can say it (a catalogue line, or registered by the chat proxy
        and not expired); None otherwise. Registers nothing. Raises ValueError when too long to speak."""
        spoken = spoken_reply(text, buttons)
        if len(spoken) > MAX_SPOKEN_CHARS:
            raise ValueError("text too long to speak")
        if self.is_public(spoken):
            return self._key(spoken, self.engines[0], False)
        key = self._key(spoken, self.engines[0], True)
        return key if self.spoken_for(key) is not None else None

    def register_own_words(self, text: str) -> str:
        """The key of a child's own words ("Play what I wrote"): always private, even when they match a
        catalogue line, so only an offline engine speaks them and they are served `no-store`. Raises
        ValueError when too long to speak."""
        spoken = spoken_reply(text)
        if len(spoken) > MAX_SPOKEN_CHARS:
            raise ValueError("text too long to speak")
        key = self._key(spoken, self.engines[0], True)
        self._registered[key] = _Spoken(spoken, True, time.time())
        self._registered.move_to_end(key)
        while len(self._registered) > self.max_registered:
            self._registered.popitem(last=False)
        return key

    def spoken_for(self, key: str) -> _Spoken | None:
        """What a key says, when the bot said it (catalogue) or was asked to speak it (registered)."""
        public = self.public_texts().get(key)
        if public is not None:
            return _Spoken(public, False, 0.0)
        entry = self._registered.get(key)
        if entry and time.time() - entry.registered < self.private_ttl:
            return entry
        return None

    # --- files ------------------------------------------------------------------------------------
    def _path(self, key: str, private: bool) -> Path:
        return (self.cache_dir / "private" if private else self.cache_dir) / f"{key}.{EXT}"

    def cached(self, key: str) -> AudioFile | None:
        """The file already on disk under `key` (the URL's own engine), if any."""
        for private in (False, True):
            path = self._path(key, private)
            if path.is_file():
                if private and time.time() - path.stat().st_mtime > self.private_ttl:
                    continue
                return AudioFile(key, path, self.engines[0].name, private, fallback=False)
        return None

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=f".{EXT}")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)  # atomic: another process never sees half a file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _engine_up(self, engine: Engine) -> bool:
        return time.monotonic() >= self._down_until.get(engine.name, 0.0)

    def _speak(self, spoken: str, private: bool) -> AudioFile:
        """Blocking: the first engine that can, speaks; its file is cached under its own key. A private text
        (a child's own words, a name) is spoken by an offline engine only: it never leaves the deployment."""
        errors = []
        engines = self.engines if not private else [e for e in self.engines if getattr(e, "offline", False)]
        speaks = [e for e in engines[:-1] if getattr(e, "speaks", lambda _t: True)(spoken)]
        engines = speaks + engines[-1:]  # the last engine (espeak) speaks whatever the others cannot
        for index, engine in enumerate(engines):
            last = index == len(engines) - 1
            key = self._key(spoken, engine, private)
            path = self._path(key, private)
            if path.is_file():
                return AudioFile(key, path, engine.name, private, fallback=index > 0)
            if not last and not self._engine_up(engine):
                continue
            try:
                self.renders += 1
                data = engine.synthesize(spoken)
                if not data:
                    raise TtsError("no audio")
            except Exception as error:  # noqa: BLE001 - any engine failure means: try the next one
                errors.append(f"{engine.name}: {type(error).__name__}")
                logger.warning("tts engine %s failed (%s); trying the next", engine.name,
                               type(error).__name__)
                self._down_until[engine.name] = time.monotonic() + self.retry_after
                continue
            self._down_until.pop(engine.name, None)
            self._write(path, data)
            return AudioFile(key, path, engine.name, private, fallback=index > 0)
        raise TtsError("no engine could speak: " + ", ".join(errors))

    def speak_sync(self, text: str, buttons: Sequence[str] = ()) -> AudioFile:
        """Blocking: speak `text` (cached). For the CLI and prerendering."""
        spoken = spoken_reply(text, buttons)
        return self._speak(spoken, not self.is_public(spoken))

    async def audio_for_key(self, key: str) -> AudioFile | None:
        """The audio for `key`: from disk, or spoken now (once, however many ask at the same time).
        None when the key is not a text the bot said."""
        found = self.cached(key)
        if found:
            return found
        spoken = self.spoken_for(key)
        if spoken is None:
            return None
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                found = self.cached(key)
                if found:
                    return found
                if spoken.private and time.monotonic() - self._last_purge > 60:
                    self._last_purge = time.monotonic()
                    await asyncio.to_thread(self.purge_private)
                return await asyncio.to_thread(self._speak, spoken.text, spoken.private)
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                self._locks.pop(key, None)

    def stream_plan(self, key: str) -> StreamPlan | None:
        """How to speak `key` sentence by sentence (the first engine streams, is up and speaks the text), or
        None: then `audio_for_key` speaks it whole (or it is cached, or not a text the bot said)."""
        spoken = self.spoken_for(key)
        engine = self.engines[0]
        if spoken is None or not hasattr(engine, "synthesize_parts") or not self._engine_up(engine):
            return None
        if spoken.private and not getattr(engine, "offline", False):
            return None
        if not getattr(engine, "speaks", lambda _t: True)(spoken.text):
            return None
        if self._key(spoken.text, engine, spoken.private) != key:
            return None
        return StreamPlan(key, spoken.text, spoken.private, engine, self._path(key, spoken.private))

    def lock_for(self, key: str) -> asyncio.Lock:
        """The lock that makes one key spoken once, however many ask at the same time."""
        return self._locks.setdefault(key, asyncio.Lock())

    def drop_lock(self, key: str, lock: asyncio.Lock) -> None:
        """Forget `lock` once nobody holds it (the locks do not grow with every text ever spoken)."""
        if not lock.locked() and self._locks.get(key) is lock:
            self._locks.pop(key, None)

    def store(self, plan: StreamPlan, data: bytes) -> AudioFile:
        """Keep what a stream spoke, as `_speak` would have."""
        self._write(plan.path, data)
        return AudioFile(plan.key, plan.path, plan.engine.name, plan.private, fallback=False)

    def purge_private(self, now: float | None = None) -> int:
        """Delete private audio files older than the TTL; returns how many went. (Registered texts
        expire by themselves: `spoken_for` ignores them after the TTL and `register` trims them.)"""
        now = now or time.time()
        folder = self.cache_dir / "private"
        removed = 0
        if folder.is_dir():
            for path in folder.glob(f"*.{EXT}"):
                try:
                    if now - path.stat().st_mtime > self.private_ttl:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    pass
        return removed


def catalogue_spoken_texts() -> list[str]:
    """Every catalogue line without placeholders, as spoken: each of text/simple/older alone and
    with its buttons read out."""
    from bot.dialogue.messages import catalogue, is_translation

    seen: dict[str, None] = {}
    for name, entry in catalogue().items():
        if is_translation(name):  # another language: the English voice cannot speak it
            continue
        titles = [str(b["title"]) for b in entry.get("buttons") or []]
        for variant in ("text", "simple", "older"):
            text = entry.get(variant)
            if not text or "{" in text:
                continue
            seen.setdefault(spoken_reply(text), None)
            if titles:
                seen.setdefault(spoken_reply(text, titles), None)
    return list(seen)


_service: TtsService | None = None


def audio_dir() -> Path:
    return get_settings().var_dir / "audio"


def get_service() -> TtsService:
    """The process's TTS service, built from the environment the first time."""
    global _service
    if _service is None:
        settings = get_settings()
        _service = TtsService(
            engines_from_env(), audio_dir(), keys.key_for("audio-private"),
            retry_after=settings.tts.retry_seconds,
            private_ttl=settings.tts.audio_ttl_hours * 3600.0,
        )
    return _service


def set_service(service: TtsService | None) -> None:
    """Replace (tests) or forget (None: rebuilt from the environment next time) the process's service."""
    global _service
    _service = service


def prerender(service: TtsService | None = None, texts: Iterable[str] | None = None,
              jobs: int = 2) -> tuple[int, int]:
    """Speak every catalogue line not yet cached (`jobs` at a time); returns (spoken now, already cached)."""
    from concurrent.futures import ThreadPoolExecutor

    service = service or get_service()
    todo = []
    cached = 0
    for spoken in texts if texts is not None else catalogue_spoken_texts():
        if service.cached(service._key(spoken, service.engines[0], False)):
            cached += 1
        else:
            todo.append(spoken)
    if todo:
        # The first one alone: when the first engine is down, the others skip it straight away.
        service._speak(todo[0], False)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(lambda spoken: service._speak(spoken, False), todo[1:]))
    service.purge_private()
    return len(todo), cached


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.accessibility.tts", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prerender", help="speak every catalogue message without placeholders")
    say = sub.add_parser("say", help="speak one text")
    say.add_argument("text")
    say.add_argument("--out", type=Path, help="copy the MP3 here")
    sub.add_parser("purge", help="delete private audio older than the TTL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    service = get_service()
    if args.command == "prerender":
        start = time.perf_counter()
        made, cached = prerender(service)
        print(f"audio: {made} spoken, {cached} already cached, in {time.perf_counter() - start:.1f} s "
              f"({service.cache_dir})")
    elif args.command == "say":
        audio = service.speak_sync(args.text)
        if args.out:
            shutil.copyfile(audio.path, args.out)
        print(f"{audio.path} ({audio.engine})")
    elif args.command == "purge":
        print(f"removed {service.purge_private()} private audio files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
