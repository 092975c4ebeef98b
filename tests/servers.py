"""Closing a test's Sanic server without waiting for ever.

Python 3.10's ``Server.wait_closed`` waits until every connection has gone; a client connection a test left open
(keep-alive) then held a whole run at teardown (seen once on 1 December 2026). The server is closed at once; the
wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

CLOSE_TIMEOUT = 10.0


async def close_server(server: Any, timeout: float = CLOSE_TIMEOUT) -> None:
    """Stop accepting, then wait at most ``timeout`` seconds for open connections to go."""
    server.close()
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(server.wait_closed(), timeout)
