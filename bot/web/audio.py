"""Spoken versions of the bot's replies.

Routes (registered by `setup(app)`):
- `GET /audio/<key>.mp3`  the MP3 of one reply. Cached files are served at once with
  `Cache-Control: public, max-age=31536000, immutable` (`private, no-store` for texts with a child's own
  words, so nothing of them stays in the browser on a shared phone)
  and `ETag: "<key>"`; a reply not yet spoken is spoken on this first request (once, however many ask).
  A reply spoken by the fallback engine (gTTS configured but unreachable) is served with a short
  max-age instead, because the URL will hold gTTS's audio once it is back.
- `POST /audio` with JSON `{"text": "...", "buttons": ["...", ...]}` -> `{"url": "/audio/<key>.mp3"}`
  for the widget, e.g. after a reload.

Not an open text-to-speech proxy: POST /audio only answers for texts the bot can say, i.e. a catalogue
line without placeholders (with or without its buttons), or a text the chat proxy has just sent
(registered by `audio_url_for`). Anything else gets 403. Texts are capped (`MAX_SPOKEN_CHARS`) and POST is
rate-limited per client address (60 a minute) so a client cannot keep the two cores busy. We chose the
allow-list over signed tokens because the chat proxy and the audio routes are one process: the
registration is a dictionary look-up, the URL stays short and stable, and no text travels in a URL.

- `POST /audio/mine` with JSON `{"text": "..."}` -> `{"url": ...}`: "Play what I wrote", the child's own
  words (their message, or what is in the box). Always private: spoken by an offline engine only (never
  gTTS, whatever is configured), served `private, no-store`, deleted after the TTL; capped and rate-limited
  like POST /audio. Any words can be sent here, but only this deployment's own engine speaks them, back to
  the one who sent them: no third party hears them and nothing is kept in the browser.

`audio_url_for(text, buttons=())` is what the chat proxy calls to attach an audio link to each bot
message; it does no speaking itself (that happens on the first GET).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiohttp import web

from bot.accessibility.speech import speakable
from bot.accessibility.tts import EXT, MAX_SPOKEN_CHARS, AudioFile, TtsError, get_service
from bot.web.audio_stream import streamed_audio, warm_voice
from bot.web.ratelimit import SlidingWindow

logger = logging.getLogger(__name__)

IMMUTABLE = "max-age=31536000, immutable"
FALLBACK_MAX_AGE = "max-age=300"
RATE_WINDOW = 60.0
limiter = SlidingWindow(limit=60, window=RATE_WINDOW)  # POST /audio a client may make a minute


def audio_url_for(text: str, buttons: Sequence[str] = ()) -> str:
    """The URL of `text` spoken (with `buttons` read out as choices when given).

    Call it for each message the bot sends; the audio is made on the first request for the URL.
    """
    return f"/audio/{get_service().register(text, buttons)}.{EXT}"


def _headers(audio: AudioFile) -> dict[str, str]:
    if audio.private:
        # A child's own words read back: never kept by the browser, so "Leave quickly" leaves nothing behind
        # on a shared phone.
        cache = "private, no-store"
    else:
        cache = f"public, {FALLBACK_MAX_AGE}" if audio.fallback else f"public, {IMMUTABLE}"
    return {"Cache-Control": cache, "ETag": f'"{audio.key}"', "X-Content-Type-Options": "nosniff"}


async def get_audio(request: web.Request) -> web.StreamResponse:
    key = request.match_info["key"]
    service = get_service()
    streamed = await streamed_audio(request, service, key, _headers)  # sentence by sentence, when it can
    if streamed is not None:
        return streamed
    try:
        audio = await service.audio_for_key(key)
    except TtsError as error:
        logger.error("no text-to-speech engine could speak a reply")
        raise web.HTTPServiceUnavailable(text="audio is not available just now",
                                         headers={"Retry-After": "30"}) from error
    if audio is None:
        raise web.HTTPNotFound()
    headers = _headers(audio)
    if headers["ETag"] in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        return web.Response(status=304, headers=headers)
    body = await asyncio.to_thread(audio.path.read_bytes)
    return web.Response(body=body, content_type=audio.content_type, headers=headers)


async def post_audio(request: web.Request) -> web.Response:
    if not limiter.allow(request.remote or "?"):
        raise web.HTTPTooManyRequests(headers={"Retry-After": str(int(RATE_WINDOW))})
    try:
        data = await request.json()
        text = data["text"]
        buttons = data.get("buttons") or []
        if not isinstance(text, str) or not isinstance(buttons, list) or \
                not all(isinstance(b, str) for b in buttons):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise web.HTTPBadRequest(text='send JSON: {"text": "...", "buttons": ["..."]}') from error
    try:
        key = get_service().known_key(text, buttons)
    except ValueError as error:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_SPOKEN_CHARS, actual_size=len(text)) from error
    if key is None:
        raise web.HTTPForbidden(text="only replies the bot sent can be spoken")
    return web.json_response({"url": f"/audio/{key}.{EXT}"})


async def post_own_words(request: web.Request) -> web.Response:
    """The child's own words spoken back to them (offline engine only, `no-store`)."""
    if not limiter.allow(request.remote or "?"):
        raise web.HTTPTooManyRequests(headers={"Retry-After": str(int(RATE_WINDOW))})
    try:
        data = await request.json()
        text = data["text"]
        if not isinstance(text, str):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise web.HTTPBadRequest(text='send JSON: {"text": "..."}') from error
    if not speakable(text):
        raise web.HTTPBadRequest(text="there are no words to speak")
    try:
        key = get_service().register_own_words(text)
    except ValueError as error:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_SPOKEN_CHARS, actual_size=len(text)) from error
    return web.json_response({"url": f"/audio/{key}.{EXT}"}, headers={"Cache-Control": "no-store"})


def setup(app: web.Application) -> None:
    app.router.add_get(r"/audio/{key:[0-9a-f]{32}}." + EXT, get_audio)
    app.router.add_post("/audio", post_audio)
    app.router.add_post("/audio/mine", post_own_words)
    app.on_startup.append(warm_voice)  # a neural voice loads once, before the first Play
