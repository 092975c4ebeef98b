"""Heard's shared vocabulary for choices: one place for what a button means, however it reaches us.

- **Payloads**: a button sends `/intent` or `/inform{"choice":"review"}`; `split_payload` and `payload_choice`
  read them (forms, typed buttons, the SMS channel and the widget proxy all use these).
- **Typed choices**: a child may type a button's number ("2", "2.", "two") or its own words instead of pressing
  it; `typed_choice` finds the button. Forms read numbers but not number words (an open question's "one" is an
  answer, not button 1); outside forms and by SMS number words count too.
- **Audiences**: who may see a wishes-and-feelings statement (`AUDIENCES`), and how each is named in each voice:
  to the child ("your social worker"), to staff ("social worker"), and in the child's own statement
  ("my social worker"). The child-facing buttons themselves are in `bot/dialogue/messages.yml`.

Plain Python with no imports from the rest of Heard, so the database models, the dialogue, the channels and the
review app can all depend on it.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from typing import Any, Iterable, Mapping, Sequence

# ---------------------------------------------------------------- payloads

PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$", flags=re.S)


def split_payload(text: str) -> tuple[str, dict[str, Any]] | None:
    """A button payload such as `/request_advocate` or `/inform{"choice":"review"}` as its intent and its
    JSON values ({} when none); None when the text is not a payload."""
    match = PAYLOAD.match(text.strip())
    if not match:
        return None
    values: Any = {}
    if match.group(2):
        try:
            values = json.loads(match.group(2))
        except ValueError:
            return None
    return (match.group(1), values) if isinstance(values, dict) else None


def payload_choice(text: str) -> str | None:
    """The `choice` carried by a button payload such as `/inform{"choice":"review"}`."""
    parts = split_payload(text)
    value = parts[1].get("choice") if parts else None
    return value if isinstance(value, str) else None


def button_values(buttons: Sequence[Mapping[str, Any]] | None) -> list[str]:
    """The choice values of a list of Rasa buttons, in order."""
    values = []
    for button in buttons or ():
        value = payload_choice(str(button.get("payload", "")))
        if value is not None:
            values.append(value)
    return values


# ---------------------------------------------------------------- typed choices

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def _is_symbol(ch: str) -> bool:
    """Emoji, pictographs and their joiners: not part of what a button says in words."""
    if ch in ("\u200d", "\ufe0f", "\ufe0e", "\u20e3"):
        return True
    return unicodedata.category(ch) in ("So", "Sk", "Cs", "Co")


def normal_words(text: str) -> str:
    """Lowercase words without emoji, accents or punctuation (apostrophes kept), single-spaced."""
    out = []
    for ch in (text or "").translate(_QUOTES):
        if _is_symbol(ch):
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base or ch)
    lowered = "".join(out).lower()
    cleaned = "".join(" " if ch in string.punctuation and ch != "'" else ch for ch in lowered)
    return " ".join(cleaned.split())


def typed_number(reply: str, count: int, *, number_words: bool = True) -> int | None:
    """The 1-based button number a reply names ("2", "2.", "two"), or None when it names none.

    A number outside 1..count is still a number (returned as is) so the caller can refuse it rather than keep
    "5" as words; number words count only with at least two buttons.
    """
    words = normal_words(reply)
    if re.fullmatch(r"\d{1,2}", words):
        return int(words)
    if number_words and words in NUMBER_WORDS and count >= 2:
        return NUMBER_WORDS[words]
    return None


def typed_choice(
    reply: str, options: Sequence[Mapping[str, Any]] | None, *, number_words: bool = True
) -> str | None:
    """The payload of the option a reply picks: its number ("2", "2.", "two") or its words; else None."""
    if not options:
        return None
    number = typed_number(reply, len(options), number_words=number_words)
    if number is not None:
        return str(options[number - 1]["payload"]) if 1 <= number <= len(options) else None
    words = normal_words(reply)
    for option in options:
        if words and normal_words(str(option.get("title", ""))) == words:
            return str(option["payload"])
    return None


# Payloads a channel sends by itself, never shown as a button: the widget's greeting when a chat opens.
CHANNEL_PAYLOADS = frozenset({"/greet"})


def as_sent(text: str, offered: Sequence[Mapping[str, Any]] | None) -> str:
    """What a child's message means once it reaches Heard: a button payload only when it is one Heard offered in
    its last turn (or the channel's own greeting); anything else that starts with "/" was typed, so it is read as
    words ("/ my name is Tayla" is "my name is Tayla"), never as an intent ("/disclose_harm", "/restart") and never
    left for Rasa to log as a payload it could not parse."""
    if not text.startswith("/"):
        return text
    if text in CHANNEL_PAYLOADS or any(str(option.get("payload")) == text for option in offered or ()):
        return text
    return text.lstrip("/").strip()


# ---------------------------------------------------------------- audiences of a statement

AUDIENCES: tuple[str, ...] = ("social_worker", "iro", "carer", "parent", "advocate")

# How each audience is named, by voice: to the child, to staff, and in the child's own statement.
AUDIENCE_NAMES: dict[str, dict[str, str]] = {
    "child": {
        "social_worker": "your social worker",
        "iro": "the IRO",
        "carer": "your carer",
        "parent": "your parent",
        "advocate": "your advocate",
    },
    "staff": {
        "social_worker": "social worker",
        "iro": "IRO",
        "carer": "carer",
        "parent": "parent",
        "advocate": "advocate",
    },
    "statement": {
        "social_worker": "my social worker",
        "iro": "my IRO",
        "carer": "my carer",
        "parent": "my parent",
        "advocate": "my advocate",
    },
}


def audience_name(audience: str, voice: str = "staff") -> str:
    """One audience in one voice; an unknown value is shown as it is."""
    return AUDIENCE_NAMES[voice].get(audience, audience)


def audiences_list(values: Iterable[str], voice: str = "staff", prefix: str = "") -> str:
    """``["iro", "social_worker"]`` -> ``"IRO, social worker"`` (staff and statement voices; comma-joined)."""
    return ", ".join(prefix + audience_name(v, voice) for v in values)


def roles_label(roles: Iterable[str]) -> str:
    """'your social worker, the IRO and your carer' for a list of audiences: how the child hears it."""
    names = AUDIENCE_NAMES["child"]
    parts = [names[r] for r in roles if r in names]
    if not parts:
        return "nobody yet"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]
