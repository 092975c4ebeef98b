"""Picture buttons (Easy Read, issue 18): which symbol goes beside a choice or a key word.

Each button in `messages.yml` names its symbol (`symbol:`); key words and the symbols themselves (OpenMoji
codes and what each means) are in `symbols.yml`. The widget shows them only when the child turns "Picture
buttons" on; they are decorative (the words carry the meaning), so they have empty alt text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.dialogue.messages import catalogue

REGISTRY = Path(__file__).with_name("symbols.yml")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@lru_cache(maxsize=1)
def registry() -> dict[str, Any]:
    """``{"symbols": {slug: {"openmoji", "means"}}, "keywords": {word: slug}}`` from symbols.yml."""
    data = yaml.safe_load(REGISTRY.read_text(encoding="utf-8")) or {}
    return {"symbols": dict(data.get("symbols") or {}), "keywords": {str(k): str(v) for k, v in
                                                                      (data.get("keywords") or {}).items()}}


def catalogue_buttons() -> list[tuple[str, dict[str, Any]]]:
    """Every button of the catalogue (web and SMS wordings) with the name of its message."""
    found = []
    for name, entry in catalogue().items():
        sms = entry.get("sms") if isinstance(entry.get("sms"), dict) else {}
        for button in list(entry.get("buttons") or []) + list(sms.get("buttons") or []):
            found.append((name, dict(button)))
    return found


@lru_cache(maxsize=1)
def _by_button() -> dict[tuple[str, str], str]:
    index: dict[tuple[str, str], str] = {}
    for _name, button in catalogue_buttons():
        symbol = button.get("symbol")
        if symbol:
            index.setdefault((str(button["title"]), str(button["payload"])), str(symbol))
    return index


def button_symbol(title: str, payload: str) -> str | None:
    """The symbol of the catalogue button with this title and payload (None for a button not in it)."""
    symbol = _by_button().get((title, payload))
    return symbol if symbol in registry()["symbols"] else None


@lru_cache(maxsize=1)
def _keyword_pattern() -> re.Pattern[str] | None:
    words = sorted(registry()["keywords"], key=len, reverse=True)  # "care plan" before "plan"
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def keywords_in(text: str) -> list[dict[str, str]]:
    """The key words of ``text`` (as written there, first time each) with their symbols, in order."""
    pattern = _keyword_pattern()
    if pattern is None:
        return []
    lower = {k.lower(): v for k, v in registry()["keywords"].items()}
    found: dict[str, dict[str, str]] = {}
    for match in pattern.finditer(text):
        word = match.group(1)
        found.setdefault(word.lower(), {"word": word, "symbol": lower[word.lower()]})
    return list(found.values())
