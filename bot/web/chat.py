"""The child's web chat: the standalone page, the embeddable widget and the JSON proxy to Rasa.

Routes (registered by `setup(app)`):
- `GET /`              the standalone chat page (the widget, full page)
- `GET /widget.js`     the widget; one `<script src=".../widget.js" data-heard-url="..."></script>` embeds it
- `GET /widget.css`    its styles (the script adds them itself)
- `POST /api/chat`     `{"message"}` -> `{"messages": [{"text", "buttons", "audio"}...], "signed_in"}`
- `POST /api/signin`   `{"code"}` -> `{"ok": true, "messages": [...]}`: a new conversation, linked to the child

Which conversation a request continues is never read from the body (a `sender` there is ignored): the server
makes every conversation id and the browser carries it in a signed token, an HttpOnly cookie on Heard's own
page or a header from the widget on a council's site (`bot/web/chat_conversation.py`). After a code is
accepted the child is asked whether what they wrote before signing in was theirs; only a yes links it.

Every asset is served by Heard (no CDN). The page has a strict Content-Security-Policy (no inline script
or style) and sends no referrer; API answers are never cached. Nothing a child writes is logged.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from pathlib import Path
from typing import Any, AsyncIterator, Callable

import aiohttp
from aiohttp import web

from bot.config import get_settings
from bot.web.chat_conversation import TOKEN_HEADER, Resolved, body_with_token, resolve, set_cookie
from bot.web.client_address import client_address
from bot.web.conversation_token import WebConversation, new_conversation
from bot.web.ratelimit import SlidingWindow
from bot.web import symbols
from bot.web.symbols import decorate
from bot.web.transport_security import hsts_on_prepare
from bot.vocabulary import as_sent, typed_choice
from bot.dialogue.messages import catalogue

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static") / "widget"
REST_PATH = "/webhooks/rest/webhook"
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
BUSY_PRESSED_TEXT = "Sorry, I can't answer just now. 😟 Please try again in a minute."
BAD_REQUEST_TEXT = "Sorry, something went wrong. Please try again."
SIGNIN_BAD_CODE = (
    "That code did not work. Check the letters and numbers, or ask your social worker for a new code."
)
SIGNIN_TOO_MANY = "Too many tries. Please wait 15 minutes, then try again."
SIGNIN_PAUSED = "Sorry, signing in is closed for a while. Please try again in an hour. You can still chat."
SLOW_DOWN_TEXT = "Whoa, lots of messages! Please wait a minute, then send it again."
# The chat route reads up to this many bytes itself (the app's default limit is 64 KiB), so that a long
# message (about 20,000 words) is still read and checked for harm before any length rule applies. The harm
# check takes about 1 s on this much text; a bigger body is refused before it is read.
CHAT_BODY_LIMIT = 128 * 1024
per_sender = SlidingWindow(limit=40, window=60.0)  # messages one conversation may send a minute
per_address = SlidingWindow(limit=600, window=60.0)  # and one address, e.g. a children's home
SIGNIN_BROKEN = "Sorry, I can't sign you in just now. Please try again in a minute."
RESTARTED_TEXT = "Sorry, this chat had to start again. Your words are still in the box. Press Send to go on."
RESTARTED_PRESSED_TEXT = "Sorry, this chat had to start again. Here is the start."
# The answers to "Do you want me to keep what you wrote before you signed in?": the chat API answers them
# itself, they never reach Rasa.
OFFERED = "web-offered:"  # state key prefix: every button of the last turn (the payloads the next message may carry)
KEEP_EARLIER = "/signin_keep_earlier"
START_FRESH = "/signin_start_fresh"


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
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, " + TOKEN_HEADER
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
    return response


def api_json(request: web.Request, data: dict[str, Any], status: int = 200) -> web.Response:
    response = web.json_response(data, status=status, headers=API_HEADERS)
    _cors(request, response)
    return response


def api_error(request: web.Request, status: int, error: str, text: str) -> web.Response:
    """An error the widget shows as a status line: `{"error": code, "messages": [{"text", "audio"}]}`
    (every line on the screen can be heard, errors too)."""
    return api_json(request, {"error": error, "messages": [_spoken(text)]}, status=status)


def _spoken(text: str) -> dict[str, Any]:
    """A line the chat API says itself (an error, a status), with its audio like Rasa's lines."""
    return clean_bot_message({"text": text}, _audio_function())


def _busy_line(pressed: bool) -> str:
    """Rasa is not answering. Only a typed message is still in the box; after a pressed button, say
    nothing about the box (it is empty)."""
    if pressed:
        return _line("chat_busy_pressed", BUSY_PRESSED_TEXT)
    return _line("chat_busy", BUSY_TEXT)


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
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: thousands of nested brackets
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
    return decorate(out)  # picture buttons: a symbol per catalogue button and per key word


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


def _respond(
    request: web.Request, data: dict[str, Any], conversation: WebConversation, status: int = 200
) -> web.Response:
    """An answer that gives the browser a fresh token for ``conversation`` (cookie or ``conversation``)."""
    response = api_json(request, body_with_token(data, conversation), status=status)
    set_cookie(request, response, conversation)
    return response


def _said(name: str, fallback: str) -> dict[str, Any]:
    """A catalogue line (with its buttons) said by the chat API itself, with its audio like Rasa's lines."""
    entry = catalogue().get(name) or {}
    message = {"text": str(entry.get("text") or fallback), "buttons": list(entry.get("buttons") or [])}
    return clean_bot_message(message, _audio_function())


async def _chat_text(request: web.Request) -> tuple[str | None, web.Response | None]:
    """The message's text, or the error answer. Any ``sender`` in the body is ignored."""
    try:
        data = await _read_json(request, limit=CHAT_BODY_LIMIT)
    except TooLarge:
        return None, api_error(
            request, 413, "too_long", _line("text_too_long", "That is a lot! Please make it shorter.")
        )
    if data is None:
        return None, api_error(request, 400, "not_json", BAD_REQUEST_TEXT)
    message = data.get("message")
    if not isinstance(message, str):
        return None, api_error(request, 400, "bad_request", BAD_REQUEST_TEXT)
    text = message.strip()
    if not text:
        return None, api_error(request, 400, "empty", _line("empty_answer", "Please write something first."))
    return text, None


async def chat(request: web.Request) -> web.Response:
    text, refused = await _chat_text(request)
    if text is None:
        return refused  # type: ignore[return-value]
    # Every message is checked for harm first: a child telling us they are hurt is never held back by a
    # size limit, the rate limit or a refused token. A long disclosure goes to Rasa whole, which answers it
    # and raises the alert.
    harm = await _looks_like_harm(text.lstrip("/"))  # typed words after a "/" are words (vocabulary.as_sent)
    if len(text) > get_settings().max_text and not harm:
        return api_error(
            request, 413, "too_long", _line("text_too_long", "That is a lot! Please make it shorter.")
        )
    resolved = await resolve(request)
    conversation = resolved.conversation
    pressed = text.startswith("/")  # a button's payload: nothing was typed, the box is empty
    if resolved.restarted and not harm:
        return _restarted(request, conversation, pressed)
    if not _within_rate(request, conversation.id) and not harm:
        return api_error(request, 429, "rate_limited", _line("slow_down", SLOW_DOWN_TEXT))
    options = await asyncio.to_thread(_state().get_options, "web:" + conversation.id)
    # A typed "2" or a button's own words counts as pressing that button, as on SMS.
    text = typed_choice(text, options) or text
    if text in (KEEP_EARLIER, START_FRESH):
        return await _answer_earlier(request, conversation, keep=text == KEEP_EARLIER)
    if pressed:  # a payload counts only if Heard offered it in its last turn; else the words typed after the "/"
        offered = await asyncio.to_thread(_state().get_options, OFFERED + conversation.id)
        text = as_sent(text, offered)
        if not text:
            return api_error(request, 400, "empty", _line("empty_answer", "Please write something first."))
    if conversation.earlier:  # the child wrote on instead of answering: what came before stays anonymous
        await _decide_quietly(conversation, keep=False)
        conversation = conversation.with_changes(earlier=None)
    return await _forward(request, resolved, conversation, text, pressed)


def _restarted(request: web.Request, conversation: WebConversation, pressed: bool = False) -> web.Response:
    """The token was refused (forged, altered, idle too long, another tab's, or its sign-in was ended):
    nothing of that conversation is continued; the browser gets a new one and typed words stay in the box
    (after a pressed button the widget starts the new chat with a greeting instead)."""
    line = _line("chat_restarted_pressed", RESTARTED_PRESSED_TEXT) if pressed else \
        _line("chat_restarted", RESTARTED_TEXT)
    body = {"error": "restarted", "restarted": True, "signed_in": False, "messages": [_spoken(line)]}
    return _respond(request, body, conversation, status=409)


async def _forward(
    request: web.Request, resolved: Resolved, conversation: WebConversation, text: str, pressed: bool = False
) -> web.Response:
    try:
        replies = await forward_to_rasa(request.app[SESSION_KEY], conversation.id, text)
    except ConnectionError as error:
        logger.warning("Rasa is not answering: %s", error)
        body = {"error": "unavailable", "messages": [_spoken(_busy_line(pressed))]}
        return _respond(request, body, conversation, 503)
    audio_for = _audio_function()
    messages = [m for m in (clean_bot_message(r, audio_for) for r in replies) if m]
    await asyncio.to_thread(_remember_buttons, "web:" + conversation.id, messages)
    body: dict[str, Any] = {"messages": messages}
    if resolved.signed_in is not None:
        body["signed_in"] = resolved.signed_in
    if resolved.restarted:
        body["restarted"] = True
    conversation = conversation.with_changes(wrote=conversation.wrote or text != "/greet")
    return _respond(request, body, conversation)


async def _decide_quietly(conversation: WebConversation, keep: bool) -> bool:
    from bot.usecases.signin import decide_earlier_conversation

    try:
        return await asyncio.to_thread(
            decide_earlier_conversation, conversation.id, str(conversation.earlier), keep
        )
    except Exception as error:  # noqa: BLE001 - unanswered, the earlier conversation simply stays anonymous
        logger.warning("could not record the answer about earlier words: %s", type(error).__name__)
        return False


async def _answer_earlier(request: web.Request, conversation: WebConversation, keep: bool) -> web.Response:
    """Yes: continue the conversation from before sign-in, now linked to the child. No: keep the new one;
    the earlier one stays anonymous. Either way Rasa greets the child by name in the chosen conversation."""
    if not conversation.earlier:
        return _respond(request, {"messages": []}, conversation)  # nothing to answer (a stale button)
    linked = await _decide_quietly(conversation, keep)
    if linked:
        chosen = conversation.with_changes(id=conversation.earlier, earlier=None, wrote=True)
    else:
        chosen = conversation.with_changes(earlier=None)
    line = _said("signin_kept_earlier" if linked else "signin_started_fresh", "OK.")
    try:
        replies = await forward_to_rasa(request.app[SESSION_KEY], chosen.id, "/greet")
    except ConnectionError as error:
        logger.warning("Rasa is not answering: %s", error)
        replies = []
    audio_for = _audio_function()
    messages = [line, *[m for m in (clean_bot_message(r, audio_for) for r in replies) if m]]
    await asyncio.to_thread(_remember_buttons, "web:" + chosen.id, messages)
    return _respond(request, {"messages": messages, "signed_in": True, "fresh": not linked}, chosen)


def _state() -> Any:
    from bot.channels.sms_state import shared_state

    return shared_state()


def _remember_buttons(state_key: str, messages: list[dict[str, Any]]) -> None:
    """The buttons of the last message, so that a typed number or title picks one (kept as a keyed hash); and
    every button of the turn, the only payloads the next message may carry (``vocabulary.as_sent``)."""
    buttons = messages[-1].get("buttons") if messages else None
    if buttons:
        _state().set_options(state_key, [{"title": b["title"], "payload": b["payload"]} for b in buttons])
    else:
        _state().clear_options(state_key)
    offered = [{"title": b["title"], "payload": b["payload"]} for m in messages for b in m.get("buttons") or ()]
    offered_key = OFFERED + state_key.removeprefix("web:")
    if offered:
        _state().set_options(offered_key, offered)
    else:
        _state().clear_options(offered_key)


def _within_rate(request: web.Request, sender: str) -> bool:
    """Per conversation (a child typing fast) and per address (a children's home shares one)."""
    return per_sender.allow(sender) and per_address.allow(_client_ip(request))


def _detect_harm(text: str) -> bool:
    from bot.safeguarding.detector import get_detector

    return get_detector().detect(text).is_harm


async def _looks_like_harm(text: str) -> bool:
    """The lexicon's view, off the event loop (loading spaCy takes seconds the first time). A button payload
    ("/greet") is never a disclosure."""
    if text.startswith("/"):
        return False
    try:
        return await asyncio.to_thread(_detect_harm, text)
    except Exception:  # noqa: BLE001 - if the check fails, let the message through to Rasa
        return True


async def _warm_detector(app: web.Application) -> AsyncIterator[None]:
    """Load the harm detector in the background at start-up, so the first child does not wait for it."""
    task = asyncio.get_running_loop().run_in_executor(None, _detect_harm, "warm up")
    yield
    if not task.done():
        task.cancel()


def _client_ip(request: web.Request) -> str:
    return client_address(request)  # the right-most hop not a trusted proxy (bot/web/client_address.py)


async def signin_view(request: web.Request) -> web.Response:
    """A code from a social worker: a new conversation linked to the child (any ``sender`` is ignored).
    Limited per address and across the deployment (``bot.services.signin``); a malformed code (6 digits,
    say) is refused here without a look in the database."""
    from bot.services.errors import InvalidCode, RateLimited
    from bot.usecases.signin import SignInPaused, normalise_code, redeem_sign_in_code

    try:
        data = await _read_json(request)
    except TooLarge:
        return api_error(request, 400, "bad_request", BAD_REQUEST_TEXT)
    if data is None:
        return api_error(request, 400, "not_json", BAD_REQUEST_TEXT)
    code = data.get("code")
    if not isinstance(code, str):
        return api_error(request, 400, "bad_request", BAD_REQUEST_TEXT)
    if normalise_code(code) is None:
        return api_error(request, 400, "invalid_code", _line("signin_bad_code", SIGNIN_BAD_CODE))
    resolved = await resolve(request)
    earlier = _earlier_words(resolved)
    fresh = new_conversation(resolved.conversation.binding)
    try:
        signed = await asyncio.to_thread(
            redeem_sign_in_code, code, fresh.id, _client_ip(request), earlier_conversation_id=earlier
        )
    except InvalidCode:
        return api_error(request, 400, "invalid_code", _line("signin_bad_code", SIGNIN_BAD_CODE))
    except SignInPaused:
        return api_error(request, 429, "rate_limited", _line("signin_paused", SIGNIN_PAUSED))
    except RateLimited:
        return api_error(request, 429, "rate_limited", _line("signin_too_many", SIGNIN_TOO_MANY))
    except Exception as error:  # the database may be down; tell the child kindly
        logger.error("sign-in failed: %s", type(error).__name__)
        return api_error(request, 503, "unavailable", _line("signin_broken", SIGNIN_BROKEN))
    if not signed.ask_about_earlier:
        return _respond(request, {"ok": True, "signed_in": True, "messages": []}, fresh)
    conversation = fresh.with_changes(earlier=earlier)
    question = _said("signin_keep_earlier", "Do you want me to keep what you wrote before you signed in?")
    await asyncio.to_thread(_remember_buttons, "web:" + conversation.id, [question])
    return _respond(request, {"ok": True, "signed_in": True, "messages": [question]}, conversation)


def _earlier_words(resolved: Resolved) -> str | None:
    """The conversation from before sign-in, when the child wrote in it and it is nobody's yet."""
    conversation = resolved.conversation
    if resolved.restarted or not conversation.wrote or resolved.signed_in is not False:
        return None
    return conversation.id


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
    symbols.setup(app)  # the picture-button symbols (OpenMoji) the widget shows
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/api/signin", signin_view)
    app.router.add_route("OPTIONS", "/api/chat", preflight)
    app.router.add_route("OPTIONS", "/api/signin", preflight)
    app.on_response_prepare.append(hsts_on_prepare)  # HSTS on every answer over HTTPS
    app.cleanup_ctx.append(_client)
    app.cleanup_ctx.append(_warm_detector)
