"""Which conversation a chat request continues: read from a signed token, never from the request body.

Two ways for the browser to carry the token (``bot.web.conversation_token``):

* Heard's own page (same origin): an HttpOnly, SameSite=Strict cookie (Secure over HTTPS, then named with
  the ``__Host-`` prefix) that page script cannot read. The widget keeps a random tab key in sessionStorage
  and sends it in ``X-Heard-Tab``; the token is bound to that key and the cookie is named after it, so the
  conversation is this tab's only: a new tab starts its own, and "Leave quickly" (which wipes
  sessionStorage) leaves a cookie that is useless without the key.
* The widget on a council's site (cross-site, where such cookies are blocked): the server returns the token
  in the JSON answer (``conversation``); the widget keeps it in sessionStorage and sends it in
  ``X-Heard-Conversation``. Still made and signed by the server, so it cannot be chosen or forged.

A token that is refused (altered, forged, idle too long, another tab's) or whose conversation staff ended
is never continued: the request gets a new conversation and ``restarted`` says so.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.web import conversation_token as tokens
from bot.web.client_address import is_https
from bot.web.conversation_token import WebConversation

logger = logging.getLogger(__name__)

TAB_HEADER = "X-Heard-Tab"
TOKEN_HEADER = "X-Heard-Conversation"  # noqa: S105 - a header name, not a secret
TAB_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
COOKIE_PREFIXES = ("heard_", "__Host-heard_")
MAX_TAB_COOKIES = 6  # other tabs' cookies kept; beyond that they go, so the Cookie header stays small


@dataclass(frozen=True)
class Resolved:
    """The conversation a request continues (or a new one), and what the server knows about it."""

    conversation: WebConversation
    restarted: bool = False  # the browser sent a token that was refused: this is a new conversation
    signed_in: bool | None = False  # None: the case database could not say


def tab_binding(request: web.Request) -> str | None:
    """Cookie mode: the binding of the tab key the widget sent; None in header mode."""
    tab = request.headers.get(TAB_HEADER, "")
    return tokens.binding_for(tab) if TAB_RE.match(tab) else None


def cookie_name(binding: str, secure: bool) -> str:
    return ("__Host-heard_" if secure else "heard_") + binding[:16]


def _incoming_token(request: web.Request, binding: str | None) -> str | None:
    if binding is None:
        return request.headers.get(TOKEN_HEADER) or None
    return request.cookies.get(cookie_name(binding, is_https(request))) or None


def _status(conversation_id: str) -> str | None:
    from bot.usecases.signin import web_conversation_status

    try:
        return web_conversation_status(conversation_id)
    except Exception as error:  # noqa: BLE001 - the database may be down; the chat must still work
        logger.warning("conversation status unknown: %s", type(error).__name__)
        return None


async def resolve(request: web.Request) -> Resolved:
    """The conversation this request continues, from its token; a new one when it has none or it is
    refused, or when staff ended its link to a child."""
    from bot.usecases.signin import ENDED, SIGNED_IN

    binding = tab_binding(request)
    token = _incoming_token(request, binding)
    if token is None:
        return Resolved(tokens.new_conversation(binding))
    conversation = tokens.read(token, binding)
    if conversation is None:
        return Resolved(tokens.new_conversation(binding), restarted=True)
    status = await asyncio.to_thread(_status, conversation.id)
    if status == ENDED:
        return Resolved(tokens.new_conversation(binding), restarted=True)
    return Resolved(conversation, signed_in=None if status is None else status == SIGNED_IN)


def body_with_token(data: dict[str, Any], conversation: WebConversation) -> dict[str, Any]:
    """Header mode: the answer carries a fresh token for ``conversation`` (``conversation`` field)."""
    if conversation.binding is not None:
        return data
    return {**data, "conversation": tokens.sign(conversation)}


def set_cookie(request: web.Request, response: web.StreamResponse, conversation: WebConversation) -> None:
    """Cookie mode: a fresh token for ``conversation`` in its tab's HttpOnly cookie."""
    if conversation.binding is None:
        return
    secure = is_https(request)
    name = cookie_name(conversation.binding, secure)
    others = [c for c in request.cookies if c.startswith(COOKIE_PREFIXES) and c != name]
    if len(others) > MAX_TAB_COOKIES:  # many tabs, or many "Leave quickly", within the hour
        for other in others:  # expired at once (a __Host- cookie is only replaced by a Secure one)
            response.set_cookie(other, "", max_age=0, path="/", secure=other.startswith("__Host-"),
                                httponly=True, samesite="Strict")
    response.set_cookie(
        name,
        tokens.sign(conversation),
        max_age=tokens.IDLE,
        path="/",
        secure=secure,
        httponly=True,
        samesite="Strict",
    )
