"""Heard's keys: the one module that reads ``HEARD_SECRET_KEY`` and derives a separate key for each purpose.

There is no built-in key. ``HEARD_SECRET_KEY`` must hold at least 32 random bytes, written as either

* 64 or more hex characters (``python3 -c 'import secrets; print(secrets.token_hex(32))'`` or
  ``openssl rand -hex 32``), or
* 43 or more characters of base64, URL-safe or standard, padded or not
  (``python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`` or ``openssl rand -base64 32``).

Anything else (unset, empty, shorter, a phrase, a value with many repeated bytes such as ``aaaa...``) is
refused with ``SecretKeyError``, which names the variable and says how to make a key but never repeats the
value. ``./heard run`` makes one in ``var/secret_key`` (mode 0600) the first time.

Nothing else uses the secret itself: ``key_for(purpose)`` is HKDF-SHA256 of it with
``info=b"heard/<purpose>"`` (RFC 5869, ``cryptography``'s implementation), 32 bytes, so a key that leaks
from one purpose (say the phone-number hashes) gives nothing towards any other (say the review app's session
cookies). ``PURPOSES`` lists every purpose; any other is refused, so a typo cannot quietly make a new key.
Changing ``HEARD_SECRET_KEY`` changes every derived key: stored hashes (phone numbers, sign-in codes, API
tokens), sealed TOTP secrets and the audit chain's hashes stop matching (see docs/security.md).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.config import get_settings

VARIABLE = "HEARD_SECRET_KEY"
MIN_BYTES = 32
MIN_DISTINCT_BYTES = 16  # 32 random bytes have about 30 different values; fewer than 16 is not random
KEY_LENGTH = 32

# Every purpose a key is derived for, and what it keys. Add a line here to add a purpose.
PURPOSES: dict[str, str] = {
    "phone": "children's phone numbers (Child.phone_hash, SMS opt-outs, SMS conversation ids)",
    "phone-vault": "children's phone numbers sealed at rest for outbound texts (Child.phone_encrypted, Fernet)",
    "sms-outbox": "the words of texts and widget messages waiting to be sent (outbound_messages, Fernet)",
    "conversation": "conversation refs: what is stored instead of a Rasa sender id",
    "signin-code": "children's one-time sign-in codes",
    "signin-address": "client addresses counted by the children's sign-in rate limit",
    "web-conversation": "the web chat's signed conversation tokens (bot/web/conversation_token.py)",
    "rate": "rate-limit keys (sign-in attempts)",
    "address": "short references to a client address in audit details",
    "api-token": "the review app's API bearer tokens",
    "staff-recovery-code": "staff second-factor recovery codes",
    "totp-secret": "staff TOTP secrets sealed at rest (Fernet)",
    "demo-totp": "the demo staff users' TOTP secrets (demo seed only)",
    "review-session": "the review app's session cookies (Fernet, aiohttp_session)",
    "csrf": "CSRF tokens bound to a session by HMAC (the review app's tokens are random per session today)",
    "audio-private": "names of audio files that speak a child's own words",
    "audit-chain": "the audit trail's hash chain (AuditEvent.row_hash)",
}

_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
HOW_TO_MAKE = (
    f"Set {VARIABLE} to at least 32 random bytes: 64 hex characters, made with "
    "python3 -c 'import secrets; print(secrets.token_hex(32))' (or openssl rand -hex 32), or 43+ characters "
    "of base64 (secrets.token_urlsafe(32)). Keep it secret and the same on every server; "
    "./heard run makes one in var/secret_key."
)


class SecretKeyError(RuntimeError):
    """``HEARD_SECRET_KEY`` is missing or too weak; the message says how to make one (never the value)."""


def _decode(value: str) -> bytes | None:
    """The bytes a hex or base64 key stands for; None when it is neither. A value made only of hex digits is
    read as hex (43 random base64 characters are all hex digits about once in 10^20 tries)."""
    if _HEX.fullmatch(value):
        return bytes.fromhex(value) if len(value) % 2 == 0 else None
    if not _BASE64.fullmatch(value):
        return None
    unpadded = value.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError):
        return None


@functools.lru_cache(maxsize=8)
def _master(raw: str) -> bytes:
    """The secret as bytes, checked: at least 32 bytes, hex or base64, not made of a few repeated bytes."""
    value = raw.strip()
    if not value:
        raise SecretKeyError(f"{VARIABLE} is not set. {HOW_TO_MAKE}")
    secret = _decode(value)
    if secret is None:
        raise SecretKeyError(f"{VARIABLE} is neither hex nor base64. {HOW_TO_MAKE}")
    if len(secret) < MIN_BYTES:
        raise SecretKeyError(f"{VARIABLE} is too short ({len(secret)} bytes, at least {MIN_BYTES}). {HOW_TO_MAKE}")
    if len(set(secret)) < MIN_DISTINCT_BYTES:
        raise SecretKeyError(f"{VARIABLE} does not look random (too many repeated bytes). {HOW_TO_MAKE}")
    return secret


def require_secret_key() -> None:
    """Raise ``SecretKeyError`` unless ``HEARD_SECRET_KEY`` is good: call it where a process starts."""
    _master(get_settings().secret_key)


@functools.lru_cache(maxsize=64)
def _derive(raw: str, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_LENGTH, salt=None, info=f"heard/{purpose}".encode())
    return hkdf.derive(_master(raw))


def key_for(purpose: str) -> bytes:
    """The 32-byte key for ``purpose`` (one of ``PURPOSES``), derived from ``HEARD_SECRET_KEY``.

    Raises ``SecretKeyError`` when the secret is missing or weak, ``ValueError`` for an unknown purpose."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}: add it to bot.keys.PURPOSES")
    return _derive(get_settings().secret_key, purpose)


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 (64 hex characters) of ``value`` with the key for ``purpose``."""
    return hmac.new(key_for(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


def fernet_for(purpose: str) -> Fernet:
    """A Fernet (AES-128-CBC + HMAC-SHA256) keyed for ``purpose``: the 32 bytes of ``key_for(purpose)``."""
    return Fernet(base64.urlsafe_b64encode(key_for(purpose)))
