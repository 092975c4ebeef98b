"""Every status line the widget writes itself is a catalogue line, word for word, so the server may speak it
(POST /audio speaks catalogue lines only): no words on the screen without audio (issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.dialogue.messages import catalogue

WIDGET = Path(__file__).resolve().parents[2] / "bot" / "web" / "static" / "widget" / "widget.js"
# The widget's own status lines and the catalogue line each must be.
STATUS_LINES = {"sending": "widget_sending", "busy": "chat_busy", "busyPressed": "chat_busy_pressed",
                "signedIn": "widget_signed_in"}


def widget_text() -> dict[str, str]:
    source = WIDGET.read_text(encoding="utf-8")
    block = source[source.index("var TEXT = {"):source.index("};", source.index("var TEXT = {"))]
    return {m.group(1): m.group(2) for m in re.finditer(r'^\s*(\w+): "((?:[^"\\]|\\.)*)"', block, re.M)}


def test_each_widget_status_line_is_a_catalogue_line():
    text = widget_text()
    for key, name in STATUS_LINES.items():
        assert text[key] == catalogue()[name]["text"], (key, name)


def test_only_the_typed_busy_line_says_the_words_are_in_the_box():
    assert "still in the box" in catalogue()["chat_busy"]["text"]
    assert "box" not in catalogue()["chat_busy_pressed"]["text"]
    assert "box" not in catalogue()["chat_restarted_pressed"]["text"]


def test_the_web_never_tells_a_child_to_press_a_stop_button_it_does_not_show():
    for name, entry in catalogue().items():
        for variant in ("text", "simple", "older"):
            line = str(entry.get(variant) or "")
            assert not re.search(r"\bpress stop\b", line, re.I), f"{name}.{variant}: {line}"
