"""Heard's message catalogue (`messages.yml`): every line the bot says, with its buttons.

`render()` picks the wording for this child (simpler after "I don't understand", or the
older children's wording when they chose it) and fills in placeholders.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

CATALOGUE = Path(__file__).with_name("messages.yml")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")) or {}
    return {str(k): dict(v) for k, v in data.items()}


def is_translation(name: str) -> bool:
    """A line in another language (``language:`` set, issue 14). Its wording is checked by a native speaker
    (``review:``), not by the English readability, speech and SMS rules."""
    return bool(catalogue()[name].get("language"))


def buttons(name: str) -> list[dict[str, str]]:
    return [dict(b) for b in catalogue()[name].get("buttons") or []]


def render(name: str, slots: Mapping[str, Any] | None = None, *, simple: bool = False,
           **values: Any) -> dict[str, Any]:
    """The message `name` as {"text", "buttons"} for this conversation."""
    entry = catalogue()[name]
    slots = slots or {}
    text = entry["text"]
    if (simple or slots.get("simple_next")) and entry.get("simple"):
        text = entry["simple"]
    elif slots.get("reading_level") == "older" and entry.get("older"):
        text = entry["older"]
    if values:
        text = text.format(**values)
    return {"text": text, "buttons": buttons(name)}


def find_by_text(text: str) -> str | None:
    """Which catalogue message produced `text` (placeholders match any words)."""
    for name, entry in catalogue().items():
        for key in ("text", "simple", "older"):
            template = entry.get(key)
            if not template:
                continue
            pattern = re.sub(r"\\\{\w+\\\}", ".*?", re.escape(template))
            if re.fullmatch(pattern, text, flags=re.S):
                return name
    return None
