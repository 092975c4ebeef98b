"""A sliding-window request counter per client, in memory (one per web process).

Used to stop one client keeping the two cores busy (speaking audio, chatting with Rasa). Behind several web
servers each counts on its own, so a client may get up to N times the limit: fine for protecting CPU.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque


class SlidingWindow:
    """At most ``limit`` hits per key in any ``window`` seconds."""

    def __init__(self, limit: int, window: float, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count a hit for ``key``; False (and not counted) when it is over the limit."""
        now = time.monotonic() if now is None else now
        hits = self._hits[key]
        while hits and now - hits[0] > self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > self.max_keys:  # forget idle clients
            for stale in [k for k, h in self._hits.items() if not h or now - h[-1] > self.window]:
                self._hits.pop(stale, None)
        return True

    def clear(self) -> None:
        self._hits.clear()
