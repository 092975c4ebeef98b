"""Audio spoken sentence by sentence: the first sentence is on its way while the next is being spoken.

`streamed_audio(request, service, key, headers_for)` answers `GET /audio/<key>.mp3` for a text not yet spoken
when the first engine can stream (hibari-tts: MP3 segments without a tag frame, which join into one MP3
stream). The whole is then cached as usual, so the next request is served from disk. It returns None to let
`bot.web.audio` speak the text whole: cached meanwhile, an engine that cannot stream, or the first sentence
failing (the fallback engine speaks it then). A failure after the first sentence ends the answer early and
caches nothing: the next request speaks it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator

from aiohttp import web

from bot.accessibility.tts import CONTENT_TYPE, AudioFile, TtsService

logger = logging.getLogger(__name__)
_DONE = object()


def _next(parts: Iterator[bytes]) -> object:
    return next(parts, _DONE)


async def streamed_audio(request: web.Request, service: TtsService, key: str,
                         headers_for: Callable[[AudioFile], dict[str, str]]) -> web.StreamResponse | None:
    plan = service.stream_plan(key)
    if plan is None or service.cached(key):
        return None
    lock = service.lock_for(key)
    try:
        async with lock:
            if service.cached(key):
                return None
            parts = plan.engine.synthesize_parts(plan.text)  # type: ignore[attr-defined]
            try:
                first = await asyncio.to_thread(_next, parts)
            except Exception as error:  # noqa: BLE001 - the whole-text path falls back to the next engine
                logger.warning("streaming tts engine %s failed (%s)", plan.engine.name, type(error).__name__)
                return None
            if first is _DONE:
                return None
            headers = headers_for(AudioFile(key, plan.path, plan.engine.name, plan.private, fallback=False))
            response = web.StreamResponse(headers=headers)
            response.content_type = CONTENT_TYPE
            await response.prepare(request)
            chunks = [first]
            await response.write(first)  # type: ignore[arg-type]
            try:
                while (part := await asyncio.to_thread(_next, parts)) is not _DONE:
                    chunks.append(part)
                    await response.write(part)  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 - the answer ends early; nothing half-spoken is cached
                logger.warning("streaming tts engine %s failed mid-way (%s)", plan.engine.name,
                               type(error).__name__)
                return response
            await asyncio.to_thread(service.store, plan, b"".join(chunks))  # type: ignore[arg-type]
            await response.write_eof()
            return response
    finally:
        service.drop_lock(key, lock)


async def warm_voice(app: web.Application) -> None:
    """Load a neural voice (hibari: 1 to 3 s) in the background when the web side starts, so the first child
    to press Play does not wait for it. espeak has nothing to load."""
    from bot.accessibility.tts import get_service
    from bot.config import get_settings

    if get_settings().tts.engine != "hibari":
        return
    engine = get_service().engines[0]
    load = getattr(engine, "model", None)
    if callable(load):
        app["heard_voice_warmup"] = asyncio.get_running_loop().run_in_executor(None, load)
