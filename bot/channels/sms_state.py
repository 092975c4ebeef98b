"""What the SMS channel remembers between text messages, keyed by a keyed hash of the phone number
(never the number itself):

- the numbered options last sent to a number (so "2" means the second one), for HEARD_SMS_OPTIONS_TTL
  seconds (default 1 day);
- opt-outs (STOP) of numbers that belong to no child record (a known child's opt-out is stored on the child).

Redis when HEARD_REDIS_URL is set (shared by every Rasa server), otherwise in this process's memory.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any, Protocol

from bot.config import get_settings

logger = logging.getLogger(__name__)
DEFAULT_OPTIONS_TTL = 24 * 3600
PREFIX = "heard:sms:"


def phone_key(phone: str) -> str:
    """A keyed hash of the number (same for every format of it)."""
    from bot.services.children import any_phone_hash

    return any_phone_hash(phone)


def options_ttl() -> int:
    try:
        return int(os.environ.get("HEARD_SMS_OPTIONS_TTL", DEFAULT_OPTIONS_TTL))
    except ValueError:
        return DEFAULT_OPTIONS_TTL


class SmsState(Protocol):
    def set_options(self, phone: str, options: list[dict[str, str]]) -> None: ...
    def get_options(self, phone: str) -> list[dict[str, str]]: ...
    def clear_options(self, phone: str) -> None: ...
    def set_opted_out(self, phone: str, opted_out: bool) -> None: ...
    def is_opted_out(self, phone: str) -> bool: ...


class MemoryState:
    """One process's memory (development, a single Rasa server). Entries expire after the TTL."""

    def __init__(self, ttl: int | None = None) -> None:
        self.ttl = ttl if ttl is not None else options_ttl()
        self._options: dict[str, tuple[float, list[dict[str, str]]]] = {}
        self._opted_out: set[str] = set()
        self._lock = threading.Lock()

    def set_options(self, phone: str, options: list[dict[str, str]]) -> None:
        with self._lock:
            self._options[phone_key(phone)] = (time.monotonic() + self.ttl, list(options))

    def get_options(self, phone: str) -> list[dict[str, str]]:
        key = phone_key(phone)
        with self._lock:
            entry = self._options.get(key)
            if entry is None:
                return []
            if entry[0] < time.monotonic():
                del self._options[key]
                return []
            return list(entry[1])

    def clear_options(self, phone: str) -> None:
        with self._lock:
            self._options.pop(phone_key(phone), None)

    def set_opted_out(self, phone: str, opted_out: bool) -> None:
        with self._lock:
            (self._opted_out.add if opted_out else self._opted_out.discard)(phone_key(phone))

    def is_opted_out(self, phone: str) -> bool:
        with self._lock:
            return phone_key(phone) in self._opted_out


class RedisState:
    """Shared by every Rasa server through Redis."""

    def __init__(self, url: str, ttl: int | None = None, client: Any | None = None) -> None:
        import redis

        self.ttl = ttl if ttl is not None else options_ttl()
        self.redis = client or redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def set_options(self, phone: str, options: list[dict[str, str]]) -> None:
        self.redis.set(PREFIX + "options:" + phone_key(phone), json.dumps(options), ex=self.ttl)

    def get_options(self, phone: str) -> list[dict[str, str]]:
        raw = self.redis.get(PREFIX + "options:" + phone_key(phone))
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except ValueError:
            return []
        return value if isinstance(value, list) else []

    def clear_options(self, phone: str) -> None:
        self.redis.delete(PREFIX + "options:" + phone_key(phone))

    def set_opted_out(self, phone: str, opted_out: bool) -> None:
        key = PREFIX + "opted_out"
        if opted_out:
            self.redis.sadd(key, phone_key(phone))
        else:
            self.redis.srem(key, phone_key(phone))

    def is_opted_out(self, phone: str) -> bool:
        return bool(self.redis.sismember(PREFIX + "opted_out", phone_key(phone)))


_shared: SmsState | None = None
_shared_lock = threading.Lock()


def shared_state() -> SmsState:
    """The state for this process: Redis when HEARD_REDIS_URL is set, else memory (created once)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            url = get_settings().redis_url
            _shared = RedisState(url) if url else MemoryState()
        return _shared
