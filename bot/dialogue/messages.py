"""Heard's message catalogue (`messages.yml`): every line the bot says, with its buttons, and for a line that
promises something, the code that keeps the promise (`kept_by`, `kept_in`).

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


def kept_by(name: str) -> tuple[str, ...]:
    """The code that keeps the promise a line makes (``kept_by:``, one dotted path or a list), first the code the
    flow that says the line calls, then what that code calls in turn. Empty for a line that promises nothing.
    ``tests/unit/test_messages_kept_by.py`` imports each and checks the flow that says the line calls it."""
    value = catalogue()[name].get("kept_by") or ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def kept_in(name: str) -> str | None:
    """The module that keeps a line's promise when it is not the module that says the line (``kept_in:``): the
    privacy line promises what the safeguarding action does later."""
    value = catalogue()[name].get("kept_in")
    return str(value) if value else None


def buttons(name: str, channel: str | None = None) -> list[dict[str, str]]:
    """The buttons of `name` as sent: title and payload (each button's `symbol:` is for the widget only:
    `bot.dialogue.symbols`)."""
    return [{k: v for k, v in b.items() if k != "symbol"} for b in variant(name, channel).get("buttons") or []]


def variant(name: str, channel: str | None = None) -> dict[str, Any]:
    """The catalogue entry `name` as `channel` says it: on SMS its ``sms:`` wording (text, simple, older,
    buttons; issue 19: "reply 0", never "press" or a carrier keyword such as Stop) wins where it has one."""
    entry = catalogue()[name]
    sms = entry.get("sms")
    if channel == "sms" and isinstance(sms, dict):
        return {**entry, **sms}
    return entry


def render(name: str, slots: Mapping[str, Any] | None = None, *, simple: bool = False,
           channel: str | None = None, **values: Any) -> dict[str, Any]:
    """The message `name` as {"text", "buttons"} for this conversation (and channel: "sms" or "web")."""
    entry = variant(name, channel)
    slots = slots or {}
    text = entry["text"]
    if (simple or slots.get("simple_next")) and entry.get("simple"):
        text = entry["simple"]
    elif slots.get("reading_level") == "older" and entry.get("older"):
        text = entry["older"]
    if values:
        text = text.format(**values)
    return {"text": text, "buttons": buttons(name, channel)}


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
