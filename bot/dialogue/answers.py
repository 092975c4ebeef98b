"""How a child's message inside a form becomes an answer, a digression, or a request to try again.

Plain Python, no Rasa: the form validation actions in `actions/forms.py` call `read_answer`.
Button labels and values live in `domain.yml`; this module knows the words a child may type
instead (synonyms, misspellings, a button's number).
"""

from __future__ import annotations

import difflib
import json
import re
import string
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from bot.config import get_settings

SKIP = "skip"
UNKNOWN = "unknown"

# Intents that answer a question about the conversation rather than the question asked.
DIGRESSION_INTENTS = frozenset(
    {
        "ask_about_advocate",
        "ask_about_review",
        "ask_about_iro",
        "ask_about_care_plan",
        "ask_about_visitor",
        "ask_privacy",
        "help",
        "say_it_simpler",
        "read_aloud",
        "audio_off",
        "talk_to_person",
    }
)
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

SHARE_ROLES = ("social_worker", "iro", "carer", "parent", "advocate")

# Typed words for each button value, per slot. Matching is on whole words after lowercasing.
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "adv_reason": {
        "review": ("review", "revew", "reveiw", "lac", "cla", "looked after"),
        "cp_conference": ("child protection", "cp", "conference", "protection"),
        "complaint": ("complaint", "complain", "complaining", "complane"),
        "listened_to": ("listen", "listens", "listened", "listening", "ignored", "ignore", "ignoring"),
        "other": ("something else", "else", "other"),
    },
    "contact_how": {
        "text": ("text", "txt", "sms", "message"),
        "phone": ("phone", "call", "ring", "fone"),
        "carer": ("carer", "foster", "key worker"),
        "school": ("school", "skool", "college"),
        "other": ("another way", "other", "email"),
    },
    "contact_when": {
        "after_school": ("after school", "afterschool", "after skool"),
        "evening": ("evening", "evenings", "night", "tea time", "teatime"),
        "weekend": ("weekend", "weekends", "saturday", "sunday"),
        "any_time": ("any time", "anytime", "whenever", "any"),
    },
    "adv_tell_sw": {
        "yes": ("yes", "yeah", "yep", "yh", "ya", "ok", "okay", "sure", "fine", "y"),
        "no": ("no", "nope", "nah", "dont", "don't", "n", "not"),
    },
    "w_attend": {
        "self": ("myself", "me", "talk myself", "speak myself", "on my own"),
        "with_advocate": ("advocate", "with an advocate", "with advocate"),
        "someone_else": ("someone else", "someone", "for me", "say it for me"),
        "not_attend": ("not go", "dont want to go", "don't want to go", "not going", "no"),
    },
    "iv_kind": {
        "independent_visitor": ("visitor", "independent visitor", "iv", "visiter"),
        "mentor": ("mentor", "mentur", "menter"),
        "not_sure": ("not sure", "dunno", "idk", "don't know", "dont know", "either"),
    },
    "w_confirm": {
        "send": ("send", "yes", "send it", "done", "ok", "okay", "yeah", "yep"),
        "change": ("change", "edit", "fix", "change an answer", "no"),
    },
    "match_decision": {
        "accept": ("yes", "yeah", "yep", "ok", "okay", "sure", "accept", "like that"),
        "object": ("no", "nope", "nah", "dont", "don't", "no thanks", "someone else", "not"),
    },
    "w_change_which": {
        "w_review_date": ("date", "when"),
        "w_going_well": ("going well", "well", "good"),
        "w_not_going_well": ("not going well", "not well", "bad"),
        "w_change": ("change", "what to change"),
        "w_who_at_meeting": ("who", "invite", "meeting"),
        "w_attend": ("take part", "how", "attend", "go"),
        "w_for_iro": ("iro", "for the iro"),
        "w_share_with": ("see", "who can see", "share"),
    },
}

# Slots where any typed words are kept when they match no button.
TEXT_OK = frozenset(
    {
        "adv_words", "anon_name", "anon_council", "contact_how", "contact_detail", "contact_when",
        "w_review_date", "w_going_well", "w_not_going_well", "w_change", "w_who_at_meeting",
        "w_for_iro", "iv_wish", "match_reason", "match_preferences",
    }
)
# Slots whose "skip" button is a real answer (nothing to add).
SKIPPABLE = frozenset(
    {"adv_words", "w_going_well", "w_not_going_well", "w_change", "w_who_at_meeting", "w_for_iro",
     "iv_wish", "match_reason", "match_preferences"}
)

# Buttons questions whose next question is open ("in your own words", "what kind of person?"): a sentence
# typed instead of pressing a button is understood, not refused. It picks the button it names ("i want to
# complain about my carer": complaint) or else the catch-all button, and its words become the next answer,
# kept verbatim, so the child is not asked for them again. slot -> (catch-all value, slot that keeps words).
# Never for yes/no questions (adv_tell_sw, w_confirm, match_decision: an objection stops an appointment, so
# it is never guessed from free text).
SENTENCE_ANSWERS: dict[str, tuple[str, str]] = {
    "adv_reason": ("other", "adv_words"),
    "iv_kind": ("not_sure", "iv_wish"),
}
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

ROLE_WORDS: dict[str, tuple[str, ...]] = {
    "social_worker": ("social worker", "socail worker", "social", "sw", "socialworker"),
    "iro": ("iro", "reviewing officer", "chair"),
    "carer": ("carer", "carers", "foster", "key worker", "keyworker", "staff"),
    "parent": ("parent", "parents", "mum", "mam", "mom", "dad", "family"),
    "advocate": ("advocate", "advocat", "advokate"),
}
EVERYONE_WORDS = ("everyone", "everybody", "all", "all of them")


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


def match_choice(slot: str, text: str, buttons: Sequence[Mapping[str, Any]] | None = None) -> str | None:
    """Map typed words (or a button's number) to one button value, or None if unclear."""
    values = button_values(buttons)
    words = _words(text)
    stripped = words.strip()
    if stripped.isdigit() and values:
        index = int(stripped) - 1
        return values[index] if 0 <= index < len(values) else None
    for button in buttons or ():
        if _words(str(button.get("title", ""))) == words:
            return payload_choice(str(button.get("payload", "")))
    if stripped in values:
        return stripped
    synonyms = SYNONYMS.get(slot, {})
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
        roles = [r for r in choice.split(",") if r in SHARE_ROLES]
        return roles or None
    words = _words(text)
    if any(_has_phrase(words, w) for w in EVERYONE_WORDS):
        return list(SHARE_ROLES)
    found = [role for role in SHARE_ROLES if any(_has_phrase(words, w) for w in ROLE_WORDS[role])]
    if found:
        return found
    numbers = [int(n) for n in re.findall(r"\b([1-5])\b", text)]
    if numbers:  # numbered like the buttons in the SMS version of the question
        presets = [["social_worker", "iro"], ["social_worker", "iro", "carer"], list(SHARE_ROLES), ["iro"]]
        if len(numbers) == 1 and numbers[0] <= len(presets):
            return presets[numbers[0] - 1]
    return None


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


def _is_digression(slot: str, text: str, intent: str | None, confidence: float) -> bool:
    """A confident question or request about the conversation, not an answer. In an open question only a
    question, or a short request that is not a mention of a topic ("my advocate") or "help with school"."""
    word_count = len(text.split())
    threshold = SHORT_DIGRESSION_MIN_CONFIDENCE if word_count <= 6 else DIGRESSION_MIN_CONFIDENCE
    if intent not in DIGRESSION_INTENTS or confidence < threshold:
        return False
    if slot not in TEXT_OK:
        return True
    if intent == "help" and HELP_WITH.search(_words(text)):
        return False
    return looks_like_question(text) or (word_count <= 6 and intent not in TOPIC_INTENTS)


def read_answer(
    slot: str,
    text: str | None,
    intent: str | None,
    confidence: float,
    buttons: Sequence[Mapping[str, Any]] | None = None,
) -> Outcome:
    """Decide what a message means for the slot the form asked for."""
    text = text or ""
    choice = payload_choice(text)
    if text.startswith("/"):
        if choice is None:
            return Outcome("digress")  # an intent button, e.g. /ask_about_advocate or /stop
        if slot == "w_share_with":
            roles = parse_share_with(text)
            return Outcome("fill", roles) if roles else Outcome("invalid")
        if choice == SKIP and slot in SKIPPABLE:
            return Outcome("fill", "")
        if slot in SYNONYMS and choice not in SYNONYMS[slot] and choice != UNKNOWN:
            return Outcome("invalid")
        return Outcome("fill", choice)

    if intent == "disclose_harm":
        return Outcome("digress")
    word_count = len(text.split())
    if intent == "stop" and _words(text).strip() in STOP_PHRASES:
        return Outcome("digress")
    if not text.strip():
        return Outcome("empty")
    if len(text) > get_settings().max_text:
        return Outcome("too_long")

    matched = parse_share_with(text) if slot == "w_share_with" else match_choice(slot, text, buttons)
    if matched == SKIP and slot in SKIPPABLE:
        return Outcome("fill", "")
    if matched is None and _is_digression(slot, text, intent, confidence):
        return Outcome("digress")
    if slot in SENTENCE_ANSWERS and looks_like_sentence(text) and not looks_like_question(text):
        # "they took my phone for a week" at "what do you want help with?": something else, in their words;
        # "i want a mentor who likes art" at "visitor or mentor?": a mentor, and the words say what kind.
        value, words_slot = SENTENCE_ANSWERS[slot]
        return Outcome("fill", matched or value, also={words_slot: text}, note="kept_your_words")
    if matched is not None and (slot not in TEXT_OK or word_count <= 3):
        # A short typed choice ("text me") becomes the button's value; longer words are kept verbatim.
        return Outcome("fill", matched)
    if slot in TEXT_OK:
        return Outcome("fill", text)
    return Outcome("invalid")


def roles_label(roles: Iterable[str]) -> str:
    """'your social worker, the IRO and your carer' for a list of role keys."""
    names = {
        "social_worker": "your social worker",
        "iro": "the IRO",
        "carer": "your carer",
        "parent": "your parent",
        "advocate": "your advocate",
    }
    parts = [names[r] for r in roles if r in names]
    if not parts:
        return "nobody yet"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]
