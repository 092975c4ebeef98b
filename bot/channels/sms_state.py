"""What the SMS channel remembers between text messages: the numbered options last sent to a number (so
"2" means the second one), keyed by a keyed hash of the phone number (never the number itself), for
HEARD_SMS_OPTIONS_TTL seconds (default 1 day).

Redis when HEARD_REDIS_URL is set (shared by every Rasa server), otherwise in this process's memory.

Opt-outs (STOP) are not kept here: they are in the database (``Child.sms_opted_out`` for a known child,
``bot.services.sms_opt_outs`` for any other number; ``bot.usecases.sms_opt_outs`` applies STOP and START),
because they must survive restarts and hold on every server. ``move_legacy_opt_outs`` moves the opt-outs
older versions kept in Redis into the database.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Protocol

from bot.config import get_settings

logger = logging.getLogger(__name__)
PREFIX = "heard:sms:"


def phone_key(phone: str) -> str:
    """A keyed hash of the number (same for every format of it)."""
    from bot.services.children import any_phone_hash

    return any_phone_hash(phone)


def options_ttl() -> int:
    """HEARD_SMS_OPTIONS_TTL seconds (default 1 day)."""
    return get_settings().sms.options_ttl


class SmsState(Protocol):
    def set_options(self, phone: str, options: list[dict[str, str]]) -> None: ...
    def get_options(self, phone: str) -> list[dict[str, str]]: ...
    def clear_options(self, phone: str) -> None: ...


class MemoryState:
    """One process's memory (development, a single Rasa server). Entries expire after the TTL."""

    def __init__(self, ttl: int | None = None) -> None:
        self.ttl = ttl if ttl is not None else options_ttl()
        self._options: dict[str, tuple[float, list[dict[str, str]]]] = {}
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


LEGACY_OPT_OUT_KEY = PREFIX + "opted_out"  # the Redis set of hashes where Heard before migration 0004 kept them


def move_legacy_opt_outs(url: str, client: Any | None = None, database_url: str | None = None) -> int:
    """Move the opt-outs an older Heard kept in Redis (a set of keyed phone hashes) into the database
    table, then delete the Redis set. Returns how many were new to the table. Safe to repeat; the set is
    deleted only after the database has committed them."""
    import redis

    from bot.services.sms_opt_outs import is_phone_hash
    from bot.usecases.sms_opt_outs import add_legacy_opt_outs

    client = client or redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    members = (m.decode() if isinstance(m, bytes) else str(m) for m in client.smembers(LEGACY_OPT_OUT_KEY))
    hashes = sorted(m for m in members if is_phone_hash(m))  # anything else is left alone
    if not hashes:
        return 0
    added = add_legacy_opt_outs(hashes, database_url)
    client.srem(LEGACY_OPT_OUT_KEY, *hashes)  # only what was moved: a STOP stored meanwhile is not lost
    return added


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
