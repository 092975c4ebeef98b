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
from bot.dialogue import dates
from bot.dialogue.forms import CHOICE, DATE, OPEN, SHARE_WITH, YES_NO, Question, question
from bot.dialogue import messages, share_with
from bot.dialogue.intents import (
    ACCESS_ACTIONS,
    DELETE_CHAT_INTENT,
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

# A plain yes or a plain no, typed: every word is a yes word, a no word or a harmless word, and the answer is
# one way only ("yeah thats fine", "nah ur alright", "i dont want them to know"); anything with another word
# ("yes if they dont tell my carer") or both ways ("no wait yes") is explained and asked again.
YES_WORDS = frozenset({"yes", "yeah", "yep", "yup", "ya", "yaa", "yah", "yeh", "ye", "yea", "yh", "y", "yass", "ok",
                       "okay", "okk", "okey", "k", "kk", "sure", "fine", "alright", "aight", "ight", "aye", "go",
                       "good", "cool", "deffo", "definitely", "yesss", "yess",
                       # a yes in the languages children in care in England often speak first (a consent is still
                       # only a plain yes: "da" alone, or with an English yes)
                       "si", "sim", "da", "ji", "haan", "oui", "tak", "ja", "evet", "po"})
STRONG_YES = frozenset({"yes", "yeah", "yep", "yup", "ya", "yaa", "yah", "yeh", "ye", "yea", "yh", "yass", "yess",
                        "yesss"})
NO_WORDS = frozenset({"no", "nope", "nah", "nahh", "na", "naw", "n", "dont", "don't", "not", "never", "naa", "noo",
                      "nooo", "cant", "can't", "didnt", "didn't", "rather", "nu", "nie", "nao", "nahi", "nein", "nej",
                      "hayir", "jo"})
FILLER_WORDS = frozenset({"please", "pls", "plz", "thats", "that's", "that", "is", "its", "it's", "it", "thanks",
                          "thank", "you", "u", "ta", "ty", "then", "oh", "well", "um", "erm", "so", "thx", "by", "me",
                          "with", "tell", "them", "her", "him", "they", "know", "want", "this", "can", "i", "id",
                          "i'd", "to", "ahead", "thing", "way", "ur", "you're", "youre", "do", "mind", "happy",
                          "really", "definitely", "for", "sure", "all", "like", "would", "wud", "love", "meet", "great",
                          "nice", "sounds", "good"})
NOT_OK = re.compile(r"\b(not|isnt|isn't) (ok|okay|fine|alright|good)\b")
# "nah not sure", "no i dont know": unsure, so neither a yes nor a no (explained, asked again).
UNSURE = re.compile(r"\b(not (really )?(sure|shure|sur|shore|suer)|unsure|unshure|nt sure"
                    r"|(dont|don't|do not|dnt) (know|no|kno)|idk|dunno|maybe|no idea|no clue)\b")
# A thumbs up or down is a yes or a no (the simple wording of a yes/no question shows 👍/👎), read as the word it
# stands for, so "👍👍" is a yes and "👍 if they dont tell my carer" is still a condition (skin tones are dropped).
YES_EMOJI = ("👍", "👌", "✅", "✔", "☑", "🆗")
NO_EMOJI = ("👎", "❌", "✖", "❎", "🙅", "🚫", "⛔")
# "no one", "nobody", "no1": nobody (at a skippable question, "Is there a grown-up you already know?", nothing to
# add, like a plain no).
NOBODY_WORDS = frozenset({"nobody", "noone", "no1", "nobdy", "nobodi", "none", "noboby"})

# Answers about the conversation, not to the question (open questions): never saved as the answer.
META_ANSWERS = re.compile(
    r"^[?!. ]+$"
    r"|^((like|as|but) )?(i|u|you) (already |just |literally |literally just )*(told|said|answered|asked)"
    r"( (me|you|u|it|that|this|before|already|that already))*$"
    r"|^((like|as) )?i said( (it|that))?( before| already)?$|^same as (before|i said|last time)$"
    r"|^(read|scroll) (what i (wrote|said|put)|up|back)\b"
    r"|^why( (u|you|do you|do u))?( (asking|ask|need to know|want to know|wanna know))?( that| this)?$"
    # "why do u need that", "why do you want my number", "what do you need it for": why the question is asked
    r"|^((but|and|so|ok) )?(why|y|whyy+) ((do|does|would|did) )?(you|u|ya|they|it|he|she) (need|want|wanna|ask|have to)"
    r"( (to|know|that|this|it|for|me|my \w+|about (that|this|it|me)))*$"
    r"|^what (do|does|would) (you|u|they) (need|want) (that|this|it|my \w+) for$|^what(s|'s| is) (that|this|it) for$"
    r"|^why (does|do|would) (it|that|this) matter$"
    # "do i have to give my real name", "will they know why im in care": a question about the question
    r"|^((but|and|so|ok) )?(do|will|would|does|can|could|must) (i|it|this|that|they|he|she|people|any ?one"
    r"|every ?one|my \w+|the \w+) (have to|need to|got to|know|see|read|find out|be told|get told|tell)\b"
    r"|^(wat|wot|what|huh|eh|wdym|like what|what kind of thing|what do i (say|write|put)|what should i (say|write))$"
    # fillers and frustration: "hmm", "ugh", "this is so annoying wtf how many more questions"
    r"|^(h+m+|u+m+|e+r+m+|u+h+|m+|ugh+|omg|wtf|ffs|bruh|meh|idc|k+)$|\bhow (many|much) more( questions| qs| things)?\b"
    r"|^(ugh+ |omg |wtf )?this is (so |really |well |proper )?(annoying|boring|long|stupid|dumb|taking ages"
    r"|pointless)\b"
    r"|^(what|wat) (will|do|are) (they|you|u) (do|going to do|gonna do) with (it|this|that|my \w+)$"
    r"|^what do (you|u) mean\b.{0,30}$|^what does (that|it) mean$"
    r"|^(i )?(dont|don't|do not) (get|understand)( it| that| this| the question| what you mean| wat u mean)?$"
    r"|^can (u|you) (say|ask) (that|it) (another|a different|an easier) way$|^say (it|that) again$"
    r"|\b(are|r) (you|u) (even |actually )?(reading|listening|there|real|a robot|a bot|a person|human)\b"
    r"|\bis (this|that|it) (a )?(real )?(person|human|robot|bot)\b|\b(u|you) (are |r )?not listening\b"
    r"|\bis (any ?one|any1|anybody|someone|somebody) (there|reading|listening)\b"
    r"|^(any ?one|any1|anybody|hello+|hi+|hey+|oi+)$"
    r"|^((hello|hi|hey|oi) )?(are |r )?(u|you|ya) (still )?(there|awake|here)$|^(still|any ?one|any1|some ?one) there$"
)
# "i told you", "i already said", "same as before": the child says they answered already (their words from an earlier
# question may be offered back), unlike "hmm" or "what do you mean".
TOLD_YOU = re.compile(
    r"\b(i|u|you) (already |just |literally |literally just )*(told|said|answered|wrote|put)\b|^same as\b"
    r"|\bread (what i|up|back)\b|\balready (said|told|answered)\b"
)


def says_told_you(text: str) -> bool:
    return bool(TOLD_YOU.search(normal_words(text)))


# A message that asks to stop, at an open question ("actually stop i dont want it"): asked about, never saved.
# The stop words must start the message (after "actually", "wait"...) and nothing but these words may follow,
# so "stop putting me in taxis on my own" and "i want to stop having meetings at school" stay answers.
STOP_PREFIX = frozenset({"actually", "wait", "no", "ok", "oh", "um", "erm", "nah", "can", "we", "just", "please",
                         "pls", "i", "want", "to", "lets", "let's"})
STOP_CORE = re.compile(
    r"^(stop|cancel|forget it|never ?mind|nvm|leave it|quit|end this|end it|delete it|delete this"
    r"|(i )?changed my mind|(i )?(dont|don't) want (it|this|that|to do (this|it|the form|this form))"
    r"|(i )?(dont|don't|do not) want to (send|do|finish|answer) (it|this|that|these|them|any more|anymore)"
    r"|(dont|don't) send( (it|this|that|anything))?)\b"
)
STOP_TAIL = frozenset({"i", "dont", "don't", "want", "it", "this", "that", "to", "do", "anymore", "any", "more", "now",
                       "please", "pls", "thanks", "form", "the", "send", "cancel", "stop", "changed", "my", "mind",
                       "actually", "ok", "no", "nah", "thing", "whole", "all", "of", "lol", "sorry", "an", "a",
                       "advocate", "visitor", "mentor", "about", "forget", "anything", "never", "cba", "cant", "be",
                       "bothered", "rn", "tbh", "mate", "finish", "answer", "these", "questions", "them", "think",
                       "first", "later", "bit", "time", "go", "away", "need", "wanna"})


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


# "Delete this chat" inside a form (issue 17) throws the answers away and the transcript with them, so, like a
# stop, only a plain request to delete the chat counts: "can u delete my messages pls", "i want this chat
# deleted", never "forget it" (a stop) or an answer that mentions deleting ("delete the pics he sent").
_DELETE_VERB = r"(delete|delet|deleet|delte|dlt|erase|wipe|clear|remove|rub out|get rid of|forget)"
_CHAT = (r"(chat|conversation|convo|messages|msgs|what i (said|wrote|typed|put)"
         r"|everything i (said|wrote|typed|told you))")
_POLITE = r"((please|pls|plz|can|could|will|would|you|u|i|want|wanna|need|to|just|ok|okay|actually|now|like|id|i'd) )*"
DELETE_CHAT_SENTENCE = re.compile(
    rf"^{_POLITE}{_DELETE_VERB} ((this|my|the|all|of|our) )*{_CHAT}( (please|pls|plz|now|thanks|too))*$"
    rf"|^{_POLITE}(this|my|the|our) {_CHAT} (deleted|gone|wiped|erased|removed)( (please|pls|plz|now))*$"
    rf"|^(i )?(dont|don't|do not) (want|keep|save) (this|my|the|our) {_CHAT}( saved| kept)?( (please|pls|plz))*$"
)


def asks_to_delete_chat(text: str, intent: str | None) -> bool:
    """A plain "delete this chat" (the classifier's intent and the words agree): inside a form it ends the form,
    nothing sent, and deletes the chat (the rules: scripts/make_rules.py)."""
    return intent == DELETE_CHAT_INTENT and bool(DELETE_CHAT_SENTENCE.match(normal_words(text)))


FIRST_CLAUSE = re.compile(r"^([^,.;!]+)[,.;!].*\w")  # the words before the first comma or full stop


def is_stop_sentence(text: str) -> bool:
    """"actually stop i dont want it", "can we stop", "nvm": a wish to stop, not an answer. A stop said first and
    then a reason after a comma or a full stop ("actually stop, ill talk to my key worker first") is one too (the
    child is asked, never stopped on a guess)."""
    clause = FIRST_CLAUSE.match(text)
    return bool(clause and _stops(clause.group(1))) or _stops(text)


def _stops(text: str) -> bool:
    words = normal_words(text).split()
    if not words or len(words) > 12:
        return False
    start = 0
    while start < len(words) - 1 and words[start] in STOP_PREFIX and not STOP_CORE.match(" ".join(words[start:])):
        start += 1
    rest = " ".join(words[start:])
    match = STOP_CORE.match(rest)
    return bool(match) and all(w in STOP_TAIL for w in rest[match.end():].split())


@dataclass(frozen=True)
class Outcome:
    """What to do with a message: `fill` the slot, `digress`, or tell the child why not.

    A fill may also fill other slots (`also`) and say a catalogue message first (`note`).
    """

    kind: str  # fill | digress | invalid | empty | too_long | explain | meta | check_stop | not_a_date | date_needs_day
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
    if UNKNOWN in values and dates.is_dont_know(text):
        return UNKNOWN  # "dont know", "dont no", "idk" where "I don't know" is a button
    synonyms = _synonyms(slot)
    # Longest phrase wins, so "not going well" beats "going well".
    hits: list[tuple[int, str]] = []
    for value, phrases in synonyms.items():
        for phrase in phrases:
            if _has_phrase(words, phrase):
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
# "can i skip this", "skip pls", "pass": at a question that may be skipped, the skip.
SKIP_REQUEST = re.compile(
    r"^((can|could|may|cn) i |i (want to|wanna|will|ll|'ll) |(please|pls|plz|just|ok) )*(skip|pass|miss out)"
    r"( (this|that|it|this one|that one|this question|the question|for now|please|pls|plz))*$"
)
WHAT_WORDS = frozenset({"what", "whats", "what's", "wat", "wats", "wot", "wots", "wut", "explain", "wdym"})


def asks_what(text: str) -> bool:
    """"what is advocate?", "whats a mentor": a question about what something is, not an answer."""
    words = _words(text).split()
    return bool(words) and words[0] in WHAT_WORDS


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
    if ASKS_TO_ACT.match(normal_words(text)):
        return False
    if looks_like_question(text):
        return True
    sure = intent in SHORT_REQUEST_INTENTS or confidence >= DIGRESSION_MIN_CONFIDENCE
    asks = bool(REQUEST_CUES & set(normal_words(text).split()))
    return word_count <= 6 and intent not in TOPIC_INTENTS and sure and asks


# ---------------------------------------------------------------- one reader per kind of question

Reader = Callable[[Question, str, "str | None", float, "Sequence[Mapping[str, Any]] | None"], Outcome]


def _read_payload(q: Question, text: str) -> Outcome:
    """A pressed button: its value, if it is one of this question's."""
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
    if q.synonyms and choice not in q.synonyms and choice not in q.value_labels and choice != UNKNOWN:
        return Outcome("invalid")  # (a value with a label of its own, e.g. SMS's "this_number", is one too)
    return Outcome("fill", choice)


def _read_before_kind(text: str, intent: str | None) -> Outcome | None:
    """What holds for every kind of question: a disclosure, a plain stop, nothing written, too much."""
    if intent in SAFETY_INTENTS:  # a disclosure, a possible one, another language, a check-in's answer
        return Outcome("digress")
    if intent == STOP_INTENT and _words(text).strip() in STOP_PHRASES:
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
    matched = match_choice(q.slot, text, buttons)
    if matched == SKIP and q.skippable:
        return Outcome("fill", "")
    if matched is not None and asks_what(text):
        # "what is advocate?" at "how do you want to take part?": a question about a button, not a choice of it.
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
             if w not in own and w not in COMMON_WORDS and w not in REQUEST_WORDS
             and not difflib.get_close_matches(w, own, n=1, cutoff=TYPO_CUTOFF)]
    return len(extra) > allowed


def _read_open(q, text, intent, confidence, buttons) -> Outcome:
    """The child's own words, kept verbatim; a short typed choice ("text me") becomes the button's value.
    "i told you", "why?", "are you even reading this" or "actually stop" are never saved as the answer."""
    matched = match_choice(q.slot, text, buttons)
    if (matched == SKIP or SKIP_REQUEST.match(normal_words(text))) and q.skippable:
        return Outcome("fill", "")
    if matched is None and _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    if matched is not None and (len(text.split()) <= 3 or not _more_than_the_button(text, matched, q, buttons, 0)):
        return Outcome("fill", matched)  # "text me", "after school after school" (pasted twice)
    words = normal_words(text)
    if is_stop_sentence(text):
        return Outcome("check_stop")
    if asks_what(text) and len(words.split()) <= 6:
        # "what is safe mean" at "how can someone get in touch with you safely?": a question, never the answer
        return Outcome("explain" if has_own_help(q.slot) else "meta")
    if len(words.split()) <= 10 and META_ANSWERS.search(words if words else text.strip()):
        return Outcome("meta")
    if q.skippable and len(text.split()) <= SHORT_NO_WORDS and (plain_yes_no(text) is False or says_nobody(text)):
        return Outcome("fill", "")  # "nah", "nope thats all" at a question that may be skipped: nothing to add
    return Outcome("fill", text)


# "sorry i meant tuesday", "oops i meant 2": a short correction of the answer just given (the form changes it and
# asks the question on screen again). Only what follows "i meant" is read, and only for the question before.
CORRECTION = re.compile(
    r"^((sorry|soz|sry|oops|opps|oh|no|wait|actually|ah|ahh|my bad) )*(i meant|i mean|meant|i ment|i meant to say)"
    r" (?P<fix>.+)$"
)
CORRECTION_MAX_WORDS = 4  # the corrected answer itself: "tuesday", "the 14th", "only the iro"


def correction_of(text: str) -> str | None:
    """The corrected answer in "sorry i meant tuesday" ("tuesday"), or None."""
    found = CORRECTION.match(normal_words(text))
    if found is None or len(found.group("fix").split()) > CORRECTION_MAX_WORDS:
        return None
    return found.group("fix")


def emoji_as_words(text: str) -> str:
    """A thumbs up as "yes", a thumbs down as "no" (and the other yes and no emoji); the rest unchanged."""
    for emoji in YES_EMOJI:
        text = text.replace(emoji, " yes ")
    for emoji in NO_EMOJI:
        text = text.replace(emoji, " no ")
    return text


def says_nobody(text: str) -> bool:
    """"no1", "no one thanks", "nobody": nobody, and nothing else."""
    words = re.sub(r"\bno (one|body)\b", "nobody", normal_words(text)).split()
    return any(w in NOBODY_WORDS for w in words) and all(w in NOBODY_WORDS | NO_WORDS | FILLER_WORDS for w in words)


def plain_yes_no(text: str, also_yes: frozenset[str] = frozenset()) -> bool | None:
    """True for a plain yes ("yeah thats fine", "👍"), False for a plain no ("no thanks", "not ok", "👎"), None for
    anything else (a question, a condition, both, neither). `also_yes`: the question's own yes word ("send" at the
    check: "ok send"), a strong yes, so "no dont send" is both ways, never a no."""
    text = emoji_as_words(text)
    if "?" in text or UNSURE.search(normal_words(text)):
        return None
    yes_words, strong = YES_WORDS | also_yes, STRONG_YES | also_yes
    words = NOT_OK.sub("no", normal_words(text)).split()
    if not words or any(w not in yes_words | NO_WORDS | FILLER_WORDS for w in words):
        return None
    first = next((w for w in words if w in yes_words | NO_WORDS), None)
    if first is None:
        return None
    if first in NO_WORDS:
        # "nah ur alright": a no, politely; but "no wait yes" is both
        return None if any(w in strong for w in words) else False
    return None if any(w in NO_WORDS for w in words) else True


# A no followed by a reason ("no im scared of dogs") at a yes/no question with a reason slot: the no, with the
# words kept as the reason. Not when the rest hedges ("no wait", "no idea", "no but maybe", "no i dont know").
NO_FIRST = frozenset({"no", "nope", "nah", "nahh", "naw", "na", "noo", "nooo"})
HEDGE_WORDS = frozenset({"if", "unless", "but", "maybe", "idk", "dunno", "unsure", "idea", "wait", "depends", "yet",
                         "perhaps", "probably", "might", "or", "sure"})


def no_with_reason(text: str, at_least: int = 3) -> bool:
    """"no im scared of dogs", "nah he seems boring": a plain no, then a reason in the child's words (at a
    question of fact one word will do: "no, foster")."""
    if "?" in text:
        return False
    words = normal_words(text).split()
    if len(words) < at_least or words[0] not in NO_FIRST:
        return False
    rest = words[1:]
    if looks_like_question(" ".join(rest)) or any(w in STRONG_YES or w in HEDGE_WORDS for w in rest):
        return False
    return any(w not in YES_WORDS | NO_WORDS | FILLER_WORDS | {"know", "thanks"} for w in rest)


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


def yes_with_words(text: str) -> bool:
    """"yes he knows already", "yeah its a childrens home": a plain yes first, then words that neither hedge, ask
    nor take it back."""
    if "?" in text:
        return False
    words = normal_words(emoji_as_words(text)).split()
    if len(words) < 3 or words[0] not in STRONG_YES:
        return False
    rest = words[1:]
    return not (looks_like_question(" ".join(rest)) or any(w in NO_WORDS or w in HEDGE_WORDS for w in rest))


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
    if _is_digression(q, text, intent, confidence):
        return Outcome("digress")
    return Outcome("explain")


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
    said_no = no_with_reason(text, 2)
    if q.factual and q.yes_no is not None and (said_no or yes_with_words(text)):
        # "no im in supported lodgings", "yes its about her": the answer, with a fact nothing needs kept (never a
        # consent: "yes if..." or "no but..." to telling a social worker is explained and asked again)
        return Outcome("fill", q.yes_no[1] if said_no else q.yes_no[0])
    if asks_what(text) and asks_about_own_words(q.slot, text):
        return Outcome("explain")  # "what is childrens home" at "Is it about a children's home?"
    return None


def _read_date(q, text, intent, confidence, buttons) -> Outcome:
    """A date ("12 March", "next week"), or "don't know"; the words are kept as the child wrote them."""
    if match_choice(q.slot, text, buttons) == UNKNOWN or dates.is_dont_know(text):
        return Outcome("fill", UNKNOWN)
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
        outcome = _read_payload(q, text)
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
     "write", "send", "sent", "now", "today", "again"}
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
