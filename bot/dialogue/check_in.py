"""The child's answer to a safeguarding check-in ("Is someone hurting you, or making you feel unsafe?").

Plain Python, no Rasa. A pressed button (``/check_in_answer{"choice":"yes"}``), its number or its words, or a
typed answer ("yeah", "nah im fine", "idk") becomes ``yes``, ``no`` or ``not_sure``; anything else is None
(``unclear``). Yes and not sure are answered as a disclosure (an alert is raised); no is answered kindly.
"""

from __future__ import annotations

import re
from typing import Any, Collection, Mapping

from bot.dialogue.everyday import asked_for_service
from bot.dialogue.intents import CHECK_IN_ANSWER_INTENT, CONCERN_INTENT, HARM_INTENT, SAFETY_INTENTS
from bot.dialogue.typed_buttons import parse_data
from bot.vocabulary import payload_choice, split_payload

YES, NO, NOT_SURE, UNCLEAR, DISCLOSED = "yes", "no", "not_sure", "unclear", "disclosed"
ANSWERS = (YES, NO, NOT_SURE)
ALERT_ANSWERS = frozenset({YES, NOT_SURE})
BUTTON_ORDER = (YES, NO, NOT_SURE)  # as the check-in's buttons are numbered on SMS

# Longest phrase wins: "not sure" beats "no", "no one" beats "one".
PHRASES: dict[str, tuple[str, ...]] = {
    NOT_SURE: ("not sure", "dunno", "dont know", "don't know", "do not know", "idk", "maybe", "kind of",
               "kinda", "sort of", "sorta", "sometimes", "a bit", "a little", "i think so", "possibly",
               "not really sure", "unsure", "i guess", "its complicated", "it's complicated"),
    YES: ("yes", "yeah", "yea", "yep", "yup", "ye", "yh", "ya", "y", "yess", "yes please", "help me",
          "please help"),
    NO: ("no", "nope", "nah", "na", "n", "no one", "nobody", "noone", "not really", "im ok", "i'm ok",
         "im fine", "i'm fine", "i am fine", "i am ok", "im safe", "i'm safe", "i am safe", "no im fine",
         "no thanks", "all good", "im good", "i'm good", "its fine", "it's fine", "no way"),
}
_WORDS_RE = re.compile(r"[a-z']+|[0-9]+")


def _words(text: str) -> str:
    return " " + " ".join(_WORDS_RE.findall(text.lower().replace("’", "'"))) + " "


def read_answer(text: str | None, intent: str | None = None) -> str | None:
    """``yes``, ``no`` or ``not_sure`` for the child's reply to a check-in, or None when it is none of these."""
    text = (text or "").strip()
    if text.startswith("/"):
        parts = split_payload(text)
        if parts is not None and parts[0] == CHECK_IN_ANSWER_INTENT:
            choice = payload_choice(text)
            return choice if choice in ANSWERS else None
        return None
    if intent in (HARM_INTENT, CONCERN_INTENT):
        return NOT_SURE  # another worrying message in reply to "is someone hurting you?"
    words = _words(text)
    if words.strip() in ("1", "2", "3"):
        return BUTTON_ORDER[int(words) - 1]
    hits = [(len(p), value) for value, phrases in PHRASES.items() for p in phrases if f" {p} " in words]
    if hits:
        return max(hits)[1]
    if intent == "affirm":
        return YES
    if intent == "deny":
        return NO
    return None


# After "no" to a check-in outside a form, the request the checked message also made is taken up ("i want an
# advocate, im moving placement again and i dont want to go": the advocate form starts with those words), when the
# classifier was at least this sure of it.
RESUME_CONFIDENCE = 0.5


def asked_for(checked: Mapping[str, Any], resumable: Collection[str]) -> dict[str, Any] | None:
    """What the checked message asked for besides the possible harm, as parse data to run the turn again with (the
    child's words unchanged, the intent the classifier placed next); None when it asked for nothing in
    ``resumable`` with at least ``RESUME_CONFIDENCE``."""
    text = str(checked.get("text") or "")
    in_words = asked_for_service(text)  # "wanna complain about my school transport driver ...": said in words
    if in_words in resumable:
        return parse_data(text, in_words)
    for entry in checked.get("intent_ranking") or []:
        name = entry.get("name")
        if name in SAFETY_INTENTS:
            continue
        confidence = float(entry.get("confidence") or 0.0)
        if name not in resumable or confidence < RESUME_CONFIDENCE:
            return None
        return parse_data(text, name, confidence, checked.get("entities") or [])
    return None
