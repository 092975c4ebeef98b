"""How staff read what a child chose in the chat, and who did what: plain words instead of stored codes.

* A button the child pressed is stored as its value (``with_advocate``, ``after_school``, ``no``); staff read the
  words the chat itself uses for it: the question's ``value_labels`` (``bot.dialogue.forms``, what the child's own
  check reads back), else the title of the button in ``bot.dialogue.messages.yml`` (the web chat's, else the text
  message's). Only a value that is one of the question's buttons (``forms.is_button_value``) is replaced: the
  child's own typed words are always shown verbatim.
* A button pressed in a conversation's last turns (``/inform{"choice":"today"}``) is shown as the words on it.
* A day is "Saturday 12 December 2026"; a member of staff is their username, never ``staff:<username>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from bot.dialogue import messages
from bot.dialogue.forms import DETAIL_SEPARATOR, is_button_value, question  # "text: 07700 900123"
from bot.services.input_bounds import iso_day
from bot.vocabulary import payload_choice, split_payload

ACTORS = {"child": "the child", "conversation": "the child", "system": "Heard"}


def long_date(day: date | None) -> str:
    """'Saturday 12 December 2026' ('' for no day)."""
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""


def _buttons(name: str) -> list[dict[str, str]]:
    """The buttons of catalogue message ``name`` by text message, then in the web chat (the web's words win)."""
    if name not in messages.catalogue():
        return []
    return messages.buttons(name, "sms") + messages.buttons(name)


@cache
def _titles(slot: str) -> dict[str, str]:
    """value -> words for the buttons of the question filling ``slot``."""
    titles = {}
    for button in _buttons(f"ask_{slot}"):
        value = payload_choice(str(button.get("payload", "")))
        if value is not None:
            titles[value] = str(button.get("title", ""))
    asked = question(slot)
    return {**titles, **(dict(asked.value_labels) if asked else {})}


def choice_words(slot: str, value: Any) -> Any:
    """A stored answer to the question filling ``slot``: a button's value as the button's words, anything else
    (the child's own words, None) unchanged."""
    asked = question(slot)
    if asked is None or not is_button_value(asked, value):
        return value
    return _titles(slot).get(value, value)


def contact_words(slot: str, value: Any) -> Any:
    """A way to reach the child, alone (``text``) or with its number or address (``text: 07700 900123``)."""
    if not isinstance(value, str) or DETAIL_SEPARATOR not in value:
        return choice_words(slot, value)
    way, detail = value.split(DETAIL_SEPARATOR, 1)
    words = choice_words(slot, way)
    return value if words == way else f"{words}{DETAIL_SEPARATOR}{detail}"


def answer_words(question_key: str, answer: Any) -> Any:
    """A wishes statement's answer (``question_key`` is its slot without ``w_``)."""
    return choice_words(f"w_{question_key}", answer)


def review_words(label: str | None, day: date | None) -> str | None:
    """What a statement is for: a day the child pressed as the day in words; the child's own words, with the day
    Heard understood from them; else the day; None when neither is known."""
    pressed = iso_day(label)
    if pressed is not None:
        return long_date(pressed)
    if label and day:
        return f"{label} ({long_date(day)})"
    return label or (long_date(day) if day else None)


@cache
def _titles_of_payload() -> dict[str, frozenset[str]]:
    """payload -> the words of every button in the catalogue that sends it."""
    found: dict[str, set[str]] = {}
    for name in messages.catalogue():
        for button in _buttons(name):
            found.setdefault(str(button.get("payload", "")), set()).add(str(button.get("title", "")))
    return {payload: frozenset(titles) for payload, titles in found.items()}


def _asked_title(payload: str, asked: str | None) -> str | None:
    """The words of the button sending ``payload`` under the message Heard had just said, if it is known."""
    name = messages.find_by_text(asked) if asked else None
    for button in _buttons(name) if name else []:
        if button.get("payload") == payload:
            return str(button.get("title", ""))
    return None


def pressed_words(text: str, asked: str | None = None) -> str | None:
    """The words on the button a child's message pressed (``asked``: what Heard said just before), or None when
    the message is the child's own words."""
    parts = split_payload(text)
    if parts is None:
        return None
    payload = text.strip()
    titles = _titles_of_payload().get(payload, frozenset())
    title = _asked_title(payload, asked) if len(titles) != 1 else next(iter(titles))
    if title:
        return title
    choice = parts[1].get("choice")
    day = iso_day(choice)
    if day is not None:
        return long_date(day)
    return str(choice if isinstance(choice, str) else parts[0]).replace("_", " ").capitalize()


def turn_words(turns: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A conversation's last turns as staff read them: ``pressed`` marks a button the child pressed, shown by its
    words; what the child typed and what Heard said stay as they were."""
    shown, asked = [], None
    for turn in turns:
        who, text = str(turn.get("who")), str(turn.get("text") or "")
        pressed = pressed_words(text, asked) if who == "child" else None
        shown.append({"who": who, "text": pressed or text, "pressed": pressed is not None})
        if who != "child":
            asked = text
    return shown


def actor_words(actor: str | None) -> str:
    """Who did something, for staff: a member of staff by username, 'the child', or 'Heard' for the system."""
    kind, _, rest = str(actor or "").partition(":")
    if kind == "staff":
        return rest
    return ACTORS.get(kind, str(actor or ""))
