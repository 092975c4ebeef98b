"""How a child's message inside a form becomes an answer, a digression, or a request to try again.

Plain Python, no Rasa: the form validation actions in `actions/forms.py` call `read_answer`. What each
question is (its kind, its typed words, whether it can be skipped) is in the form registry,
`bot/dialogue/forms.py`; what a button or a typed number means is in `bot/vocabulary.py`. This module has one
reader per kind of question, chosen by the registry.
"""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from bot.config import get_settings
from bot.dialogue.forms import CHOICE, OPEN, SHARE_WITH, YES_NO, Question, question
from bot.dialogue import share_with
from bot.dialogue.intents import DIGRESSION_INTENTS, HARM_INTENT, STOP_INTENT
from bot.vocabulary import AUDIENCES, button_values, payload_choice, typed_number

SKIP = "skip"
UNKNOWN = "unknown"

# In an open question a short mention of a topic is an answer ("who do you want at the meeting?" "my advocate");
# only a question about it ("whats an iro", "advocate?") is a digression.
TOPIC_INTENTS = frozenset(
    {"ask_about_advocate", "ask_about_review", "ask_about_iro", "ask_about_care_plan", "ask_about_visitor"}
)
# "help with school" answers "tell me a bit more"; "help" or "i need help" alone asks for help.
HELP_WITH = re.compile(r"\bhelp\w* (with|for|about|at|on|to|getting|sorting|moving|seeing)\b")
DIGRESSION_MIN_CONFIDENCE = 0.7
SHORT_DIGRESSION_MIN_CONFIDENCE = 0.45  # "i dont get it", "read it out": short, and rarely an answer
# Stopping throws the answers away, so inside a form only a plain "stop" stops: a message the classifier
# merely thinks is "stop" ("i dont see my brother enough") is kept as an answer.
STOP_PHRASES = frozenset(
    {"stop", "stop it", "stop this", "stop now", "cancel", "cancel it", "quit", "exit", "end", "end it",
     "forget it", "never mind", "nevermind", "leave it", "i want to stop", "i dont want to do this",
     "i don't want to do this", "stop please", "please stop", "no more", "stop stop", "cancel this"}
)

# A sentence typed at a choice question whose registry entry has a `sentence_fallback` ("they took my phone
# and didnt say why" at "what do you want help with?") picks the button it names or the catch-all, and its
# words become the next answer. Never for yes/no questions: a decision is never guessed from free text.
SENTENCE_MIN_WORDS = 4
# Words almost every sentence a child types has one of; a keyboard mash or a list of names has none.
COMMON_WORDS = frozenset(
    {"i", "im", "i'm", "ive", "i've", "me", "my", "mine", "we", "us", "our", "you", "your", "he", "she",
     "they", "them", "their", "his", "her", "him", "it", "its", "it's", "the", "a", "an", "and", "but", "or",
     "so", "to", "of", "in", "on", "at", "for", "with", "from", "about", "not", "no", "dont", "don't",
     "didnt", "didn't", "cant", "can't", "wont", "won't", "is", "was", "are", "were", "be", "been", "have",
     "has", "had", "do", "did", "does", "want", "wanna", "need", "because", "cos", "coz", "when", "that",
     "this", "there", "what", "why", "who", "keep", "keeps", "said", "say", "says", "told", "get", "got"}
)


@dataclass(frozen=True)
class Outcome:
    """What to do with a message: `fill` the slot, `digress`, or tell the child why not.

    A fill may also fill other slots (`also`) and say a catalogue message first (`note`).
    """

    kind: str  # fill | digress | invalid | empty | too_long
    value: Any = None
    also: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None


def _words(text: str) -> str:
    lowered = text.lower().replace("’", "'")
    cleaned = "".join(" " if ch in string.punctuation and ch != "'" else ch for ch in lowered)
    return " " + " ".join(cleaned.split()) + " "


def _has_phrase(words: str, phrase: str) -> bool:
    return f" {phrase} " in words


def _synonyms(slot: str) -> Mapping[str, tuple[str, ...]]:
    q = question(slot)
    return q.synonyms if q is not None else {}


def match_choice(slot: str, text: str, buttons: Sequence[Mapping[str, Any]] | None = None) -> str | None:
    """Map typed words (or a button's number) to one button value, or None if unclear."""
    values = button_values(buttons)
    words = _words(text)
    stripped = words.strip()
    number = typed_number(text, len(values), number_words=False) if values else None
    if number is not None:
        return values[number - 1] if 1 <= number <= len(values) else None
    for button in buttons or ():
        if _words(str(button.get("title", ""))) == words:
            return payload_choice(str(button.get("payload", "")))
    if stripped in values:
        return stripped
    synonyms = _synonyms(slot)
    # Longest phrase wins, so "not going well" beats "going well".
    hits: list[tuple[int, str]] = []
    for value, phrases in synonyms.items():
        for phrase in phrases:
            if _has_phrase(words, phrase):
                hits.append((len(phrase), value))
    if not hits:
        return _misspelt_choice(words, synonyms)
    hits.sort(reverse=True)
    best_len = hits[0][0]
    best = {value for length, value in hits if length == best_len}
    return best.pop() if len(best) == 1 else None


TYPO_MAX_WORDS = 3  # only a short answer is read as a misspelt choice
TYPO_MIN_LENGTH = 5  # short words are too alike ("note" / "nope") to guess
TYPO_CUTOFF = 0.8  # difflib similarity: "complant" ~ "complaint" is 0.94


def _misspelt_choice(words: str, synonyms: Mapping[str, tuple[str, ...]]) -> str | None:
    """A short answer with a misspelt word ("complant") picks the one value it is close to, else None."""
    typed = [w for w in words.split() if len(w) >= TYPO_MIN_LENGTH]
    if not typed or len(words.split()) > TYPO_MAX_WORDS:
        return None
    by_word = {p: v for v, phrases in synonyms.items() for p in phrases if " " not in p and len(p) >= TYPO_MIN_LENGTH}
    found = {by_word[m] for w in typed for m in difflib.get_close_matches(w, by_word, n=1, cutoff=TYPO_CUTOFF)}
    return found.pop() if len(found) == 1 else None


def parse_share_with(text: str) -> list[str] | None:
    """Roles a child allows to see a statement, from a button value or typed words."""
    choice = payload_choice(text)
    if choice is not None:
        roles = [r for r in choice.split(",") if r in AUDIENCES]
        return roles or None
    return share_with.parse(text)


def looks_like_sentence(text: str) -> bool:
    """Several real words, as a child types a reason ("they took my phone and didnt say why"): not one word,
    emoji, markup ("<script>"), a keyboard mash or the same word again and again."""
    words = []
    for token in text.lower().replace("’", "'").split():
        word = token.strip(string.punctuation)
        if word and all(ch.isalpha() or ch == "'" for ch in word):
            words.append(word)
    return (
        len(words) >= SENTENCE_MIN_WORDS
        and len(set(words)) >= SENTENCE_MIN_WORDS - 1
        and any(word in COMMON_WORDS for word in words)
    )


def looks_like_question(text: str) -> bool:
    words = _words(text).split()
    starters = {"what", "whats", "what's", "wat", "wats", "wat's", "wot", "wots", "wut", "who", "whos", "who's",
                "how", "why", "can", "will", "is", "are", "do", "does", "explain", "huh", "eh", "wdym", "help"}
    return "?" in text or (bool(words) and words[0] in starters)


def _is_digression(q: Question, text: str, intent: str | None, confidence: float) -> bool:
    """A confident question or request about the conversation, not an answer. In an open question only a
    question, or a short request that is not a mention of a topic ("my advocate") or "help with school"."""
    word_count = len(text.split())
    threshold = SHORT_DIGRESSION_MIN_CONFIDENCE if word_count <= 6 else DIGRESSION_MIN_CONFIDENCE
    if intent not in DIGRESSION_INTENTS or confidence < threshold:
        return False
    if q.kind != OPEN:
        return True
    if intent == "help" and HELP_WITH.search(_words(text)):
        return False
    return looks_like_question(text) or (word_count <= 6 and intent not in TOPIC_INTENTS)


# ---------------------------------------------------------------- one reader per kind of question

Reader = Callable[[Question, str, "str | None", float, "Sequence[Mapping[str, Any]] | None"], Outcome]


def _read_payload(q: Question, text: str) -> Outcome:
    """A pressed button: its value, if it is one of this question's."""
    choice = payload_choice(text)
    if choice is None:
        return Outcome("digress")  # an intent button, e.g. /ask_about_advocate or /stop
    if q.kind == SHARE_WITH:
        roles = parse_share_with(text)
        return Outcome("fill", roles) if roles else Outcome("invalid")
    if choice == SKIP and q.skippable:
        return Outcome("fill", "")
    if q.synonyms and choice not in q.synonyms and choice != UNKNOWN:
        return Outcome("invalid")
    return Outcome("fill", choice)


def _read_before_kind(text: str, intent: str | None) -> Outcome | None:
    """What holds for every kind of question: a disclosure, a plain stop, nothing written, too much."""
    if intent == HARM_INTENT:
        return Outcome("digress")
    if intent == STOP_INTENT and _words(text).strip() in STOP_PHRASES:
        return Outcome("digress")
    if not text.strip():
        return Outcome("empty")
    if len(text) > get_settings().max_text:
        return Outcome("too_long")
    return None


def _read_choice(q, text, intent, confidence, buttons) -> Outcome:
    """A buttons question (and yes/no, which never reads a sentence as a button)."""
    matched = match_choice(q.slot, text, buttons)
    if matched == SKIP and q.skippable:
        return Outcome("fill", "")
    if matched is None and _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    if q.sentence_fallback is not None and looks_like_sentence(text) and not looks_like_question(text):
        # "they took my phone for a week" at "what do you want help with?": something else, in their words;
        # "i want a mentor who likes art" at "visitor or mentor?": a mentor, and the words say what kind.
        value, words_slot = q.sentence_fallback
        return Outcome("fill", matched or value, also={words_slot: text}, note="kept_your_words")
    return Outcome("fill", matched) if matched is not None else Outcome("invalid")


def _read_open(q, text, intent, confidence, buttons) -> Outcome:
    """The child's own words, kept verbatim; a short typed choice ("text me") becomes the button's value."""
    matched = match_choice(q.slot, text, buttons)
    if matched == SKIP and q.skippable:
        return Outcome("fill", "")
    if matched is None and _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    if matched is not None and len(text.split()) <= 3:
        return Outcome("fill", matched)
    return Outcome("fill", text)


def _read_share_with(q, text, intent, confidence, buttons) -> Outcome:
    """Who may see a statement: audiences named, "everyone", or a button's number."""
    roles = parse_share_with(text)
    if roles is None and _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    return Outcome("fill", roles) if roles is not None else Outcome("invalid")


READERS: dict[str, Reader] = {
    CHOICE: _read_choice,
    YES_NO: _read_choice,
    OPEN: _read_open,
    SHARE_WITH: _read_share_with,
}


def read_answer(
    slot: str,
    text: str | None,
    intent: str | None,
    confidence: float,
    buttons: Sequence[Mapping[str, Any]] | None = None,
) -> Outcome:
    """Decide what a message means for the slot the form asked for (the registry says which reader)."""
    q = question(slot) or Question(slot, CHOICE)
    text = text or ""
    if text.startswith("/"):
        return _read_payload(q, text)
    return _read_before_kind(text, intent) or READERS[q.kind](q, text, intent, confidence, buttons)
