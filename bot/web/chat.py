"""The child's web chat: the standalone page, the embeddable widget and the JSON proxy to Rasa.

Routes (registered by `setup(app)`):
- `GET /`              the standalone chat page (the widget, full page)
- `GET /widget.js`     the widget; one `<script src=".../widget.js" data-heard-url="..."></script>` embeds it
- `GET /widget.css`    its styles (the script adds them itself)
- `POST /api/chat`     `{"sender", "message"}` -> `{"messages": [{"text", "buttons", "audio"}...]}`
- `POST /api/signin`   `{"sender", "code"}` -> `{"ok": true}`: links the conversation to the child

Every asset is served by Heard (no CDN). The page has a strict Content-Security-Policy (no inline script
or style) and sends no referrer; API answers are never cached. Nothing a child writes is logged.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import aiohttp
from aiohttp import web

from bot.config import get_settings
from bot.web.ratelimit import SlidingWindow
from bot.vocabulary import typed_choice
from bot.dialogue.messages import catalogue

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static") / "widget"
REST_PATH = "/webhooks/rest/webhook"
SENDER_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
RASA_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=5)
SESSION_KEY: web.AppKey[aiohttp.ClientSession] = web.AppKey("heard_chat_client", aiohttp.ClientSession)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-cache",
}
API_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

# Kind words for the child when something goes wrong (catalogue lines where one fits).
BUSY_TEXT = (
    "Sorry, I can't answer just now. 😟 Your words are still in the box. Please try again in a minute."
)
BAD_REQUEST_TEXT = "Sorry, something went wrong. Please try again."
SIGNIN_BAD_CODE = "That code did not work. Check the numbers, or ask your social worker for a new code."
SIGNIN_TOO_MANY = "Too many tries. Please wait 15 minutes, then try again."
SLOW_DOWN_TEXT = "Whoa, lots of messages! Please wait a minute, then send it again."
# The chat route reads up to this many bytes itself (the app's default limit is 64 KiB), so that a long
# message (about 20,000 words) is still read and checked for harm before any length rule applies. The harm
# check takes about 1 s on this much text; a bigger body is refused before it is read.
CHAT_BODY_LIMIT = 128 * 1024
per_sender = SlidingWindow(limit=40, window=60.0)  # messages one conversation may send a minute
per_address = SlidingWindow(limit=600, window=60.0)  # and one address, e.g. a children's home
SIGNIN_BROKEN = "Sorry, I can't sign you in just now. Please try again in a minute."


def _line(name: str, fallback: str) -> str:
    try:
        return str(catalogue()[name]["text"])
    except (KeyError, OSError):
        return fallback


def rasa_url() -> str:
    return get_settings().web.rasa_url


def allowed_origins() -> set[str]:
    """Council sites allowed to embed the widget and call the API from their own pages."""
    return set(get_settings().web.widget_origins)


def _audio_function() -> Callable[..., str] | None:
    try:
        module = importlib.import_module("bot.web.audio")
    except ModuleNotFoundError as error:
        if error.name != "bot.web.audio":
            logger.warning("audio module failed to import: %s", type(error).__name__)
        return None
    except Exception as error:  # a broken audio module must never break the chat
        logger.warning("audio module failed to import: %s", type(error).__name__)
        return None
    return getattr(module, "audio_url_for", None)


def _cors(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    origin = request.headers.get("Origin", "").rstrip("/")
    if origin and origin in allowed_origins():
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
    return response


def api_json(request: web.Request, data: dict[str, Any], status: int = 200) -> web.Response:
    response = web.json_response(data, status=status, headers=API_HEADERS)
    _cors(request, response)
    return response


def api_error(request: web.Request, status: int, error: str, text: str) -> web.Response:
    """An error the widget shows as a bot line: `{"error": code, "messages": [{"text": ...}]}`."""
    return api_json(request, {"error": error, "messages": [{"text": text}]}, status=status)


class TooLarge(Exception):
    """The request body is bigger than the app accepts."""


async def _read_up_to(request: web.Request, limit: int) -> bytes:
    """The whole body, read from the stream; `TooLarge` as soon as it passes `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge()
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise TooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_json(request: web.Request, limit: int | None = None) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when it is not one (binary, broken, a list...).

    Raises `TooLarge` past the app's body limit, or past `limit` bytes when one is given (read from the
    stream, so a route can accept more than the app's default without buffering an unbounded body).
    """
    if request.content_type not in ("application/json", "text/plain"):
        return None
    try:
        raw = await request.read() if limit is None else await _read_up_to(request, limit)
        data = json.loads(raw.decode("utf-8"))
    except web.HTTPRequestEntityTooLarge as error:
        raise TooLarge() from error
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clean_bot_message(message: dict[str, Any], audio_for: Callable[..., str] | None) -> dict[str, Any]:
    """Keep what the widget shows from one Rasa REST message, and add its `audio` URL (choices read out)."""
    out: dict[str, Any] = {}
    buttons = []
    for button in message.get("buttons") or []:
        if isinstance(button, dict) and button.get("title") and button.get("payload"):
            buttons.append({"title": str(button["title"]), "payload": str(button["payload"])})
    text = message.get("text")
    if isinstance(text, str) and text:
        out["text"] = text
        if audio_for is not None:
            try:
                try:
                    out["audio"] = audio_for(text, [b["title"] for b in buttons])
                except TypeError:  # an audio module that speaks the text only
                    out["audio"] = audio_for(text)
            except Exception as error:  # audio must never break the chat
                logger.warning("no audio for a message: %s", type(error).__name__)
    if buttons:
        out["buttons"] = buttons
    if isinstance(message.get("image"), str):
        out["image"] = message["image"]
    if isinstance(message.get("custom"), dict):
        out["custom"] = message["custom"]
    return out


async def forward_to_rasa(session: aiohttp.ClientSession, sender: str, message: str) -> list[dict[str, Any]]:
    """Send one message to Rasa's REST channel; its replies. Raises `ConnectionError` when Rasa is down."""
    try:
        async with session.post(
            rasa_url() + REST_PATH, json={"sender": sender, "message": message}, timeout=RASA_TIMEOUT
        ) as response:
            if response.status != 200:
                raise ConnectionError(f"Rasa answered {response.status}")
            data = await response.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise ConnectionError(type(error).__name__) from error
    if not isinstance(data, list):
        raise ConnectionError("Rasa answered something that is not a list")
    return [m for m in data if isinstance(m, dict)]


def _valid_sender(value: Any) -> bool:
    return isinstance(value, str) and bool(SENDER_RE.match(value))


async def chat(request: web.Request) -> web.Response:
    try:
        data = await _read_json(request, limit=CHAT_BODY_LIMIT)
    except TooLarge:
        return api_error(
            request, 413, "too_long", _line("text_too_long", "That is a lot! Please make it shorter.")
        )
    if data is None:
        return api_error(request, 400, "not_json", BAD_REQUEST_TEXT)
    sender, message = data.get("sender"), data.get("message")
    if not _valid_sender(sender) or not isinstance(message, str):
        return api_error(request, 400, "bad_request", BAD_REQUEST_TEXT)
    text = message.strip()
    if not text:
        return api_error(request, 400, "empty", _line("empty_answer", "Please write something first."))
    # Every message is checked for harm first: a child telling us they are hurt is never held back by a
    # size limit or the rate limit. A long disclosure goes to Rasa whole, which answers it and raises the alert.
    harm = await _looks_like_harm(text)
    if len(text) > get_settings().max_text and not harm:
        return api_error(
            request, 413, "too_long", _line("text_too_long", "That is a lot! Please make it shorter.")
        )
    if not _within_rate(request, sender) and not harm:
        return api_error(request, 429, "rate_limited", _line("slow_down", SLOW_DOWN_TEXT))
    state_key = "web:" + sender
    options = await asyncio.to_thread(_state().get_options, state_key)
    # A typed "2" or a button's own words counts as pressing that button, as on SMS.
    text = typed_choice(text, options) or text
    try:
        replies = await forward_to_rasa(request.app[SESSION_KEY], sender, text)
    except ConnectionError as error:
        logger.warning("Rasa is not answering: %s", error)
        return api_error(request, 503, "unavailable", BUSY_TEXT)
    audio_for = _audio_function()
    messages = [m for m in (clean_bot_message(r, audio_for) for r in replies) if m]
    await asyncio.to_thread(_remember_buttons, state_key, messages)
    return api_json(request, {"messages": messages})


def _state() -> Any:
    from bot.channels.sms_state import shared_state

    return shared_state()


def _remember_buttons(state_key: str, messages: list[dict[str, Any]]) -> None:
    """The buttons of the last message, so that a typed number or title picks one (kept as a keyed hash)."""
    buttons = messages[-1].get("buttons") if messages else None
    if buttons:
        _state().set_options(state_key, [{"title": b["title"], "payload": b["payload"]} for b in buttons])
    else:
        _state().clear_options(state_key)


def _within_rate(request: web.Request, sender: str) -> bool:
    """Per conversation (a child typing fast) and per address (a children's home shares one)."""
    return per_sender.allow(sender) and per_address.allow(_client_ip(request))


async def _looks_like_harm(text: str) -> bool:
    from bot.safeguarding.detector import get_detector

    try:
        return (await asyncio.to_thread(get_detector().detect, text)).is_harm
    except Exception:  # noqa: BLE001 - if the check fails, let the message through to Rasa
        return True


def _client_ip(request: web.Request) -> str:
    if get_settings().web.trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.remote or "unknown"


async def signin_view(request: web.Request) -> web.Response:
    from bot.services.errors import InvalidCode, RateLimited
    from bot.usecases.signin import redeem_sign_in_code

    try:
        data = await _read_json(request)
    except TooLarge:
        return api_error(request, 400, "bad_request", BAD_REQUEST_TEXT)
    if data is None:
        return api_error(request, 400, "not_json", BAD_REQUEST_TEXT)
    sender, code = data.get("sender"), data.get("code")
    if not _valid_sender(sender) or not isinstance(code, str):
        return api_error(request, 400, "bad_request", BAD_REQUEST_TEXT)
    code = re.sub(r"[\s-]", "", code)
    if not re.fullmatch(r"\d{6}", code):
        return api_error(request, 400, "invalid_code", SIGNIN_BAD_CODE)
    rate_key = f"web:{_client_ip(request)}:{sender}"
    try:
        await asyncio.to_thread(redeem_sign_in_code, code, sender, rate_key, channel="web")
    except InvalidCode:
        return api_error(request, 400, "invalid_code", SIGNIN_BAD_CODE)
    except RateLimited:
        return api_error(request, 429, "rate_limited", SIGNIN_TOO_MANY)
    except Exception as error:  # the database may be down; tell the child kindly
        logger.error("sign-in failed: %s", type(error).__name__)
        return api_error(request, 503, "unavailable", SIGNIN_BROKEN)
    return api_json(request, {"ok": True})


async def preflight(request: web.Request) -> web.Response:
    response = web.Response(status=204, headers={"Cache-Control": "no-store"})
    _cors(request, response)
    return response


def _static(name: str, content_type: str) -> Callable[[web.Request], Any]:
    path = STATIC_DIR / name

    async def handler(_request: web.Request) -> web.Response:
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if name.endswith(".js") or name.endswith(".css"):
            headers["Access-Control-Allow-Origin"] = "*"  # the widget is public code; embedding pages load it
        return web.Response(
            body=path.read_bytes(), content_type=content_type, charset="utf-8", headers=headers
        )

    return handler


async def page(_request: web.Request) -> web.Response:
    body = (STATIC_DIR / "index.html").read_bytes()
    return web.Response(body=body, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS)


async def _client(app: web.Application) -> AsyncIterator[None]:
    app[SESSION_KEY] = aiohttp.ClientSession()
    yield
    await app[SESSION_KEY].close()


def setup(app: web.Application) -> None:
    """Register the chat page, the widget and the chat API on Heard's web app."""
    app.router.add_get("/", page)
    app.router.add_get("/widget.js", _static("widget.js", "application/javascript"))
    app.router.add_get("/widget.css", _static("widget.css", "text/css"))
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/api/signin", signin_view)
    app.router.add_route("OPTIONS", "/api/chat", preflight)
    app.router.add_route("OPTIONS", "/api/signin", preflight)
    app.cleanup_ctx.append(_client)
