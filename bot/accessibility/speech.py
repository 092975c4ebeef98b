"""Text made ready to be spoken: no emoji read as noise, short letter-words spelt out, phone numbers
read digit by digit, and a reply's buttons read out as its choices.

    >>> speakable("Call Childline free on 0800 1111. \\U0001F4DE Your IRO can help.")
    'Call Childline free on zero eight zero zero, one one one one. Your I R O can help.'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# Letter-words a speech engine would read as one word ("eye-roh"); each letter is said instead.
SPELL_OUT = {"IRO", "IROs", "SMS", "NHS", "CP", "LAC", "IV", "GP", "PA", "ID", "TV", "UK", "SW", "CIC"}
# Symbols worth saying; every other symbol, emoji and pictograph is left out.
SYMBOL_WORDS = {"&": " and ", "%": " per cent", "+": " plus ", "=": " is ", "@": " at ", "£": " pounds "}

_PHONE = re.compile(
    r"(?<![\w£])(?:"
    r"\+44\s?\d{2,5}(?:[\s-]?\d{2,4}){1,3}"  # +44 20 7946 0000
    r"|0\d{2,4}(?:[\s-]?\d{3,4}){1,2}"  # 0800 1111, 020 7946 0000, 0808 800 5000
    r"|116\s?\d{3}"  # 116 123 (Samaritans)
    r"|999|111|112"  # emergency and NHS numbers
    r")(?![\w])"
)


def _say_digits(match: re.Match[str]) -> str:
    groups = re.split(r"[\s-]+", match.group(0).replace("+", "plus "))
    spoken = []
    for group in groups:
        if group == "plus":
            spoken.append("plus")
            continue
        spoken.append(" ".join(DIGITS[int(d)] for d in group if d.isdigit()))
    return ", ".join(s for s in spoken if s)


def _spell(match: re.Match[str]) -> str:
    word = match.group(0)
    plural = word.endswith("s") and word[:-1].isupper()
    letters = word[:-1] if plural else word
    spelt = " ".join(letters)
    return f"{spelt}'s" if plural else spelt


def _drop_symbols(text: str) -> str:
    out = []
    for ch in text:
        if ch in SYMBOL_WORDS:
            out.append(SYMBOL_WORDS[ch])
            continue
        category = unicodedata.category(ch)
        if ch in "\u200d\ufe0f\ufe0e" or category in {"So", "Sk", "Cs", "Co", "Mn", "Cf"}:
            out.append(" ")  # emoji, pictographs, joiners, variation selectors
        elif ch == "•":
            out.append("\n")
        else:
            out.append(ch)
    return "".join(out)


def speakable(text: str) -> str:
    """`text` as it should be spoken (plain words, one line)."""
    text = _PHONE.sub(_say_digits, unicodedata.normalize("NFC", text)).replace("…", ".")  # a trailing-off pause
    text = re.sub(r"£\s?(\d+(?:\.\d\d)?)", r"\1 pounds", text)
    text = _drop_symbols(text)
    spell_pattern = r"\b(?:" + "|".join(sorted(map(re.escape, SPELL_OUT), key=len, reverse=True)) + r")\b"
    text = re.sub(spell_pattern, _spell, text)
    # A line break is a pause: end the line as a sentence when it has no stop of its own.
    lines = [re.sub(r"\s+", " ", line).strip(" ") for line in text.splitlines()]
    lines = [line for line in lines if line and re.search(r"\w", line)]
    text = " ".join(line if line[-1] in ".!?:," else line + "." for line in lines)
    text = re.sub(r"\s+([.,!?:;])", r"\1", text)
    text = re.sub(r"([.!?])[.!?,]+", r"\1", text)
    return text.strip()


def spoken_reply(text: str, buttons: Sequence[str] = ()) -> str:
    """The whole reply as speech: its words, then its buttons as choices."""
    spoken = speakable(text)
    titles = [t for t in (speakable(b).rstrip(".") for b in buttons) if t]
    if not titles:
        return spoken
    if len(titles) == 1:
        choices = f"You can press: {titles[0]}."
    else:
        choices = "You can press: " + ". ".join(titles[:-1]) + f". Or: {titles[-1]}."
    return f"{spoken} {choices}".strip()
