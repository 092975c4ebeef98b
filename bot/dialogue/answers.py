"""How a child's message inside a form becomes an answer, a digression, or a request to try again.

Plain Python, no Rasa: the form validation actions in `actions/forms.py` call `read_answer`. What each
question is (its kind, its typed words, whether it can be skipped) is in the form registry,
`bot/dialogue/forms.py`; what a button or a typed number means is in `bot/vocabulary.py`; what words say whatever
the question (a plain yes or no, a stop, "i told you") is in `bot/dialogue/child_says.py`. This module has one
reader per kind of question, chosen by the registry.
"""

from __future__ import annotations

import difflib
import re
import string
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from bot.config import get_settings
from bot.dialogue import dates
from bot.dialogue.child_says import (
    META_ANSWERS,
    NO_WORDS,
    SKIP_REQUEST,
    UNSURE,
    asks_to_delete_chat,
    asks_about_the_answers,
    asks_what,
    is_stop_sentence,
    looks_like_question,
    no_with_reason,
    padded_words,
    plain_yes_no,
    says_nobody,
    says_not_understood,
    says_nothing,
    yes_with_words,
)
from bot.dialogue.forms import (
    CHANGE_NOTHING,
    CHOICE,
    CONTACT_NEEDS_DETAIL,
    DATE,
    NOTHING_TO_CHANGE,
    OPEN,
    SHARE_WITH,
    YES_NO,
    Question,
    question,
)
from bot.dialogue import corrections, everyday, messages, share_with
from bot.dialogue.intents import (
    ACCESS_ACTIONS,
    DIGRESSION_INTENTS,
    SAFETY_INTENTS,
    STOP_INTENT,
)
from bot.vocabulary import AUDIENCES, button_values, normal_words, payload_choice, typed_number

SKIP = "skip"
UNKNOWN = "unknown"
NOT_SURE = "not_sure"
# A button value meaning "the words I typed before" (offered after "i told you"): the form action fills in
# those words from the conversation, so they are kept exactly.
PREVIOUS_WORDS = "previous_words"

# In an open question a short mention of a topic is an answer ("who do you want at the meeting?" "my advocate");
# only a question about it ("whats an iro", "advocate?") is a digression.
TOPIC_INTENTS = frozenset(
    {"ask_about_advocate", "ask_about_review", "ask_about_iro", "ask_about_care_plan", "ask_about_visitor"}
)
# "help with school" answers "tell me a bit more"; "help" or "i need help" alone asks for help.
HELP_WITH = re.compile(r"\bhelp\w* (with|for|about|at|on|to|getting|sorting|moving|seeing)\b")
# In an open question, asking someone to do something ("can you make sure my bus pass actually happens", "could u
# get them to fix my phone") is the child's answer, in their words, for the people who read it: not a question for
# Heard, however sure the classifier is of a topic.
ASKS_TO_ACT = re.compile(
    r"^((please|pls|plz|and|so|but|also|ok) )?(can|could|will|would|cn|cud|cant|can't) (you|u|ya|they|someone"
    r"|somebody|the iro|my iro|my social worker|my sw)( (please|pls|plz|just|actually|pretty please))? (make sure"
    r"|make them|get them|get my|get me|sort|fix|let me|help me (get|with|to|sort)|find|move|ask them|ask my"
    r"|tell them|tell my|give me|arrange|organise|organize|book|speak to|talk to (them|my))\b"
)
# A short statement at an open question is a request to Heard only if it asks for something Heard does ("talk to a
# person", "easier words", "read it out"); "video call with grandmother every sunday" or "that i like lego" is the
# child's answer, whatever the classifier makes of it.
REQUEST_CUES = frozenset(
    {"help", "person", "human", "someone", "somebody", "sum1", "talk", "speak", "simpler", "simple", "easier",
     "easy", "explain", "read", "loud", "aloud", "hear", "listen", "audio", "sound", "voice", "mute", "quiet",
     "words", "understand", "get", "mean", "again", "repeat", "confused", "slower", "bigger", "off", "privacy",
     "private", "see", "reads", "sees"}
)
# Of these, the words of "i dont get it" ask for simpler words only when the child says they do not understand: "get
# it" or "get my money back" at "What do you want to happen?" is the answer, whatever the classifier makes of it.
UNDERSTANDING_CUES = frozenset({"get", "understand", "mean"})
# "pls read all of it" at "Anything just for the IRO?" asks the reader to read everything, not for audio: "read"
# with one of READ_ALL and none of READ_TO_ME ("read it all out to me" asks for audio).
READ_ALL = frozenset({"all", "everything", "every", "whole", "properly", "carefully"})
READ_TO_ME = frozenset({"me", "out", "loud", "aloud", "hear", "listen", "voice", "audio", "say", "talk", "speak",
                        "sound", "cant", "can't", "reading", "dyslexic", "dyslexia", "glasses", "see", "back"})
DIGRESSION_MIN_CONFIDENCE = 0.7
SHORT_DIGRESSION_MIN_CONFIDENCE = 0.45  # "i dont get it", "read it out": short, and rarely an answer
# Only these short requests are taken at that lower confidence at an open question when they are not questions;
# a short statement the classifier half-thinks is about privacy ("the bus to school takes ages": ask_privacy 0.51)
# is the child's answer unless the classifier is sure.
SHORT_REQUEST_INTENTS = frozenset(ACCESS_ACTIONS) | {"help", "talk_to_person"}
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

    # fill | digress | invalid | empty | too_long | explain | meta | check_stop | not_a_date | date_needs_day |
    # which_date (value: the days the words may mean, ISO)
    kind: str
    value: Any = None
    also: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None


def _has_phrase(words: str, phrase: str) -> bool:
    return f" {phrase} " in words


# At an open question, a way said with "not" just before it is the way the child does not want ("text me, dont phone
# me"). Only there: at a buttons question the "not" is part of the answer ("they dont listen to me").
NEGATING = frozenset({"dont", "don't", "not", "never", "no", "cant", "can't"})


def _said_not_negated(words: str, phrase: str) -> bool:
    """Whether ``phrase`` is in ``words`` at least once without a "not" just before it ("dont call me", "do not
    ever ring me" are not the way to call)."""
    start = words.find(f" {phrase} ")
    while start >= 0:
        before = words[:start].split()
        if before and before[-1] in ("ever", "even"):
            before.pop()
        if not before or before[-1] not in NEGATING:
            return True
        start = words.find(f" {phrase} ", start + 1)
    return False


def _synonyms(slot: str) -> Mapping[str, tuple[str, ...]]:
    q = question(slot)
    return q.synonyms if q is not None else {}


def match_choice(slot: str, text: str, buttons: Sequence[Mapping[str, Any]] | None = None,
                 negatable: bool = False) -> str | None:
    """Map typed words (or a button's number) to one button value, or None if unclear. ``negatable`` (an open
    question's typed choice): a phrase with "not" just before it ("dont phone me") picks nothing."""
    values = button_values(buttons)
    words = padded_words(text)
    stripped = words.strip()
    number = typed_number(text, len(values), number_words=False) if values else None
    if number is not None:
        return values[number - 1] if 1 <= number <= len(values) else None
    for button in buttons or ():
        if padded_words(str(button.get("title", ""))) == words:
            return payload_choice(str(button.get("payload", "")))
    if stripped in values:
        return stripped
    if UNKNOWN in values and dates.is_dont_know(text):
        return UNKNOWN  # "dont know", "dont no", "idk" where "I don't know" is a button
    synonyms = _synonyms(slot)
    if CHANGE_NOTHING in values:  # "no is ok, all is good, no change" wherever "Nothing to change" is offered
        synonyms = {**synonyms, CHANGE_NOTHING: NOTHING_TO_CHANGE}
    # Longest phrase wins, so "not going well" beats "going well".
    hits: list[tuple[int, str]] = []
    for value, phrases in synonyms.items():
        for phrase in phrases:
            if _said_not_negated(words, phrase) if negatable else _has_phrase(words, phrase):
                hits.append((len(phrase), value))
    if not hits:
        return _misspelt_choice(words, synonyms) or _misspelt_title(text, buttons)
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


TITLE_CUTOFF = 0.7  # "ill go with a advocat" ~ "I'll go with an advocate" is 0.93, "i go and talk" 0.72
TITLE_MARGIN = 0.1  # and clearly closer to it than to any other button


def _negated(words: str) -> bool:
    """"i want to go" is not "I don't want to go": a typed title is only ever matched with a negation in both."""
    return any(w in NO_WORDS for w in words.split())


def _misspelt_title(text: str, buttons: Sequence[Mapping[str, Any]] | None) -> str | None:
    """A button's title typed with slips ("ill go with a advocat"): that button, when it is clearly the one."""
    typed = normal_words(text)
    negated = _negated(typed)
    scored = sorted(
        ((difflib.SequenceMatcher(None, typed, normal_words(str(b.get("title", "")))).ratio(), str(b.get("payload")))
         for b in buttons or ()
         if b.get("title") and b.get("payload") and _negated(normal_words(str(b["title"]))) == negated),
        reverse=True,
    )
    if not scored or scored[0][0] < TITLE_CUTOFF:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < TITLE_MARGIN:
        return None
    return payload_choice(scored[0][1])


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


SHORT_NO_WORDS = 3  # "nope thats all": a plain no this short at a skippable question is a skip


def _asks_someone_to_read_it_all(text: str) -> bool:
    words = set(normal_words(text).split())
    return bool(words & READ_ALL) and not words & READ_TO_ME


def _is_digression(q: Question, text: str, intent: str | None, confidence: float) -> bool:
    """A confident question or request about the conversation, not an answer. In an open question only a
    question, or a short request that is not a mention of a topic ("my advocate") or "help with school"."""
    word_count = len(text.split())
    threshold = SHORT_DIGRESSION_MIN_CONFIDENCE if word_count <= 6 else DIGRESSION_MIN_CONFIDENCE
    if intent not in DIGRESSION_INTENTS or confidence < threshold:
        return False
    if q.kind != OPEN:
        return True
    if intent == "help" and HELP_WITH.search(padded_words(text)):
        return False
    if intent == "read_aloud" and _asks_someone_to_read_it_all(text):
        return False
    if ASKS_TO_ACT.match(normal_words(text)):
        return False
    if looks_like_question(text):
        return True
    sure = intent in SHORT_REQUEST_INTENTS or confidence >= DIGRESSION_MIN_CONFIDENCE
    cues = REQUEST_CUES & set(normal_words(text).split())
    asks = (bool(cues) and not cues <= UNDERSTANDING_CUES) or says_not_understood(text)
    return word_count <= 6 and intent not in TOPIC_INTENTS and sure and asks


# ---------------------------------------------------------------- one reader per kind of question

Reader = Callable[[Question, str, "str | None", float, "Sequence[Mapping[str, Any]] | None"], Outcome]


def _read_payload(q: Question, text: str, buttons: Sequence[Mapping[str, Any]] | None = None) -> Outcome:
    """A pressed button: its value, if it is one of this question's. A payload is only a claim: a value that is
    neither a button the child was shown for this question nor one of its own values (`/inform{"choice":"yes"}`
    sent at "What is your council?") is not an answer."""
    choice = payload_choice(text)
    if choice is None:
        return Outcome("digress")  # an intent button, e.g. /ask_about_advocate or /stop
    if q.kind == SHARE_WITH:
        roles = parse_share_with(text)
        if roles and not share_with.READABLE.issuperset(roles):
            return Outcome("explain")  # someone who cannot read it here: say who can, and ask again
        return Outcome("fill", roles) if roles else Outcome("invalid")
    if choice == SKIP and q.skippable:
        return Outcome("fill", "")
    if choice == PREVIOUS_WORDS:
        return Outcome("fill", PREVIOUS_WORDS) if q.kind == OPEN else Outcome("invalid")
    if choice in button_values(buttons):
        return Outcome("fill", choice)
    if q.kind == DATE:
        return Outcome("fill", choice) if choice == UNKNOWN or dates.read_iso(choice) else Outcome("invalid")
    if choice in q.synonyms or choice in q.value_labels or (q.synonyms and choice == UNKNOWN):
        return Outcome("fill", choice)  # (a value with a label of its own, e.g. SMS's "this_number", is one too)
    return Outcome("invalid")


def _read_before_kind(text: str, intent: str | None) -> Outcome | None:
    """What holds for every kind of question: a disclosure, a plain stop, nothing written, too much."""
    if intent in SAFETY_INTENTS:  # a disclosure, a possible one, another language, a check-in's answer
        return Outcome("digress")
    if intent == STOP_INTENT and padded_words(text).strip() in STOP_PHRASES:
        return Outcome("digress")
    if asks_to_delete_chat(text, intent):
        return Outcome("digress")
    if not text.strip():
        return Outcome("empty")
    if len(text) > get_settings().max_text:
        return Outcome("too_long")
    return None


def _dont_know_choice(buttons: Sequence[Mapping[str, Any]] | None) -> Outcome:
    """"i dont no" at a buttons question: its "Not sure" or "I don't know" button, else asked again (never "I
    don't want to go" for the "no" in it)."""
    values = button_values(buttons)
    unsure = next((v for v in (NOT_SURE, UNKNOWN) if v in values), None)
    return Outcome("fill", unsure) if unsure else Outcome("invalid")


def has_own_help(slot: str) -> bool:
    """Whether the question has a line of its own explaining it (``explain_<slot>``, said before it is asked again)."""
    return f"explain_{slot}" in messages.catalogue()


def _not_a_choice(q: Question, text: str, intent: str | None, confidence: float) -> Outcome | None:
    """A message that picks no button and is not an answer: a wish to stop, a question for Heard, a question
    about this question; None when it may still be an answer in words."""
    if is_stop_sentence(text):
        return Outcome("check_stop")  # "actually stop i dont want this": asked, never read as a sentence answer
    if _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    if looks_like_question(text) and has_own_help(q.slot):
        return Outcome("explain")  # "whats the diffrence" at "a visitor or a mentor?": the question's own help
    return None


def _read_choice(q, text, intent, confidence, buttons) -> Outcome:
    """A buttons question (and yes/no, which never reads a sentence as a button)."""
    if dates.is_dont_know(text):
        return _dont_know_choice(buttons)
    words = normal_words(text)
    if len(words.split()) <= 10 and META_ANSWERS.search(words):
        return Outcome("meta")  # "are you even listening i said advocate": about the question, not a button
    matched = match_choice(q.slot, text, buttons)
    if matched == SKIP and q.skippable:
        return Outcome("fill", "")
    if matched is not None and asks_what(text) and not _is_a_title(text, buttons):
        # "what is advocate?" at "how do you want to take part?": a question about a button, not a choice of it
        # (but "what kind of person", a button's own title typed at the check, is that button).
        return Outcome("digress") if _is_digression(q, text, intent, confidence) else Outcome("invalid")
    unmatched = _not_a_choice(q, text, intent, confidence) if matched is None else None
    if unmatched is not None:
        return unmatched
    if q.sentence_fallback is not None and looks_like_sentence(text) and not looks_like_question(text):
        # "they took my phone for a week" at "what do you want help with?": something else, in their words;
        # "i want a mentor who likes art" at "visitor or mentor?": a mentor, and the words say what kind.
        value, words_slot = q.sentence_fallback
        if matched is not None and not _more_than_the_button(text, matched, q, buttons):
            return Outcome("fill", matched)  # "nobody lissens to me": the button, nothing more to keep
        return Outcome("fill", matched or value, also={words_slot: text}, note="kept_your_words")
    return Outcome("fill", matched) if matched is not None else Outcome("invalid")


def _is_a_title(text: str, buttons: Sequence[Mapping[str, Any]] | None) -> bool:
    words = padded_words(text)
    return any(padded_words(str(button.get("title", ""))) == words for button in buttons or ())


# Words that only say how a way is used ("thru my foster carer", "by text"): never "more than the button".
WAY_WORDS = frozenset({"through", "thru", "threw", "via", "using", "by", "with", "ask", "tell", "contact"})


def _more_than_the_button(text: str, value: str, q: Question, buttons: Sequence[Mapping[str, Any]] | None,
                           allowed: int = 1) -> bool:
    """Whether a sentence that picks button `value` says more than the button ("nobody lissens to me" does not;
    "my review, cos nobody asks me about moving school" does): two or more words that are not the button's own
    words, its typed phrases, or words every sentence has."""
    own = set()
    for button in buttons or ():
        if payload_choice(str(button.get("payload", ""))) == value:
            own |= set(normal_words(str(button.get("title", ""))).split())
    for phrase in q.synonyms.get(value, ()):
        own |= set(phrase.split())
    extra = [w for w in normal_words(text).split()
             if w not in own and w not in COMMON_WORDS and w not in REQUEST_WORDS and w not in WAY_WORDS
             and not difflib.get_close_matches(w, own, n=1, cutoff=TYPO_CUTOFF)]
    return len(extra) > allowed


def _read_open(q, text, intent, confidence, buttons) -> Outcome:
    """The child's own words, kept verbatim; a short typed choice ("text me") becomes the button's value.
    "i told you", "why?", "are you even reading this" or "actually stop" are never saved as the answer."""
    matched = match_choice(q.slot, text, buttons, negatable=True)
    if (matched == SKIP or SKIP_REQUEST.match(normal_words(text))) and q.skippable:
        return Outcome("fill", "")
    if matched is None and _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    typed = _typed_choice(q, text, matched, buttons) if matched is not None else None
    if typed is not None:
        return typed
    meta = _about_the_question(q, text)
    if meta is not None:
        return meta
    short = len(text.split()) <= SHORT_NO_WORDS
    if q.skippable and (says_nobody(text) or short and (
            plain_yes_no(text) is False or (says_nothing(text) and not q.nothing_is_an_answer))):
        # "nah", "nah nothing", "no I don't know anyone" at a question that may be skipped: nothing to add
        return Outcome("fill", "")
    if q.short:
        return _name_or_place(text, buttons)
    return Outcome("fill", text)


def _name_or_place(text: str, buttons: Sequence[Mapping[str, Any]] | None) -> Outcome:
    """Words at a name or place question: "i dont know which council it is" is its "I don't know"; words that
    cannot hold a name or place ("i miss my nan" at "What name should we use?") are asked back, never kept on a
    guess; anything else is kept as typed."""
    if dates.is_dont_know(text):  # "dunno" at "What name should we use?" has no such button: asked back
        return Outcome("fill", UNKNOWN) if UNKNOWN in button_values(buttons) else Outcome("ask_back")
    return Outcome("fill", text) if plausible_short_answer(text) else Outcome("ask_back")


def _about_the_question(q: Question, text: str) -> Outcome | None:
    """Words at an open question that are about the question, not an answer: a wish to stop, "what is safe
    mean", "i told you"; None when they may be the answer."""
    words = normal_words(text)
    if is_stop_sentence(text):
        return Outcome("check_stop")
    if asks_what(text) and len(words.split()) <= 6:
        # "what is safe mean" at "how can someone get in touch with you safely?": a question, never the answer
        return Outcome("explain" if has_own_help(q.slot) else "meta")
    if len(words.split()) <= 10 and META_ANSWERS.search(words if words else text.strip()):
        return Outcome("meta")
    return None


# A name or a place said with words around it ("my name is Sam", "i think its kent", "Leeds city council"): the
# words left out when judging whether the rest is a name or a place.
_INTROS = ("my name is", "my names", "my name's", "name is", "names", "im called", "i'm called", "i am called",
           "call me", "you can call me", "people call me", "everyone calls me", "i am", "im", "i'm", "it is", "its",
           "it's", "i think its", "i think it's", "i think it is", "i think", "i fink its", "i fink", "i thnk its",
           "i thnk", "i live in", "im in", "i'm in",
           "i am in", "im from", "i'm from", "i am from", "from", "in")
SHORT_ANSWER_INTRO = re.compile(
    r"^(?:(?:hi|hiya|hey|hello|ok|okay|um|erm|well|yeah|yes|so) )*(?:(?:"
    + "|".join(re.escape(intro) for intro in sorted(_INTROS, key=len, reverse=True)) + r") )?"
)
PLACE_WORDS = frozenset({"council", "county", "city", "borough", "district", "metropolitan", "royal", "of", "the",
                         "and", "cc", "mbc", "lbc", "london", "upon", "on"})
SHORT_ANSWER_MAX_WORDS = 4


# Words that say a name or a place is in the sentence ("Its Bilal but everyone calls me Billy", "kent, my real
# name is lily", "its Leeds that looks after me").
NAME_OR_PLACE_CUES = re.compile(
    r"\b(my (real |full |first |nick ?)?name|names|name's|nickname|(i'm|im|i am) called|call me|calls me|known as"
    r"|look(s|ed)? after me|council|county|borough|lives? in|(is|im|i'm|am|are) from)\b"
)
# Someone else's name ("my best friend is called Ellie", "my foster carer is called Sue shes nice"): not the child's.
SOMEONE_ELSES_NAME = re.compile(r"^my (?!name)(\w+ ){1,3}(is|s|'s) (called|named)\b|^my (?!name)(\w+ ){1,3}name is\b")
# Words after "im" that say how the child is, not who ("im fine", "im good thx").
HOW_I_AM = frozenset({"fine", "good", "ok", "okay", "k", "alright", "aight", "great", "tired", "happy", "well",
                      "here", "ready", "sorry", "confused", "not", "sure", "back", "bored", "busy", "cool", "thx",
                      "thanks", "ty", "thank", "you", "u", "too", "and", "so", "very", "really", "a", "bit"})
NOT_PROPER_NOUNS = frozenset({"I", "I'm", "Im", "I've", "I'd", "I'll", "OK", "Ok"})


QUESTION_STARTS = frozenset({"what", "whats", "wat", "wot", "which", "wich", "who", "where", "how", "why", "can",
                             "could", "will", "would", "is", "are", "do", "does", "should", "must"})
PRONOUNS = frozenset({"i", "im", "me", "my", "mine", "u", "you", "your", "ur", "it", "its", "they", "we"})


def _asks_back(text: str, words: list[str]) -> bool:
    """A question in place of the answer ("can u tell me?", "WHICH ONE IS MINE??"), not a name that starts like
    one ("Will Jones")."""
    return len(words) >= 2 and words[0] in QUESTION_STARTS and ("?" in text or bool(PRONOUNS & set(words)))


def plausible_short_answer(text: str) -> bool:
    """Whether words typed at a name or place question can hold that name or place (kept as typed): not a
    sentence ("no1", "Jade 💖"); a few words with none of a sentence's own ("my name is Sam Jones", "i think its
    kent"); or a sentence that names one ("Dylan, or Dyl is fine", "kent council i think", "I go to school in
    Bradford but its Leeds that looks after me"). Not: a feeling, a wish or missing someone ("i miss my nan"),
    or a sentence about something else ("my cat is called mittens btw", "we went to the park today")."""
    words = normal_words(text).split()
    if everyday.read_everyday(text) is not None or _asks_back(text, words) or SOMEONE_ELSES_NAME.search(
            " ".join(words)):
        return False
    if words and words[0] in ("im", "i'm") and all(w in HOW_I_AM for w in words[1:]):
        return False  # "im fine", "im good thx"
    if not looks_like_sentence(text):
        return True
    rest = [w for w in SHORT_ANSWER_INTRO.sub("", " ".join(words), count=1).split() if w not in PLACE_WORDS]
    if 0 < len(rest) <= SHORT_ANSWER_MAX_WORDS and not COMMON_WORDS & set(rest):
        return True
    if NAME_OR_PLACE_CUES.search(" ".join(words)) or words[0] not in COMMON_WORDS:
        return True  # the name or place said first ("Dylan, or ..."), or said to be there
    tokens = [token.strip(string.punctuation) for token in text.split()[1:]]
    return any(token[:1].isupper() and token not in NOT_PROPER_NOUNS for token in tokens)


PHONE_NUMBER = re.compile(r"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[\s-]?\d){8,9}(?!\d)")
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def contact_detail_in(text: str) -> str | None:
    """A UK phone number or an email address in the words, exactly as typed (one only), else None."""
    found = PHONE_NUMBER.findall(text) + EMAIL_ADDRESS.findall(text)
    return found[0].strip() if len(found) == 1 else None


def _typed_choice(q: Question, text: str, matched: str, buttons: Sequence[Mapping[str, Any]] | None
                  ) -> Outcome | None:
    """Words at an open question that pick one of its buttons and say nothing more ("text me", "after school
    after school" pasted twice), or also give the number to use ("text me on 07700 900810"); None otherwise."""
    detail = contact_detail_in(text) if q.detail_slot and matched in CONTACT_NEEDS_DETAIL else None
    if detail is not None:
        return Outcome("fill", matched, also={q.detail_slot: detail})
    if len(text.split()) <= 3 or not _more_than_the_button(text, matched, q, buttons, 0):
        return Outcome("fill", matched)
    return None


def _yes_no_pressed(q: Question, text: str, buttons: Sequence[Mapping[str, Any]] | None) -> Outcome | None:
    """One of the question's own phrases, a button's number or its title typed: that answer (None otherwise)."""
    words = normal_words(text)
    for value, phrases in q.synonyms.items():
        if words in phrases:
            return Outcome("fill", value)
    values = button_values(buttons)
    number = typed_number(text, len(values), number_words=False)
    if number is not None:
        return Outcome("fill", values[number - 1]) if 1 <= number <= len(values) else Outcome("explain")
    for button in buttons or ():
        if normal_words(str(button.get("title", ""))) == words:
            choice = payload_choice(str(button.get("payload", "")))
            return Outcome("fill", choice) if choice else Outcome("digress")
    return None


WHAT_IS = re.compile(r"^(what|whats|what's|wat|wats|wot|wut)( is| are| does| do)?( a| an| the)? (?P<term>.+?)( mean)?$")


def asks_about_own_words(slot: str, text: str) -> bool:
    """"what is childrens home" where the question itself says "children's home" (its own words are explained
    by asking it again, whatever topic the classifier guesses)."""
    found = WHAT_IS.match(normal_words(text))
    if found is None:
        return False
    asked = normal_words(str((messages.catalogue().get(f"ask_{slot}") or {}).get("text", ""))).replace("'", "")
    return f" {found.group('term').replace(chr(39), '')} " in f" {asked} "


def _read_yes_no(q, text, intent, confidence, buttons) -> Outcome:
    """A consent or a decision: a button, its number or title, one of its own phrases, or a plain yes or no.
    Anything else (a question such as "what happens if i say yes") is explained, never taken as an answer."""
    decided = _yes_no_pressed(q, text, buttons) or _yes_no_in_words(q, text, buttons)
    if decided is not None:
        return decided
    if q.yes_no is not None and _asks_for_what_is_offered(q, text, intent, confidence):
        return Outcome("fill", q.yes_no[0])  # "can someone call me" at "Would you like someone to talk to you today?"
    if _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    return Outcome("explain")


# Words that put off or ask about what is offered ("can someone call me tomorrow", "who will call me"): not a yes.
NOT_NOW_WORDS = frozenset({"later", "tomorrow", "tmrw", "tomoz", "another", "next", "sometime", "monday", "tuesday",
                           "wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "week"})
WH_WORDS = frozenset({"who", "whos", "who's", "what", "whats", "what's", "wat", "wot", "when", "why", "how", "where",
                      "which"})


def _asks_for_what_is_offered(q: Question, text: str, intent: str | None, confidence: float) -> bool:
    """A message the classifier is sure asks for what the question offers (``Question.yes_intents``), with no "no",
    "not", "later", and not a question of who, what or when."""
    if intent not in q.yes_intents:
        return False
    words = normal_words(text).split()
    threshold = SHORT_DIGRESSION_MIN_CONFIDENCE if len(words) <= 6 else DIGRESSION_MIN_CONFIDENCE
    return (confidence >= threshold and bool(words) and words[0] not in WH_WORDS
            and not set(words) & (NO_WORDS | NOT_NOW_WORDS) and not UNSURE.search(" ".join(words)))


def _yes_no_in_words(q: Question, text: str, buttons: Sequence[Mapping[str, Any]] | None) -> Outcome | None:
    """A yes or no typed in words (plain, with a reason, with a fact, "not sure"), a wish to stop, or a question
    about the question's own words; None for anything else."""
    answer = plain_yes_no(text, frozenset(q.yes_no[:1]) if q.yes_no else frozenset())
    if answer is not None and q.yes_no is not None:
        return Outcome("fill", q.yes_no[0] if answer else q.yes_no[1])
    if q.reason_slot is not None and q.yes_no is not None and no_with_reason(text):
        return Outcome("fill", q.yes_no[1], also={q.reason_slot: text}, note="kept_your_words")
    short = len(normal_words(text).split()) <= SHORT_NO_WORDS
    if NOT_SURE in button_values(buttons) and short and UNSURE.search(normal_words(text)):
        return Outcome("fill", NOT_SURE)  # "not shure", "dunno" where Not sure is one of the buttons
    if is_stop_sentence(text):
        return Outcome("check_stop")  # "actually stop, ill talk to my key worker first", "no dont send it"
    fact = _fact_said(q, text)
    if fact is not None:
        return fact
    if asks_what(text) and asks_about_own_words(q.slot, text):
        return Outcome("explain")  # "what is childrens home" at "Is it about a children's home?"
    if asks_about_the_answers(text):
        return Outcome("explain")  # "what happens if i say yes": what each answer does, then the question again
    return None


def _fact_said(q: Question, text: str) -> Outcome | None:
    """At a question of fact (never a consent: "yes if..." or "no but..." to telling a social worker is explained and
    asked again), a yes or a no with a fact nothing needs kept ("no im in supported lodgings", "yes its about her"),
    or the fact said in words that name it ("not my social worker, is about transport"); None otherwise."""
    if not q.factual or q.yes_no is None:
        return None
    said_no = no_with_reason(text, 2)
    said = False if said_no else True if yes_with_words(text) else corrections.answer_of_fact(text, q)
    return None if said is None else Outcome("fill", q.yes_no[0] if said else q.yes_no[1])


def _read_date(q, text, intent, confidence, buttons) -> Outcome:
    """A date ("12 March", "next week"), or "don't know"; the words are kept as the child wrote them."""
    if match_choice(q.slot, text, buttons) == UNKNOWN or dates.is_dont_know(text):
        return Outcome("fill", UNKNOWN)
    picked = match_choice(q.slot, text, buttons)
    if picked is not None and dates.ISO.match(picked):
        return Outcome("fill", picked)  # "1" or "the first one" where the days are buttons
    choices = dates.next_weekday_choices(text)
    if choices is not None:
        return Outcome("which_date", [day.isoformat() for day in choices])
    found = dates.read_date(text)
    if found is not None:
        return Outcome("fill", text)
    if is_stop_sentence(text):
        return Outcome("check_stop")
    if dates.month_without_day(text):
        return Outcome("date_needs_day")  # "end of january": which day? (never the 1st, never next year)
    if _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    return Outcome("not_a_date")


def _read_share_with(q, text, intent, confidence, buttons) -> Outcome:
    """Who may see a statement: audiences named, "everyone", or a button's number."""
    if parse_share_with(text) is None and _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    # Not sure who the child meant, or someone let in who cannot read it here (a carer, a parent, an advocate: the
    # review app has no page for them): say who can read it and ask again (never a guess, never a silent drop).
    # "everyone" and "not my mum" mean everyone who can read it here (share_with.readable).
    roles = share_with.readable(text)
    if roles is None and is_stop_sentence(text):
        return Outcome("check_stop")
    if roles is None:
        return Outcome("explain")
    return Outcome("fill", roles)


READERS: dict[str, Reader] = {
    CHOICE: _read_choice,
    YES_NO: _read_yes_no,
    OPEN: _read_open,
    SHARE_WITH: _read_share_with,
    DATE: _read_date,
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
        outcome = _read_payload(q, text, buttons)
    else:
        outcome = _read_before_kind(text, intent) or READERS[q.kind](q, text, intent, confidence, buttons)
    note = q.value_notes.get(str(outcome.value)) if outcome.kind == "fill" else None
    return Outcome(outcome.kind, outcome.value, outcome.also, note or outcome.note)


# ---------------------------------------------------------------- what the message that starts a form says

# Words of a bare request ("can i get an advocate please"): a message with fewer than two other words says
# nothing more, so nothing is kept from it.
REQUEST_WORDS = frozenset(
    {"i", "want", "need", "would", "like", "to", "an", "a", "the", "get", "can", "could", "have", "please", "pls",
     "plz", "me", "my", "someone", "somebody", "advocate", "advocat", "advokate", "advacate", "visitor", "visiter",
     "mentor", "independent", "independant", "iv", "share", "tell", "say", "wishes", "feelings", "make",
     "complain", "complaint", "about", "for", "with", "on", "side", "help", "hi", "hiya", "hello", "hey", "how",
     "do", "i'd", "id", "im", "i'm", "is", "it", "some", "one", "talk", "speak", "wanna", "gonna", "u", "you",
     "what", "think", "and", "of", "be", "am", "review", "meeting", "views", "view", "thoughts", "opinion", "got",
     "who", "ask", "asking", "before", "after", "next", "soon", "coming", "upcoming", "this", "that", "there",
     "sum1", "some1", "sumone", "sum1e", "smone", "sumbody", "sb", "gimme", "cn", "cud", "pleas", "plez", "ppl",
     # words that stand for what is still to come ("i want to say stuff for my review"): nothing said yet
     "stuff", "things", "thing", "something", "sumthing", "summat", "smth", "bits", "few", "couple",
     # words about doing the form itself ("i want to fill in my review thing")
     "fill", "filling", "form", "forms", "out", "complete", "start", "put", "answer", "answers", "questions",
     "write", "send", "sent", "now", "today", "again",
     }
    # greetings in the first languages of children in care ("salaam i need someone on my side please")
    | everyday.GREETINGS_IN_FIRST_LANGUAGES
)


def says_more(text: str) -> bool:
    """The message that started a form says more than the request itself (a reason, a wish, a complaint)."""
    if text.startswith("/") or not looks_like_sentence(text):
        return False
    words = normal_words(text).split()
    content = [w for w in words if w not in REQUEST_WORDS and w not in COMMON_WORDS]
    return len(content) >= 2 or (len(content) == 1 and len(content[0]) >= 3 and len(words) >= 8)


def first_answers(words_slot: str | None, guess_slot: str | None, text: str | None,
                  buttons: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Answers the message that started a form already gives: its words for `words_slot` (when it says more
    than the request), and the button of `guess_slot` it clearly names ("an advocate for my review")."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return {}
    found: dict[str, Any] = {}
    if guess_slot is not None:
        q = question(guess_slot)
        catch_all = q.sentence_fallback[0] if q is not None and q.sentence_fallback else None
        matched = match_choice(guess_slot, text, buttons)
        if matched is not None and matched not in (catch_all, SKIP, UNKNOWN):
            found[guess_slot] = matched
    if words_slot is not None and says_more(text):
        found[words_slot] = text
    return found
