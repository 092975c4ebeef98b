"""Everyday words said outside a form, answered kindly instead of "Sorry, I did not get that" (issue 14, item 4).

Plain Python, no Rasa. Used by ``action_fallback`` and ``action_reply`` (``actions/conversation.py``) only for a
message the classifier could not place or placed as chat (the fallback, out of scope, a stray answer, a goodbye it
is not sure of), after the harm tiers have had it:

- a question about Heard itself ("are you a robot", "is this a real person"): the truthful answer (a computer; when
  a person reads what is sent);
- a wish ("i want a later bedtime", "can i see my brother more"): offered as something to tell the review. If the
  child says yes, the wishes form starts with those words kept as the first answer (``wish_to_tell``);
- a feeling ("im sad today", "i miss my little sister", "im nervous about my review"): a short, kind reply that
  names it, and what Heard can do;
- anything else said in a sentence (``small_talk``): something told is thanked, with the truth that Heard is a
  computer that cannot chat about everything; something asked that Heard cannot answer is said to be so. Never
  "say it another way" to a child who said it clearly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from bot.dialogue.child_says import looks_like_question
from bot.dialogue.typed_buttons import last_turn_buttons

ABOUT_HEARD = "about_heard"
CHAT = "chat"
QUESTION = "question"
# A message of fewer words than this that nothing placed gets "Sorry, I did not get that" ("pasta", "hmm ok"): too
# short to be sure what was meant. A longer one was said clearly enough to be answered as said (``small_talk``).
MIN_CHAT_WORDS = 3
WISH = "wish"
FEELING = "feeling"
MISSING = "missing"
# The offer's yes: an affirm the rules already send to action_reply, marked so that it is known for what it was.
TELL_REVIEW = '/affirm{"choice":"tell_review"}'

_ABOUT_HEARD = re.compile(
    r"\b(are|r|is) (you|u|this|it) (a |an )?(robot|bot|computer|machine|ai|real|human|person|real person"
    r"|a real person|actual person)\b|\b(robot|bot|computer|human|real person) or (a )?(human|person|robot|bot"
    r"|computer)\b|\bwho am i (talking|speaking|chatting) to\b"
    r"|\b(you are|ur|you're|youre|u r|u are) (a |an |just a )?(robot|bot|computer|machine|ai)\b"
)
_WISH = re.compile(
    r"^(but |and |so |well |ok |tbh |honestly |also )?(i|me) ?(really |just |rly |realy )?(want|wanna|wish|would like"
    r"|d like|'d like|would love|need) (to |a |an |my |more |some |the |mum|dad|nan|to be|[a-z])"
    r"|^(can|could|cn|may) i (please |pls |plz )?(have|get|go|see|live|stay|move|do|join|play|visit|keep|be)\b"
)
# A feeling word after "i am / im / i feel" (a few words between are fine: "im a bit sad").
_FEELINGS = {
    "sad": "sad", "lonely": "lonely", "upset": "upset", "angry": "angry", "cross": "cross", "mad": "angry",
    "nervous": "nervous", "worried": "worried", "anxious": "worried", "stressed": "stressed", "bored": "bored",
    "fed up": "fed up", "down": "down", "low": "low", "left out": "left out", "confused": "confused",
    "homesick": "homesick", "grumpy": "grumpy", "annoyed": "annoyed", "gutted": "sad", "rubbish": "low",
}
_FEELING = re.compile(
    r"\b(?:i am|im|i'm|i feel|i feel like|feeling|i been|ive been|i've been)(?: (?:so|really|a bit|a little|kind of"
    r"|kinda|quite|very|bit|abit|well|proper|rly|realy|super))* (?P<feeling>"
    + "|".join(sorted(_FEELINGS, key=len, reverse=True)) + r")\b"
)
_LOOSE_ENDS = {"and", "or", "but", "my", "me", "the", "a", "so", "too", "x"}  # not said back at the end of who
_MISSING = re.compile(r"\bi (really |rly |realy |do |just )?miss (my |me )?([a-z' ]{2,30})")


# A plain request for what Heard does, said in words the classifier did not place as one ("can i have an advocate"
# as a wish, "i need an advocate because im leaving care" as a question about advocates): the request itself, with
# the child's words kept by the form it starts. The service word must follow the asking words directly.
# Hello in the first languages of children in care in England ("salam, i need advocat"): a greeting like "hi".
GREETINGS_IN_FIRST_LANGUAGES = frozenset({
    "salaam", "salam", "salaams", "assalamualaikum", "assalamu", "alaikum", "asalam", "hola", "bonjour", "salut",
    "ciao", "merhaba", "selam", "namaste", "hallo", "hej", "ola", "shalom", "habari", "jambo", "privet", "czesc",
    "ahoj", "zdravo", "tungjatjeta", "marhaba", "salve", "buna", "dzien", "dobry"})
_OPENING = (r"^((but|and|so|hi|hiya|hey|hello|ok|okay|please|pls|um|erm|yeah|yes|"
            + "|".join(sorted(GREETINGS_IN_FIRST_LANGUAGES)) + r") )*")
_ASKING = (
    _OPENING + r"(((i|we|me) (really |just |still |would |do |kind of |kinda )?)?(want|need|wanna|would like|d like"
    r"|'d like)|(can|could|may|cn|cud|can't|cant) (i|we) (please |pls |plz )?(have|get|ask for|make|put in))"
    r"( to (have|get|ask for|make|put in|talk to|speak to|see))? (an |a |a new |another |some |to )?"
)
_SERVICES = {
    "request_advocate": r"(advocate|advocat|advokate|advacate|advocet|advocates|some ?one on my side"
                        r"|sum1 on my side)",
    "request_visitor": r"(independent visitor|visitor|visiter|vistor|mentor|mentour|menter)",
    "make_complaint": r"(complain|complaint|complant|complane|complaint about)",
}
_SERVICE = {intent: re.compile(_ASKING + words + r"\b") for intent, words in _SERVICES.items()}


def asked_for_service(text: str | None) -> str | None:
    """The request intent a message plainly makes ("can i have an advocate", "i want to complain about my
    placement"), or None (a question about it, "what is an advocate", is not a request)."""
    plain = _plain(text or "")
    return next((intent for intent, pattern in _SERVICE.items() if pattern.search(plain)), None)


@dataclass(frozen=True)
class Everyday:
    """What kind of everyday message it is, and the words to name in the reply (the feeling, who is missed)."""

    kind: str
    words: str = ""


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")).split())


def read_everyday(text: str | None) -> Everyday | None:
    """The kind of an everyday message (``ABOUT_HEARD``, ``MISSING``, ``FEELING``, ``WISH``), or None."""
    plain = _plain(text or "")
    if not plain or (text or "").lstrip().startswith("/"):
        return None
    if _ABOUT_HEARD.search(plain):
        return Everyday(ABOUT_HEARD)
    missing = _MISSING.search(plain)
    if missing:
        who = missing.group(3).split()[:4]
        while who and who[-1] in _LOOSE_ENDS:
            who.pop()
        return Everyday(MISSING, ("your " if missing.group(2) else "") + " ".join(who))
    feeling = _FEELING.search(plain)
    if feeling:
        return Everyday(FEELING, _FEELINGS[feeling.group("feeling")])
    if _WISH.search(plain):
        return Everyday(WISH)
    return None


# a visitor, or a person who may be one ("i dont want him")
_VISITOR_WORDS = re.compile(r"\b(" + _SERVICES["request_visitor"] + r"|match|matched|iv|ivs|him|her|them|he|she"
                            r"|(that|this|the) (person|man|woman|lady|guy|one))\b")


def mentions_visitor(text: str | None) -> bool:
    """The message names a visitor or mentor, or a person who may be one ("i dont want that visitor", "i dont want
    him"; not "i dont like peas")."""
    return bool(_VISITOR_WORDS.search(_plain(text or "")))


def small_talk(text: str | None) -> str | None:
    """What is left of an everyday message nothing else placed: ``QUESTION`` (something asked that Heard cannot
    answer: "what anime should i watch next"), ``CHAT`` (something told: "my friend gave me half her kitkat"), or
    None when it is too short to tell (fewer than ``MIN_CHAT_WORDS`` words) or a button's payload."""
    raw = text or ""
    words = [word for word in _plain(raw).split() if re.search(r"[a-z]", word)]
    if raw.lstrip().startswith("/") or len(words) < MIN_CHAT_WORDS:
        return None
    return QUESTION if looks_like_question(raw) else CHAT


def wish_to_tell(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The wish to start the wishes form with, when the child's latest message said yes to the offer: the bot's
    last turn showed the offer's button (``TELL_REVIEW``) and the child's message before it is the wish."""
    if not any(b.get("payload") == TELL_REVIEW for b in last_turn_buttons(events)):
        return None
    users = [e for e in events if e.get("event") == "user"]
    return str(users[-2].get("text") or "") or None if len(users) >= 2 else None
