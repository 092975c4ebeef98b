"""The symbols are served by Heard (no CDN), only the ones in the registry, and the chat API sends them."""

from __future__ import annotations

from aiohttp import web

from bot.web import symbols
from bot.web.chat import clean_bot_message


async def test_symbols_are_served_from_heard(aiohttp_client):
    app = web.Application()
    symbols.setup(app)
    client = await aiohttp_client(app)
    ok = await client.get("/symbols/handshake.svg")
    assert ok.status == 200 and ok.content_type == "image/svg+xml"
    assert b"<svg" in (await ok.read())[:400]
    assert ok.headers["X-Content-Type-Options"] == "nosniff"
    for path in ("/symbols/not-a-symbol.svg", "/symbols/..%2Fwidget.svg", "/symbols/LICENSE.svg"):
        assert (await client.get(path)).status == 404, path
    licence = await client.get("/symbols/LICENSE.txt")
    assert licence.status == 200 and "Attribution-ShareAlike 4.0" in await licence.text()


def test_the_chat_api_sends_a_symbol_per_button_and_key_word():
    buttons = [{"title": "Yes", "payload": '/inform{"choice":"yes"}', "symbol": "x"},  # Rasa's symbol is ignored
               {"title": "No", "payload": "/deny"}]
    rasa = {"text": "Do you want an advocate?", "buttons": buttons}
    out = clean_bot_message(rasa, None)
    assert [b.get("symbol") for b in out["buttons"]] == ["/symbols/check-mark.svg", "/symbols/cross-mark.svg"]
    assert out["keywords"] == [{"word": "advocate", "symbol": "/symbols/handshake.svg"}]
