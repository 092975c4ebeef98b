"""Heard's web side: one aiohttp application serving the chat widget, audio and the review app.

Each part lives in its own module and registers its routes through a `setup(app)` function:
- `bot.web.chat`    the child's chat widget, its page, sign-in and the proxy to Rasa's REST channel
- `bot.web.audio`   spoken versions of replies (`/audio/...`)
- `bot.web.review`  the review app for social workers, IROs, advocates, duty leads and admins (`/review/...`)
Background tasks here: the notifier loop (safeguarding alerts to the duty team, with escalation) and the
daily retention pass (each council's retention period; ``HEARD_PURGE_INTERVAL_HOURS``, 0 turns it off) and the
outreach job (what Heard says first; ``HEARD_OUTREACH_INTERVAL_MINUTES``, 0 turns it off).

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
PARTS = ("bot.web.chat", "bot.web.audio", "bot.web.review", "bot.web.privacy")


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


async def _outreach(app: web.Application) -> AsyncIterator[None]:
    from bot.usecases.outreach import run_forever

    minutes = get_settings().web.outreach_interval_minutes
    task = asyncio.create_task(run_forever(minutes)) if minutes > 0 else None
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _sms_sender(app: web.Application) -> AsyncIterator[None]:
    """Send queued texts (``bot.channels.sms_sender``): texts Heard sends first (``bot.services.child_messages``)
    and any reply the Rasa process has not sent. Without Redis the numbered options a text carries can only be
    remembered by the Rasa process, so texts with options are left to its workers."""
    from bot.channels.sms_sender import SmsSender

    settings = get_settings()
    sms = settings.sms
    sender = None
    if sms.twilio_account_sid and sms.twilio_auth_token and (sms.twilio_number or sms.twilio_messaging_service_sid):
        sender = SmsSender(sms.twilio_account_sid, sms.twilio_auth_token, sms.twilio_number,
                           messaging_service_sid=sms.twilio_messaging_service_sid,
                           remembers_options=bool(settings.redis_url))
        sender.start()
    yield
    if sender is not None:
        await sender.stop()


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
        app.cleanup_ctx.append(_sms_sender)
        app.cleanup_ctx.append(_outreach)
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
