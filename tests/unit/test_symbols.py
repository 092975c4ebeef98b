"""Picture buttons (issue 18): every button names a symbol, every symbol is an OpenMoji on disk with its licence,
one meaning per picture, and only the widget ever sees them."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from bot.dialogue import messages
from bot.dialogue.symbols import SLUG, button_symbol, catalogue_buttons, keywords_in, registry
from bot.web.symbols import SYMBOL_DIR, decorate

ROOT = Path(__file__).resolve().parents[2]


def test_every_button_has_a_symbol_that_exists_on_disk():
    buttons = catalogue_buttons()
    assert len(buttons) > 100
    missing = [(name, b["title"]) for name, b in buttons if not b.get("symbol")]
    assert not missing, f"buttons without a symbol: {missing}"
    for name, button in buttons:
        slug = button["symbol"]
        assert slug in registry()["symbols"], (name, button["title"], slug)
        svg = SYMBOL_DIR / f"{slug}.svg"
        assert svg.is_file(), svg
        assert b"<svg" in svg.read_bytes()[:400], svg


def test_one_picture_for_one_meaning():
    by_title: dict[str, set[str]] = defaultdict(set)
    for _name, button in catalogue_buttons():
        by_title[button["title"].replace(" ✅", "").replace(" ✏️", "")].add(button["symbol"])
    assert {t: s for t, s in by_title.items() if len(s) > 1} == {}
    # yes and no never share a picture, nor do stop and send
    yes, no = button_symbol("Yes", '/inform{"choice":"yes"}'), button_symbol("No", "/deny")
    assert yes and no and yes != no
    symbols = {b["title"]: b["symbol"] for _n, b in catalogue_buttons()}
    assert symbols["Send it"] != symbols["Stop, don't send"]


def test_the_registry_is_openmoji_with_a_meaning_and_nothing_unused():
    reg = registry()
    used = {b["symbol"] for _n, b in catalogue_buttons()} | set(reg["keywords"].values())
    assert set(reg["symbols"]) == used  # no symbol without a use, none used without an entry
    for slug, entry in reg["symbols"].items():
        assert SLUG.fullmatch(slug)
        assert str(entry["openmoji"]).replace("-", "").isalnum() and entry["means"].strip()
    on_disk = {p.stem for p in SYMBOL_DIR.glob("*.svg")}
    assert on_disk == set(reg["symbols"])  # only the symbols Heard uses are served
    licence = (SYMBOL_DIR / "LICENSE.txt").read_text()
    assert "Attribution-ShareAlike 4.0" in licence
    package = yaml.safe_load((ROOT / "scripts" / "symbols" / "package.json").read_text())
    assert package["devDependencies"]["openmoji"] == "17.0.0"


def test_rasa_and_sms_get_title_and_payload_only():
    for name in ("menu", "help"):
        for channel in (None, "sms"):
            assert all(set(b) == {"title", "payload"} for b in messages.buttons(name, channel))
    assert all(set(b) == {"title", "payload"} for b in messages.render("menu")["buttons"])


def test_key_words_are_whole_words():
    found = keywords_in("Your IRO checks your care plan. An advocate helps. Are you safe?")
    assert [k["word"] for k in found] == ["IRO", "care plan", "advocate", "safe"]
    assert keywords_in("I feel unsafe and my plan changed") == []  # not inside another word, not "plan" alone
    assert [k["word"] for k in keywords_in("advocate, Advocate, ADVOCATE")] == ["advocate"]  # once each


def test_decorate_adds_symbols_only_for_catalogue_buttons():
    menu = messages.catalogue()["menu"]["buttons"][0]
    message = {"text": "Your advocate is on your side.", "buttons": [
        {"title": menu["title"], "payload": menu["payload"]},
        {"title": "Made up", "payload": "/made_up"},
    ]}
    out = decorate(message)
    assert out["buttons"][0]["symbol"] == f"/symbols/{menu['symbol']}.svg"
    assert "symbol" not in out["buttons"][1]
    assert out["keywords"] == [{"word": "advocate", "symbol": "/symbols/handshake.svg"}]
    assert "keywords" not in decorate({"text": "Hello."})
