"""Who may see a statement, from what a child types: lists, "only", "not", "except", "everyone but", typos.

`parse(text)` gives the audiences the child meant, or None when a careful person would have to ask ("the
usual", "mum not dad", "1 and 4"). The form then asks again; an answer that was understood is still read back
for the child to confirm ("So: your IRO and your advocate. Not your social worker. Is that right?"), because
a child who cannot read the list well must never share by accident.

Grammar, in plain words:
- names of readers, with typos and nicknames ("sw", "socail worker", "i.r.o", "my mam", "foster mum" is a carer,
  "key worker" and "staff" are carers);
- "everyone", "all", "every1" mean all five; "nobody", "no one" share with nobody (not allowed: asked again);
- a "not", "dont", "except", "apart from", "but" (after everyone), "without" starts a list of people left out;
  "but"/"only"/"just" after a left-out list starts people let in again ("not my mum but my sw is fine");
- people let in, minus people left out; left-out people alone mean everyone else ("not my mum");
- one number is that button of the question (as numbered on SMS); several numbers are asked again.
Plain Python, no Rasa.
"""

from __future__ import annotations

import difflib
import re

from bot.vocabulary import AUDIENCES, normal_words

# Button presets of ask_w_share_with, in order (the SMS version numbers them 1 to 4).
PRESETS: tuple[tuple[str, ...], ...] = (
    ("social_worker", "iro"),
    ("iro",),
    ("social_worker",),
)
# Who can read a statement in the review app (issue 15): the other audiences have no reader there, so they are
# not offered, and a child who names them is told who can read it and asked again (bot/dialogue/answers.py).
READABLE: frozenset[str] = frozenset({"social_worker", "iro"})

# Phrases for each reader, longest first when matched. "foster ..." comes before "mum"/"dad"/"parents".
READER_PHRASES: dict[str, tuple[str, ...]] = {
    "carer": ("foster carers", "foster carer", "foster mum", "foster mam", "foster mom", "foster dad",
              "foster parents", "foster parent", "foster family", "key worker", "keyworker", "carers", "carer",
              "staff", "foster"),
    "social_worker": ("social worker", "socialworker", "social", "sw"),
    "iro": ("independent reviewing officer", "reviewing officer", "review person", "review lady", "review man",
            "review woman", "review guy", "review officer", "meeting lady", "meeting man", "runs my review",
            "runs my meeting", "runs the meeting", "runs the review", "runs my reviews", "chair", "iro", "i r o"),
    "parent": ("parents", "parent", "mum", "mam", "mom", "mummy", "dad", "daddy", "family"),
    "advocate": ("advocate",),
}
# Single words a misspelling is compared with (difflib ratio >= 0.8): "socail", "advocat", "sosial".
TYPO_WORDS = {"social": "social_worker", "worker": "social_worker", "advocate": "advocate", "carer": "carer",
              "reviewing": "iro", "independent": "iro", "parents": "parent", "foster": "carer"}
EVERYONE = ("everyone", "everybody", "every1", "evry1", "evryone", "everyon", "all of them", "all of em",
            "all 5", "all five", "all", "anyone", "any of them", "the rest")
NOBODY = ("nobody", "no one", "noone", "none of them", "none", "dont share with anyone", "not anyone")
LEAVE_OUT = ("apart from", "apart frm", "other than", "except", "xcept", "exept", "excpet", "without", "not",
             "dont", "don't", "no", "never", "but not")
LET_IN = ("only", "just", "but", "and only")
UNSURE = ("maybe", "idk", "dunno", "not sure", "whoever", "the usual", "same as", "needs to know", "needs to see",
          "council")


def _tokens(text: str) -> list[str]:
    words = normal_words(text.replace(".", " "))
    return words.split()


# Words never "corrected" (they are right as they are, and close to a reader's name).
KNOWN = frozenset(
    word
    for group in (*READER_PHRASES.values(), EVERYONE, NOBODY, LEAVE_OUT, LET_IN, UNSURE)
    for phrase in group
    for word in phrase.split()
) | {"review", "person", "meeting", "people", "reviews", "workers", "others", "other"}


# The word before "worker" spelt as it sounds ("sosal worker", "soshul worker", "socal worker") is "social": its
# consonants sound like s-s-l (not "key", "youth" or "support": other kinds of worker).
def _sounds_like_social(word: str) -> bool:
    sounds = re.sub(r"sh|ch|ss|c|z", "s", word)
    return re.sub(r"[aeiouyhw]", "", sounds) == "ssl"


def _fix_typos(tokens: list[str]) -> list[str]:
    fixed = []
    for index, token in enumerate(tokens):
        before_worker = index + 1 < len(tokens) and tokens[index + 1] in ("worker", "wrker", "werker")
        if before_worker and token not in KNOWN and _sounds_like_social(token):
            fixed.append("social")
        elif len(token) >= 5 and token not in KNOWN:
            close = difflib.get_close_matches(token, TYPO_WORDS, n=1, cutoff=0.8)
            fixed.append(close[0] if close else token)
        else:
            fixed.append(token)
    return fixed


def _find(words: str, phrases: tuple[str, ...]) -> list[int]:
    """Word positions where any of `phrases` starts (whole words)."""
    found = []
    padded = f" {words} "
    for phrase in phrases:
        for match in re.finditer(rf"(?<= ){re.escape(phrase)}(?= )", padded):
            found.append(len(padded[: match.start()].split()))
    return sorted(found)


def _mentions(tokens: list[str]) -> list[tuple[int, str]]:
    """(position, audience) for every reader named, longest phrase first, no word used twice."""
    used: set[int] = set()
    out: list[tuple[int, str]] = []
    phrases = sorted(((p, a) for a, ps in READER_PHRASES.items() for p in ps), key=lambda x: -len(x[0]))
    words = " ".join(tokens)
    for phrase, audience in phrases:
        length = len(phrase.split())
        for start in _find(words, (phrase,)):
            span = set(range(start, start + length))
            if not span & used:
                used |= span
                out.append((start, audience))
    return sorted(out)


def _numbers(tokens: list[str]) -> list[int]:
    return [int(t) for t in tokens if t.isdigit()]


def parse(text: str) -> list[str] | None:
    """The audiences the child meant, in the usual order; None when unclear (ask again)."""
    tokens = _fix_typos(_tokens(text))
    words = " ".join(tokens)
    if not tokens or _find(words, UNSURE):
        return None
    numbers = _numbers(tokens)
    if numbers and not (len(numbers) == 1 and words in (str(numbers[0]), f"option {numbers[0]}")):
        return list(AUDIENCES) if words in ("all 5", "all five") else None
    if numbers:
        return list(PRESETS[numbers[0] - 1]) if 1 <= numbers[0] <= len(PRESETS) else None
    if _find(words, NOBODY) and not _mentions(tokens):
        return None  # sharing with nobody is not a choice the form offers: ask again
    return _decide(tokens, words)


def readable(text: str) -> list[str] | None:
    """Who may read the statement here, from what the child typed: as ``parse``, but "everyone" (or only people
    left out: "not my mum") means everyone who can read it here (``READABLE``). None when unclear, or when the child
    let in someone who cannot read it here ("my iro and my advocate"): asked again, never a silent drop."""
    roles = parse(text)
    if (roles is None or READABLE.issuperset(roles)) and _both(text):
        return [a for a in AUDIENCES if a in READABLE]  # the question offers "your social worker, your IRO, or both"
    if roles is None or READABLE.issuperset(roles):
        return roles
    tokens = _fix_typos(_tokens(text))
    let_in, _left_out = _split(tokens, " ".join(tokens), _mentions(tokens))
    if (set(roles) - READABLE) & let_in:
        return None
    return [r for r in roles if r in READABLE] or None


BOTH_ALSO = frozenset({"also", "too", "aswell", "as", "well", "my", "and", "plus"})
BOTH_WORDS = frozenset({"both", "bothe", "bofe", "boht", "bth"})
BOTH_FILLER = frozenset({"the", "of", "them", "em", "pls", "please", "plz", "thanks", "ty", "is", "fine", "ok", "okay",
                         "i", "want", "yes", "yeah", "2", "actually", "then", "thats", "that's", "that", "its", "it's",
                         "good", "just", "can", "see", "it", "yh", "ye", "sure", "oh", "um", "erm", "now", "lol",
                         "alright", "allright", "ill", "i'll", "go", "with", "have", "pick", "choose", "do", "u",
                         "you"})


def _both(text: str) -> bool:
    """"both", "both of them pls", "my social worker also, both": the two the question names, and nobody else
    named or left out."""
    tokens = _fix_typos(_tokens(text))
    if not any(t in BOTH_WORDS for t in tokens):
        return False
    named = {audience for _, audience in _mentions(tokens)}
    if not READABLE.issuperset(named) or _find(" ".join(tokens), LEAVE_OUT):
        return False
    covered = {i for i, _ in _mentions(tokens)}  # the first word of each reader named
    reader_words = {w for audience in named for phrase in READER_PHRASES[audience] for w in phrase.split()}
    return all(t in BOTH_WORDS | BOTH_FILLER | BOTH_ALSO | reader_words or i in covered for i, t in enumerate(tokens))


def _decide(tokens: list[str], words: str) -> list[str] | None:
    mentions = _mentions(tokens)
    if _find(words, NOBODY):
        # "nobody except my advocate", "my mum and dad but nobody else": the people named, and only them.
        return [a for a in AUDIENCES if a in {audience for _, audience in mentions}] or None
    let_in, left_out = _split(tokens, words, mentions)
    if let_in & left_out:
        return None  # "mum not dad": both are the parent
    if _find(words, LEAVE_OUT) and not left_out:
        return None  # "all of them apart from the last one": left out, but who?
    everyone = bool(_find(words, EVERYONE))
    if let_in and not everyone:
        chosen = let_in
    elif everyone or left_out:
        chosen = set(AUDIENCES) - left_out
    else:
        return None
    return [a for a in AUDIENCES if a in chosen] or None


def _split(tokens: list[str], words: str, mentions: list[tuple[int, str]]) -> tuple[set[str], set[str]]:
    """The readers let in and the readers left out, by the last marker before each name."""
    everyone = bool(_find(words, EVERYONE))
    leave_at, let_in_at = _find(words, LEAVE_OUT), _find(words, LET_IN)
    let_in: set[str] = set()
    left_out: set[str] = set()
    for position, audience in mentions:
        last_leave = max((p for p in leave_at if p < position), default=-1)
        last_in = max((p for p in let_in_at if p < position), default=-1)
        everyone_but = everyone and last_in >= 0 and tokens[last_in] == "but"
        (left_out if last_leave > last_in or everyone_but else let_in).add(audience)
    return let_in, left_out
