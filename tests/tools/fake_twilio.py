"""A fake of Twilio's REST API (``POST /2010-04-01/Accounts/{sid}/Messages.json``) for tests and the bench.

An aiohttp app that records every message it accepts (with the time), and on demand delays or refuses the
calls for a number: ``hang(to, seconds)``, ``fail(to, 500, 500)`` (the next calls to that number get those
statuses, then it accepts). Point ``SmsSender``/``HeardSmsInput`` at it with ``api_base_url``.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field

from aiohttp import web

MESSAGES_PATH = "/2010-04-01/Accounts/{account}/Messages.json"


@dataclass
class Call:
    to: str
    body: str
    at: float  # time.monotonic() when the call arrived
    status: int  # what the fake answered
    fields: dict[str, str] = field(default_factory=dict)


class FakeTwilio:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.delays: dict[str, float] = {}
        self.failures: dict[str, list[int]] = defaultdict(list)
        self.released = asyncio.Event()

    # ------------------------------------------------------------ what to do

    def hang(self, to: str, seconds: float) -> None:
        self.delays[to] = seconds

    def fail(self, to: str, *statuses: int) -> None:
        self.failures[to].extend(statuses)

    def release(self) -> None:
        """End every hanging call now (teardown)."""
        self.released.set()

    # ------------------------------------------------------------ what happened

    @property
    def sent(self) -> list[Call]:
        return [c for c in self.calls if c.status == 201]

    def bodies(self, to: str | None = None) -> list[str]:
        return [c.body for c in self.sent if to is None or c.to == to]

    def attempts(self, to: str) -> list[Call]:
        return [c for c in self.calls if c.to == to]

    # ------------------------------------------------------------ the API

    async def create(self, request: web.Request) -> web.Response:
        form = await request.post()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        arrived = time.monotonic()
        delay = self.delays.get(to, 0.0)
        if delay:
            try:
                await asyncio.wait_for(self.released.wait(), timeout=delay)
            except asyncio.TimeoutError:
                pass
        status = self.failures[to].pop(0) if self.failures[to] else 201
        self.calls.append(Call(to, body, arrived, status, {k: str(v) for k, v in form.items()}))
        if status != 201:
            code = 20429 if status == 429 else (20500 if status >= 500 else 21211)
            return web.json_response({"code": code, "message": "fake refusal", "status": status}, status=status)
        sid = f"SM{len(self.calls):032d}"
        account = request.match_info["account"]
        return web.json_response(
            {"sid": sid, "account_sid": account, "to": to, "from": form.get("From"), "body": body,
             "status": "queued", "num_segments": "1"},
            status=201,
        )

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(MESSAGES_PATH, self.create)
        return app
