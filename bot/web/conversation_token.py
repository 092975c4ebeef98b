"""The web chat's conversation id: made by the server, carried by the browser in a signed token.

A conversation id is 144 random bits (``secrets.token_urlsafe(18)``), made only here. The browser holds it
inside a token ``v1.<payload>.<mac>``. The payload (base64url JSON) says which conversation, when the token
was made and when the conversation began, the tab it is bound to (cookie mode), the conversation from before
sign-in awaiting the child's yes or no, and whether the child has written anything. The mac is HMAC-SHA256
under a key kept for this purpose only (``signing_key``). A token that is altered, made with another key,
bound to another tab, idle longer than ``IDLE`` or older than ``MAX_AGE`` is refused (``read`` returns None):
the browser cannot choose, guess or forge a conversation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, replace

from bot import keys

PURPOSE = "web-conversation"
VERSION = "v1"
IDLE = 60 * 60  # seconds: a token not renewed by a message for an hour is refused
MAX_AGE = 12 * 60 * 60  # seconds: however busy, a conversation's tokens stop 12 hours after it began
SKEW = 60  # seconds a token may seem to come from the future (clocks of several servers)
ID_RE = re.compile(r"^[A-Za-z0-9_-]{24,64}$")
BINDING_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_TOKEN = 600


@dataclass(frozen=True)
class WebConversation:
    """One browser's conversation as the server sees it (from a checked token, or new)."""

    id: str
    binding: str | None = None  # hash of the tab key, in cookie mode
    earlier: str | None = None  # the conversation before sign-in, until the child says yes or no
    wrote: bool = False  # the child has sent something in this conversation
    began: int | None = None  # when its first token was made (None: now)

    def with_changes(self, **changes: object) -> WebConversation:
        return replace(self, **changes)  # type: ignore[arg-type]


def new_conversation(binding: str | None = None) -> WebConversation:
    """A conversation no browser has seen before."""
    return WebConversation(id=secrets.token_urlsafe(18), binding=binding)


def binding_for(tab_key: str) -> str:
    """What a cookie-mode token is bound to: a hash of the tab's own random key (kept in sessionStorage)."""
    return hashlib.sha256(tab_key.encode()).hexdigest()[:32]


def signing_key() -> bytes:
    """The key for this purpose only (``bot.keys``: HKDF of ``HEARD_SECRET_KEY``)."""
    return keys.key_for(PURPOSE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(signed_part: str, key: bytes) -> str:
    return _b64(hmac.new(key, signed_part.encode("ascii"), hashlib.sha256).digest())


def sign(conversation: WebConversation, now: float | None = None, key: bytes | None = None) -> str:
    """A fresh token for ``conversation`` (made now)."""
    issued = int(time.time() if now is None else now)
    claims: dict[str, object] = {"c": conversation.id, "t": issued, "s": conversation.began or issued}
    if conversation.binding:
        claims["b"] = conversation.binding
    if conversation.earlier:
        claims["e"] = conversation.earlier
    if conversation.wrote:
        claims["w"] = 1
    signed_part = VERSION + "." + _b64(json.dumps(claims, separators=(",", ":")).encode())
    return signed_part + "." + _mac(signed_part, key or signing_key())


def _claims(token: object, key: bytes) -> dict[str, object] | None:
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 2:
        return None
    version, payload, mac = token.split(".")
    signed_part = version + "." + payload
    if version != VERSION or not hmac.compare_digest(mac.encode(), _mac(signed_part, key).encode()):
        return None
    try:
        claims = json.loads(_unb64(payload))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _fresh(claims: dict[str, object], now: float) -> bool:
    """Made at most ``IDLE`` ago (renewed by each message), in a conversation at most ``MAX_AGE`` old."""
    issued, began = claims.get("t"), claims.get("s")
    if type(issued) is not int or type(began) is not int:  # not a bool, a float or a string
        return False
    return -SKEW <= now - issued <= IDLE and began <= issued and now - began <= MAX_AGE


def read(
    token: object, binding: str | None, now: float | None = None, key: bytes | None = None
) -> WebConversation | None:
    """The conversation in ``token`` when it is genuine, fresh and bound to ``binding`` (None: not bound,
    header mode); else None."""
    claims = _claims(token, key or signing_key())
    if claims is None or not _fresh(claims, time.time() if now is None else now):
        return None
    conversation_id, bound, earlier = claims.get("c"), claims.get("b"), claims.get("e")
    if not isinstance(conversation_id, str) or not ID_RE.match(conversation_id) or bound != binding:
        return None
    if earlier is not None and (not isinstance(earlier, str) or not ID_RE.match(earlier)):
        return None
    began = claims.get("s")
    return WebConversation(
        id=conversation_id,
        binding=binding,
        earlier=earlier,
        wrote=claims.get("w") == 1,
        began=began if type(began) is int else None,
    )
