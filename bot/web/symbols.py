"""The picture-button symbols (OpenMoji, CC BY-SA 4.0), served by Heard itself: nothing from a CDN.

Routes (registered by `setup(app)`):
- `GET /symbols/<slug>.svg`   one symbol named in bot/dialogue/symbols.yml (any other name: 404);
- `GET /symbols/LICENSE.txt`  OpenMoji's licence, linked from the widget's credit line.

`decorate(message)` adds each button's `symbol` URL and the message's key words (`keywords`: word and symbol
URL) to one message the chat API sends; the widget shows them only when the child turned picture buttons on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from bot.dialogue.symbols import SLUG, button_symbol, keywords_in, registry

SYMBOL_DIR = Path(__file__).with_name("static") / "symbols"
CACHE = "public, max-age=86400"


def symbol_url(slug: str) -> str:
    return f"/symbols/{slug}.svg"


def decorate(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` (as the chat API sends it) with a symbol for each catalogue button and its key words."""
    for button in message.get("buttons") or []:
        slug = button_symbol(str(button.get("title")), str(button.get("payload")))
        if slug:
            button["symbol"] = symbol_url(slug)
    words = keywords_in(str(message.get("text") or ""))
    if words:
        message["keywords"] = [{"word": w["word"], "symbol": symbol_url(w["symbol"])} for w in words]
    return message


async def get_symbol(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    path = SYMBOL_DIR / f"{slug}.svg"
    if not SLUG.fullmatch(slug) or slug not in registry()["symbols"] or not path.is_file():
        raise web.HTTPNotFound()
    headers = {"Cache-Control": CACHE, "X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*"}
    return web.Response(body=path.read_bytes(), content_type="image/svg+xml", headers=headers)


async def get_licence(_request: web.Request) -> web.Response:
    body = (SYMBOL_DIR / "LICENSE.txt").read_bytes()
    return web.Response(body=body, content_type="text/plain", charset="utf-8",
                        headers={"Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"})


def setup(app: web.Application) -> None:
    app.router.add_get(r"/symbols/{slug:[a-z0-9-]+}.svg", get_symbol)
    app.router.add_get("/symbols/LICENSE.txt", get_licence)
