"""Heard's web side: one aiohttp application serving the chat widget, audio and the review app.

Each part lives in its own module and registers its routes through a `setup(app)` function:
- `bot.web.chat`    the child's chat widget, its page, sign-in and the proxy to Rasa's REST channel
- `bot.web.audio`   spoken versions of replies (`/audio/...`)
- `bot.web.review`  the review app for social workers, IROs, advocates, duty leads and admins (`/review/...`)
Background tasks here: the notifier loop (safeguarding alerts to the duty team, with escalation) and the
daily retention pass (each council's retention period; ``HEARD_PURGE_INTERVAL_HOURS``, 0 turns it off).

Run: `python -m bot.web.app --port 8080`
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import sys
from typing import AsyncIterator

from aiohttp import web

from bot.config import get_settings
from bot.keys import SecretKeyError, require_secret_key

logger = logging.getLogger(__name__)
PARTS = ("bot.web.chat", "bot.web.audio", "bot.web.review")


async def _notifier(app: web.Application) -> AsyncIterator[None]:
    from bot.safeguarding import notifier

    task = asyncio.create_task(notifier.run_forever(interval=5))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _retention(app: web.Application) -> AsyncIterator[None]:
    from bot.usecases.retention import run_daily

    hours = get_settings().web.purge_interval_hours
    task = asyncio.create_task(run_daily(hours)) if hours > 0 else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(*, with_notifier: bool = True) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get("/health", health)
    for name in PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            logger.info("web part %s not installed", name)
            continue
        module.setup(app)
    if with_notifier:
        app.cleanup_ctx.append(_notifier)
        app.cleanup_ctx.append(_retention)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Heard web side")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    try:
        require_secret_key()  # no keys, no start: sessions, hashes and the audit chain all need one
    except SecretKeyError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None)


if __name__ == "__main__":
    main()
